"""The self-assessment scorecard: saving as you go (form and autosave), bad values, results with
the radar, levels, gaps and recommendations, measured scores from quizzes and role-plays, trend."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from trainer.accounts import demo
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.models import Attempt, AttemptAnswer
from trainer.roleplay.models import Play
from trainer.scorecard import rules
from trainer.scorecard.models import SelfAssessment
from trainer.scorecard.rules import AnswerEvidence, ScenarioEvidence, measured_scores
from trainer.scorecard.services import assessments, quarters
from trainer.scorecard.services.evidence import SCENARIO_WEIGHT, empty_measured, measured_for

ASSESS = "/scorecard/assess"


def save_url(dimension_id: str) -> str:
    return f"{ASSESS}/{dimension_id}"


@pytest.fixture
def framework(app):
    return app.extensions["content"].framework


@pytest.fixture
def trainee(signed_in):
    return signed_in(email="amy@example.com", name="Amy Trainee")


def questions_tagged(app, dimension_id: str, only: bool = True) -> list[str]:
    """Question ids tagged with the dimension (and nothing else when ``only``)."""
    return [
        q.id
        for q in app.extensions["content"].banks
        if dimension_id in q.competencies and (not only or len(q.competencies) == 1)
    ]


def add_attempt(user, answers, when, quiz_id="m4-data-quiz", percent=None, number=None, assignment=None):
    """A submitted attempt with graded answers [(question id, score, max score)]."""
    count = db.session.scalar(select(db.func.count()).select_from(Attempt).where(Attempt.user_id == user.id)) or 0
    attempt = Attempt(
        user_id=user.id, quiz_id=quiz_id, number=number or count + 1, started_at=when - timedelta(minutes=20),
        updated_at=when, submitted_at=when, seed=1, instances=[{"question_id": q} for q, _, _ in answers],
        percent=percent if percent is not None else (100 * sum(s for _, s, _ in answers) / max(1, sum(m for _, _, m in answers))),
        assignment_id=assignment.id if assignment is not None else None,
    )
    attempt.answers = [AttemptAnswer(question_id=q, answer="x", score=s, max_score=m, correct=s >= m) for q, s, m in answers]
    db.session.add(attempt)
    db.session.commit()
    return attempt


def rate_all(user, framework, value_for, quarter=None):
    """Store a whole self-assessment directly: value_for(dimension_id) -> rating."""
    ratings = {s.id: value_for(d.id) for d in framework for s in d.statements}
    row = SelfAssessment(user_id=user.id, quarter=quarter or quarters.this_quarter(), ratings=ratings,
                         started_at=utcnow(), updated_at=utcnow(), finished_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row


# --------------------------------------------------------------------------------------------------
# Filling it in
# --------------------------------------------------------------------------------------------------


def test_home_and_scorecard_invite_a_trainee_who_has_not_started(client, trainee):
    home = client.get("/").get_data(as_text=True)
    quarter = quarters.this_quarter()
    assert f"Take this quarter&#39;s self-assessment ({quarter})" in home
    page = client.get("/scorecard/").get_data(as_text=True)
    assert 'data-testid="start-assessment"' in page
    assert 'data-testid="radar-self"' not in page  # nothing rated: no self polygon


def test_form_shows_every_statement_with_five_choices_and_the_levels(client, trainee, framework):
    html = client.get(ASSESS).get_data(as_text=True)
    for dimension in framework:
        assert f'id="dim-{dimension.id}"' in html
        assert str(escape(dimension.level(5).text_in("en"))) in html
        for statement in dimension.statements:
            names = re.findall(rf'name="rating-{re.escape(statement.id)}" value="(\d)"', html)
            assert names == ["1", "2", "3", "4", "5"]
    assert "What the levels look like in practice" in html
    assert 'src="/static/js/dashboard.js"' in html


def test_saving_one_dimension_keeps_the_ratings_and_moves_on(client, actions, trainee, framework):
    first, second = framework.dimensions[0], framework.dimensions[1]
    data = {f"rating-{s.id}": str(i % 5 + 1) for i, s in enumerate(first.statements)}
    response = actions.post(save_url(first.id), data, token_from=ASSESS)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{ASSESS}#dim-{second.id}")
    row = assessments.assessment_for(trainee.id, quarters.this_quarter())
    assert row.ratings == {s.id: i % 5 + 1 for i, s in enumerate(first.statements)}
    assert row.finished_at is None
    html = client.get(ASSESS).get_data(as_text=True)
    assert f"Saved: {first.title['en']}." in html
    statement = first.statements[2]
    assert re.search(rf'name="rating-{re.escape(statement.id)}" value="3" checked', html)
    assert f"{len(first.statements)} of {len(framework.statements)} rated" in html


def test_a_blank_statement_keeps_its_earlier_rating(client, actions, trainee, framework):
    dim = framework.dimensions[0]
    s1, s2 = dim.statements[0], dim.statements[1]
    actions.post(save_url(dim.id), {f"rating-{s1.id}": "4", f"rating-{s2.id}": "2"}, token_from=ASSESS)
    actions.post(save_url(dim.id), {f"rating-{s2.id}": "5"}, token_from=ASSESS)
    row = assessments.assessment_for(trainee.id, quarters.this_quarter())
    assert row.ratings == {s1.id: 4, s2.id: 5}


@pytest.mark.parametrize("bad", ["0", "6", "3.5", "abc", "-1", "１", " 4x"])
def test_bad_values_are_refused_with_a_message_and_nothing_typed_is_lost(client, actions, trainee, framework, bad):
    dim = framework.dimensions[1]
    good, wrong = dim.statements[0], dim.statements[1]
    response = actions.post(
        save_url(dim.id), {f"rating-{good.id}": "4", f"rating-{wrong.id}": bad}, token_from=ASSESS
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose a rating from 1 to 5." in html
    assert f'data-error-for="{wrong.id}"' in html
    assert "Some ratings were not saved" in html
    # the valid rating of the same form was stored and is shown checked again
    assert re.search(rf'name="rating-{re.escape(good.id)}" value="4" checked', html)
    row = assessments.assessment_for(trainee.id, quarters.this_quarter())
    assert row.ratings == {good.id: 4}


def test_a_statement_of_another_dimension_is_not_saved_through_this_form(client, actions, trainee, framework):
    here, other = framework.dimensions[0], framework.dimensions[2]
    response = actions.post(
        save_url(here.id),
        {f"rating-{here.statements[0].id}": "3", f"rating-{other.statements[0].id}": "5"},
        token_from=ASSESS,
    )
    assert response.status_code == 400
    assert "another competency" in response.get_data(as_text=True)
    row = assessments.assessment_for(trainee.id, quarters.this_quarter())
    assert row.ratings == {here.statements[0].id: 3}


def test_unknown_dimension_is_404_and_csrf_is_required(client, actions, trainee, framework):
    assert actions.post(save_url("no_such_thing"), {"rating-x": "3"}, token_from=ASSESS).status_code == 404
    dim = framework.dimensions[0]
    response = client.post(save_url(dim.id), data={f"rating-{dim.statements[0].id}": "3"})
    assert response.status_code == 400
    assert assessments.assessment_for(trainee.id, quarters.this_quarter()) is None


def test_autosave_answers_json_with_counts_and_errors(client, actions, trainee, framework):
    dim = framework.dimensions[3]
    ok = actions.post(
        save_url(dim.id), {f"rating-{dim.statements[0].id}": "2"}, token_from=ASSESS,
        headers={"Accept": "application/json"},
    )
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["saved"] == 1 and body["dimension_rated"] == 1 and body["rated"] == 1
    assert body["total"] == len(framework.statements) and body["errors"] == {}
    bad = actions.post(
        save_url(dim.id), {f"rating-{dim.statements[1].id}": "9"}, token_from=ASSESS,
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400
    assert bad.get_json()["errors"] == {dim.statements[1].id: "Choose a rating from 1 to 5."}
    assert assessments.assessment_for(trainee.id, quarters.this_quarter()).ratings == {dim.statements[0].id: 2}


def test_rating_the_last_statement_finishes_and_shows_the_results(client, actions, trainee, framework):
    for dimension in framework:
        data = {f"rating-{s.id}": "3" for s in dimension.statements}
        response = actions.post(save_url(dimension.id), data, token_from=ASSESS)
    assert response.status_code == 303 and response.headers["Location"].endswith("/scorecard/")
    row = assessments.assessment_for(trainee.id, quarters.this_quarter())
    assert row.finished_at is not None
    html = client.get("/scorecard/").get_data(as_text=True)
    assert "Self-assessment complete." in html
    assert 'data-testid="edit-assessment"' in html
    assert "Take this quarter" not in client.get("/").get_data(as_text=True)


def test_scorecard_needs_a_login(client):
    assert client.get("/scorecard/").status_code == 302
    assert client.post(save_url("credit_assessment")).status_code in (302, 400)


# --------------------------------------------------------------------------------------------------
# Measured scores
# --------------------------------------------------------------------------------------------------


def test_grouped_measured_scores_equal_the_domain_rule_on_single_answers(app, make_user, framework):
    """The per-attempt SQL grouping gives exactly the domain's recency-weighted score."""
    user = make_user("trainee")
    rng = random.Random(7)
    banks = app.extensions["content"].banks
    all_ids = [q.id for q in banks]
    now = utcnow()
    evidence = []
    for index in range(12):
        when = now - timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 23))
        answers = []
        for qid in rng.sample(all_ids, 8):
            max_score = rng.choice([1.0, 2.0, 4.0])
            score = rng.choice([0.0, max_score / 2, max_score])
            answers.append((qid, score, max_score))
            evidence.append(AnswerEvidence(tuple(banks.get(qid).competencies), score / max_score, when))
        add_attempt(user, answers, when, number=index + 1)
    scenario = next(iter(app.extensions["content"].scenarios.values()))
    played = now - timedelta(days=30)
    db.session.add(Play(user_id=user.id, scenario_id=scenario.id, state={}, started_at=played,
                        finished_at=played, outcome="paid_in_full", scores={"a": 80, "b": 40}))
    db.session.commit()
    scenarios = [ScenarioEvidence(tuple(scenario.competencies), 0.6, played)]
    expected = measured_scores(evidence, scenarios, now, dimension_ids=framework.ids,
                               scenario_weight=SCENARIO_WEIGHT)
    got = measured_for([user.id], now)[user.id]
    for dim in framework.ids:
        assert got[dim].evidence == expected[dim].evidence
        if expected[dim].score is None:
            assert got[dim].score is None
        else:
            assert got[dim].score == pytest.approx(expected[dim].score, abs=1e-9)
            assert got[dim].weight == pytest.approx(expected[dim].weight, rel=1e-9)


