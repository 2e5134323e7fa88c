"""Single sign-on against a real OpenID provider (oidc-provider on Node.js, see sso_support): first
sign-in creates or links by verified e-mail, groups keep role and teams in step, and every bad answer
(tampered, wrong audience, expired, replayed, unverified, refused, disabled) gets a clear page."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlparse

import pytest
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD
from tests.web import sso_support
from tests.web.sso_support import (
    GROUP_MAPPING,
    TEST_CLIENT_CALLBACK,
    new_client,
    provider_sign_in,
    refused,
    running_provider,
    tamper,
    tokens_for,
    wait_until_past,
)
from trainer.accounts.models import AuditLog, IdentityLink, Team, User
from trainer.extensions import db

pytestmark = pytest.mark.slow  # starts Node.js; `make test-fast` leaves these out
make_app = sso_support.make_app  # the fixture


@pytest.fixture(scope="module")
def provider():
    with running_provider([TEST_CLIENT_CALLBACK]) as running:
        yield running


@pytest.fixture
def site(make_app, provider):
    app = make_app(provider.settings())
    with app.app_context():
        yield app


def start(client) -> str:
    response = client.get("/login/sso")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def callback_path(url: str) -> str:
    assert url.startswith(TEST_CLIENT_CALLBACK), url
    return url.removeprefix("http://localhost")


def sso_sign_in(client, login: str):
    back = provider_sign_in(start(client), login, TEST_CLIENT_CALLBACK)
    return client.get(callback_path(back))


def add_user(email: str, *, role: str = "trainee", teams=(), active: bool = True) -> User:
    user = User(email=email, name=email.split("@")[0], role=role, active=active, must_change_password=False)
    user.set_password(TEST_PASSWORD)
    user.teams = list(teams)
    db.session.add(user)
    db.session.commit()
    return user


def actions(email: str) -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).where(AuditLog.target == email).order_by(AuditLog.id)))


def signed_in_as(client) -> str:
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    return page


def test_first_sign_in_creates_the_account_with_the_groups_role_and_teams(site):
    client = new_client(site)
    response = sso_sign_in(client, "bob")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    bob = db.session.scalar(select(User).where(User.email == "bob@corp.example"))
    assert bob is not None and bob.name == "王博" and bob.language == "zh_CN"
    assert bob.role == "manager" and not bob.has_password
    assert [t.name for t in bob.teams] == ["East"] and [t.name for t in bob.managed_teams] == ["East"]
    link = db.session.scalar(select(IdentityLink).where(IdentityLink.user_id == bob.id))
    assert (link.issuer, link.subject) == (site.config["OIDC_ISSUER"], "bob")
    assert actions("bob@corp.example") == ["sso.create", "sso.link", "sso.role_change", "sso.teams",
                                           "sso.manages", "sso.sign_in"]
    assert "王博" in signed_in_as(client)


def test_an_existing_account_is_linked_by_verified_email_and_keeps_its_own_teams(site):
    west = Team(name="West")
    db.session.add(west)
    alice = add_user("alice@corp.example", teams=[west])
    assert sso_sign_in(new_client(site), "alice").status_code == 302
    assert sso_sign_in(new_client(site), "alice").status_code == 302  # again: found by the link
    db.session.refresh(alice)
    assert sorted(t.name for t in alice.teams) == ["East", "West"]  # West is not in the mapping
    assert db.session.scalar(select(db.func.count(IdentityLink.id))) == 1
    assert actions("alice@corp.example").count("sso.link") == 1
    assert actions("alice@corp.example").count("sso.sign_in") == 2


def test_role_and_teams_follow_the_mapping_at_every_sign_in(site, make_app, provider):
    assert sso_sign_in(new_client(site), "bob").status_code == 302
    # East is still a mapped team (of other groups), so bob, in none of them now, leaves it.
    mapping = {**GROUP_MAPPING, "roles": {"trainer-admins": "admin"}, "manages": {"west-managers": "East"},
               "teams": {"sales-east": "South", "sales-west": "East"}}
    restarted = make_app(provider.settings(OIDC_GROUP_MAPPING=json.dumps(mapping)))
    with restarted.app_context():
        assert sso_sign_in(new_client(restarted), "bob").status_code == 302
        bob = db.session.scalar(select(User).where(User.email == "bob@corp.example"))
        assert bob.role == "trainee"  # no longer in a group that gives manager
        assert [t.name for t in bob.teams] == ["South"] and bob.managed_teams == []
        detail = db.session.scalars(select(AuditLog.detail).where(AuditLog.action == "sso.role_change")).all()
        assert detail[-1] == json.dumps({"role": ["manager", "trainee"]})


def test_an_unverified_email_is_never_linked(site):
    dave = add_user("dave@corp.example")
    page = refused(sso_sign_in(new_client(site), "dave"), "UNVERIFIED_EMAIL", 403)
    assert "not verified" in page
    assert db.session.scalar(select(IdentityLink).where(IdentityLink.user_id == dave.id)) is None
    assert actions("dave@corp.example") == ["sso.refused"]


def test_refusal_pages_speak_the_persons_language(site):
    client = new_client(site, language="zh-CN")
    page = refused(sso_sign_in(client, "dave"), "UNVERIFIED_EMAIL", 403)
    assert "未经验证" in page and "not verified" not in page


def test_a_tampered_id_token_is_refused(site, monkeypatch):
    fetch = FlaskOAuth2App.fetch_access_token

    def tampered(self, *args, **kwargs):
        token = fetch(self, *args, **kwargs)
        token["id_token"] = tamper(token["id_token"], sub="carol")  # bob tries to become the admin
        return token

    monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token", tampered)
    client = new_client(site)
    page = refused(sso_sign_in(client, "bob"), "SIGNATURE", 400)
    assert "could not be verified" in page
    assert db.session.scalar(select(User).where(User.email.in_(["bob@corp.example", "carol@corp.example"]))) is None
    assert "/login" in client.get("/").headers["Location"]


def test_an_id_token_for_another_application_is_refused(site, provider, monkeypatch):
    client = new_client(site)
    authorize = start(client)
    nonce = parse_qs(urlparse(authorize).query)["nonce"][0]
    foreign = tokens_for(provider, "other-app", "carol", nonce)  # a real token, signed, for someone else
    monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token", lambda self, *args, **kwargs: dict(foreign))
    back = provider_sign_in(authorize, "carol", TEST_CLIENT_CALLBACK)
    page = refused(client.get(callback_path(back)), "AUDIENCE", 400)
    assert "different application" in page


def test_an_expired_id_token_is_refused(make_app, provider, monkeypatch):
    app = make_app(provider.settings("short-lived", OIDC_CLOCK_SKEW_SECONDS=0))
    fetch = FlaskOAuth2App.fetch_access_token

    def late(self, *args, **kwargs):
        token = fetch(self, *args, **kwargs)
        payload = token["id_token"].split(".")[1]
        expires = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"]
        wait_until_past(expires + 1)  # the provider gives this client one-second ID tokens
        return token

    monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token", late)
    with app.app_context():
        page = refused(sso_sign_in(new_client(app), "alice"), "EXPIRED", 400)
        assert "expired" in page
        assert db.session.scalar(select(User).where(User.email == "alice@corp.example")) is None


def test_a_replayed_state_is_refused(site):
    client = new_client(site)
    back = provider_sign_in(start(client), "alice", TEST_CLIENT_CALLBACK)
    assert client.get(callback_path(back)).status_code == 302
    refused(client.get(callback_path(back)), "STATE", 400)  # the same browser, again
    refused(new_client(site).get(callback_path(back)), "STATE", 400)  # another browser
    assert actions("alice@corp.example").count("sso.sign_in") == 1


def test_a_sign_in_the_provider_refuses_gets_a_clear_page(site):
    client = new_client(site)
    state = parse_qs(urlparse(start(client)).query)["state"][0]
    refused(client.get("/login/sso/callback?error=access_denied&state=forged"), "STATE", 400)
    page = refused(client.get(f"/login/sso/callback?error=access_denied&state={state}"), "PROVIDER_REFUSED", 403)
    assert "not allowed to sign in" in page
    refused(client.get(f"/login/sso/callback?error=access_denied&state={state}"), "STATE", 400)  # used up


def test_bad_callback_values_never_give_a_500(site):
    client = new_client(site)
    refused(client.get("/login/sso/callback"), "STATE", 400)
    refused(client.get("/login/sso/callback?code=x&state=made-up"), "STATE", 400)
    state = parse_qs(urlparse(start(client)).query)["state"][0]
    refused(client.get(f"/login/sso/callback?code=not-a-code&state={state}"), "PROVIDER_ERROR", 400)
    refused(client.get(f"/login/sso/callback?error=server_error&state={state}"), "STATE", 400)  # used up
    state = parse_qs(urlparse(start(client)).query)["state"][0]
    refused(client.get(f"/login/sso/callback?error=server_error&state={state}"), "PROVIDER_ERROR", 400)
    # The input layer answers first for values no provider sends.
    too_long = client.get("/login/sso/callback?code=x&state=" + "A" * 5000)
    assert too_long.status_code == 400 and "too long" in too_long.get_data(as_text=True)
    control = client.get("/login/sso/callback?code=%00&state=x")
    assert control.status_code == 400 and "control character" in control.get_data(as_text=True)


def test_a_group_meaning_disabled_deactivates_the_account_here(site):
    erin = add_user("erin@corp.example")
    signed_in = new_client(site)
    signed_in.post("/login", data={"email": "erin@corp.example", "password": TEST_PASSWORD})
    refused(sso_sign_in(new_client(site), "erin"), "DISABLED", 403)
    db.session.refresh(erin)
    assert not erin.active
    assert "/login" in signed_in.get("/").headers["Location"]  # her open session ended too
    assert actions("erin@corp.example") == ["sso.deactivated", "sso.refused"]


def test_an_account_deactivated_here_stays_out(site):
    assert sso_sign_in(new_client(site), "alice").status_code == 302
    alice = db.session.scalar(select(User).where(User.email == "alice@corp.example"))
    alice.active = False
    db.session.commit()
    refused(sso_sign_in(new_client(site), "alice"), "DEACTIVATED", 403)


def test_the_break_glass_admin_cannot_sign_in_through_the_provider(make_app, provider):
    app = make_app(provider.settings(LOCAL_PASSWORDS=False, BREAK_GLASS_ADMIN="root@corp.example"))
    with app.app_context():
        add_user("root@corp.example", role="admin")
        refused(sso_sign_in(new_client(app), "root"), "BREAK_GLASS", 403)
        assert db.session.scalar(select(IdentityLink)) is None


def test_unknown_people_are_refused_when_accounts_are_not_created(make_app, provider):
    app = make_app(provider.settings(OIDC_CREATE_USERS=False))
    with app.app_context():
        refused(sso_sign_in(new_client(app), "alice"), "NO_ACCOUNT", 403)
        assert db.session.scalar(select(User)) is None


def test_the_redirect_uri_can_be_set_for_a_site_behind_a_tls_proxy(make_app, provider):
    app = make_app(provider.settings(OIDC_REDIRECT_URI="https://trainer.example/login/sso/callback"))
    with app.app_context():
        query = parse_qs(urlparse(start(new_client(app))).query)
        assert query["redirect_uri"] == ["https://trainer.example/login/sso/callback"]
        assert query["code_challenge_method"] == ["S256"] and query["ui_locales"] == ["en"]
        assert set(query["scope"][0].split()) == {"openid", "email", "profile", "groups"}
