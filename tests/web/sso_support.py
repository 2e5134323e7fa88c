"""A real OpenID provider for the SSO tests: panva's ``oidc-provider`` (OpenID Certified) from the npm
registry, run on the machine's Node.js. ``npm ci`` installs it from tests/oidc/package-lock.json into
the git-ignored tests/oidc/node_modules the first time; without Node.js or the package the tests
skip loudly, saying why.

Also: a browser-less sign-in through the provider's own pages (``provider_sign_in``), and a full
code flow for any client (``tokens_for``) to make ID tokens the app did not ask for.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import html
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests

from tests.conftest import FreshContextClient
from trainer import create_app

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
TEST_CLIENT_CALLBACK = "http://localhost/login/sso/callback"
GROUP_MAPPING = {
    "default_role": "trainee",
    "roles": {"sales-managers": "manager", "trainer-admins": "admin"},
    "teams": {"sales-east": "East"},
    "manages": {"sales-managers": ["East"]},
    "disabled_groups": ["disabled"],
}


@pytest.fixture
def make_app(tmp_path, content_registry, _sqlite_schema):
    """Apps with the given settings on one database for this test (a second app is the same site
    restarted with new settings)."""
    database = tmp_path / "sso.sqlite"
    shutil.copyfile(_sqlite_schema, database)

    def make(settings: dict[str, Any]) -> Any:
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SERVER_NAME": None,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "CONTENT_REGISTRY": content_registry,
                          **settings})
        app.test_client_class = FreshContextClient
        return app

    return make


def new_client(app: Any, language: str = "en") -> Any:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def refused(response: Any, reason: str, status: int) -> str:
    """The refusal page's text, after checking its status and which refusal it is."""
    page = str(response.get_data(as_text=True))
    assert response.status_code == status, page[:500]
    assert f'data-reason="{reason}"' in page
    return page


def _skip(reason: str) -> None:
    pytest.skip(f"SSO PROVIDER TESTS SKIPPED: {reason}")


def ensure_provider_installed() -> str:
    """The node binary, after `npm ci` when the package is missing; skips loudly when impossible."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _skip("Node.js/npm not installed (apt-get install nodejs npm), so the OpenID provider cannot run")
    assert node and npm
    installed = OIDC_DIR / "node_modules" / "oidc-provider" / "package.json"
    with open(OIDC_DIR / "package.json", "rb") as anchor:
        fcntl.flock(anchor, fcntl.LOCK_EX)  # parallel workers: one npm ci
        if not installed.exists():
            result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=OIDC_DIR,
                                    capture_output=True, text=True, timeout=300)
            if result.returncode != 0 or not installed.exists():
                _skip(f"`npm ci` in tests/oidc failed (the npm registry must be reachable): {result.stderr[-500:]}")
    return node


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]

    def settings(self, client_id: str = "trainer", **overrides: Any) -> dict[str, Any]:
        """App settings for one of the provider's clients (the secret is "<client id>-secret")."""
        return {
            "OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": client_id, "OIDC_CLIENT_SECRET": f"{client_id}-secret",
            "OIDC_SCOPES": "openid email profile groups", "OIDC_GROUP_MAPPING": GROUP_MAPPING,
            "OIDC_PROVIDER_LABEL": "Corp ID", **overrides,
        }


@contextlib.contextmanager
def running_provider(redirect_uris: list[str]) -> Iterator[Provider]:
    """Start the provider on a free port, wait for READY, stop it afterwards."""
    node = ensure_provider_installed()
    port = free_port()
    process = subprocess.Popen([node, "provider.mjs", str(port), *redirect_uris], cwd=OIDC_DIR,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    while line and not line.startswith("READY"):
        line = process.stdout.readline()
    if not line:
        process.kill()
        pytest.fail(f"the OpenID provider did not start (exit {process.wait()})")
    try:
        yield Provider(issuer=line.split()[1], process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _login_form(page: str, base: str) -> str:
    match = re.search(r'<form[^>]*action="([^"]+)"', page)
    assert match, f"no sign-in form on the provider's page: {page[:300]}"
    return urljoin(base, html.unescape(match.group(1)))


def provider_sign_in(authorize_url: str, login: str, stop_at: str) -> str:
    """Follow the provider's pages as a person would (its development sign-in page takes any
    login); return the URL it finally sends the browser to (which starts with ``stop_at``)."""
    browser = requests.Session()
    url, response = authorize_url, None
    for _step in range(10):
        if url.startswith(stop_at):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and 'name="login"' in response.text:
            response = browser.post(_login_form(response.text, url), allow_redirects=False, timeout=10,
                                    data={"prompt": "login", "login": login, "password": "any"})
        assert response.is_redirect, f"{response.status_code} from the provider at {url}: {response.text[:300]}"
        url = urljoin(url, response.headers["Location"])
    raise AssertionError(f"the provider never sent the browser back to {stop_at}")


def tokens_for(provider: Provider, client_id: str, login: str, nonce: str) -> dict[str, Any]:
    """A complete code flow for ``client_id`` outside the app: the tokens the provider issues."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {"client_id": client_id, "response_type": "code", "scope": "openid email profile groups",
             "redirect_uri": TEST_CLIENT_CALLBACK, "state": "s-" + secrets.token_hex(8), "nonce": nonce,
             "code_challenge": challenge, "code_challenge_method": "S256"}
    back = provider_sign_in(f"{provider.issuer}/auth?{urlencode(query)}", login, TEST_CLIENT_CALLBACK)
    code = parse_qs(urlparse(back).query)["code"][0]
    response = requests.post(f"{provider.issuer}/token", auth=(client_id, f"{client_id}-secret"), timeout=10,
                             data={"grant_type": "authorization_code", "code": code,
                                   "redirect_uri": TEST_CLIENT_CALLBACK, "code_verifier": verifier})
    assert response.status_code == 200, response.text
    return dict(response.json())


def tamper(id_token: str, **claims: Any) -> str:
    """The same token with payload claims changed and the original signature kept."""
    header, payload, signature = id_token.split(".")
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = data.decode()
    for name, value in claims.items():
        text = re.sub(rf'"{name}":"[^"]*"', f'"{name}":"{value}"', text)
    changed = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
    assert changed != payload
    return f"{header}.{changed}.{signature}"


def wait_until_past(moment: float) -> None:
    while time.time() <= moment:
        time.sleep(0.05)