def test_recent_answers_weigh_more(app, make_user):
    user = make_user("trainee")
    ids = questions_tagged(app, "data_analysis")[:6]
    now = utcnow()
    add_attempt(user, [(q, 0.0, 1.0) for q in ids], now - timedelta(days=360), number=1)  # old: all wrong
    add_attempt(user, [(q, 1.0, 1.0) for q in ids], now - timedelta(days=2), number=2)  # recent: all right
    score = measured_for([user.id], now)[user.id]["data_analysis"]
    assert score.evidence == 12
    assert score.score > 4.5  # the old wrong answers count for ~1/16 of the recent ones


def test_answers_of_unsubmitted_attempts_do_not_count(app, make_user):
    user = make_user("trainee")
    qid = questions_tagged(app, "data_analysis")[0]
    attempt = add_attempt(user, [(qid, 1.0, 1.0)], utcnow())
    attempt.submitted_at = None
    db.session.commit()
    assert measured_for([user.id], utcnow()) == {}


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


def test_results_show_radar_levels_gap_and_recommendations(app, client, trainee, framework):
    # Rates data analysis 5 but answers its questions wrong: overconfident there; 3 elsewhere.
    rate_all(trainee, framework, lambda d: 5 if d == "data_analysis" else 3)
    ids = questions_tagged(app, "data_analysis")[:8]
    add_attempt(trainee, [(q, 0.0, 1.0) for q in ids[:6]] + [(q, 1.0, 1.0) for q in ids[6:8]], utcnow())
    html = client.get("/scorecard/").get_data(as_text=True)
    # the radar: the self polygon; measured only where there is evidence (one dot, no line through
    # the centre), every other axis saying so; legend, English labels, rings
    assert 'data-testid="radar-self"' in html and 'data-testid="radar-measured"' not in html
    assert html.count("<rect ") >= 1 and 'data-testid="radar-measured-dots"' in html
    assert html.count('data-testid="radar-no-evidence">no evidence yet<') == len(framework) - 1
    assert "Self-rating" in html and "Measured (quizzes, role-plays, writing)" in html
    assert html.count("<tspan") >= len(framework)
    assert ">Credit assessment<" in html
    # the table behind it
    row = re.search(r'<tr data-dimension="data_analysis" data-gap="(\w+)">(.*?)</tr>', html, re.S)
    assert row and row.group(1) == "overconfident"
    assert "5.0" in row.group(2) and "2.0" in row.group(2)  # self 5, measured 1 + 4 × 0.25
    # the gap in plain words, and the level description
    assert "You rate yourself 5.0, but your quiz answers and role-plays point to 2.0" in html
    assert str(escape(framework.dimension("data_analysis").level(5).text_in("en"))) in html
    # recommendations for the weakest dimension: lessons tagged with it, as /learn links
    lessons = [x for x in app.extensions["content"].lessons.values() if "data_analysis" in x.competencies]
    assert f'href="/learn/{lessons[0].course_id}/{lessons[0].id}"' in html
    assert "Your weakest competencies right now: Data analysis" in html


