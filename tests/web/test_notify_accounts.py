"""E-mail about accounts: the forgotten-password flow (never tells whether an account exists,
throttled, single-use and expiring links), set-password links for imported people, certificates."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import csrf_token
from tests.web.mail_support import links, parts, path_of, smtp_server  # noqa: F401 - the fixture
from trainer.accounts.models import SetPasswordToken
from trainer.core.events import certificate_earned
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn.models import Certificate
from trainer.notify.models import OutboxMessage
from trainer.notify.services.outbox import REDACTED

NEW_PASSWORD = "a-new-horse-77"


@pytest.fixture(autouse=True)
def fresh_throttle(app):
    app.extensions["reset_requests"].clear()


def request_reset(client, email: str):
    token = csrf_token(client, "/forgot-password")
    return client.post("/forgot-password", data={"csrf_token": token, "email": email})


def reset_link(smtp, address: str) -> str:
    message = [m for m in smtp.to(address) if "Reset" in str(m["Subject"]) or "重置" in str(m["Subject"])][-1]
    text, html = parts(message)
    [link] = [u for u in links(text) if "/set-password/" in u]
    assert link in html
    return path_of(link)


def set_password(client, path: str, password: str = NEW_PASSWORD):
    page = client.get(path)
    if page.status_code != 200:
        return page
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "new_password": password, "confirm": password})


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, make_user, smtp, runner):
    make_user("trainee", email="amy@example.com", name="Amy")
    known = request_reset(client, "amy@example.com")
    unknown = request_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).split("<main")[1].split("</main>")[0]  # noqa: E731
    assert strip(known) == strip(unknown) and "If that address belongs to an account" in strip(known)
    runner.invoke(args=["notify", "send"])
    assert [m["To"] for m in smtp.received] == ["amy@example.com"]


def test_reset_link_works_once_and_signs_in_with_the_new_password(client, actions, make_user, smtp, runner):
    make_user("trainee", email="amy@example.com", name="Amy")
    request_reset(client, "amy@example.com")
    runner.invoke(args=["notify", "send"])
    path = reset_link(smtp, "amy@example.com")
    assert set_password(client, path).status_code == 302
    assert "Sign out" in actions.login("amy@example.com", NEW_PASSWORD).get_data(as_text=True)
    actions.logout()
    again = set_password(client, path, "yet-another-9x")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
    assert row.status == "sent" and row.text_body.strip() == REDACTED and "/set-password/" not in row.html_body


def test_expired_reset_link_and_garbage_tokens_are_clear_pages(client, make_user, smtp, runner):
    make_user("trainee", email="amy@example.com", name="Amy")
    request_reset(client, "amy@example.com")
    runner.invoke(args=["notify", "send"])
    path = reset_link(smtp, "amy@example.com")
    db.session.execute(update(SetPasswordToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = client.get(path)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    for bad in ("/set-password/x", "/set-password/" + "A" * 300, "/set-password/%E4%B8%AD"):
        response = client.get(bad)
        assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    assert client.get("/set-password/%00").status_code == 400  # the input layer refuses control characters


def test_reset_requests_are_throttled_per_account(client, make_user, smtp, runner, app):
    make_user("trainee", email="amy@example.com", name="Amy")
    for _ in range(app.config["MAIL_RESET_MAX_PER_HOUR"] + 2):
        assert request_reset(client, "amy@example.com").status_code == 200
    runner.invoke(args=["notify", "send"])
    assert len(smtp.to("amy@example.com")) == app.config["MAIL_RESET_MAX_PER_HOUR"]


def test_reset_requests_are_throttled_per_address(client, make_user, smtp, runner, app):
    app.config["MAIL_RESET_MAX_PER_HOUR"] = 100
    make_user("trainee", email="amy@example.com", name="Amy")
    for _ in range(12):
        request_reset(client, "amy@example.com")
    runner.invoke(args=["notify", "send"])
    assert len(smtp.to("amy@example.com")) == 10


@pytest.mark.parametrize("value, message", [
    ("", "Enter your email."), ("not-an-address", "Enter a valid e-mail address"),
    ("a@b", "Enter a valid e-mail address"), ("x" * 300 + "@example.com", "Field cannot be longer than 254"),
    ("amy@example.com\r\nBcc: evil@example.com", "Enter a valid e-mail address"),
])
def test_forgot_password_bad_addresses_are_explained(client, smtp, value, message):
    response = request_reset(client, value)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_forgot_password_in_chinese_and_deactivated_accounts_get_nothing(client, make_user, smtp, runner):
    make_user("trainee", email="wei@example.com", name="魏明", language="zh_CN")
    make_user("trainee", email="gone@example.com", name="Gone", active=False)
    request_reset(client, "wei@example.com")
    request_reset(client, "gone@example.com")
    runner.invoke(args=["notify", "send"])
    [message] = smtp.received
    assert message["To"] == "wei@example.com" and message["Subject"] == "重置回款训练营密码"
    text, html = parts(message)
    assert "魏明，您好" in text and "60 分钟内有效" in text and 'lang="zh-CN"' in html
    assert "List-Unsubscribe" not in message  # a transactional message: nothing to unsubscribe from


def test_imported_people_get_their_set_password_link(actions, make_user, make_team, smtp, runner, client):
    make_user("admin", email="admin@example.com")
    make_team("East")
    actions.login("admin@example.com")
    content = ("name,email,role,team,language\n王芳,wang.fang@example.com,trainee,East,zh_CN\n"
               "Li Lei,li.lei@example.com,manager,East,en\n").encode()
    page = actions.post("/admin/import", {"file": (io.BytesIO(content), "users.csv")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "2 users imported" in page
    actions.logout()
    runner.invoke(args=["notify", "run"])
    chinese = smtp.one("wang.fang@example.com", "请设置密码")
    english = smtp.one("li.lei@example.com", "choose a password")
    assert "li.lei@example.com" in parts(english)[0]
    [link] = [u for u in links(parts(chinese)[0]) if "/set-password/" in u]
    assert set_password(client, path_of(link)).status_code == 302
    assert "退出" in actions.login("wang.fang@example.com", NEW_PASSWORD).get_data(as_text=True)


def test_a_certificate_earned_is_mailed_with_a_link_to_it(app, make_user, smtp, runner, as_user):
    user = make_user("trainee", email="amy@example.com", name="Amy")
    row = Certificate(code="ABCDEFGHIJKLMNOP", user_id=user.id, course_id="ar-essentials", holder_name="Amy",
                      course_title="Receivables essentials", language="en", issued_at=utcnow())
    db.session.add(row)
    db.session.commit()
    certificate_earned.send(None, user_id=user.id, certificate_id=row.id, course_title=row.course_title, code=row.code)
    certificate_earned.send(None, user_id=user.id, certificate_id=row.id, course_title=row.course_title, code=row.code)
    runner.invoke(args=["notify", "send"])
    message = smtp.one("amy@example.com", "Your certificate: Receivables essentials")
    text, _html = parts(message)
    assert "ABCD-EFGH-IJKL-MNOP" in text
    [link] = [u for u in links(text) if "/certificates/" in u]
    page = as_user("amy@example.com").client.get(path_of(link))
    assert page.status_code == 200 and "Amy" in page.get_data(as_text=True)

