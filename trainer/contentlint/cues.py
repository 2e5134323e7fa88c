"""Length cues: the right option is the longest one, the best reply is the longest one.

Test-wise trainees pick the longest answer; when that strategy beats chance, scores measure
test-wiseness. Lengths are counted in characters, per language, after trimming whitespace; ties
count as longest (a test-wise trainee picking among equally long answers still gains). Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trainer.content.source import LANGUAGES
from trainer.quiz.bank.model import Question
from trainer.roleplay.scenarios import Choice, Node, Scenario


@dataclass(frozen=True)
class LongestCorrect:
    """Single-choice items, in one language: how often the correct option is the longest."""

    lang: str
    items: int
    longest: int
    chance: float
    """mean(1/n) over the items: the share a random pick of 'the longest' would hit by chance."""
    margin: float
    offenders: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        return self.longest / self.items if self.items else 0.0

    @property
    def limit(self) -> float:
        return self.chance + self.margin

    @property
    def passed(self) -> bool:
        return self.share <= self.limit + 1e-12


@dataclass(frozen=True)
class ReplyCues:
    """Role-play nodes, in one language: how often the longest reply is a ``good`` one, and how
    many nodes hold a real dilemma (two defensible replies with different trade-offs)."""

    lang: str
    nodes: int
    mixed: int
    """Nodes with at least one choice that is not ``good``: where a length cue can help."""
    longest_good: int
    """Of the mixed nodes, those whose longest reply (ties count) is a good one."""
    dilemmas: int
    """Nodes with a ``good`` reply and another ``good`` or ``ok`` one where neither is at least as
    good on every scored variable: one buys money, the other relationship or compliance."""
    limit: float
    dilemma_target: float
    offenders: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        return self.longest_good / self.mixed if self.mixed else 0.0

    @property
    def dilemma_share(self) -> float:
        return self.dilemmas / self.nodes if self.nodes else 0.0

    @property
    def passed(self) -> bool:
        return self.share <= self.limit + 1e-12

    @property
    def dilemmas_passed(self) -> bool:
        return not self.nodes or self.dilemma_share >= self.dilemma_target - 1e-12


def _is_longest(lengths: Sequence[int], index: int) -> bool:
    return lengths[index] >= max(lengths)


def longest_correct(questions: Iterable[Question], margin: float) -> list[LongestCorrect]:
    """One :class:`LongestCorrect` per language over the single-choice questions given."""
    singles = [q for q in questions if q.type == "single" and len(q.options) >= 2]
    found = []
    for lang in LANGUAGES:
        hits: list[str] = []
        for question in singles:
            lengths = [len(o.text[lang].strip()) for o in question.options]
            right = next(i for i, o in enumerate(question.options) if o.correct)
            if _is_longest(lengths, right):
                hits.append(question.id)
        chance = sum(1 / len(q.options) for q in singles) / len(singles) if singles else 0.0
        found.append(LongestCorrect(lang, len(singles), len(hits), chance, margin, tuple(hits)))
    return found


def _trade_off(scored: Sequence[str], first: Choice, second: Choice) -> bool:
    """Each choice does better than the other on some scored variable (neither dominates)."""
    gains = [first.effects.get(v, 0.0) - second.effects.get(v, 0.0) for v in scored]
    return any(g > 0 for g in gains) and any(g < 0 for g in gains)


def is_dilemma(scenario: Scenario, node: Node) -> bool:
    """A good reply and another defensible (good or ok) reply that trade one value for another."""
    scored = [name for name, variable in scenario.variables.items() if variable.scored]
    return any(
        _trade_off(scored, first, second)
        for first in node.choices
        if first.quality == "good"
        for second in node.choices
        if second is not first and second.quality in ("good", "ok")
    )


def reply_cues(scenarios: Mapping[str, Scenario], limit: float, dilemma_target: float) -> list[ReplyCues]:
    """One :class:`ReplyCues` per language over every node of every scenario."""
    nodes = [(scenario.id, node) for scenario in scenarios.values() for node in scenario.nodes.values()]
    dilemmas = sum(1 for scenario in scenarios.values() for node in scenario.nodes.values()
                   if is_dilemma(scenario, node))
    found = []
    for lang in LANGUAGES:
        mixed = 0
        hits: list[str] = []
        for scenario_id, node in nodes:
            if all(c.quality == "good" for c in node.choices):
                continue
            mixed += 1
            lengths = [len(c.text[lang].strip()) for c in node.choices]
            if any(c.quality == "good" and _is_longest(lengths, i) for i, c in enumerate(node.choices)):
                hits.append(f"{scenario_id}/{node.id}")
        found.append(
            ReplyCues(lang, len(nodes), mixed, len(hits), dilemmas, limit, dilemma_target, tuple(hits))
        )
    return found
