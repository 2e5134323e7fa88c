"""Flask commands: content check, demo data, user admin from the shell."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from trainer.accounts import demo
from trainer.catalog import load_content
from trainer.contentlint.report import report_lines, run_lint
from trainer.extensions import db
from trainer.scorm.cli import course_cli

content_cli = AppGroup("content", help="Validate and inspect course, quiz and scenario content.")


@content_cli.command("check")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding courses/, quizzes/ and scenarios/ (default: the project).")
@click.option("--no-lint", "skip_lint", is_flag=True,
              help="Only validate; skip the content lint (cues, kinds, duplicates, terminology).")
def content_check(root: Path | None, skip_lint: bool) -> None:
    """Validate all content (every problem as path:line: message), then run the content lint and
    print its statistics. Exit 1 on any problem or failed lint rule (CONTENT_LINT=report: the lint
    only reports)."""
    root = root or Path(current_app.config["CONTENT_ROOT"])
    if not root.is_dir():
        click.echo(f"error: content root {root} is not a folder", err=True)
        sys.exit(2)
    registry, problems = load_content(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("content ok")
    waiting = registry.banks.untranslated() if registry.banks is not None else []
    if waiting:
        banks = sorted({q.bank for q in waiting})
        click.echo(
            f"needs translation: {len(waiting)} question(s) in {', '.join(banks)} are written in one language "
            "(drawn only in that language; the lint checks them once translated)"
        )
    if skip_lint:
        return
    report = run_lint(
        [q for q in registry.banks or () if q not in waiting],
        registry.quizzes,
        registry.scenarios,
        registry.glossary,
        root,
        translations=Path(current_app.root_path) / "translations",
    )
    for line in report_lines(report):
        click.echo(line)
    if not report.passed:
        if os.environ.get("CONTENT_LINT") == "report":
            click.echo("CONTENT_LINT=report: the lint failed, reported only (not an error).", err=True)
            return
        sys.exit(1)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo organisation and activity (deterministic)."""
    if not demo.database_is_empty():
        if if_empty:
            click.echo("Database already has users; demo data not loaded.")
            return
        click.echo("error: the database already has users; seed-demo only fills an empty database.", err=True)
        sys.exit(1)
    people = demo.seed_demo(current_app.extensions.get("demo_seeders", []))
    click.echo("Demo data loaded. Sign in with:")
    for role, email, password in people.logins:
        click.echo(f"  {role:8} {email:28} {password}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(course_cli)
    _ = db  # the commands above use the app's session through the services
