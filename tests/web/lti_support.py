"""Fixtures for the LTI tests: a running test platform (tests/web/lti_platform.py), the app served
over HTTP too (the platform fetches our JWKS to check what we sign), the platform registered here,
and the browser's side of a launch (login initiation -> platform auth -> form post to us)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from tests.web.lti_platform import LEARNER, LaunchPlan, Member, Platform, auth_form, serving, urlencode
from trainer.accounts.models import User
from trainer.extensions import db
from trainer.lti.services import launch, platform_http, platforms
from trainer.lti.services.platforms import PlatformInput


@dataclass
class LtiWorld:
    platform: Platform
    tool_url: str
    platform_id: int

    def login_params(self, plan: LaunchPlan) -> dict[str, str]:
        return self.platform.plan(plan)

    def launch(self, client, plan: LaunchPlan, *, method: str = "GET"):
        """The browser's way through a launch; returns our answer to the id_token post."""
        params = self.platform.plan(plan)
        if method == "POST":
            started = client.post("/lti/login", data=params)
        else:
            started = client.get("/lti/login?" + urlencode(params))
        assert started.status_code == 302, started.get_data(as_text=True)
        answer = requests.get(started.headers["Location"], timeout=5)
        assert answer.status_code == 200, answer.text
        action, fields = auth_form(answer.text)
        assert action == "http://localhost/lti/launch"
        return client.post("/lti/launch", data=fields)

    def auth_fields(self, client, plan: LaunchPlan) -> dict[str, str]:
        """Up to the platform's auto-post form, without posting it (to replay or tamper with it)."""
        started = client.get("/lti/login?" + urlencode(self.platform.plan(plan)))
        return auth_form(requests.get(started.headers["Location"], timeout=5).text)[1]


def learner(n: int = 1) -> Member:
    return Member(sub=f"moodle-user-{n}", name=f"Learner {n}", email=f"learner{n}@lms.example.com", roles=[LEARNER])


def user_for(subject_email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == subject_email))


@pytest.fixture
def lti(app, make_user):
    """A platform registered here, both served on 127.0.0.1 (ports 5300-5399)."""
    launch.KEYSETS.clear()
    platform_http.clear_tokens()
    admin = make_user("admin", email="lti-admin@example.com")
    fake = Platform()
    with serving(fake) as platform_url, serving(app) as tool_url:
        fake.url = platform_url
        fake.tool_jwks_url = tool_url + "/lti/jwks"
        registered = platforms.save(admin, PlatformInput(
            label="Test Moodle", issuer=platform_url, client_id=fake.client_id,
            auth_login_url=platform_url + "/auth", token_url=platform_url + "/token",
            keyset_url=platform_url + "/jwks", deployment_ids="dep-1\ndep-2",
        ))
        yield LtiWorld(platform=fake, tool_url=tool_url, platform_id=registered.id)
    launch.KEYSETS.clear()
    platform_http.clear_tokens()