def test_radar_labels_follow_the_users_language(client, make_user, actions, framework):
    user = make_user("trainee", language="zh_CN")
    actions.login(user.email)
    rate_all(user, framework, lambda d: 4)
    html = client.get("/scorecard/").get_data(as_text=True)
    assert f">{framework.dimensions[0].title['zh']}<" in html
    assert "Credit assessment" not in html


def test_past_quarter_and_trend_with_arrows(client, trainee, framework):
    current = quarters.this_quarter()
    last = quarters.previous_quarter(current)
    rate_all(trainee, framework, lambda d: 2, quarter=last)
    rate_all(trainee, framework, lambda d: 4 if d == "credit_assessment" else (1 if d == "legal_compliance" else 2))
    html = client.get("/scorecard/").get_data(as_text=True)
    trend = re.search(r'data-testid="trend">(.*?)</table>', html, re.S).group(1)
    assert last in trend and current in trend
    credit = re.search(r"Credit assessment</th>(.*?)</tr>", trend, re.S).group(1)
    assert "Self ↑" in credit
    legal = re.search(r"Legal and compliance</th>(.*?)</tr>", trend, re.S).group(1)
    assert "Self ↓" in legal
    assert "<polyline" in trend  # the small line chart per dimension
    past = client.get(f"/scorecard/{last}").get_data(as_text=True)
    assert f"Scorecard <span class=\"muted\">{last}</span>" in past
    assert "A past quarter" in past


