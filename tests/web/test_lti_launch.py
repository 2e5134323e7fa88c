"""LTI 1.3 launches against a real platform over HTTP (tests/web/lti_platform.py): login initiation
(GET and POST), the signed launch, the account it creates and links (once), the course's team, and
every refusal: tampered signature, another key, wrong audience, expired, replayed nonce, missing
state, unknown deployment, unknown issuer, wrong version, disabled platform."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.web import lti_support
from tests.web.lti_platform import ADMIN, INSTRUCTOR, LaunchPlan, Member, auth_form, urlencode
from tests.web.lti_support import learner, user_for
from trainer.accounts.models import AuditLog, IdentityLink, User
from trainer.extensions import db
from trainer.lti.models import LtiContext, LtiNonce, LtiPlatform
from trainer.lti.services import launch as launch_service

lti = lti_support.lti  # the fixture: a running test platform, registered here

QUIZ = {"trainer_item": "quiz:m1-basics-quiz"}


def refusal(response) -> str:
    match = re.search(r'data-reason="([a-z_]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:500]
    return match.group(1)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_launch_creates_a_linked_account_once_and_opens_the_item(lti, client, method):
    response = lti.launch(client, LaunchPlan(member=learner(), custom=QUIZ), method=method)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert response.headers["Location"].endswith("/quiz/m1-basics-quiz")
    user = user_for("learner1@lms.example.com")
    assert user is not None and user.role == "trainee" and user.name == "Learner 1" and user.language == "en"
    link = db.session.scalar(select(IdentityLink).where(IdentityLink.user_id == user.id))
    assert link.issuer == "lti:" + lti.platform.issuer and link.subject == "moodle-user-1"
    page = client.get("/quiz/m1-basics-quiz")
    assert page.status_code == 200 and "Module 1 quiz" in page.get_data(as_text=True)
    # the next launch, in a fresh browser, finds the same account
    fresh = client.application.test_client()
    assert lti.launch(fresh, LaunchPlan(member=learner(), custom=QUIZ), method=method).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email.like("learner1@%"))) == 1
    context = db.session.scalar(select(LtiContext))
    db.session.refresh(user)
    assert [team.id for team in user.teams] == [context.team_id]
    assert db.session.scalar(select(LtiNonce.used_at).where(LtiNonce.used_at.is_not(None))) is not None
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("lti.%"))).all()
    assert actions.count("lti.sign_in") == 2 and actions.count("lti.create") == 1 and actions.count("lti.link") == 1


def test_instructors_manage_the_course_team_and_admins_are_not_trusted_by_default(lti, client):
    teacher = Member("t-1", "Teacher", "teacher@lms.example.com", [INSTRUCTOR])
    assert lti.launch(client, LaunchPlan(member=teacher, custom=QUIZ)).status_code == 302
    user = user_for("teacher@lms.example.com")
    assert user.role == "manager" and [t.name for t in user.managed_teams] == ["Test Moodle · Receivables 101"]
    boss = Member("a-1", "Boss", "boss@lms.example.com", [ADMIN])
    assert lti.launch(client.application.test_client(), LaunchPlan(member=boss, custom=QUIZ)).status_code == 302
    assert user_for("boss@lms.example.com").role == "manager"


def test_an_existing_email_is_not_taken_over_without_the_platform_being_trusted_for_it(lti, client, make_user):
    owner = make_user("admin", email="learner1@lms.example.com")
    assert lti.launch(client, LaunchPlan(member=learner(), custom=QUIZ)).status_code == 302
    link = db.session.scalar(select(IdentityLink).where(IdentityLink.subject == "moodle-user-1"))
    assert link.user_id != owner.id and link.user.email.endswith("@lti.invalid")


@pytest.mark.parametrize(("tamper", "reason", "status"), [
    ("signature", "signature", 400),
    ("wrong-key", "signature", 400),
    ("aud", "audience", 400),
    ("expired", "expired", 400),
    ("deployment", "deployment", 403),
    ("version", "version", 400),
    ("issuer", "unknown_issuer", 403),
])
def test_bad_launches_are_refused_with_a_clear_page(lti, client, tamper, reason, status):
    response = lti.launch(client, LaunchPlan(member=learner(), custom=QUIZ, tamper=tamper))
    assert response.status_code == status
    assert refusal(response) == reason
    assert "The launch did not work" in response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]  # shown in the registered platform's frame
    assert f"frame-ancestors 'self' {lti.platform.url}" in policy and "unknown.example.org" not in policy
    assert user_for("learner1@lms.example.com") is None
    assert client.get("/quiz/").status_code == 302  # not signed in


def test_a_replayed_launch_is_refused(lti, client):
    fields = lti.auth_fields(client, LaunchPlan(member=learner(), custom=QUIZ))
    assert client.post("/lti/launch", data=fields).status_code == 302
    replay = client.post("/lti/launch", data=fields)  # the launch dropped the state cookie
    assert replay.status_code == 400 and refusal(replay) == "state"
    client.set_cookie("lti_state", fields["state"], path="/lti/launch")  # even with the cookie kept
    replay = client.post("/lti/launch", data=fields)
    assert replay.status_code == 400 and refusal(replay) == "nonce"


def test_a_launch_posted_from_another_browser_is_refused(lti, client):
    fields = lti.auth_fields(client, LaunchPlan(member=learner(), custom=QUIZ))
    other = client.application.test_client()
    response = other.post("/lti/launch", data=fields)
    assert response.status_code == 400 and refusal(response) == "state"
    forged = client.post("/lti/launch", data={**fields, "state": "forged"})
    assert forged.status_code == 400 and refusal(forged) == "state"


def test_login_initiation_refusals(lti, client):
    unknown = client.get("/lti/login?" + urlencode({"iss": "https://nobody.example.org", "login_hint": "x"}))
    assert unknown.status_code == 403 and refusal(unknown) == "unknown_issuer"
    missing = client.post("/lti/login", data={"iss": lti.platform.issuer})
    assert missing.status_code == 400 and refusal(missing) == "missing_claim"
    for junk in ["", "id_token=", "id_token=abc.def", "id_token=" + "a" * 70_000, "id_token=e30.e30.e30"]:
        response = client.post("/lti/launch", data=junk, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400 and refusal(response) == "malformed"
    control = client.post("/lti/launch", data="id_token=%00%ff", content_type="application/x-www-form-urlencoded")
    assert control.status_code == 400  # the input layer's own refusal page


def test_the_refusal_page_speaks_chinese(lti, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    response = lti.launch(client, LaunchPlan(member=learner(), custom=QUIZ, tamper="expired"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "启动未成功" in html and "已过期" in html


def test_a_disabled_platform_is_refused(lti, client, actions):
    actions.login("lti-admin@example.com")
    token = csrf_token(client, "/admin/lti/")
    assert client.post(f"/admin/lti/platforms/{lti.platform_id}/disable", data={"csrf_token": token}).status_code == 302
    actions.logout()
    started = client.get("/lti/login?" + urlencode(lti.platform.plan(LaunchPlan(member=learner(), custom=QUIZ))))
    assert started.status_code == 403 and refusal(started) == "disabled_platform"


def test_an_unknown_item_is_refused(lti, client):
    response = lti.launch(client, LaunchPlan(member=learner(), custom={"trainer_item": "quiz:gone"}))
    assert response.status_code == 404 and refusal(response) == "unknown_item"


def test_the_platform_keys_are_cached_and_fetched_again_for_a_new_key_id(lti, client, monkeypatch):
    calls = []
    real = launch_service._fetch_keyset
    monkeypatch.setattr(launch_service, "_fetch_keyset", lambda url, timeout: calls.append(url) or real(url, timeout))
    assert lti.launch(client, LaunchPlan(member=learner(), custom=QUIZ)).status_code == 302
    assert lti.launch(client.application.test_client(), LaunchPlan(member=learner(2), custom=QUIZ)).status_code == 302
    assert len(calls) == 1
    launch_service.KEYSETS._entries = {url: (entry[0] - 10, entry[1]) for url, entry in launch_service.KEYSETS._entries.items()}
    response = lti.launch(client.application.test_client(), LaunchPlan(member=learner(3), custom=QUIZ, tamper="wrong-key"))
    assert refusal(response) == "signature"
    assert lti.launch(client.application.test_client(), LaunchPlan(member=learner(3), custom=QUIZ)).status_code == 302


def test_launched_pages_may_be_framed_by_that_platform_only(lti, client):
    before = client.get("/login")
    assert "frame-ancestors 'none'" in before.headers["Content-Security-Policy"]
    assert before.headers["X-Frame-Options"] == "DENY"
    assert lti.launch(client, LaunchPlan(member=learner(), custom=QUIZ)).status_code == 302
    page = client.get("/quiz/m1-basics-quiz")
    policy = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {lti.platform.issuer}" in policy and "X-Frame-Options" not in page.headers
    client.set_cookie("lti_frame", "forged.value")
    assert "frame-ancestors 'none'" in client.get("/quiz/m1-basics-quiz").headers["Content-Security-Policy"]


def test_the_platform_form_post_reaches_us(lti, client):
    """The auth endpoint's form is what a browser would post: it names our launch URL."""
    started = client.get("/lti/login?" + urlencode(lti.platform.plan(LaunchPlan(member=learner(), custom=QUIZ))))
    location = started.headers["Location"]
    assert location.startswith(lti.platform.url + "/auth?") and "response_mode=form_post" in location
    action, fields = auth_form(requests.get(location, timeout=5).text)
    assert set(fields) == {"id_token", "state"}
    assert "lti_state=" in started.headers["Set-Cookie"] and "HttpOnly" in started.headers["Set-Cookie"]


def test_a_linked_account_that_must_change_its_password_is_not_stopped_inside_the_platform(lti, client, make_user):
    existing = make_user("trainee", email="learner1@lms.example.com")
    existing.must_change_password = True
    platform = db.session.get(LtiPlatform, lti.platform_id)
    platform.link_by_email = True  # the company vouches for the platform's addresses
    db.session.commit()
    assert lti.launch(client, LaunchPlan(member=learner(), custom=QUIZ)).status_code == 302
    assert db.session.scalar(select(IdentityLink.user_id).where(IdentityLink.subject == "moodle-user-1")) == existing.id
    assert client.get("/quiz/m1-basics-quiz").status_code == 200  # not sent to the password page


def test_a_platform_whose_keys_cannot_be_fetched_gets_a_clear_page(lti, client):
    platform = db.session.get(LtiPlatform, lti.platform_id)
    platform.keyset_url = "http://127.0.0.1:9/jwks"  # nothing listens there
    db.session.commit()
    launch_service.KEYSETS.clear()
    response = lti.launch(client, LaunchPlan(member=learner(), custom=QUIZ))
    assert response.status_code == 502 and refusal(response) == "keys_unreachable"
    assert user_for("learner1@lms.example.com") is None
