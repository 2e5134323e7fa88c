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
from trainer.roleplay.scenarios import Scenario


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
    many nodes offer two or more good replies (a real dilemma rather than one right answer)."""

    lang: str
    nodes: int
    mixed: int
    """Nodes with at least one choice that is not ``good``: where a length cue can help."""
    longest_good: int
    """Of the mixed nodes, those whose longest reply (ties count) is a good one."""
    two_good: int
    limit: float
    two_good_target: float
    offenders: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        return self.longest_good / self.mixed if self.mixed else 0.0

    @property
    def two_good_share(self) -> float:
        return self.two_good / self.nodes if self.nodes else 0.0

    @property
    def passed(self) -> bool:
        return self.share <= self.limit + 1e-12


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


def reply_cues(scenarios: Mapping[str, Scenario], limit: float, two_good_target: float) -> list[ReplyCues]:
    """One :class:`ReplyCues` per language over every node of every scenario."""
    nodes = [(scenario.id, node) for scenario in scenarios.values() for node in scenario.nodes.values()]
    two_good = sum(1 for _, node in nodes if sum(c.quality == "good" for c in node.choices) >= 2)
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
            ReplyCues(lang, len(nodes), mixed, len(hits), two_good, limit, two_good_target, tuple(hits))
        )
    return found
