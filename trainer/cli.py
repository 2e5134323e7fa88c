"""Flask commands: content check, demo data, user admin from the shell."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from trainer.accounts import demo
from trainer.catalog import load_content
from trainer.extensions import db

content_cli = AppGroup("content", help="Validate and inspect course, quiz and scenario content.")


@content_cli.command("check")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding courses/, quizzes/ and scenarios/ (default: the project).")
def content_check(root: Path | None) -> None:
    """Validate all content; print every problem as path:line: message and exit 1 if any."""
    root = root or Path(current_app.config["CONTENT_ROOT"])
    if not root.is_dir():
        click.echo(f"error: content root {root} is not a folder", err=True)
        sys.exit(2)
    _, problems = load_content(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("content ok")


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
    _ = db  # the commands above use the app's session through the services
