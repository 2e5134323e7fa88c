"""``flask course export-scorm COURSE --version 1.2|2004 --lang zh|en --output FILE.zip``.

Every mistake in the arguments (unknown course, version or language, an output path that cannot
be written) is one line on stderr starting with ``error:`` and exit status 2; nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from trainer.core.content import catalog
from trainer.scorm.package import (
    PackageError,
    build_package,
    check_arguments,
    course_for_package,
    summary,
    write_zip,
)

course_cli = AppGroup("course", help="Courses: export for a corporate LMS (SCORM).")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _check_output(output: Path) -> None:
    if output.is_dir():
        _fail(f"output {output} is a folder; give a file name ending in .zip")
    if output.suffix.lower() != ".zip":
        _fail(f"output {output} must end in .zip")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        _fail(f"cannot write {output}: folder {parent} does not exist")


@course_cli.command("export-scorm")
@click.argument("course_id", metavar="COURSE")
@click.option("--version", "version", required=True, metavar="1.2|2004", help="SCORM version: 1.2 or 2004 (4th edition).")
@click.option("--lang", required=True, metavar="zh|en", help="Language of the lessons and questions.")
@click.option("--output", required=True, type=click.Path(path_type=Path), metavar="FILE.zip",
              help="The package to write.")
def export_scorm(course_id: str, version: str, lang: str, output: Path) -> None:
    """Write COURSE as a SCORM package: one SCO per lesson and per module quiz."""
    registry = catalog()
    try:
        check_arguments(version, lang)
        _check_output(output)
        course = course_for_package(registry.root / "courses", course_id, registry.competencies, registry.glossary)
        package = build_package(
            course,
            version=version,
            lang=lang,
            definitions=registry.quizzes.values(),
            questions=list(registry.banks or ()),
            images_dir=registry.root / "courses" / course_id / "images",
        )
    except PackageError as exc:
        _fail(str(exc))
    try:
        write_zip(package.files, output)
    except OSError as exc:
        if output.is_file():
            output.unlink()  # no half-written package left behind
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    facts = summary(package)
    left_out = ", ".join(f"{count} {qtype}" for qtype, count in facts["left_out"].items())
    click.echo(
        f"wrote {output}: SCORM {version}, {lang}, {facts['lessons']} lessons, {facts['quizzes']} module quizzes "
        f"({facts['questions']} questions{'; left out, not runnable in a static page: ' + left_out if left_out else ''})"
    )
