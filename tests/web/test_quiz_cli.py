"""``flask quiz import-gift`` / ``export-gift``: round trip of a real bank, refusals with line numbers
and a non-zero exit, nothing written on error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from trainer import create_app
from trainer.catalog import load_content
from trainer.quiz.bank.model import TRANSLATE_MARK

GOOD = """// two questions
$CATEGORY: $course$/imported/m3-collection

// @trainer competencies=collection_communication; difficulty=easy
::cli-q1::The customer says the invoice was lost. What do you do first? {
\t=Resend it today and confirm receipt#Right.
\t~Wait for them to ask again#No.
\t####Remove the excuse at once.
}

// @trainer competencies=collection_communication; difficulty=medium
::cli-q2::A signed delivery note helps collection. {TRUE#It does help.#Right.####Keep documents.}
"""


def invoke(runner, *args):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["quiz", *args])


def test_export_writes_gift_and_warns_about_types_gift_lacks(runner, app):
    result = invoke(runner, "export-gift", "m1-basics", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "$CATEGORY: $course$/m1-basics/m1-basics" in result.stdout
    assert "::m1-q001::" in result.stdout and "// @trainer module=m1-basics" in result.stdout
    assert "GIFT has no calculated question; skipped" in result.stderr
    assert "GIFT has no ordering question; skipped" in result.stderr


def test_export_then_import_gives_the_same_questions(runner, app, tmp_path):
    gift = tmp_path / "m4.gift"
    out = tmp_path / "m4-copy.yaml"
    assert invoke(runner, "export-gift", "m4-data", "--lang", "en", "--out", str(gift)).exit_code == 0
    result = invoke(runner, "import-gift", str(gift), "--bank", "m4-copy", "--lang", "en", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "is already a question of bank m4-data" in result.stderr  # a warning only: written elsewhere
    imported = {q["id"]: q for q in yaml.safe_load(out.read_text(encoding="utf-8"))["questions"]}
    bank_set = app.extensions["content"].banks
    originals = [bank_set[qid] for qid in bank_set.banks["m4-data"].question_ids]
    exported = [q for q in originals if q.type in ("single", "multi", "truefalse", "numeric", "matching", "short")]
    assert set(imported) == {q.id for q in exported}
    for question in exported:
        copy = imported[question.id]
        assert copy["type"] == question.type
        assert copy["module"] == question.module and copy["difficulty"] == question.difficulty
        assert copy["text"]["en"] == question.text["en"] or question.type == "numeric"
        assert copy["text"]["zh"].startswith(TRANSLATE_MARK)
        assert copy["explanation"]["en"].strip()
        if question.type in ("single", "multi"):
            assert [o["id"] for o in copy["options"]] == [o.id for o in question.options]
            assert [o["text"]["en"] for o in copy["options"]] == [o.text["en"] for o in question.options]


def test_import_writes_a_bank_that_waits_for_translation(runner, tmp_path):
    source = tmp_path / "good.gift"
    source.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "new-bank.yaml"
    result = invoke(runner, "import-gift", str(source), "--bank", "new-bank", "--lang", "en", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 2 question(s)" in result.stdout and "usable in en now" in result.stdout
    assert "[TRANSLATE]" in result.stdout
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["bank"] == "new-bank" and [q["id"] for q in data["questions"]] == ["cli-q1", "cli-q2"]
    assert data["questions"][0]["module"] == "m3-collection"


BAD_TAIL = "\n::cloze:: Pick {1:MULTICHOICE:=a~b}\n\n::essay:: Tell us about a hard customer. {}\n\n::num:: DSO? {#abc}\n"


def test_import_writes_the_valid_questions_and_reports_every_refused_one(runner, tmp_path):
    source = tmp_path / "bad.gift"
    source.write_text(GOOD + BAD_TAIL, encoding="utf-8")
    out = tmp_path / "bad.yaml"
    result = invoke(runner, "import-gift", str(source), "--bank", "bad", "--lang", "en", "--out", str(out))
    assert result.exit_code == 1  # something was refused: scripts notice
    lines = GOOD.count("\n")
    assert f"{source}:{lines + 2}: embedded answers (Cloze) are not GIFT" in result.stderr
    assert f"warning: {source}:{lines + 4}: essay question ({{}}) skipped" in result.stderr
    assert f"{source}:{lines + 6}: numeric answer: 'abc' is not a number" in result.stderr
    assert "2 problem(s): the questions above were not imported." in result.stderr
    assert "Wrote 2 question(s)" in result.stdout and "Traceback" not in result.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [q["id"] for q in data["questions"]] == ["cli-q1", "cli-q2"]


def test_strict_import_writes_nothing_when_a_question_is_refused(runner, tmp_path):
    source = tmp_path / "bad.gift"
    source.write_text(GOOD + BAD_TAIL, encoding="utf-8")
    out = tmp_path / "bad.yaml"
    result = invoke(runner, "import-gift", str(source), "--bank", "bad", "--lang", "en", "--out", str(out), "--strict")
    assert result.exit_code == 1 and "--strict: nothing was written" in result.stderr
    assert not out.exists()
    good = tmp_path / "good.gift"
    good.write_text(GOOD + "\n::essay:: Tell us. {}\n", encoding="utf-8")  # a skipped essay is no refusal
    result = invoke(runner, "import-gift", str(good), "--bank", "good", "--lang", "en", "--out", str(out), "--strict")
    assert result.exit_code == 0 and "Wrote 2 question(s)" in result.stdout


def test_question_without_general_feedback_imports(runner, tmp_path):
    source = tmp_path / "no-expl.gift"
    source.write_text("// @trainer module=m1-basics; competencies=credit_assessment; difficulty=easy\n"
                      "::q::Is this a question? {T}\n", encoding="utf-8")
    result = invoke(runner, "import-gift", str(source), "--bank", "x", "--out", str(tmp_path / "x.yaml"))
    assert result.exit_code == 0 and "Wrote 1 question(s)" in result.stdout


def test_a_file_with_nothing_importable_writes_nothing(runner, tmp_path):
    source = tmp_path / "none.gift"
    source.write_text("::essay:: Tell us. {}\n\n::c:: Pick {1:SA:=a}\n", encoding="utf-8")
    result = invoke(runner, "import-gift", str(source), "--bank", "x", "--out", str(tmp_path / "x.yaml"))
    assert result.exit_code == 1 and "No question could be imported; nothing was written." in result.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_import_refuses_ids_that_clash_with_the_banks_when_writing_into_them(runner, app, tmp_path):
    gift = tmp_path / "m1.gift"
    invoke(runner, "export-gift", "m1-basics", "--lang", "zh", "--out", str(gift))
    app.config["CONTENT_ROOT"] = str(tmp_path)  # never write into the real quizzes/banks
    result = invoke(runner, "import-gift", str(gift), "--bank", "m1-again", "--lang", "zh")
    assert result.exit_code == 1
    assert "question name 'm1-q001' is already a question of bank m1-basics; rename it (::new-name::)" in result.stderr
    assert "nothing was written" in result.stderr  # every question clashed
    assert not (tmp_path / "quizzes" / "banks" / "m1-again.yaml").exists()


def test_import_command_errors(runner, tmp_path):
    missing = invoke(runner, "import-gift", str(tmp_path / "nope.gift"), "--bank", "b")
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    source = tmp_path / "good.gift"
    source.write_text(GOOD, encoding="utf-8")
    assert invoke(runner, "import-gift", str(source), "--bank", "Bad Id!").exit_code == 2
    assert invoke(runner, "import-gift", str(source), "--bank", "b", "--module", "m9").exit_code == 2
    latin = tmp_path / "latin.gift"
    latin.write_bytes("::q::Caf\xe9? {T####x}".encode("latin-1"))
    result = invoke(runner, "import-gift", str(latin), "--bank", "b", "--out", str(tmp_path / "b.yaml"))
    assert result.exit_code == 1 and f"{latin}:1: not UTF-8" in result.stderr
    existing = tmp_path / "exists.yaml"
    existing.write_text("keep me", encoding="utf-8")
    result = invoke(runner, "import-gift", str(source), "--bank", "b", "--out", str(existing))
    assert result.exit_code == 1 and existing.read_text(encoding="utf-8") == "keep me"
    assert invoke(runner, "import-gift", str(source), "--bank", "b", "--out", str(existing), "--force").exit_code == 0


def test_export_of_an_unknown_bank_fails(runner):
    result = invoke(runner, "export-gift", "no-such-bank")
    assert result.exit_code == 2 and "no bank 'no-such-bank'" in result.stderr and "m1-basics" in result.stderr


def test_gift_files_are_never_written_into_the_project_by_tests():
    assert not list(Path("quizzes/banks").glob("*copy*"))


MOODLE = Path(__file__).resolve().parents[1] / "unit" / "quiz" / "fixtures" / "moodle"


def test_after_importing_into_the_content_root_the_app_starts_and_lists_the_bank(runner, app, tmp_path, client,
                                                                                   signed_in):
    """A one-language bank written into quizzes/banks never stops the app: it loads, is usable in its
    language only, and content health lists it as needing translation."""
    root = tmp_path / "content"
    for folder in ("courses", "quizzes", "scenarios"):
        shutil.copytree(Path(app.config["CONTENT_ROOT"]) / folder, root / folder)
    app.config["CONTENT_ROOT"] = str(root)
    result = invoke(runner, "import-gift", str(MOODLE / "moodle_zh.gift"), "--bank", "moodle-zh", "--lang", "zh",
                    "--competency", "collection_communication")
    assert result.exit_code == 0, result.output
    registry, problems = load_content(root)
    assert problems == []
    imported = [q for q in registry.banks if q.bank == "moodle-zh"]
    assert len(imported) == 6 and all(q.languages == ("zh",) for q in imported)
    assert {q.id for q in registry.banks.drawable("zh")} >= {q.id for q in imported}
    assert not {q.id for q in registry.banks.drawable("en")} & {q.id for q in imported}
    fresh = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "CONTENT_ROOT": str(root), "CONTENT_CACHE": False,
                        "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert len(fresh.extensions["content"].banks.untranslated()) == 6
    app.extensions["content"] = registry
    signed_in("admin", email="ada@example.com")
    html = client.get("/admin/content").get_data(as_text=True)
    table = re.search(r'data-testid="needs-translation">(.*?)</table>', html, re.S).group(1)
    assert "moodle-zh" in table and "<td class=\"num\">6</td>" in table and "Chinese" in table
