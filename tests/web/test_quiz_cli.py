"""``flask quiz import-gift`` / ``export-gift``: round trip of a real bank, refusals with line numbers
and a non-zero exit, nothing written on error."""

from __future__ import annotations

from pathlib import Path

import yaml

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
    assert "already exists in bank m4-data" in result.stderr  # a warning only: written elsewhere
    imported = {q["id"]: q for q in yaml.safe_load(out.read_text(encoding="utf-8"))["questions"]}
    bank_set = app.extensions["content"].banks
    originals = [bank_set[qid] for qid in bank_set.banks["m4-data"].question_ids]
    exported = [q for q in originals if q.type in ("single", "multi", "truefalse", "numeric", "matching")]
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
    assert "Wrote 2 question(s)" in result.stdout and "[TRANSLATE]" in result.stdout
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["bank"] == "new-bank" and [q["id"] for q in data["questions"]] == ["cli-q1", "cli-q2"]
    assert data["questions"][0]["module"] == "m3-collection"


def test_bad_constructs_are_refused_with_their_line_numbers(runner, tmp_path):
    source = tmp_path / "bad.gift"
    source.write_text(GOOD + "\n::essay:: Tell us about a hard customer. {}\n\n::short:: Capital of France? {=Paris =paris}\n",
                      encoding="utf-8")
    out = tmp_path / "bad.yaml"
    result = invoke(runner, "import-gift", str(source), "--bank", "bad", "--lang", "en", "--out", str(out))
    assert result.exit_code == 1
    lines = GOOD.count("\n")
    assert f"{source}:{lines + 2}:" in result.stderr
    assert f"{source}:{lines + 4}:" in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_question_missing_its_explanation_is_refused(runner, tmp_path):
    source = tmp_path / "no-expl.gift"
    source.write_text("// @trainer module=m1-basics; competencies=credit_assessment; difficulty=easy\n"
                      "::q::Is this a question? {T}\n", encoding="utf-8")
    result = invoke(runner, "import-gift", str(source), "--bank", "x", "--out", str(tmp_path / "x.yaml"))
    assert result.exit_code == 1 and f"{source}:2: question q: missing key 'explanation'" in result.stderr


def test_import_refuses_ids_that_clash_with_the_banks_when_writing_into_them(runner, app, tmp_path):
    gift = tmp_path / "m1.gift"
    invoke(runner, "export-gift", "m1-basics", "--lang", "zh", "--out", str(gift))
    app.config["CONTENT_ROOT"] = str(tmp_path)  # never write into the real quizzes/banks
    result = invoke(runner, "import-gift", str(gift), "--bank", "m1-again", "--lang", "zh")
    assert result.exit_code == 1
    assert "question id 'm1-q001' already exists in bank m1-basics" in result.stderr
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
