"""GIFT as Moodle writes it: files in the style of Moodle's export, its examples.txt and a Chinese
export; bad files, each refused with its line and reason; weights from Moodle's grade list; and
the round trip of everything imported."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from trainer.content.markdown import render_text_markdown
from trainer.quiz.bank.gift_html import html_to_markdown
from trainer.quiz.bank.gift_read import GiftImport, import_gift
from trainer.quiz.bank.gift_write import MOODLE_GRADES, export_gift, moodle_grade
from trainer.quiz.bank.model import Question
from trainer.quiz.grading import grade
from trainer.quiz.instances import draw_instance

from .conftest import COMPETENCIES, FIXTURES, MODULES

MOODLE = FIXTURES / "moodle"


def read(path: Path | str, text: str | None = None, lang: str = "en") -> tuple[dict[str, Question], GiftImport]:
    source = text if text is not None else Path(path).read_text(encoding="utf-8")
    questions, parsed = import_gift(
        source, lang=lang, bank_id="mood", module_ids=MODULES, competency_ids=COMPETENCIES, path=Path(path).name,
        default_module="m1-basics", default_competencies=["credit_assessment"],
    )  # fmt: skip
    return {q.id: q for q in questions}, parsed


@pytest.mark.parametrize(
    ("name", "lang", "imported", "warnings"),
    [
        (
            "moodle_export_en.gift",
            "en",
            10,
            [
                "moodle_export_en.gift:65: essay question ({}) skipped: answers typed at length are graded by hand",
                "moodle_export_en.gift:68: description (text without an answer block) skipped: it asks nothing",
                "moodle_export_en.gift:74: question name 'aging-report' is also used on line 50: imported as 'aging-report-2'",
            ],
        ),
        (
            "moodle_examples.gift",
            "en",
            18,
            [
                "moodle_examples.gift:63: question name 'collection-styles' is also used on line 58: imported as 'collection-styles-2'",
                "moodle_examples.gift:90: description (text without an answer block) skipped: it asks nothing",
            ],
        ),
        ("moodle_zh.gift", "zh", 6, None),
    ],
)
def test_moodle_style_files_import_everything_but_essays_and_descriptions(
    name: str, lang: str, imported: int, warnings: list[str] | None
) -> None:
    questions, parsed = read(MOODLE / name, lang=lang)
    assert [str(p) for p in parsed.problems] == []
    assert len(questions) == imported == len(parsed.questions)
    shown = [str(w) for w in parsed.warnings]
    if warnings is not None:
        assert shown == warnings
    else:  # Chinese names have no id form: each is reported with the id it got
        assert len(shown) == 6 and all("has no letters a-z or digits for an id" in w for w in shown)
    assert all(q.languages == (lang,) for q in questions.values())


def test_html_becomes_sanitized_markdown_and_answers_inherit_the_format() -> None:
    questions, _ = read(MOODLE / "moodle_export_en.gift")
    five_c = questions["five-c-of-credit"]
    assert five_c.module == "m2-risk"  # the last part of the $CATEGORY
    assert five_c.text["en"] == "Which of these belong to the **5C** of credit assessment?"
    assert [o.text["en"] for o in five_c.options] == ["Character", "Capacity", "Collateral", "Colour of the logo"]
    assert five_c.options[0].feedback is not None and five_c.options[0].feedback["en"] == "Yes: willingness to pay."
    assert five_c.explanation["en"].startswith("The 5C are *character, capacity, capital, collateral*")
    assert "alert" not in questions["early-signals"].text["en"] and "<" not in questions["early-signals"].text["en"]


def test_html_converter_keeps_emphasis_lists_links_and_local_images_only() -> None:
    markdown, notes = html_to_markdown(
        '<h3>Title</h3><p>A <b>bold</b> and <i>soft</i> point&nbsp;here.</p><style>p{}</style>'
        '<ol><li>first</li><li>second <a href="https://moodle.org/x">link</a></li></ol>'
        '<p><img src="img/dso.svg" alt="DSO chart"> <img src="@@PLUGINFILE@@/a.png" alt="aging">'
        '<a href="javascript:alert(1)">click</a><iframe src="https://x"></iframe></p>'
    )
    assert markdown == (
        "**Title**\n\nA **bold** and *soft* point here.\n\n1. first\n2. second [link](https://moodle.org/x)"
        "\n\n![DSO chart](img/dso.svg) [aging]click"
    )
    assert len(notes) == 2 and "@@PLUGINFILE@@/a.png" in notes[0] and "javascript" in notes[1]


def test_missing_word_questions_of_every_type_that_allows_it() -> None:
    questions, _ = read(MOODLE / "moodle_examples.gift")
    by_text = {q.text["en"]: q for q in questions.values()}
    assert by_text["A reminder for an ordinary invoice goes out _____."].type == "single"  # lone '.'
    assert by_text["A customer who pays only after the goods arrive is on _____ terms."].type == "short"
    numeric = [q for q in questions.values() if q.text["en"].endswith("(365 days, to 1 decimal)? _____.")]
    assert len(numeric) == 1 and numeric[0].type == "numeric"
    zh, _ = read(MOODLE / "moodle_zh.gift", lang="zh")
    assert any(q.text["zh"] == "先款后货的意思是客户_____。" for q in zh.values())


def test_weights_partial_credit_and_catch_all_feedback() -> None:
    questions, _ = read(MOODLE / "moodle_export_en.gift")
    assert [o.weight for o in questions["five-c-of-credit"].options] == [33.33333, 33.33333, 33.33333, -100]
    signals = questions["early-signals"]  # Moodle's 0 % answers: wrong, but no cost
    assert [(o.weight, o.correct) for o in signals.options] == [(50, True), (50, True), (0, False), (0, False)]
    dso = questions["dso-value"]
    assert [a.credit for a in dso.answers] == [100, 50]
    assert dso.wrong_feedback is not None and dso.wrong_feedback["en"].startswith("Divide average receivables")
    aging = questions["aging-report"]
    assert [(a.text["en"], a.credit) for a in aging.accepted] == [("aging", 100), ("ageing", 100), ("age analysis", 50)]
    assert aging.wrong_feedback is not None and aging.wrong_feedback["en"] == "Think of how old each invoice is."
    examples, _ = read(MOODLE / "moodle_examples.gift")
    styles = examples["collection-styles"]  # '=' plus '~%50%': one right answer, one worth half
    assert [(o.correct, o.weight) for o in styles.options] == [(False, 0), (False, 50), (True, 100)]


def test_imported_short_answers_grade_in_the_file_language() -> None:
    questions, _ = read(MOODLE / "moodle_export_en.gift")
    aging = questions["aging-report"]
    instance = draw_instance(aging, random.Random(1))
    assert grade(aging, instance, "  Aging ").fraction == 1.0
    assert grade(aging, instance, "AGE  analysis").fraction == 0.5
    wrong = grade(aging, instance, "balance sheet")
    assert wrong.fraction == 0 and [dict(f)["en"] for f in wrong.feedback] == ["Think of how old each invoice is."]
    # the untranslated copy ('[TRANSLATE] aging') is never an accepted answer
    assert grade(aging, instance, "[TRANSLATE] aging").fraction == 0


BAD = [
    ("not_a_number.gift", 1, "numeric answer: 'forty-five' is not a number"),
    ("cloze.gift", 1, "embedded answers (Cloze) are not GIFT: import them as Moodle XML"),
    ("unbalanced.gift", 1, "unbalanced braces"),
    ("two_blocks.gift", 1, "a second answer block: GIFT allows one per question"),
    ("weights_short.gift", 1, "the positive %weights% must add up to 100 %, they add up to 90 %"),
    ("unclosed_name.gift", 1, "question name: no closing '::'"),
    ("numeric_tilde.gift", 1, "after '~' a numeric question takes only '#feedback for any other answer'"),
    ("matching_blank.gift", 1, "a matching question cannot stand in for one missing word"),
    ("matching_distractor.gift", 5, "matching distractors (an answer without a prompt) have no equivalent"),
    ("two_right.gift", 2, "several answers marked '='"),
    ("negative_single.gift", 1, "a negative %weight% next to an '=' answer"),
    ("reversed_range.gift", 1, "numeric range 5..1: the minimum is above the maximum"),
    ("two_pairs.gift", 1, "a matching question needs at least 3 pairs (=prompt -> answer), has 2"),
    ("two_full_marks.gift", 1, "a one-answer question needs exactly one right answer ('=' or %100%), found 2"),
]


@pytest.mark.parametrize(("name", "line", "reason"), BAD)
def test_bad_files_are_refused_with_line_and_reason(name: str, line: int, reason: str) -> None:
    questions, parsed = read(MOODLE / "bad" / name)
    problems = [str(p) for p in parsed.problems]
    assert questions == {} and len(problems) == 1, problems
    assert problems[0].startswith(f"{name}:{line}: ") and reason in problems[0], problems
    assert "key" not in problems[0] and "explanation" not in problems[0]


def test_every_bad_file_is_in_the_list() -> None:
    listed = {name for name, _, _ in BAD} | {"not_utf8.gift"}  # not UTF-8: the command refuses it (tests/web)
    assert {p.name for p in (MOODLE / "bad").glob("*.gift")} == listed


def test_a_bad_question_does_not_stop_the_good_ones() -> None:
    text = "".join((MOODLE / "bad" / name).read_text(encoding="utf-8") + "\n" for name, _, _ in BAD)
    good = (MOODLE / "moodle_examples.gift").read_text(encoding="utf-8")
    questions, parsed = read("mixed.gift", text + good)
    assert len(questions) == 18 and len(parsed.problems) == len(BAD)


def test_export_uses_moodles_grade_list_and_keeps_exact_weights_for_us() -> None:
    assert moodle_grade(33) == moodle_grade(34) == 33.33333 and moodle_grade(-34) == -33.33333
    assert all(moodle_grade(g) == g for g in MOODLE_GRADES)
    text = (
        "::thirds:: Which are right? {\n~%34%a\n~%33%b\n~%33%c\n~%-100%d\n}\n\n"
        "::half:: Pick {=right ~%45%close ~wrong}\n"
    )
    questions, parsed = read("w.gift", text)
    assert [str(p) for p in parsed.problems] == []
    exported, warnings = export_gift(list(questions.values()), lang="en")
    assert warnings == []
    assert "~%33.33333%a" in exported and "~%34%" not in exported and "~%-100%d" in exported
    assert "weights=34,33,33,-100" in exported
    assert "~%50%close" in exported and "weights=0,45,0" not in exported.replace("100,45,0", "")
    again, parsed = read("w2.gift", exported)
    assert [o.weight for o in again["thirds"].options] == [34, 33, 33, -100]
    assert [o.weight for o in again["half"].options] == [100, 45, 0]
    weights = [float(w) for w in re.findall(r"~%(-?[\d.]+)%", exported)]
    assert len(weights) == 5
    assert all(abs(w) in MOODLE_GRADES for w in weights)


@pytest.mark.parametrize(("name", "lang"), [("moodle_export_en.gift", "en"), ("moodle_examples.gift", "en"), ("moodle_zh.gift", "zh")])
def test_round_trip_of_moodle_files(name: str, lang: str) -> None:
    first, _ = read(MOODLE / name, lang=lang)
    text, warnings = export_gift(list(first.values()), lang=lang)
    assert warnings == []
    second, parsed = read("again.gift", text, lang=lang)
    assert [str(p) for p in parsed.problems] == [] and list(second) == list(first)
    for qid, question in first.items():
        other = second[qid]
        assert (other.type, other.module, other.text, other.explanation) == (
            question.type, question.module, question.text, question.explanation,
        )  # fmt: skip
        assert other.options == question.options and other.pairs == question.pairs
        assert other.accepted == question.accepted and other.wrong_feedback == question.wrong_feedback
        assert (other.answer, other.feedback_true, other.feedback_false) == (
            question.answer, question.feedback_true, question.feedback_false,
        )  # fmt: skip
        assert [(a.formula, a.tolerance, a.credit, a.feedback) for a in other.answers] == [
            (a.formula, a.tolerance, a.credit, a.feedback) for a in question.answers
        ]
    again, _ = export_gift(list(second.values()), lang=lang)
    assert again == text  # stable, byte for byte
    if name == "moodle_examples.gift":  # a missing word is written back into its sentence
        assert "goes out {" in text and "\n}." in text


def test_imported_markdown_is_shown_as_sanitized_html() -> None:
    questions, _ = read(MOODLE / "moodle_export_en.gift")
    shown = render_text_markdown(questions["five-c-of-credit"].text["en"])
    assert shown == "Which of these belong to the <strong>5C</strong> of credit assessment?"
    zh, _ = read(MOODLE / "moodle_zh.gift", lang="zh")
    blank = next(q for q in zh.values() if "_____" in q.text["zh"])
    assert render_text_markdown(blank.text["zh"]) == "先款后货的意思是客户_____。"  # the blank stays a blank
    listed = next(q for q in zh.values() if q.type == "multi")
    assert render_text_markdown(listed.text["zh"]) == "<p>以下哪些属于5C？</p>\n<ul>\n<li>请选出所有正确项</li>\n</ul>"
    assert render_text_markdown("A <script>alert(1)</script>[x](javascript:alert(1)) ![i](a.png)") == (
        "A <a rel=\"noopener noreferrer\">x</a> <em>i</em>"
    )
