"""Running every lint rule over the loaded content and printing the statistics.

:func:`run_lint` returns a :class:`LintReport` (data, so tests check numbers, not text);
:func:`report_lines` turns it into what ``flask content check`` prints. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from trainer.contentlint.cues import LongestCorrect, ReplyCues, longest_correct, reply_cues
from trainer.contentlint.kinds import UNCLASSIFIED, KindStats, kind_stats
from trainer.contentlint.stems import DuplicateStats, near_duplicates
from trainer.contentlint.terms import TermStats, content_files, find_drift
from trainer.learn.glossary import Glossary
from trainer.quiz.bank.model import Question, QuizDefinition
from trainer.roleplay.scenarios import Scenario


@dataclass(frozen=True)
class Thresholds:
    """Where the lint fails; the defaults are the ones issue 14 set."""

    longest_margin: float = 0.10
    """Correct option the longest: at most mean(1/n) + this, per language."""
    reply_longest_good: float = 0.40
    """Longest reply a good one: at most this share of the nodes with a choice that is not good."""
    dilemma_target: float = 0.40
    """At least this share of role-play nodes hold a real dilemma (two defensible replies that trade
    money, relationship and compliance against each other)."""
    application_min: float = 0.60
    recall_max: float = 0.20
    duplicate_similarity: float = 0.50
    """Near-duplicate score (see :mod:`trainer.contentlint.stems`) at which a pair fails."""


@dataclass(frozen=True)
class LintReport:
    longest: tuple[LongestCorrect, ...]
    replies: tuple[ReplyCues, ...]
    kinds: KindStats
    duplicates: DuplicateStats
    terms: TermStats
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def failures(self) -> list[str]:
        """One line per failed rule (empty when the content passes)."""
        failed = [
            f"single choice ({s.lang}): correct option longest too often"
            for s in self.longest
            if not s.passed
        ]
        failed += [
            f"role-play ({s.lang}): longest reply is the good one too often"
            for s in self.replies
            if not s.passed
        ]
        if self.replies and not self.replies[0].dilemmas_passed:
            failed.append("role-play: too few nodes hold a real dilemma")
        if not self.kinds.passed:
            failed.append("question kinds: application/recall shares or unclassified questions off target")
        if not self.duplicates.passed:
            failed.append(f"near-duplicates: {len(self.duplicates.flagged)} pair(s) in a shared draw pool")
        if not self.terms.passed:
            failed.append(f"terminology: {len(self.terms.hits)} banned synonym(s) in use")
        return failed

    @property
    def passed(self) -> bool:
        return not self.failures


def run_lint(
    questions: Iterable[Question],
    quizzes: Mapping[str, QuizDefinition],
    scenarios: Mapping[str, Scenario],
    glossary: Glossary,
    root: Path,
    translations: Path | None = None,
    thresholds: Thresholds | None = None,
) -> LintReport:
    limits = thresholds or Thresholds()
    every = list(questions)
    active = [q for q in every if not q.retired]
    files = content_files(root, translations)
    return LintReport(
        longest=tuple(longest_correct(active, limits.longest_margin)),
        replies=tuple(reply_cues(scenarios, limits.reply_longest_good, limits.dilemma_target)),
        kinds=kind_stats(every, limits.application_min, limits.recall_max),
        duplicates=near_duplicates(active, quizzes, limits.duplicate_similarity),
        terms=find_drift(glossary, files, root),
        thresholds=limits,
    )


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def _verdict(passed: bool) -> str:
    return "ok" if passed else "FAIL"


def _cue_lines(report: LintReport) -> list[str]:
    lines = []
    for s in report.longest:
        lines.append(
            f"single choice, correct option the longest ({s.lang}): {s.longest}/{s.items} = {_pct(s.share)}"
            f" (limit mean(1/n) {_pct(s.chance)} + {_pct(s.margin)} = {_pct(s.limit)}) {_verdict(s.passed)}"
        )
    lines += [
        f"  correct option the longest ({s.lang}): {', '.join(s.offenders)}"
        for s in report.longest
        if s.offenders
    ]
    for r in report.replies:
        lines.append(
            f"role-play, longest reply is a good one ({r.lang}): {r.longest_good}/{r.mixed} nodes with a"
            f" non-good choice = {_pct(r.share)} (limit {_pct(r.limit)}) {_verdict(r.passed)}"
        )
    lines += [
        f"  longest reply good ({r.lang}): {', '.join(r.offenders)}" for r in report.replies if r.offenders
    ]
    if report.replies:
        r = report.replies[0]
        lines.append(
            f"role-play, nodes with a real dilemma (two defensible replies with different trade-offs):"
            f" {r.dilemmas}/{r.nodes} = {_pct(r.dilemma_share)} (at least {_pct(r.dilemma_target)})"
            f" {_verdict(r.dilemmas_passed)}"
        )
    return lines


def _kind_lines(kinds: KindStats) -> list[str]:
    by_type = ", ".join(f"{t} {n}" for t, n in kinds.by_type.items())
    by_kind = ", ".join(f"{k} {n} ({_pct(kinds.share(k))})" for k, n in kinds.by_kind.items())
    lines = [
        f"questions in use: {kinds.total} (retired: {kinds.retired})",
        f"  by type: {by_type}",
        f"  by kind: {by_kind} {_verdict(kinds.passed)}"
        f" (application >= {_pct(kinds.application_min)}, recall <= {_pct(kinds.recall_max)}, unclassified 0)",
        f"  true/false items: {kinds.truefalse} (keep them for misconceptions only)",
    ]
    for qtype, count in kinds.by_type.items():
        if count:
            split = ", ".join(
                f"{kind} {kinds.by_type_and_kind.get((qtype, kind), 0)}"
                for kind in (*kinds.by_kind.keys(),)
                if kinds.by_type_and_kind.get((qtype, kind), 0)
            )
            lines.append(f"  {qtype}: {split}")
    for module, counts in kinds.by_module.items():
        lines.append(f"  {module}: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
    if kinds.unclassified_ids and kinds.by_kind.get(UNCLASSIFIED, 0) <= 12:
        lines.append(f"  unclassified: {', '.join(kinds.unclassified_ids)}")
    return lines


def report_lines(report: LintReport) -> list[str]:
    """What ``flask content check`` prints: every statistic, the offending items and the verdict."""
    lines = ["content lint:", *_cue_lines(report), *_kind_lines(report.kinds)]
    dup = report.duplicates
    lines.append(
        f"near-duplicate items sharing a draw pool: {len(dup.flagged)} at score >= {dup.threshold:.2f}"
        f" ({dup.compared} pairs compared) {_verdict(dup.passed)}; closest pairs:"
    )
    for pair in dup.closest:
        mark = "DUPLICATE" if pair.score >= dup.threshold else "ok"
        lines.append(f"  {pair.score:.3f} {pair.first} ~ {pair.second} [{', '.join(pair.quizzes)}] {mark}")
    terms = report.terms
    lines.append(
        f"terminology: {terms.terms} glossary terms, {terms.banned} banned synonyms, {terms.files} files searched:"
        f" {len(terms.hits)} hit(s) {_verdict(terms.passed)}"
    )
    lines += [f"  {hit}" for hit in terms.hits]
    lines.append("content lint " + ("passed" if report.passed else "FAILED: " + "; ".join(report.failures)))
    return lines