@pytest.mark.parametrize("bad", ["2026-Q5", "2026Q1", "latest", "20260-Q1"])
def test_bad_quarter_in_the_url_is_404(client, trainee, bad):
    assert client.get(f"/scorecard/{bad}").status_code == 404


def test_current_quarter_url_redirects_to_the_scorecard(client, trainee):
    response = client.get(f"/scorecard/{quarters.this_quarter()}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/scorecard/")


def test_a_trainee_sees_only_their_own_ratings(client, make_user, trainee, framework):
    other = make_user("trainee", email="bob@example.com")
    rate_all(other, framework, lambda d: 5)
    html = client.get("/scorecard/").get_data(as_text=True)
    assert 'data-testid="start-assessment"' in html
    assert 'data-testid="radar-self"' not in html


def test_demo_seeder_gives_most_trainees_two_quarters_and_some_overconfidence(app):
    demo.seed_demo(app.extensions.get("demo_seeders", []))
    rows = db.session.scalars(select(SelfAssessment)).all()
    current, last = quarters.this_quarter(), quarters.previous_quarter(quarters.this_quarter())
    people_last = {r.user_id for r in rows if r.quarter == last}
    people_now = {r.user_id for r in rows if r.quarter == current}
    assert len(people_last) >= 8 and len(people_now) >= 7
    assert {r.quarter for r in rows} == {current, last}
    # deterministic: the same ratings every time
    first = sorted((r.user_id, r.quarter, sorted(r.ratings.items())) for r in rows)
    ratings = {r.user_id: r for r in rows if r.quarter == current}
    measured = measured_for(list(ratings), utcnow())
    over = 0
    for user_id, row in ratings.items():
        own = rules.self_scores(app.extensions["content"].framework, row.ratings)
        found = rules.gaps(own, measured.get(user_id, empty_measured()))
        over += any(g.kind == "overconfident" for g in found.values())
    assert over >= 2
    assert first == sorted((r.user_id, r.quarter, sorted(r.ratings.items())) for r in db.session.scalars(select(SelfAssessment)).all())
