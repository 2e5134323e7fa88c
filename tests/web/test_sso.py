"""Single sign-on without a provider running: the sign-in page, turning local passwords off with a
break-glass admin, the admin's settings page, an unreachable provider and bad settings. (The sign-in
itself, against a real OpenID provider, is in test_sso_provider.py.)"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, Actions
from tests.web import sso_support
from tests.web.sso_support import GROUP_MAPPING, free_port, new_client, refused
from trainer.accounts import sso_accounts
from trainer.accounts.models import LoginAttempt, User
from trainer.accounts.sso_rules import ProviderProfile
from trainer.config import ConfigError
from trainer.extensions import db

make_app = sso_support.make_app  # the fixture

# A provider that is not there: nothing listens on this port, so every request to it fails at once.
NOBODY = {"OIDC_ISSUER": f"http://127.0.0.1:{free_port()}", "OIDC_CLIENT_ID": "trainer",
          "OIDC_CLIENT_SECRET": "s3cret-value", "OIDC_GROUP_MAPPING": json.dumps(GROUP_MAPPING),
          "OIDC_PROVIDER_LABEL": "Corp ID"}


def add_user(email: str, role: str = "trainee", must_change_password: bool = False) -> User:
    user = User(email=email, name=email.split("@")[0], role=role, language="en",
                must_change_password=must_change_password)
    user.set_password(TEST_PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def site(make_app):
    app = make_app(NOBODY)
    with app.app_context():
        yield app


def test_without_settings_there_is_no_button_and_the_sso_urls_say_so(make_app):
    app = make_app({})
    with app.app_context():
        client = new_client(app)
        page = client.get("/login").get_data(as_text=True)
        assert "sso-button" not in page and 'name="password"' in page
        assert "not set up on this site" in refused(client.get("/login/sso"), "NOT_CONFIGURED", 404)
        refused(client.get("/login/sso/callback?code=x&state=y"), "NOT_CONFIGURED", 404)
        zh = refused(new_client(app, "zh-CN").get("/login/sso"), "NOT_CONFIGURED", 404)
        assert "本站尚未配置企业账号登录" in zh


def test_the_sign_in_page_offers_the_company_button_above_the_password_form(site):
    page = new_client(site).get("/login?next=/learn").get_data(as_text=True)
    assert "Sign in with your Corp ID" in page and 'href="/login/sso?next=/learn"' in page
    assert "or with your email and password" in page and "break-glass" not in page
    assert "使用Corp ID登录" in new_client(site, "zh-CN").get("/login").get_data(as_text=True)


def test_an_unreachable_provider_gets_a_clear_page_not_a_500(site):
    page = refused(new_client(site).get("/login/sso"), "UNREACHABLE", 502)
    assert "did not answer" in page


def test_passwords_off_refuses_everyone_but_the_break_glass_admin(make_app):
    app = make_app({**NOBODY, "LOCAL_PASSWORDS": False, "BREAK_GLASS_ADMIN": "Root@Corp.Example"})
    with app.app_context():
        add_user("amy@corp.example")
        add_user("root@corp.example", role="admin")
        client = new_client(app)
        page = client.get("/login").get_data(as_text=True)
        assert '<details class="break-glass">' in page and "Emergency administrator sign-in" in page
        response = Actions(client).login("amy@corp.example", follow=False)
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and "Password sign-in is turned off here" in text
        assert '<details class="break-glass" open>' in text
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 0  # no password was even checked
        assert "/login" in client.get("/").headers["Location"]
        root = new_client(app)
        assert Actions(root).login("root@corp.example", follow=False).headers["Location"].endswith("/")
        assert root.get("/account/password").status_code == 200  # the break-glass admin keeps a password


def test_passwords_off_sends_a_linked_persons_password_pages_home(make_app):
    app = make_app({**NOBODY, "LOCAL_PASSWORDS": False, "BREAK_GLASS_ADMIN": "root@corp.example"})
    with app.app_context():
        add_user("amy@corp.example", must_change_password=True)
    open_app = make_app(NOBODY)  # amy signed in while passwords were still on
    with open_app.app_context():
        client = new_client(open_app)
        Actions(client).login("amy@corp.example")
    with app.app_context():
        client.application = app
        home = client.get("/account/password")
        assert home.status_code == 302 and home.headers["Location"].endswith("/")
        assert client.get("/").status_code == 200  # not forced to choose a password she cannot use


def test_the_admin_page_shows_the_effective_settings_without_the_secret(site):
    add_user("root@corp.example", role="admin")
    client = new_client(site)
    Actions(client).login("root@corp.example")
    page = client.get("/admin/sso").get_data(as_text=True)
    assert NOBODY["OIDC_ISSUER"] in page and "<code>trainer</code>" in page
    assert "s3cret-value" not in page
    for text in ("<code>sales-managers</code>", "role: manager", "member of: East", "manager of: East",
                 "<code>disabled</code>", "no access (deactivated here too)"):
        assert text in page, text
    assert 'data-testid="sso-linked">0<' in page
    assert "<code>http://localhost/login/sso/callback</code>" in page
    assert "Everyone may also sign in with a password." in page


def test_the_admin_page_is_for_admins_only(site):
    add_user("amy@corp.example")
    client = new_client(site)
    assert "/login" in client.get("/admin/sso").headers["Location"]
    Actions(client).login("amy@corp.example")
    assert client.get("/admin/sso").status_code == 403


def test_the_mapping_can_come_from_a_file(make_app, tmp_path):
    mapping = tmp_path / "groups.json"
    mapping.write_text(json.dumps({"roles": {"trainer-admins": "admin"}}), encoding="utf-8")
    app = make_app({**NOBODY, "OIDC_GROUP_MAPPING": "", "OIDC_GROUP_MAPPING_FILE": str(mapping)})
    assert app.extensions["sso_settings"].mapping.roles == {"trainer-admins": "admin"}


@pytest.mark.parametrize(("settings", "names"), [
    ({"OIDC_GROUP_MAPPING": '{"roles": {"g": "boss"}}'}, "TRAINER_OIDC_GROUP_MAPPING is not a valid group mapping: roles.g"),
    ({"OIDC_GROUP_MAPPING_FILE": "/nonexistent/groups.json"}, "cannot be read"),
    ({"OIDC_SCOPES": "email profile"}, "must include openid"),
])
def test_bad_settings_stop_the_app_with_the_variable_to_fix(make_app, settings, names):
    with pytest.raises(ConfigError, match=names):
        make_app({**NOBODY, **settings})


def test_a_simultaneous_first_sign_in_finds_what_the_other_browser_made(site, monkeypatch):
    """Two browsers, one person, both before any link existed: the loser of the race starts again."""
    settings = site.extensions["sso_settings"]
    profile = ProviderProfile(issuer="https://sso.example", subject="amy-1", email="amy@corp.example",
                              email_verified=True, name="Amy", language="en", groups=frozenset({"sales-east"}))
    winner = sso_accounts.sign_in(profile, settings)  # the other browser, a moment earlier
    looked_up = sso_accounts._linked_user
    calls = []

    def stale_then_fresh(seen):
        calls.append(seen)
        return (None, None) if len(calls) == 1 else looked_up(seen)  # the first look-up predates it

    monkeypatch.setattr(sso_accounts, "_linked_user", stale_then_fresh)
    assert sso_accounts.sign_in(profile, settings).id == winner.id
    assert len(calls) == 2
    assert db.session.scalar(select(func.count(User.id))) == 1
