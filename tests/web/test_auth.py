"""Signing in, throttling, CSRF, first-login password change, cookies."""

from datetime import timedelta

from werkzeug.test import TestResponse

from tests.conftest import TEST_PASSWORD, Actions, csrf_token
from trainer.accounts.models import LoginThrottle
from trainer.core.time import utcnow
from trainer.extensions import db


def change_password(actions: Actions, current: str, new: str, confirm: str, follow: bool = False) -> TestResponse:
    """Post the password form as the signed-in user."""
    form = {"current_password": current, "new_password": new, "confirm": confirm}
    return actions.post("/account/password", form, follow_redirects=follow)


def test_login_success_shows_home_with_name(actions, make_user):
    make_user("trainee", email="amy@example.com", name="Amy Chen")
    page = actions.login("amy@example.com").get_data(as_text=True)
    assert "Amy Chen" in page
    assert "Sign out" in page


def test_login_is_case_insensitive_on_email(actions, make_user):
    make_user("trainee", email="amy@example.com", name="Amy Chen")
    assert "Amy Chen" in actions.login("  AMY@example.com ").get_data(as_text=True)


def test_wrong_password_gives_clear_error(actions, make_user):
    make_user("trainee", email="amy@example.com")
    page = actions.login("amy@example.com", "wrong-password").get_data(as_text=True)
    assert "Email or password is incorrect." in page
    assert "Sign out" not in page


def test_wrong_password_error_in_chinese(client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    page = actions.login("amy@example.com", "wrong-password").get_data(as_text=True)
    assert "邮箱或密码不正确" in page


def test_account_is_throttled_after_five_failures(actions, make_user):
    make_user("trainee", email="amy@example.com")
    for _ in range(5):
        actions.login("amy@example.com", "nope")
    page = actions.login("amy@example.com", TEST_PASSWORD).get_data(as_text=True)
    assert "Too many failed sign-in attempts" in page
    assert "Sign out" not in page  # even the right password is refused while throttled


def test_throttle_expires_after_window(app, actions, make_user):
    make_user("trainee", email="amy@example.com")
    for _ in range(5):
        actions.login("amy@example.com", "nope")
    old = utcnow() - timedelta(minutes=app.config["LOGIN_THROTTLE_WINDOW_MINUTES"] + 1)
    for counter in db.session.query(LoginThrottle).all():
        counter.window_start = old
    db.session.commit()
    assert "Sign out" in actions.login("amy@example.com").get_data(as_text=True)


def test_shared_address_does_not_lock_out_other_accounts(app, actions, make_user):
    """Many people sign in from one office address: failures on other accounts (20 of them, the old
    per-address limit) must not throttle an innocent colleague."""
    make_user("trainee", email="colleague@example.com")
    for n in range(20):
        actions.login(f"someone{n % 4}@example.com", "nope")
    page = actions.login("colleague@example.com").get_data(as_text=True)
    assert "Too many failed sign-in attempts" not in page
    assert "Sign out" in page


def test_account_is_throttled_across_addresses(app, client, make_user):
    """Guessing spread over many addresses still stops at the per-account limit."""
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 3
    make_user("trainee", email="amy@example.com")
    for n in range(3):
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        Actions(client).login("amy@example.com", "nope")
    client.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    page = Actions(client).login("amy@example.com").get_data(as_text=True)
    assert "Too many failed sign-in attempts" in page


def test_login_without_csrf_token_is_rejected(client, make_user):
    make_user("trainee", email="amy@example.com")
    response = client.post("/login", data={"email": "amy@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_logout_requires_post_with_csrf(client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    assert client.post("/logout").status_code == 400
    assert client.get("/logout").status_code == 405
    assert "Sign in" in actions.logout().get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(actions, make_user):
    make_user("trainee", email="gone@example.com", active=False)
    page = actions.login("gone@example.com").get_data(as_text=True)
    assert "deactivated" in page


def test_new_account_must_change_password_first(client, actions, make_user):
    make_user("trainee", email="new@example.com", must_change_password=True)
    response = actions.login("new@example.com", follow=False)
    assert response.headers["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    # A weak password is refused with a reason, the old one still works.
    page = change_password(actions, TEST_PASSWORD, "short", "short").get_data(as_text=True)
    assert "at least 10 characters" in page
    page = change_password(actions, TEST_PASSWORD, "Better-pass-2026", "Better-pass-2026", follow=True).get_data(as_text=True)
    assert "Your password has been changed." in page
    assert client.get("/").status_code == 200


def test_password_change_rejects_mismatch_and_wrong_current(actions, make_user):
    make_user("trainee", email="amy@example.com")
    actions.login("amy@example.com")
    page = change_password(actions, TEST_PASSWORD, "Better-pass-2026", "Other-pass-2026").get_data(as_text=True)
    assert "do not match" in page
    page = change_password(actions, "not-mine", "Better-pass-2026", "Better-pass-2026").get_data(as_text=True)
    assert "current password is incorrect" in page


def test_session_cookie_is_httponly_and_samesite(client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    response = actions.login("amy@example.com", follow=False)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_is_refused(client, make_user):
    make_user("trainee", email="amy@example.com")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "amy@example.com", "password": TEST_PASSWORD, "next": "https://evil.example/", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_security_headers_forbid_remote_scripts(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
