"""The overview's scorecard cells are cached per member (under the stored ratings and the evidence
fingerprint) and their measured scores are built only when read: the results must be exactly what
the uncached computation gives, before and after ratings and evidence change, at any moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.web.test_scorecard import add_attempt, questions_tagged
from trainer.accounts import demo
from trainer.accounts.models import User
from trainer.config import ConfigError, build_config
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.manage.services import overview as overview_module
from trainer.manage.services.cells import SUMMARY_CACHE, empty_scorecard, scorecards_by_member
from trainer.manage.services.scope import make_scope
from trainer.scorecard import rules
from trainer.scorecard.models import SelfAssessment
from trainer.scorecard.services import evidence as evidence_module
from trainer.scorecard.services import quarters
from trainer.scorecard.services.assessments import ratings_for
from trainer.scorecard.services.evidence import CACHE as MEASURED_CACHE
from trainer.scorecard.services.evidence import empty_measured, measured_for


def reference(app, members, quarter, moment):
    """The overview's scorecard cells computed the plain way: nothing cached, every rating set
    cleaned and every measured score built (what the dashboard did before the cache)."""
    fw = app.extensions["content"].framework
    assessments = ratings_for(members, [quarter])
    measured = measured_for(members, moment)
    result = {}
    for user_id in {uid for uid, _ in assessments} | set(measured):
        ratings = assessments.get((user_id, quarter), {})
        own = rules.self_scores(fw, ratings)
        theirs = measured.get(user_id, empty_measured())
        found = rules.gaps(own, theirs)
        selfs = [v for v in own.values() if v is not None]
        scores = [m.score for m in theirs.values() if m.score is not None]
        result[user_id] = {
            "rated": len(ratings), "total": len(fw.statements),
            "self_mean": sum(selfs) / len(selfs) if selfs else None,
            "measured_mean": sum(scores) / len(scores) if scores else None,
            "overconfident": sum(1 for g in found.values() if g.kind == "overconfident" and not g.low_confidence),
            "underconfident": sum(1 for g in found.values() if g.kind == "underconfident" and not g.low_confidence),
            "gaps": found, "self_scores": own, "measured": theirs, "finished": len(ratings) == len(fw.statements),
        }
    return result


def as_plain(summaries):
    return {
        uid: {"rated": s.rated, "total": s.total, "self_mean": s.self_mean, "measured_mean": s.measured_mean,
              "overconfident": s.overconfident, "underconfident": s.underconfident, "gaps": s.gaps,
              "self_scores": s.self_scores, "measured": s.measured, "finished": s.finished}
        for uid, s in summaries.items()
    }


def trainees():
    return select(User.id).where(User.role == "trainee")


def test_cached_scorecard_cells_equal_the_plain_computation_as_data_changes(app):
    demo.seed_demo(app.extensions.get("demo_seeders", []))
    quarter, now = quarters.this_quarter(), utcnow()
    expected = reference(app, trainees(), quarter, now)
    assert len(expected) >= 7 and any(e["overconfident"] for e in expected.values())
    assert as_plain(scorecards_by_member(trainees(), quarter, now)) == expected  # fills the cache
    assert app.extensions[SUMMARY_CACHE]
    later = now + timedelta(days=40)  # cache hits: measured weights still decay to the new moment
    assert as_plain(scorecards_by_member(trainees(), quarter, later)) == reference(app, trainees(), quarter, later)

    # ratings change (one edited, one with a retired statement and a bad value), evidence changes
    rows = db.session.scalars(select(SelfAssessment).where(SelfAssessment.quarter == quarter)).all()
    edited, junk = rows[0], rows[1]
    first_id = next(iter(edited.ratings))
    edited.ratings = {**edited.ratings, first_id: 6 - edited.ratings[first_id]}
    junk.ratings = {**junk.ratings, "retired-statement": 3, first_id: "5"}
    fresh = db.session.scalars(select(User).where(User.role == "trainee", User.id.not_in(list(expected)))).first()
    someone = fresh or db.session.get(User, rows[2].user_id)
    add_attempt(someone, [(q, 0.0, 1.0) for q in questions_tagged(app, "data_analysis")[:6]], now - timedelta(hours=1))
    db.session.commit()
    changed = reference(app, trainees(), quarter, now)
    assert changed != expected
    assert as_plain(scorecards_by_member(trainees(), quarter, now)) == changed


def test_measured_scores_of_a_cached_cell_follow_the_moment(app, make_user):
    user = make_user("trainee", email="cells@example.com")
    questions = questions_tagged(app, "data_analysis")[:5]
    assert len(questions) == 5
    now = utcnow()
    add_attempt(user, [(q, 1.0, 1.0) for q in questions], now - timedelta(days=90))
    db.session.commit()
    members = select(User.id).where(User.id == user.id)
    quarter = quarters.this_quarter()
    first = scorecards_by_member(members, quarter, now)[user.id].measured["data_analysis"]
    second = scorecards_by_member(members, quarter, now + timedelta(days=90))[user.id].measured["data_analysis"]
    assert first.score == second.score == 5.0 and first.evidence == second.evidence == 5
    assert abs(first.weight - 2.5) < 1e-9 and abs(second.weight - 1.25) < 1e-9  # half-life 90 days


def test_the_empty_card_has_no_measured_scores(app):
    card = empty_scorecard()
    assert card.measured == {} and not card.finished and card.self_mean is None


def test_the_screens_page_only_overview_shows_the_same_page_and_counts_as_the_full_one(app, monkeypatch):
    """The screen reads activity, final exam, role-play and policy-lab cells for the shown rows only
    (light sorts); every page, in every sort and direction, equals the full overview's page."""
    demo.seed_demo(app.extensions.get("demo_seeders", []))
    boss = db.session.scalar(select(User).where(User.email == "chen.manager@demo.local"))
    scope = make_scope(boss, None, None)
    monkeypatch.setattr(overview_module, "PAGE_SIZE", 2)
    assert len(overview_module.overview(scope).rows) >= 5  # at least three pages
    for sort in overview_module.SORTS:
        for direction in ("asc", "desc"):
            full = overview_module.overview(scope, sort, direction)
            for page in range(1, full.pages + 1):
                shown = overview_module.overview(scope, sort, direction, str(page), page_only=True)
                wanted = overview_module.overview(scope, sort, direction, str(page))
                assert shown.page_rows == wanted.page_rows, (sort, direction, page)
                assert shown.counts == full.counts and shown.pages == full.pages
    assert any(r.roleplay.finished or r.final for r in full.rows)  # the page cells are really there


