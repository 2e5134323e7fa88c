"""Near-duplicate questions that can land in the same draw (a module quiz, the final exam, a refresher).

The measure, per language, is the cosine similarity of TF-IDF-weighted tokens of the whole item:
- the stem plus the options / ordering items / matching pairs (a short generic stem such as "Which
  statements are correct?" is not a duplicate when the options differ), and a document question's
  whole document (customers, clauses, advice fields, statement lines);
- numbers and ``{placeholders}`` removed (the same question with other figures is still the same);
- Chinese as character bigrams, English as words of three letters or more with a crude suffix strip;
- a numeric question's KPI functions (``dso``, ``carrying_cost`` ...) as extra tokens, weighted
  :data:`FUNCTION_WEIGHT`, so two paraphrased calculations of the same figure come close;
- IDF over the questions in use, so boilerplate ("how many days", "单位") weighs little.
The pair's score is the mean of the two languages. Calibrated on the duplicates the content review
found (m1-q008≈m4-q023, m2-q014≈m4-q025, m1-q009≈m5-q025, m2-q023≈m5-q026 score 0.52-0.74 in the
banks of December 2026) against unrelated pairs (the closest scored below 0.45). Pure Python.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trainer.content.source import LANGUAGES
from trainer.quiz.bank.model import Question, QuizDefinition

FUNCTION_WEIGHT = 4
_NOT_TEXT = re.compile(r"\{[^}]*\}|\d[\d,.]*")
_NOT_ZH = re.compile(r"[^\u4e00-\u9fff]+")
_NOT_EN = re.compile(r"[^a-z]+")
_SUFFIX = re.compile(r"(ing|ed|es|s)$")
_FUNCTION = re.compile(r"\b([a-z_]+)\s*\(")
_PLAIN_FUNCTIONS = frozenset({"round", "min", "max", "abs"})


@dataclass(frozen=True)
class SimilarPair:
    first: str
    second: str
    score: float
    quizzes: tuple[str, ...]
    """The quizzes whose draw can hold both."""


@dataclass(frozen=True)
class DuplicateStats:
    compared: int
    threshold: float
    closest: tuple[SimilarPair, ...]
    """The most similar pairs that share a draw pool, most similar first (all above the threshold,
    and at least a few below it so authors see the margin)."""

    @property
    def flagged(self) -> tuple[SimilarPair, ...]:
        return tuple(p for p in self.closest if p.score >= self.threshold)

    @property
    def passed(self) -> bool:
        return not self.flagged


def item_text(question: Question, lang: str) -> str:
    """The words a trainee reads for this item in one language: stem and answer choices."""
    parts = [question.text[lang]]
    parts += [o.text[lang] for o in question.options]
    parts += [i.text[lang] for i in question.items]
    parts += [f"{p.prompt[lang]} {p.answer[lang]}" for p in question.pairs]
    if question.document is not None:  # the document is the item: two aging reports differ by it
        parts += [text[lang] for text in question.document.texts()]
    return " ".join(parts)


def tokens(question: Question, lang: str) -> Counter[str]:
    text = _NOT_TEXT.sub(" ", item_text(question, lang)).lower()
    if lang == "zh":
        found: Counter[str] = Counter()
        for run in _NOT_ZH.split(text):
            found.update(run[i : i + 2] for i in range(len(run) - 1))
    else:
        found = Counter(_SUFFIX.sub("", w) for w in _NOT_EN.split(text) if len(w) > 2)
    for answer in question.answers[:1]:
        for name in set(_FUNCTION.findall(answer.formula)) - _PLAIN_FUNCTIONS:
            found[f"ƒ{name}"] += FUNCTION_WEIGHT
    return found


def _weighted(bags: Mapping[str, Counter[str]]) -> dict[str, tuple[dict[str, float], float]]:
    """TF-IDF vectors with their norms."""
    documents = len(bags) or 1
    frequency = Counter(token for bag in bags.values() for token in bag)
    idf = {token: math.log((documents + 1) / (count + 1)) + 1 for token, count in frequency.items()}
    vectors = {}
    for qid, bag in bags.items():
        vector = {token: count * idf[token] for token, count in bag.items()}
        vectors[qid] = (vector, math.sqrt(sum(v * v for v in vector.values())))
    return vectors


def _cosine(a: tuple[dict[str, float], float], b: tuple[dict[str, float], float]) -> float:
    (va, na), (vb, nb) = a, b
    if not na or not nb:
        return 0.0
    if len(vb) < len(va):
        va, vb = vb, va
    return sum(value * vb.get(token, 0.0) for token, value in va.items()) / (na * nb)


def similarity_table(questions: Sequence[Question]) -> dict[tuple[str, str], float]:
    """The score of every pair of the given questions, keyed by their ids in the given order."""
    vectors = {lang: _weighted({q.id: tokens(q, lang) for q in questions}) for lang in LANGUAGES}
    return {
        (a.id, b.id): sum(_cosine(vectors[lang][a.id], vectors[lang][b.id]) for lang in LANGUAGES)
        / len(LANGUAGES)
        for a, b in itertools.combinations(questions, 2)
    }


def draw_pools(questions: Iterable[Question], quizzes: Mapping[str, QuizDefinition]) -> dict[str, set[str]]:
    """For each quiz, the ids of the questions in use that one of its rules can draw."""
    active = [q for q in questions if not q.retired]
    return {
        quiz.id: {q.id for q in active if any(rule.matches(q) for rule in quiz.draw)}
        for quiz in quizzes.values()
    }


def near_duplicates(
    questions: Iterable[Question],
    quizzes: Mapping[str, QuizDefinition],
    threshold: float,
    show_below: int = 5,
) -> DuplicateStats:
    """Pairs of questions in use that share a draw pool, scored; see the module docstring."""
    active = [q for q in questions if not q.retired]
    pools = draw_pools(active, quizzes)
    table = similarity_table(active)
    pairs = []
    for (first, second), score in table.items():
        shared = tuple(quiz for quiz, pool in pools.items() if first in pool and second in pool)
        if shared:
            pairs.append(SimilarPair(first, second, round(score, 3), shared))
    pairs.sort(key=lambda p: (-p.score, p.first, p.second))
    above = [p for p in pairs if p.score >= threshold]
    return DuplicateStats(len(pairs), threshold, tuple(pairs[: len(above) + show_below]))
