"""``flask quiz import-gift`` and ``flask quiz export-gift``: Moodle interchange for question banks.

Import validates every question with the bank rules. By default it writes the questions that pass
and reports every refused one as ``path:line: reason`` (exit 1 when any was refused, 0 otherwise);
``--strict`` writes nothing unless every question passes. Skipped essays and descriptions, renamed
duplicates and images that could not be kept are warnings. The written bank carries ``[TRANSLATE]``
copies in the other language: its questions are usable in the file's language at once, listed as
"needs translation" in content health, and never stop the app.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from trainer.content.source import LANGUAGES, Problem
from trainer.core.content import catalog
from trainer.quiz.bank.gift_read import import_gift
from trainer.quiz.bank.gift_write import export_gift
from trainer.quiz.bank.loader import dump_bank_yaml
from trainer.quiz.bank.model import ID_RE

quiz_cli = AppGroup("quiz", help="Question banks: GIFT (Moodle) import and export.")



@quiz_cli.command("import-gift")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bank", "bank_id", required=True, help="Id of the new bank (its file name).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="zh", show_default=True,
              help="Language the GIFT file is written in.")
@click.option("--module", default=None, help="Module for questions without a $CATEGORY or @trainer tag.")
@click.option("--competency", "competencies", multiple=True,
              help="Competency for questions without an @trainer tag (repeatable).")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), default="medium", show_default=True)
@click.option("--title", default=None, help="Bank title (default: the bank id).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the bank (default: quizzes/banks/<bank>.yaml).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--strict", is_flag=True, help="All or nothing: write nothing if any question is refused.")
def import_gift_command(file: Path, bank_id: str, lang: str, module: str | None, competencies: tuple[str, ...],
                        difficulty: str, title: str | None, out: Path | None, force: bool, strict: bool) -> None:
    """Import a GIFT FILE as a new question bank (the valid questions; --strict: all or none)."""
    registry = catalog()
    if not ID_RE.match(bank_id):
        click.echo(f"error: bank id {bank_id!r} must be lowercase letters, digits, '.', '-' or '_'", err=True)
        sys.exit(2)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        click.echo(f"error: {file}: no such file", err=True)
        sys.exit(2)
    except UnicodeDecodeError as exc:
        click.echo(f"{file}:1: not UTF-8 text ({exc.reason}); save the file as UTF-8", err=True)
        sys.exit(1)
    module_ids = sorted(registry.module_ids())
    if module is not None and module not in module_ids:
        click.echo(f"error: unknown module {module!r} (one of {', '.join(module_ids)})", err=True)
        sys.exit(2)
    questions, parsed = import_gift(
        text,
        lang=lang,
        bank_id=bank_id,
        module_ids=module_ids,
        competency_ids=sorted(registry.competencies),
        path=str(file),
        default_module=module,
        default_competencies=list(competencies),
        default_difficulty=difficulty,
    )
    for warning in parsed.warnings:
        click.echo(f"warning: {warning}", err=True)
    problems: list[Problem | str] = list(parsed.problems)
    existing = registry.banks
    kept = []
    for raw in parsed.questions:
        qid = str(raw.get("id"))
        if existing is None or qid not in existing:
            kept.append(raw)
            continue
        clash = f"{file}:{raw.start_line}: question name {qid!r} is already a question of bank {existing[qid].bank}"
        if out is None:  # going into quizzes/banks: ids must be unique across all banks
            problems.append(f"{clash}; rename it (::new-name::)")
        else:
            kept.append(raw)
            click.echo(f"warning: {clash}; rename it before the bank joins quizzes/banks", err=True)
    refused = len(problems)
    for problem in problems:
        click.echo(str(problem), err=True)
    if not kept:
        if not problems:
            click.echo(f"{file}:1: no questions found", err=True)
        click.echo("No question could be imported; nothing was written.", err=True)
        sys.exit(1)
    if strict and problems:
        click.echo(f"{refused} problem(s); --strict: nothing was written.", err=True)
        sys.exit(1)
    target = out or Path(current_app.config["CONTENT_ROOT"]) / "quizzes" / "banks" / f"{bank_id}.yaml"
    if existing is not None and out is None and bank_id in existing.banks:
        click.echo(f"error: bank {bank_id!r} already exists", err=True)
        sys.exit(1)
    if target.exists() and not force:
        click.echo(f"error: {target} exists; use --force to overwrite", err=True)
        sys.exit(1)
    bank_title = {code: title or bank_id for code in LANGUAGES}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_bank_yaml(bank_id, bank_title, kept), encoding="utf-8")
    other = [code for code in LANGUAGES if code != lang]
    click.echo(f"Wrote {len(kept)} question(s) to {target}.")
    if problems:
        click.echo(f"{refused} problem(s): the questions above were not imported.", err=True)
    click.echo(
        f"The questions are usable in {lang} now; translate the texts marked [TRANSLATE] into "
        f"{', '.join(other)} to use them there too (content health lists the bank until then)."
    )
    if problems:
        sys.exit(1)


@quiz_cli.command("export-gift")
@click.argument("bank")
@click.option("--lang", type=click.Choice(LANGUAGES), default="zh", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def export_gift_command(bank: str, lang: str, out: Path | None) -> None:
    """Export question bank BANK as GIFT in one language."""
    bank_set = catalog().banks
    if bank_set is None or bank not in bank_set.banks:
        known = ", ".join(sorted(bank_set.banks)) if bank_set is not None else ""
        click.echo(f"error: no bank {bank!r} (banks: {known})", err=True)
        sys.exit(2)
    questions = [bank_set[qid] for qid in bank_set.banks[bank].question_ids]
    text, warnings = export_gift(questions, lang=lang, category=bank)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(questions) - len(warnings)} question(s) to {out}.", err=True)
