"""The quarterly self-assessment records: reading them (one person or hundreds) and saving one
dimension's ratings from the form (the only scorecard service that commits on a request)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from trainer.accounts.models import User
from trainer.accounts.selection import UserIds, user_id_filter
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.scorecard import rules
from trainer.scorecard.framework import Dimension, Framework
from trainer.scorecard.models import SelfAssessment
from trainer.scorecard.services.common import ScorecardError, framework
from trainer.scorecard.services.quarters import this_quarter

RATING_PREFIX = "rating-"
"""Form fields are ``rating-<statement id>`` with a value 1-5."""


def assessment_for(user_id: int, quarter: str) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment).where(SelfAssessment.user_id == user_id, SelfAssessment.quarter == quarter)
    )


def assessments_of(user_id: int) -> list[SelfAssessment]:
    """Every quarter's self-assessment of one person, oldest first."""
    rows = db.session.scalars(select(SelfAssessment).where(SelfAssessment.user_id == user_id)).all()
    return sorted(rows, key=lambda row: rules.parse_quarter(row.quarter))


def last_changes(members: Select) -> Select:
    """Each member's latest change to any self-assessment, as a ``(user id, time)`` SELECT that the
    dashboard unions with the other features' activity (one query for all of them)."""
    return (
        select(SelfAssessment.user_id, func.max(SelfAssessment.updated_at))
        .where(SelfAssessment.user_id.in_(members))
        .group_by(SelfAssessment.user_id)
    )


def ratings_for(members: UserIds, quarters: Iterable[str]) -> dict[tuple[int, str], dict[str, int]]:
    """Cleaned ratings of many people's self-assessments for the given quarters, in one query
    (plain rows: the dashboard reads hundreds)."""
    query = select(SelfAssessment.user_id, SelfAssessment.quarter, SelfAssessment.ratings).where(
        SelfAssessment.user_id.in_(user_id_filter(members)),
        SelfAssessment.quarter.in_(list(quarters)),
    )
    known = _statement_ids(framework())  # looked up once, not once per person
    return {(uid, quarter): clean_ratings(ratings, known) for uid, quarter, ratings in db.session.execute(query).all()}


def stored_ratings(members: UserIds, quarter: str) -> dict[int, str | None]:
    """Many people's self-assessment ratings for ``quarter`` as the stored JSON text, in one query:
    for a caller that keeps what it derives from them and decodes and cleans only the ones that
    changed (:func:`decoded_ratings`)."""
    query = select(SelfAssessment.user_id, cast(SelfAssessment.ratings, Text)).where(
        SelfAssessment.user_id.in_(user_id_filter(members)), SelfAssessment.quarter == quarter,
    )
    return {uid: text for uid, text in db.session.execute(query).all()}


def decoded_ratings(text: str | None, known: frozenset[str] | None = None) -> dict[str, int]:
    """The cleaned ratings (:func:`clean_ratings`) of stored JSON text; anything but an object is
    no ratings."""
    raw = json.loads(text) if text else None
    return clean_ratings(raw if isinstance(raw, dict) else None, known)


def _statement_ids(fw: Framework) -> frozenset[str]:
    """The framework's statement ids, kept with the framework object itself: a reloaded framework is
    another object (keying by ``id()`` could hit a dead one's reused address)."""
    found = current_app.extensions.get("scorecard_statement_ids")
    if found is None or found[0] is not fw:
        found = current_app.extensions["scorecard_statement_ids"] = (fw, frozenset(s.id for s in fw.statements))
    return found[1]  # type: ignore[no-any-return]


def clean_ratings(raw: Mapping[str, Any] | None, known: frozenset[str] | None = None) -> dict[str, int]:
    """Stored ratings of statements still in the framework (retired ids and bad values dropped);
    ``known`` is the framework's statement ids when the caller has them already."""
    if known is None:
        known = _statement_ids(framework())
    result: dict[str, int] = {}
    for statement_id, value in (raw or {}).items():
        if statement_id in known and type(value) is int and 1 <= value <= 5:  # not bool, a subclass of int
            result[statement_id] = value
    return result


def self_scores_of(assessment: SelfAssessment | None) -> dict[str, float | None]:
    return rules.self_scores(framework(), clean_ratings(assessment.ratings if assessment else None))


@dataclass(frozen=True)
class SaveResult:
    assessment: SelfAssessment
    dimension: Dimension
    saved: dict[str, int]  # statement id -> rating stored by this request
    errors: dict[str, Any]  # statement id -> message (nothing stored for it)
    submitted: dict[str, str]  # what the form sent, to show it again next to the errors
    finished_now: bool  # this request rated the last open statement


def parse_rating(raw: Any) -> int | None:
    """'1'..'5' -> 1..5; anything else None."""
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


def save_dimension(user: User, dimension_id: str, form: Mapping[str, Any], moment: datetime | None = None) -> SaveResult:
    """Store the ratings one dimension's form sent, for this quarter's self-assessment.

    Fields are ``rating-<statement id>``. A statement left blank keeps its earlier rating; a value
    that is not a whole number 1-5 is refused with a message and nothing is stored for it, while the
    valid ratings of the same form are kept (nothing typed is lost). Fields for statements of other
    dimensions are refused too.
    """
    try:
        dimension = framework().dimension(dimension_id)
    except KeyError:
        raise ScorecardError(_l("There is no such competency."), 404) from None
    moment = moment or utcnow()
    quarter = this_quarter(moment)
    own = set(dimension.statement_ids)
    saved: dict[str, int] = {}
    errors: dict[str, Any] = {}
    submitted: dict[str, str] = {}
    for key in form:
        if not key.startswith(RATING_PREFIX):
            continue
        statement_id = key[len(RATING_PREFIX):]
        raw = form.get(key)
        value = "" if raw is None else str(raw)
        if statement_id not in own:
            errors[""] = _l("A rating for a statement of another competency was sent here; it was not saved.")
            continue
        submitted[statement_id] = value[:20]
        if value.strip() == "":
            continue
        rating = parse_rating(value)
        if rating is None:
            errors[statement_id] = _l("Choose a rating from 1 to 5.")
            continue
        saved[statement_id] = rating
    assessment = assessment_for(user.id, quarter)
    if assessment is None:
        assessment = SelfAssessment(user_id=user.id, quarter=quarter, started_at=moment, updated_at=moment, ratings={})
        db.session.add(assessment)
    was_finished = assessment.finished_at is not None
    if saved:
        ratings = clean_ratings(assessment.ratings)
        ratings.update(saved)
        assessment.ratings = ratings
        assessment.updated_at = moment
        done = rules.completeness(framework(), ratings)
        if done.rated == done.total and assessment.finished_at is None:
            assessment.finished_at = moment
    if saved or assessment.id is None:
        try:
            db.session.commit()
        except IntegrityError:  # a concurrent first save created the row: store into that one
            db.session.rollback()
            existing = assessment_for(user.id, quarter)
            if existing is None or not saved:
                raise
            ratings = clean_ratings(existing.ratings)
            ratings.update(saved)
            existing.ratings = ratings
            existing.updated_at = moment
            db.session.commit()
            assessment = existing
    return SaveResult(
        assessment=assessment,
        dimension=dimension,
        saved=saved,
        errors=errors,
        submitted=submitted,
        finished_now=not was_finished and assessment.finished_at is not None,
    )