def test_a_team_larger_than_the_cache_still_gets_every_cell_right_and_the_cache_stays_bounded(app):
    """TRAINER_CACHE_ENTRIES bounds the per-process caches (least recently used dropped first): with
    room for three people, the demo organisation's cells are still the plain computation's, on the
    first visit and on the next, and neither cache holds more than three."""
    demo.seed_demo(app.extensions.get("demo_seeders", []))
    app.config["CACHE_ENTRIES"] = 3
    quarter, now = quarters.this_quarter(), utcnow()
    expected = reference(app, trainees(), quarter, now)
    assert len(expected) > 3
    for _ in range(2):
        assert as_plain(scorecards_by_member(trainees(), quarter, now)) == expected
        assert len(app.extensions[SUMMARY_CACHE]) == 3 and len(app.extensions[MEASURED_CACHE]) == 3


@pytest.mark.parametrize("value", ["0", "-1", "many", "2.5"])
def test_a_cache_size_below_one_or_not_a_number_refuses_to_start(monkeypatch, tmp_path, value):
    monkeypatch.setenv("TRAINER_CACHE_ENTRIES", value)
    with pytest.raises(ConfigError, match="TRAINER_CACHE_ENTRIES"):
        build_config(str(tmp_path))


def test_an_attempts_evidence_does_not_depend_on_the_order_the_answers_come_in(monkeypatch):
    """Query plans return an attempt's answers in different orders (an index-only scan, an IN list
    or a subquery), and a float sum in another order differs in the last bits: 0.1 + 0.2 + 0.3 is
    not 0.3 + 0.2 + 0.1. The per-attempt totals are exact (fsum), so both orders give one total."""
    at = utcnow()
    rows = [(1, "q-a", 0.1, 1.0), (1, "q-b", 0.2, 1.0), (1, "q-c", 0.3, 1.0)]
    monkeypatch.setattr(evidence_module, "_question_dimensions", lambda: dict.fromkeys(("q-a", "q-b", "q-c"), ("dim",)))
    monkeypatch.setattr(evidence_module, "submitted_times", lambda members, until: {1: (7, at)})
    totals = []
    for order in (rows, rows[::-1]):
        monkeypatch.setattr(evidence_module, "graded_answers", lambda members, until, order=order: list(order))
        (group,) = evidence_module.quiz_evidence([7], at)[7]
        totals.append((group.total, group.count))
    assert (0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1  # the trap the exact sum avoids
    assert totals[0] == totals[1] == (0.6, 3)
