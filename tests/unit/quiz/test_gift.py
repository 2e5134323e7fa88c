"""GIFT: every supported construct, refusals with line numbers, and export -> import round trips."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from trainer.quiz.bank.gift_read import import_gift, parse_gift
from trainer.quiz.bank.gift_syntax import escape
from trainer.quiz.bank.gift_write import export_gift
from trainer.quiz.bank.loader import dump_bank_yaml, load_banks
from trainer.quiz.bank.model import TRANSLATE_MARK, Question, QuestionBankSet
from trainer.quiz.bank.placeholders import fill_placeholders

from .conftest import COMPETENCIES, FIXTURES, MODULES

EVERY = (FIXTURES / "every_construct.gift").read_text(encoding="utf-8")


def parse(text: str, **kwargs: object):  # type: ignore[no-untyped-def]
    options = {
        "lang": "en",
        "path": "t.gift",
        "module_ids": MODULES,
        "default_module": "m1-basics",
        "default_competencies": ["data_analysis"],
    }
    options.update(kwargs)
    return parse_gift(textwrap.dedent(text), **options)  # type: ignore[arg-type]


def import_(text: str, lang: str = "en", **kwargs: object) -> tuple[dict[str, Question], list[str]]:
    options: dict[str, object] = {"default_module": "m1-basics", "default_competencies": ["data_analysis"]}
    options.update(kwargs)
    questions, parsed = import_gift(
        textwrap.dedent(text),
        lang=lang,
        bank_id="imp",
        path="t.gift",
        module_ids=MODULES,
        competency_ids=COMPETENCIES,
        **options,  # type: ignore[arg-type]
    )
    return {q.id: q for q in questions}, [str(p) for p in parsed.problems]


def test_every_supported_construct() -> None:
    questions, problems = import_(EVERY)
    assert problems == []
    assert list(questions) == [
        "dso-basic", "multi-1", "tf-1", "tf-2", "num-1", "num-2", "num-3", "match-1", "escape-1", "html-plain", "no-meta",
    ]  # fmt: skip

    single = questions["dso-basic"]
    assert (single.type, single.module, single.difficulty, single.competencies) == (
        "single",
        "m4-data",
        "easy",
        ("data_analysis",),
    )
    assert single.text == {
        "en": "What does **DSO** measure?",
        "zh": TRANSLATE_MARK + "What does **DSO** measure?",
    }
    assert [(o.id, o.correct) for o in single.options] == [("a", True), ("b", False), ("c", False)]
    assert (
        single.options[0].feedback is not None
        and single.options[0].feedback["en"] == "Right: days sales outstanding."
    )
    assert single.options[2].text["en"] == "The bad-debt rate: a percentage"
    assert single.explanation["en"] == "DSO = AR / credit sales × days."

    multi = questions["multi-1"]
    assert multi.type == "multi" and [o.weight for o in multi.options] == [50, 50, -100]
    assert multi.options[1].feedback is None

    tf1, tf2 = questions["tf-1"], questions["tf-2"]
    assert tf1.answer is True and tf1.feedback_true is not None and tf1.feedback_false is not None
    assert tf1.feedback_true["en"] == "Right, it is evidence." and tf1.feedback_false["en"] == "It does help."
    assert (
        tf2.answer is False
        and tf2.feedback_true is None
        and tf2.explanation["en"] == "It depends on the contract."
    )

    num1 = questions["num-1"]
    assert num1.type == "numeric" and num1.correct_value() == 45 and num1.answers[0].tolerance.value == 0.5
    assert num1.answers[0].feedback is not None and num1.answers[0].feedback["en"] == "Correct"
    num2 = questions["num-2"]
    assert [(a.credit, a.tolerance.value) for a in num2.answers] == [(100, 0), (50, 2)]
    num3 = questions["num-3"]
    assert num3.correct_value() == 2 and num3.answers[0].tolerance.value == 1

    match = questions["match-1"]
    assert [(p.prompt["en"], p.answer["en"]) for p in match.pairs][0] == (
        "Already paid",
        "Ask for the remittance details",
    )

    escaped = questions["escape-1"]
    assert escaped.text["en"] == "Escapes { } = ~ # : and a\nnewline?"
    assert escaped.options[0].text["en"] == "yes = sure"

    html = questions["html-plain"]
    assert html.module == "m3-collection" and html.difficulty == "hard"  # from the @trainer comment
    assert html.competencies == ("collection_communication", "negotiation_objections")
    assert html.text["en"] == "Plain text exported by Moodle as HTML."

    defaults = questions["no-meta"]
    assert defaults.type == "single" and defaults.module == "m1-basics"  # "Default" is not a module id
    assert defaults.options[0].correct and defaults.difficulty == "medium"


def test_import_in_chinese_marks_english_for_translation() -> None:
    questions, problems = import_("::q1:: 账龄分析有用吗？ {T####有用。}", lang="zh")
    assert problems == []
    assert questions["q1"].text == {"zh": "账龄分析有用吗？", "en": TRANSLATE_MARK + "账龄分析有用吗？"}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("::c:: Pick {1:MULTICHOICE:=a~b}", 1, "embedded answers (Cloze) are not GIFT"),
        ("::n:: Year? {#1822:0 ~Wrong}", 1, "after '~' a numeric question takes only '#feedback"),
        ("::m:: Match the {\n=a -> 1\n=b -> 2\n=c -> 3\n} of the day.", 1, "cannot stand in for one missing word"),
        ("::p:: Penalty {=a ~%-50%b}", 1, "a negative %weight% next to an '=' answer"),
        ("::s:: Short {=a =%120%b}", 1, "a short answer's %weight% must be 0 to 100"),
        ("::x:: Match {\n=a -> 1\n=b -> 2\n= -> 3\n####g}", 4, "matching distractors"),
        ("::b:: Unbalanced {=a ~b", 1, "unbalanced braces"),
        ("::t:: Two {=a ~b} and {=c ~d}", 1, "a second answer block"),
        ("::d:: Double {\n=a\n=b\n~c}", 2, "several answers marked '='"),
        ("::unterminated Name {T}", 1, "question name: no closing '::'"),
        ("::r:: Range {#5..1}", 1, "the minimum is above the maximum"),
        ("::q:: Number {#abc:1}", 1, "'abc' is not a number"),
        (
            "$CATEGORY: $course$/m1-basics\n::q:: Right after {T}",
            2,
            "put a blank line after the $CATEGORY line",
        ),
    ],
)
def test_refusals_name_the_line_and_the_reason(text: str, line: int, reason: str) -> None:
    padded = "// leading comment\n\n::ok:: Fine {T####ok}\n\n" + text  # the bad question starts on line 5
    result = parse(padded)
    messages = [str(p) for p in result.problems]
    assert any(m.startswith(f"t.gift:{line + 4}: ") and reason in m for m in messages), messages
    assert result.questions[0]["id"] == "ok"  # good questions still parse


def test_all_bad_questions_are_reported_at_once() -> None:
    text = "::a:: Cloze {1:SA:=x}\n\n::b:: Fine {T####x}\n\n::c:: Two {=x} {=y}\n\n\n::d:: Num {#x}\n"
    result = parse(text)
    assert [p.line for p in result.problems] == [1, 5, 8]
    assert [q["id"] for q in result.questions] == ["b"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("::e:: Write an essay. {}", "essay question ({}) skipped"),
        ("Just a description.", "description (text without an answer block) skipped"),
        ("::e2:: Essay with feedback {####graded by hand}", "essay question ({}) skipped"),
    ],
)
def test_essays_and_descriptions_are_skipped_with_a_warning(text: str, reason: str) -> None:
    result = parse("::ok:: Fine {T}\n\n" + text)
    assert [str(p) for p in result.problems] == []
    warnings = [str(w) for w in result.warnings]
    assert len(warnings) == 1 and warnings[0].startswith(f"t.gift:3: {reason}"), warnings
    assert [q["id"] for q in result.questions] == ["ok"]


def test_bank_rules_apply_to_imports_with_gift_lines_in_gift_terms() -> None:
    text = "::ok:: Fine {T####x}\n\n::no-feedback:: No general feedback {T}\n\n::weights:: Pick {\n~%50%a\n~%40%b\n~%-100%c\n####x}\n"
    questions, problems = import_(text)
    assert list(questions) == ["ok", "no-feedback"]  # general feedback is optional
    assert questions["no-feedback"].explanation == {"zh": "", "en": ""}
    assert problems == [
        "t.gift:5: question weights: the positive %weights% must add up to 100 %, they add up to 90 %"
    ]
    _, problems = import_("::m:: Pick {~a ~b}", default_module=None, default_competencies=[])
    assert problems == [
        "t.gift:1: question m: no answer has a positive %weight%: mark the right ones, e.g. ~%50%",
        "t.gift:1: question m: no competency: give --competency (or a '// @trainer competencies=...' comment)",
        "t.gift:1: question m: no module: give --module, or a $CATEGORY whose last part is a module id",
    ]
    assert not any("key" in p or "explanation" in p or "options" in p for p in problems)


def test_duplicate_names_are_renamed_with_a_warning_and_unusable_names_replaced() -> None:
    result = parse("::Q 1:: A {T####x}\n\n::Q 1:: B {T####x}\n\n::!!!:: C {F####x}\n\n::Q 1:: D {T}\n")
    assert [str(p) for p in result.problems] == []
    assert [str(w) for w in result.warnings] == [
        "t.gift:3: question name 'q-1' is also used on line 1: imported as 'q-1-2'",
        "t.gift:5: question name '!!!' has no letters a-z or digits for an id: imported as 'gift-003'",
        "t.gift:7: question name 'q-1' is also used on line 1: imported as 'q-1-3'",
    ]
    assert [q["id"] for q in result.questions] == ["q-1", "q-1-2", "gift-003", "q-1-3"]


def test_escape() -> None:
    assert escape("a:b=c~d#e{f}g\\h\nnext") == "a\\:b\\=c\\~d\\#e\\{f\\}g\\\\h\\nnext"


# --------------------------------------------------------------------------------------------------
# round trips
# --------------------------------------------------------------------------------------------------


def same_in(lang: str, a: Question, b: Question) -> None:
    """Two questions agree on everything GIFT carries, in one language."""

    def t(texts):  # type: ignore[no-untyped-def]
        return None if texts is None else texts[lang]

    assert (a.id, a.type, a.module, a.competencies, a.difficulty, a.mark) == (
        b.id,
        b.type,
        b.module,
        b.competencies,
        b.difficulty,
        b.mark,
    )

    def shown(q: Question, texts):  # type: ignore[no-untyped-def]
        """Numeric texts as the trainee sees them: GIFT carries values, not placeholders."""
        if texts is None or q.type != "numeric":
            return t(texts)
        return fill_placeholders(texts[lang], q.params, q.correct_value(), q.decimals)

    assert (shown(a, a.text), shown(a, a.explanation)) == (shown(b, b.text), shown(b, b.explanation))
    assert [(o.id, t(o.text), o.correct, o.weight, t(o.feedback)) for o in a.options] == [
        (o.id, t(o.text), o.correct, o.weight, t(o.feedback)) for o in b.options
    ]
    assert (a.answer, t(a.feedback_true), t(a.feedback_false), t(a.unit)) == (
        b.answer,
        t(b.feedback_true),
        t(b.feedback_false),
        t(b.unit),
    )
    assert [(p.id, t(p.prompt), t(p.answer)) for p in a.pairs] == [
        (p.id, t(p.prompt), t(p.answer)) for p in b.pairs
    ]
    if a.type == "numeric":
        value = a.correct_value()
        assert b.correct_value() == pytest.approx(value)
        for x, y in zip(a.answers, b.answers, strict=True):
            width_a = x.tolerance.value * abs(value) / 100 if x.tolerance.relative else x.tolerance.value
            assert (x.credit, shown(a, x.feedback)) == (y.credit, shown(b, y.feedback))
            assert y.tolerance.value == pytest.approx(width_a)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_export_then_import_gives_the_same_questions(mini: QuestionBankSet, lang: str) -> None:
    text, warnings = export_gift(list(mini), lang=lang, category="trainer")
    assert warnings == [
        "question q-calc (calculated): GIFT has no calculated question; skipped",
        "question q-order (ordering): GIFT has no ordering question; skipped",
    ]
    back, problems = import_(text, lang=lang)
    assert problems == []
    exported = [q for q in mini if q.type not in ("calculated", "ordering")]
    assert list(back) == [q.id for q in exported]
    for original in exported:
        same_in(lang, original, back[original.id])
    # numeric params are written into the text, {answer} into the explanation
    expected = {"en": "DSO = 90 / 730 × 365 = 45 days", "zh": "DSO = 90 ÷ 730 × 365 = 45 天"}[lang]
    assert back["q-numeric"].explanation[lang] == expected
    # and a second round trip is stable, byte for byte
    again, _ = export_gift(list(back.values()), lang=lang, category="trainer")
    assert again == text


def test_import_every_construct_then_export_then_import_again() -> None:
    first, _ = import_(EVERY)
    text, warnings = export_gift(list(first.values()), lang="en")
    assert warnings == []
    second, problems = import_(text)
    assert problems == []
    for qid, question in first.items():
        same_in("en", question, second[qid])


def test_imported_bank_file_loads_usable_in_its_language_only(tmp_path: Path) -> None:
    questions, parsed = import_gift(
        EVERY, lang="en", bank_id="imp", path="t.gift", module_ids=MODULES, competency_ids=COMPETENCIES,
        default_module="m1-basics", default_competencies=["data_analysis"],
    )  # fmt: skip
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "imp.yaml").write_text(
        dump_bank_yaml("imp", {"zh": "导入", "en": "Imported"}, parsed.questions), encoding="utf-8"
    )
    loaded, problems = load_banks(folder, module_ids=MODULES, competency_ids=COMPETENCIES)
    assert not problems and [q.id for q in loaded] == [q.id for q in questions]
    assert {q.languages for q in loaded} == {("en",)}
    assert [q.id for q in loaded.untranslated()] == [q.id for q in questions]
    assert loaded.drawable("en") == list(loaded) and loaded.drawable("zh") == loaded.drawable() == []
