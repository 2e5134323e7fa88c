"""The self-assessment form page: each dimension's statements with the stored (or just
submitted) rating and any message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trainer.content.source import pick
from trainer.scorecard.framework import Dimension
from trainer.scorecard.models import SelfAssessment
from trainer.scorecard.services.assessments import RATING_PREFIX, clean_ratings
from trainer.scorecard.services.common import framework


@dataclass(frozen=True)
class StatementField:
    id: str
    name: str
    text: str
    value: str  # what to show checked: the stored rating, or what was just submitted
    error: str


@dataclass(frozen=True)
class DimensionForm:
    dimension: Dimension
    number: int
    title: str
    description: str
    levels: list[tuple[int, str]]
    statements: list[StatementField]
    rated: int

    @property
    def total(self) -> int:
        return len(self.statements)

    @property
    def complete(self) -> bool:
        return self.rated == self.total


def form_view(
    assessment: SelfAssessment | None,
    lang: str,
    *,
    submitted: Mapping[str, str] | None = None,
    errors: Mapping[str, Any] | None = None,
) -> list[DimensionForm]:
    ratings = clean_ratings(assessment.ratings if assessment else None)
    submitted = submitted or {}
    errors = errors or {}
    forms = []
    for number, dimension in enumerate(framework(), start=1):
        fields = []
        for statement in dimension.statements:
            value = submitted.get(statement.id)
            if value is None:
                value = str(ratings[statement.id]) if statement.id in ratings else ""
            fields.append(
                StatementField(
                    id=statement.id,
                    name=RATING_PREFIX + statement.id,
                    text=statement.text_in(lang),
                    value=value,
                    error=str(errors[statement.id]) if statement.id in errors else "",
                )
            )
        forms.append(
            DimensionForm(
                dimension=dimension,
                number=number,
                title=pick(dimension.title, lang),
                description=pick(dimension.description, lang),
                levels=[(level.level, level.text_in(lang)) for level in dimension.levels],
                statements=fields,
                rated=sum(1 for s in dimension.statement_ids if s in ratings),
            )
        )
    return forms
