"""What the questions measure: counts by type and by kind (recall / application), over the
questions still in use (retired ones are never drawn, so they do not count). Pure Python."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from trainer.quiz.bank.model import QUESTION_KINDS, QUESTION_TYPES, Question

UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class KindStats:
    """Counts of the questions in use; ``by_kind`` has every kind and ``unclassified``."""

    total: int
    retired: int
    by_type: Mapping[str, int]
    by_kind: Mapping[str, int]
    by_type_and_kind: Mapping[tuple[str, str], int]
    application_min: float
    recall_max: float
    unclassified_ids: tuple[str, ...] = ()
    by_module: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """module -> kind -> count, so the author of one module sees where it stands."""

    def share(self, kind: str) -> float:
        return self.by_kind.get(kind, 0) / self.total if self.total else 0.0

    @property
    def truefalse(self) -> int:
        return self.by_type.get("truefalse", 0)

    @property
    def passed(self) -> bool:
        return (
            self.share("application") >= self.application_min - 1e-12
            and self.share("recall") <= self.recall_max + 1e-12
            and self.by_kind.get(UNCLASSIFIED, 0) == 0
        )


def kind_stats(questions: Iterable[Question], application_min: float, recall_max: float) -> KindStats:
    every = list(questions)
    active = [q for q in every if not q.retired]
    by_type = Counter(q.type for q in active)
    by_kind = Counter(q.kind or UNCLASSIFIED for q in active)
    pairs = Counter((q.type, q.kind or UNCLASSIFIED) for q in active)
    return KindStats(
        total=len(active),
        retired=len(every) - len(active),
        by_type={t: by_type.get(t, 0) for t in QUESTION_TYPES},
        by_kind={k: by_kind.get(k, 0) for k in (*QUESTION_KINDS, UNCLASSIFIED)},
        by_type_and_kind=dict(pairs),
        application_min=application_min,
        recall_max=recall_max,
        unclassified_ids=tuple(q.id for q in active if q.kind is None),
        by_module={
            module: {k: kinds.get(k, 0) for k in (*QUESTION_KINDS, UNCLASSIFIED)}
            for module, kinds in sorted(_per_module(active).items())
        },
    )


def _per_module(questions: Iterable[Question]) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    for question in questions:
        found.setdefault(question.module, Counter())[question.kind or UNCLASSIFIED] += 1
    return found
