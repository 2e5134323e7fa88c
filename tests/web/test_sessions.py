"""Server-side sessions: signing out ends every copy of the cookie, a password change or deactivation
ends the user's other sessions, and idle and absolute timeouts sign people out with a message."""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta

import pytest
from flask.testing import FlaskClient

from tests.conftest import TEST_PASSWORD, Actions
from trainer.accounts.models import UserSession
from trainer.config import ConfigError, build_config
from trainer.core.time import utcnow
from trainer.extensions import db


def copy_of(client: FlaskClient, app) -> FlaskClient:
    """A second browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in_home(client: FlaskClient) -> bool:
    response = client.get("/")
    return response.status_code == 200 and "Sign out" in response.get_data(as_text=True)


def test_sign_in_stores_only_a_hash_of_a_long_random_token(client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    with client.session_transaction() as session:
        token = session["sid"]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    row = db.session.query(UserSession).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert row.ended_at is None and row.expires_at > utcnow() + timedelta(hours=11)


def test_logout_ends_every_copy_of_the_cookie(app, client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    stolen = copy_of(client, app)
    assert signed_in_home(stolen)  # the copy works while the session is live
    actions.logout()
    response = stolen.get("/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Sign out" not in page and "This session has been ended" in page
    assert db.session.query(UserSession).one().ended_at is not None


def test_password_change_ends_the_other_sessions_only(app, as_user, make_user):
    make_user("trainee", email="amy@example.com")
    laptop, phone = as_user("amy@example.com"), as_user("amy@example.com")
    form = {"current_password": TEST_PASSWORD, "new_password": "Better-pass-2026", "confirm": "Better-pass-2026"}
    assert laptop.post("/account/password", form).status_code == 302
    assert signed_in_home(laptop.client)
    assert not signed_in_home(phone.client)


def test_deactivation_and_reset_end_all_the_users_sessions(app, as_user, make_user):
    make_user("admin", email="boss@example.com")
    amy = make_user("trainee", email="amy@example.com")
    bob = make_user("trainee", email="bob@example.com")
    admin, amy_browser, bob_browser = as_user("boss@example.com"), as_user("amy@example.com"), as_user("bob@example.com")
    form = {"name": amy.name, "email": amy.email, "role": "trainee", "language": "en"}  # "active" unchecked
    admin.post(f"/admin/users/{amy.id}", form, follow_redirects=True)
    assert not db.session.get(type(amy), amy.id).active
    assert not signed_in_home(amy_browser.client)
    admin.post(f"/admin/users/{bob.id}/reset-password", {}, token_from=f"/admin/users/{bob.id}")
    assert not signed_in_home(bob_browser.client)
    assert signed_in_home(admin.client)


def test_idle_session_is_signed_out_with_a_message(app, client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    with client.session_transaction() as session:
        session["seen"] = int((utcnow() - timedelta(minutes=121)).replace(tzinfo=UTC).timestamp())
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "signed out after 120 minutes without activity" in page and "Sign out" not in page


def test_activity_keeps_a_session_alive_without_writing(app, client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    with client.session_transaction() as session:
        session["seen"] = int((utcnow() - timedelta(minutes=100)).replace(tzinfo=UTC).timestamp())
    assert signed_in_home(client)  # a GET: no commit (the tests make a commit on GET an error)
    with client.session_transaction() as session:
        assert utcnow().replace(tzinfo=UTC).timestamp() - session["seen"] < 60


def test_idle_limit_is_configurable(app, client, actions, make_user):
    app.config["SESSION_IDLE_MINUTES"] = 5
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    with client.session_transaction() as session:
        session["seen"] = int((utcnow() - timedelta(minutes=6)).replace(tzinfo=UTC).timestamp())
    assert "after 5 minutes without activity" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_absolute_expiry_signs_out_even_an_active_session(app, client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    row = db.session.query(UserSession).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Your session ended 12 hours after you signed in" in page and "Sign out" not in page


def test_idle_message_in_chinese(app, client, actions, make_user):
    make_user("trainee", email="amy@example.com", language="zh_CN")
    actions.login("amy@example.com")
    with client.session_transaction() as session:
        session["seen"] = 0
        session["lang"] = "zh_CN"
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "120 分钟没有操作" in page


@pytest.mark.parametrize(
    "tamper",
    [
        {"sid": "not-a-session"},
        {"sid": ""},
        {"seen": "yesterday"},
        {"seen": 10**20},
        {"seen": None},
        {"_user_id": "999999"},
        {"_user_id": "abc"},
    ],
    ids=["unknown-token", "empty-token", "seen-text", "seen-huge", "seen-missing", "other-user", "user-id-text"],
)
def test_bad_session_values_sign_out_without_an_error(app, client, actions, make_user, tamper):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    with client.session_transaction() as session:
        for key, value in tamper.items():
            if value is None:
                session.pop(key, None)
            else:
                session[key] = value
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_users_token_does_not_sign_in_as_them(app, client, as_user, make_user):
    make_user("trainee", email="amy@example.com")
    eve = make_user("trainee", email="eve@example.com")
    amy = as_user("amy@example.com")
    with amy.client.session_transaction() as session:
        session["_user_id"] = str(eve.id)  # Amy's live token, Eve's id
    assert amy.client.get("/").status_code == 302


@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5", ""])
@pytest.mark.parametrize("name", ["TRAINER_SESSION_IDLE_MINUTES", "TRAINER_SESSION_MAX_HOURS"])
def test_bad_timeout_settings_refuse_to_start(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        build_config(str(tmp_path))


def test_timeout_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAINER_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("TRAINER_SESSION_MAX_HOURS", "8")
    config = build_config(str(tmp_path))
    assert (config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]) == (30, 8)


def test_cookie_of_a_deleted_session_row_is_refused(app, client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    db.session.query(UserSession).delete()
    db.session.commit()
    assert not signed_in_home(client)
    assert Actions(client).login("amy@example.com").status_code == 200
    assert signed_in_home(client)
