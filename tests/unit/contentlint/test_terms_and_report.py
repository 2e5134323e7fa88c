"""Banned synonyms in content and UI catalogues, and the whole report (statistics as data, the
printed lines, the verdict)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from trainer.contentlint.report import Thresholds, report_lines, run_lint
from trainer.contentlint.terms import content_files, find_drift
from trainer.learn.glossary import Glossary, load_glossary

from .conftest import dilemma_scenario, node, scenario, single

GLOSSARY = Path(__file__).resolve().parents[1] / "glossary" / "fixtures" / "glossary.yaml"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    found, problems = load_glossary(GLOSSARY, {"m4-dso-and-turnover"})
    assert not problems
    return found


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A content root and a translations folder with drift in every kind of file."""
    root, translations = tmp_path / "content", tmp_path / "translations"
    write(
        root, "courses/c/lessons/m4-dso.zh.md", "## 最佳DSO\n正文里的最佳可能DSO没问题。\n再说一次最佳DSO。\n"
    )
    write(
        root,
        "courses/c/lessons/m4-dso.en.md",
        "The Best Possible DSO is fine.\nA best DSO is not.\nbest DSOs, bestDSO\n",
    )
    write(root, "courses/glossary.yaml", "terms: []  # 最佳DSO in the glossary itself is never searched\n")
    write(root, "quizzes/banks/m4.yaml", "text: {zh: 算一下最佳DSO, en: Compute it}\n")
    write(root, "scenarios/roleplay/s.yaml", 'customer:\n  zh: "您说的支付保函是什么？"\n')
    write(
        translations,
        "zh/LC_MESSAGES/messages.po",
        """\
        # translator comment: 最佳DSO is never searched here
        #: trainer/x.html:3
        msgid "Best DSO"
        msgstr "最佳DSO"

        msgid ""
        "Two lines, the second "
        "has best DSO"
        msgstr "第二行"
        """,
    )
    return root, translations


def test_every_hit_is_reported_with_path_and_line(glossary: Glossary, tree: tuple[Path, Path]) -> None:
    root, translations = tree
    files = content_files(root, translations)
    assert [f.name for f in files] == ["m4-dso.en.md", "m4-dso.zh.md", "m4.yaml", "s.yaml", "messages.po"]
    stats = find_drift(glossary, files, root)
    shown = [(h.path.split("/")[-1], h.line, h.found) for h in stats.hits]
    assert shown == [
        ("m4-dso.en.md", 2, "best DSO"),
        ("m4-dso.zh.md", 1, "最佳DSO"),  # headings count: they are content too
        ("m4-dso.zh.md", 3, "最佳DSO"),
        ("m4.yaml", 1, "最佳DSO"),
        ("s.yaml", 2, "支付保函"),
        ("messages.po", 3, "Best DSO"),
        ("messages.po", 4, "最佳DSO"),
        ("messages.po", 8, "best DSO"),
    ]
    assert not stats.passed and stats.terms == 3 and stats.banned == 3 and stats.files == 5
    first = stats.hits[1]
    assert str(first) == (
        "courses/c/lessons/m4-dso.zh.md:1: '最佳DSO' drifts from the glossary; use '最佳可能DSO' (term best-possible-dso)"
    )


def test_hits_inside_an_accepted_name_are_not_drift(tmp_path: Path) -> None:
    glossary_file = write(
        tmp_path,
        "glossary.yaml",
        """\
        terms:
          - id: dso
            term: {zh: 应收账款周转天数, en: days sales outstanding}
            definition: {zh: 定义, en: Definition}
            avoid: {zh: [周转天数], en: [sales outstanding]}
            taught_in: []
        """,
    )
    found, problems = load_glossary(glossary_file, set())
    assert not problems
    lesson = write(
        tmp_path,
        "content/courses/c/lessons/x.zh.md",
        "应收账款周转天数是指标；周转天数不是。\nDays Sales Outstanding; sales outstanding\n",
    )
    stats = find_drift(found, [lesson], tmp_path / "content")
    assert [(h.line, h.found) for h in stats.hits] == [(1, "周转天数"), (2, "sales outstanding")]


