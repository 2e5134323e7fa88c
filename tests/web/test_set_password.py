"""The one-time set-password link an imported person gets: choose a password once, then sign in.
Expired, used, unknown and malformed links get a clear answer in both languages, never a 500."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select, update

from trainer.accounts import csv_import, password_links
from trainer.accounts.models import AuditLog, SetPasswordToken, User
from trainer.core.time import utcnow
from trainer.extensions import db

NEW_PASSWORD = "river-stone-42"


@pytest.fixture
def imported(make_user):
    """Import two people directly through the service; returns {email: token}."""
    admin = make_user("admin", email="admin@example.com")
    data = (b"name,email,role,team,language\nWang Fang,wang@example.com,trainee,,zh_CN\n"
            b"Li Lei,li@example.com,trainee,,en\n")
    report = csv_import.import_users(admin, data, max_bytes=10_000, link_lifetime=timedelta(days=14))
    assert report.ok
    return {link.email: link.token for link in report.created}


def choose(actions, token: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    url = f"/set-password/{token}"
    return actions.post(url, {"new_password": password, "confirm": password if confirm is None else confirm},
                        token_from=url)


def test_the_link_sets_the_password_once_then_the_person_signs_in(client, actions, imported):
    token = imported["li@example.com"]
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200 and "Choose your password" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    response = choose(actions, token, NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    login_page = client.get("/login").get_data(as_text=True)
    assert "Your password is set." in login_page
    li = db.session.scalar(select(User).where(User.email == "li@example.com"))
    assert li.check_password(NEW_PASSWORD) and not li.must_change_password
    home = actions.login("li@example.com", NEW_PASSWORD)
    assert home.status_code == 200 and home.request.path == "/"  # signed in, no forced password change
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "user.set_password_link")).target == \
        "li@example.com"
    actions.logout()
    again = client.get(f"/set-password/{token}")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert choose(actions, token, "another-pass-77").status_code == 410
    assert db.session.scalar(select(User).where(User.email == "li@example.com")).check_password(NEW_PASSWORD)


def test_the_other_person_link_still_works(actions, imported):
    choose(actions, imported["li@example.com"])
    assert choose(actions, imported["wang@example.com"]).status_code == 302


def test_every_other_link_of_the_person_stops_working(actions, imported):
    wang = db.session.scalar(select(User).where(User.email == "wang@example.com"))
    tokens, rows = password_links.new_token_rows([wang.id], timedelta(days=1))
    db.session.add(SetPasswordToken(**rows[0]))
    db.session.commit()
    choose(actions, imported["wang@example.com"])
    assert choose(actions, tokens[0], "another-pass-77").status_code == 410


def test_expired_link(client, actions, imported):
    db.session.execute(update(SetPasswordToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    token = imported["wang@example.com"]
    response = client.get(f"/set-password/{token}")
    assert response.status_code == 410 and "This link has expired." in response.get_data(as_text=True)
    assert 'name="new_password"' not in response.get_data(as_text=True)
    assert choose(actions, token).status_code == 410


def test_deactivated_person(client, imported):
    db.session.execute(update(User).where(User.email == "wang@example.com").values(active=False))
    db.session.commit()
    response = client.get(f"/set-password/{imported['wang@example.com']}")
    assert response.status_code == 410 and "deactivated" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["unknown-token", "x" * 10_000, "%00", "a%00b", "%E4%B8%AD%E6%96%87", "%ED%A0%80",
                                   "..", "%0A%0D", "-1", "9" * 40])
def test_unknown_and_malformed_links_are_404_never_500(client, imported, token):
    response = client.get(f"/set-password/{token}")
    if "%00" in token or "%0A" in token:  # control characters: the input layer refuses them first
        assert response.status_code == 400
        assert "control character" in response.get_data(as_text=True)
        return
    assert response.status_code == 404
    assert "This link is not valid." in response.get_data(as_text=True)


def test_posting_to_a_malformed_link_is_404(client, actions, imported):
    token = csrf_from(client, imported["li@example.com"])
    for bad, status in (("unknown", 404), (quote("\x00"), 400), ("x" * 3000, 404)):
        response = client.post(f"/set-password/{bad}", data={"csrf_token": token, "new_password": NEW_PASSWORD,
                                                              "confirm": NEW_PASSWORD})
        assert response.status_code == status  # 400: the input layer refuses the control character


def csrf_from(client, token: str) -> str:
    html = client.get(f"/set-password/{token}").get_data(as_text=True)
    return html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_the_password_policy_applies(actions, imported):
    token = imported["li@example.com"]
    for password, confirm, message in [
        ("short1", None, "Use at least 10 characters."),
        ("onlyletters", None, "Use both letters and digits."),
        ("li@example.com", None, None),  # not the email (the digit rule or the email rule refuses it)
        (NEW_PASSWORD, "something-else-1", "The two new passwords do not match."),
        ("", None, "Enter a new password."),
        ("a1" * 101, None, "Field cannot be longer than 200 characters."),
    ]:
        response = choose(actions, token, password, confirm)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and 'name="new_password"' in page, password
        if message:
            assert message in page, (password, message)
    assert db.session.scalar(select(SetPasswordToken.used_at).join(User).where(User.email == "li@example.com")) is None
    assert choose(actions, token).status_code == 302  # the link survived the refusals


def test_the_email_itself_is_refused_as_password(actions, make_user):
    admin = make_user("admin", email="admin@example.com")
    data = b"name,email,role,team,language\nMail,mail12345678@example.com,trainee,,en\n"
    token = csv_import.import_users(admin, data, max_bytes=10_000, link_lifetime=timedelta(days=1)).created[0].token
    page = choose(actions, token, "mail12345678@example.com").get_data(as_text=True)
    assert "The password must not be your email address." in page


def test_csrf_is_required(client, imported):
    response = client.post(f"/set-password/{imported['li@example.com']}",
                           data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert db.session.scalar(select(SetPasswordToken.used_at).join(User).where(User.email == "li@example.com")) is None


def test_a_get_never_uses_the_link(client, imported):
    for _ in range(3):
        assert client.get(f"/set-password/{imported['li@example.com']}").status_code == 200
    assert db.session.scalar(select(SetPasswordToken.used_at).join(User).where(User.email == "li@example.com")) is None


def test_the_link_cannot_be_redeemed_twice_even_when_both_checks_pass(imported, monkeypatch):
    """The race: two submits both see a valid link; the conditional UPDATE lets only one through."""
    token = imported["li@example.com"]
    state, row = password_links.check(token)
    monkeypatch.setattr(password_links, "check", lambda _token: (state, row))
    password_links.redeem(token, NEW_PASSWORD)
    with pytest.raises(password_links.LinkError) as refused:
        password_links.redeem(token, "another-pass-77")
    assert refused.value.state is password_links.LinkState.USED
    assert db.session.scalar(select(User).where(User.email == "li@example.com")).check_password(NEW_PASSWORD)


def test_messages_in_chinese(client, actions, imported):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = client.get("/set-password/nope").get_data(as_text=True)
    assert "链接无效" in page
    page = client.get(f"/set-password/{imported['li@example.com']}").get_data(as_text=True)
    assert "设置你的密码" in page
    choose(actions, imported["li@example.com"])
    assert "已经使用" in client.get(f"/set-password/{imported['li@example.com']}").get_data(as_text=True)
    db.session.execute(update(SetPasswordToken).values(expires_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    assert "已过期" in client.get(f"/set-password/{imported['wang@example.com']}").get_data(as_text=True)
