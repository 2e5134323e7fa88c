"""LTI Advantage against the test platform over HTTP: deep linking (the platform checks our signed
answer with our JWKS), grade passback (quiz scores and scenario results reach its line item, with
retries), roster sync (NRPS, paged), key rotation, and the admin pages with bad values."""

from __future__ import annotations

import re
from datetime import timedelta

import requests
from sqlalchemy import select

from tests.conftest import Actions, csrf_token
from tests.web import lti_support
from tests.web.lti_platform import INSTRUCTOR, LEARNER, LaunchPlan, Member
from tests.web.lti_support import learner, user_for
from trainer.core import events
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.lti.models import LtiContext, LtiScore
from trainer.lti.services import grades
from trainer.quiz.services import attempts

lti = lti_support.lti  # the fixture: a running test platform, registered here

TEACHER = Member("t-1", "Teacher", "teacher@lms.example.com", [INSTRUCTOR])
LIMITED = {"LTI_TIMEOUT_SECONDS": 5}


def test_deep_linking_answers_the_platform_with_a_signed_choice_that_later_launches_open(lti, client):
    response = lti.launch(client, LaunchPlan(member=TEACHER, message_type="LtiDeepLinkingRequest"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/lti/deep-link")
    picker = client.get("/lti/deep-link")
    html = picker.get_data(as_text=True)
    assert picker.status_code == 200 and "quiz:m1-basics-quiz" in html and "scenario:" in html and "preset:" in html
    token = csrf_token(client, "/lti/deep-link")
    bad = client.post("/lti/deep-link", data={"csrf_token": token, "items": ["quiz:nope", "lesson:"]})
    assert bad.status_code == 400 and "Pick at least one activity" in bad.get_data(as_text=True)
    scenario = re.search(r'value="(scenario:[^"]+)"', html).group(1)
    answer = client.post("/lti/deep-link", data={"csrf_token": token, "items": ["quiz:m1-basics-quiz", scenario]})
    assert answer.status_code == 200
    assert lti.platform.url in answer.headers["Content-Security-Policy"]  # form-action allows the platform
    page = answer.get_data(as_text=True)
    action = re.search(r'action="([^"]+)" id="lti-autopost"', page).group(1)
    fields = {"JWT": re.search(r'name="JWT" value="([^"]+)"', page).group(1)}
    assert action == lti.platform.url + "/deep_link_return"
    back = requests.post(action, data={"JWT": fields["JWT"]}, timeout=5)
    assert back.status_code == 200, back.text
    claims = lti.platform.deep_link_answers[-1]
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [i["custom"]["trainer_item"] for i in items] == ["quiz:m1-basics-quiz", scenario]
    assert items[0]["lineItem"]["scoreMaximum"] == 100 and items[0]["url"] == "http://localhost/lti/launch"
    # the picker is spent: a second answer needs a new deep-linking launch
    assert client.post("/lti/deep-link", data={"csrf_token": token, "items": ["quiz:m1-basics-quiz"]}).status_code == 400
    # a learner's launch of the linked scenario starts a play of it
    opened = lti.launch(client.application.test_client(), LaunchPlan(member=learner(), custom=items[1]["custom"]))
    assert re.search(r"/roleplay/plays/\d+$", opened.headers["Location"])


def test_learners_cannot_deep_link(lti, client):
    response = lti.launch(client, LaunchPlan(member=learner(), message_type="LtiDeepLinkingRequest"))
    assert response.status_code == 403 and 'data-reason="not_instructor"' in response.get_data(as_text=True)
    assert client.get("/lti/deep-link").status_code == 302  # not signed in: to the login page


def test_a_quiz_score_reaches_the_platform_line_item_with_retries(lti, client, runner):
    item = lti.platform.add_lineitem("Module 1 quiz")
    assert lti.launch(client, LaunchPlan(member=learner(), custom={"trainer_item": "quiz:m1-basics-quiz"},
                                         lineitem=item)).status_code == 302
    user = user_for("learner1@lms.example.com")
    finished = utcnow()
    events.quiz_graded.send(None, user_id=user.id, attempt_id=41, quiz_id="m1-basics-quiz", score=8, max_score=10,
                            percent=80.0, passed=True, submitted_at=finished)
    events.quiz_graded.send(None, user_id=user.id, attempt_id=41, quiz_id="m1-basics-quiz", score=8, max_score=10,
                            percent=80.0, passed=True, submitted_at=finished)  # sent twice: queued once
    events.quiz_graded.send(None, user_id=user.id, attempt_id=42, quiz_id="m2-risk-quiz", score=1, max_score=10,
                            percent=10.0, passed=False, submitted_at=finished)  # not linked: nothing queued
    assert [(s.source, s.status) for s in db.session.scalars(select(LtiScore))] == [("attempt:41", "pending")]
    lti.platform.fail_scores = 1
    result = runner.invoke(args=["lti", "send-scores"])
    assert "sent 0, retrying 1" in result.output
    row = db.session.scalar(select(LtiScore))
    assert row.tries == 1 and "503" in row.last_error and row.next_try_at > utcnow()
    row.next_try_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "sent 1" in runner.invoke(args=["lti", "send-scores"]).output
    [score] = lti.platform.scores[item]
    assert score["userId"] == "moodle-user-1" and score["scoreGiven"] == 80.0 and score["scoreMaximum"] == 100
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert lti.platform.keyset_requests >= 1  # the platform checked our assertion with our JWKS


def test_a_quiz_taken_after_a_launch_is_scored_for_the_gradebook(lti, client, monkeypatch):
    monkeypatch.setattr(attempts, "locked_reason", lambda *args, **kwargs: None)  # lessons not read: not the point here
    item = lti.platform.add_lineitem("Final exam")
    assert lti.launch(client, LaunchPlan(member=learner(), custom={"trainer_item": "quiz:m1-basics-quiz"},
                                         lineitem=item)).status_code == 302
    token = csrf_token(client, "/quiz/m1-basics-quiz")
    started = client.post("/quiz/m1-basics-quiz/start", data={"csrf_token": token})
    assert started.status_code == 302, started.get_data(as_text=True)[:300]
    attempt_url = started.headers["Location"]
    assert "/quiz/attempts/" in attempt_url, client.get(attempt_url).get_data(as_text=True)[-3000:]
    token = csrf_token(client, attempt_url)
    submitted = client.post(attempt_url, data={"csrf_token": token, "action": "submit"})
    assert submitted.status_code in (200, 302)
    rows = list(db.session.scalars(select(LtiScore)))
    assert len(rows) == 1 and rows[0].source.startswith("attempt:") and rows[0].score_given == 0.0
    assert grades.deliver_due(timeout=5).sent == 1
    assert lti.platform.scores[item][0]["scoreGiven"] == 0.0


def test_a_scenario_result_is_queued_when_the_play_ends(lti, client, actions):
    item = lti.platform.add_lineitem("Scenario")
    scenario = "excuse-already-wired"
    opened = lti.launch(client, LaunchPlan(member=learner(), custom={"trainer_item": f"scenario:{scenario}"},
                                           lineitem=item))
    play_url = opened.headers["Location"]
    for _ in range(60):
        html = client.get(play_url).get_data(as_text=True)
        choice = re.search(r'name="choice" value="(\d+)"', html)
        if not choice:
            break
        step = re.search(r'name="step" value="(\d+)"', html).group(1)
        actions.post(play_url + "/choose", {"choice": choice.group(1), "step": step}, token_from=play_url)
    [row] = db.session.scalars(select(LtiScore)).all()
    assert row.source.startswith("play:") and 0 <= row.score_given <= 100
    assert grades.deliver_due(timeout=5).sent == 1 and len(lti.platform.scores[item]) == 1


def test_roster_sync_maps_members_and_roles_onto_the_course_team(lti, client, actions):
    lti.platform.members["course-101"] = [
        learner(1), learner(2), TEACHER,
        Member("gone", "Gone", "gone@lms.example.com", [LEARNER], status="Inactive"),
    ]
    assert lti.launch(client, LaunchPlan(member=learner(1), custom={"trainer_item": "quiz:m1-basics-quiz"})).status_code == 302
    context = db.session.scalar(select(LtiContext))
    assert context.memberships_url.endswith("/memberships/course-101")
    admin_client = client.application.test_client()
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    Actions(admin_client).login("lti-admin@example.com")
    token = csrf_token(admin_client, "/admin/lti/")
    synced = admin_client.post(f"/admin/lti/contexts/{context.id}/sync", data={"csrf_token": token}, follow_redirects=True)
    assert "Roster synced: 3 members" in synced.get_data(as_text=True)
    team_members = {u.email for u in db.session.get(type(user_for("learner1@lms.example.com").teams[0]), context.team_id).members}
    assert team_members == {"learner1@lms.example.com", "learner2@lms.example.com"}
    assert user_for("teacher@lms.example.com").role == "manager"
    assert user_for("gone@lms.example.com") is None
    # someone who left the course leaves the team at the next sync
    lti.platform.members["course-101"] = [learner(1), TEACHER]
    admin_client.post(f"/admin/lti/contexts/{context.id}/sync", data={"csrf_token": token})
    db.session.expire_all()
    assert {u.email for u in user_for("learner1@lms.example.com").teams[0].members} == {"learner1@lms.example.com"}


def test_scores_the_platform_refuses_are_retried_then_given_up(lti, client, runner):
    item = lti.platform.add_lineitem("Module 1 quiz")
    assert lti.launch(client, LaunchPlan(member=learner(), custom={"trainer_item": "quiz:m1-basics-quiz"},
                                         lineitem=item)).status_code == 302
    user = user_for("learner1@lms.example.com")
    events.quiz_graded.send(None, user_id=user.id, attempt_id=7, quiz_id="m1-basics-quiz", score=5, max_score=10,
                            percent=50.0, passed=False, submitted_at=utcnow())
    lti.platform.client_id = "renamed"  # the platform no longer knows our client id: its token endpoint says 401
    moment = utcnow()
    for _ in range(grades.MAX_TRIES):
        done = grades.deliver_due(timeout=5, moment=moment)
        moment += timedelta(days=1)
    row = db.session.scalar(select(LtiScore))
    assert done.failed == 1 and row.status == "failed" and row.tries == grades.MAX_TRIES
    assert "token endpoint answered 401" in row.last_error and lti.platform.scores[item] == []
    page = signed_in_admin(client)
    assert "given up: 1" in page.get("/admin/lti/").get_data(as_text=True)
    bad = runner.invoke(args=["lti", "send-scores", "--limit", "0"])
    assert bad.exit_code != 0 and "0" in bad.output


def test_a_roster_sync_with_the_platform_down_says_so(lti, client):
    assert lti.launch(client, LaunchPlan(member=learner(), custom={"trainer_item": "quiz:m1-basics-quiz"})).status_code == 302
    context = db.session.scalar(select(LtiContext))
    context.memberships_url = "http://127.0.0.1:9/memberships"  # nothing listens there
    db.session.commit()
    admin = signed_in_admin(client)
    token = csrf_token(admin, "/admin/lti/")
    answer = admin.post(f"/admin/lti/contexts/{context.id}/sync", data={"csrf_token": token}, follow_redirects=True)
    assert answer.status_code == 200 and "The roster could not be read from the platform" in answer.get_data(as_text=True)
    assert admin.post("/admin/lti/contexts/999/sync", data={"csrf_token": token}, follow_redirects=True).status_code == 200


def signed_in_admin(client):  # noqa: N802 - reads as a noun in the tests
    """A fresh browser signed in as the admin the fixture made."""
    admin = client.application.test_client()
    admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    Actions(admin).login("lti-admin@example.com")
    return admin