def test_an_empty_glossary_finds_nothing(tree: tuple[Path, Path]) -> None:
    root, translations = tree
    stats = find_drift(Glossary(()), content_files(root, translations), root)
    assert stats.passed and stats.hits == ()


# --------------------------------------------------------------------------------------------------
# the whole report
# --------------------------------------------------------------------------------------------------


def test_report_on_clean_fixture_content_passes_and_prints_every_statistic(tmp_path: Path) -> None:
    questions = [
        single(
            "a1",
            [("对", "right"), ("较长的错误选项", "a longer wrong option")],
            text=("客户A要求延长账期", "Customer A asks for longer terms"),
        ),
        single(
            "a2",
            [("可以", "yes"), ("不可以，理由很长", "no, for a long reason")],
            text=("合同有仲裁条款能起诉吗", "Arbitration clause: can you sue?"),
        ),
        single(
            "a3",
            [("较长的正确选项", "longer right one"), ("错", "no")],
            text=("发票金额核对", "Match the remittance to the invoice"),
        ),
        single(
            "a4",
            [("先款后货", "cash first"), ("先货后款的长选项", "goods first, long")],
            text=("新客户第一单", "A first order from a new customer"),
        ),
        single(
            "r1",
            [("三年", "three years"), ("一年时间", "one year's time")],
            kind="recall",
            text=("诉讼时效多长", "How long is the limitation period?"),
        ),
    ]
    replies = {"s": dilemma_scenario()}
    report = run_lint(questions, {}, replies, Glossary(()), tmp_path)
    assert report.passed, report.failures
    assert report.kinds.share("application") == pytest.approx(0.8)
    assert [s.longest for s in report.longest] == [1, 1]
    lines = report_lines(report)
    text = "\n".join(lines)
    assert (
        "single choice, correct option the longest (zh): 1/5 = 20.0 % (limit mean(1/n) 50.0 % + 10.0 % = 60.0 %) ok"
        in text
    )
    assert (
        "role-play, longest reply is a good one (en): 0/1 nodes with a non-good choice = 0.0 % (limit 40.0 %) ok"
        in text
    )
    assert (
        "role-play, nodes with a real dilemma (two defensible replies with different trade-offs):"
        " 1/1 = 100.0 % (at least 40.0 %) ok" in text
    )
    assert "by kind: recall 1 (20.0 %), application 4 (80.0 %), unclassified 0 (0.0 %) ok" in text
    assert "true/false items: 0" in text and "by type: single 5, multi 0" in text
    assert "near-duplicate items sharing a draw pool: 0 at score >= 0.50 (0 pairs compared) ok" in text
    assert lines[-1] == "content lint passed"


def test_report_fails_and_names_each_failed_rule(glossary: Glossary, tree: tuple[Path, Path]) -> None:
    root, translations = tree
    questions = [single("u1", [("很长的正确答案", "long right answer"), ("短", "s")], kind=None)]
    replies = {
        "s": scenario("s", node("n", ("good", "很长的好回答", "a long good reply"), ("poor", "差", "no")))
    }
    report = run_lint(questions, {}, replies, glossary, root, translations)
    assert report.failures == [
        "single choice (zh): correct option longest too often",
        "single choice (en): correct option longest too often",
        "role-play (zh): longest reply is the good one too often",
        "role-play (en): longest reply is the good one too often",
        "role-play: too few nodes hold a real dilemma",
        "question kinds: application/recall shares or unclassified questions off target",
        "terminology: 8 banned synonym(s) in use",
    ]
    lines = report_lines(report)
    assert "  correct option the longest (zh): u1" in lines and "  unclassified: u1" in lines
    assert any(line.startswith("  courses/c/lessons/m4-dso.zh.md:1: '最佳DSO'") for line in lines)
    assert lines[-1].startswith("content lint FAILED: single choice (zh)")


def test_thresholds_can_be_changed(tmp_path: Path) -> None:
    questions = [single("q", [("很长的正确答案", "long right answer"), ("短", "s")])]
    strict = run_lint(questions, {}, {}, Glossary(()), tmp_path)
    assert not strict.passed
    lenient = run_lint(questions, {}, {}, Glossary(()), tmp_path, thresholds=Thresholds(longest_margin=0.5))
    assert lenient.passed
