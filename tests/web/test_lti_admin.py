"""The LTI admin pages (register, edit, disable, with bad values), the JWKS endpoint and key
rotation (`flask lti rotate-keys`), and who may see what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from trainer.extensions import db
from trainer.lti.models import LtiKey, LtiPlatform
from trainer.lti.services import keys

GOOD = {
    "label": "Company Moodle", "issuer": "https://moodle.example.com", "client_id": "abc123",
    "auth_login_url": "https://moodle.example.com/mod/lti/auth.php",
    "token_url": "https://moodle.example.com/mod/lti/token.php",
    "keyset_url": "https://moodle.example.com/mod/lti/certs.php", "deployment_ids": "1\n2, 3",
}


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def post_platform(client, data, url="/admin/lti/platforms/new"):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def test_register_list_edit_and_disable_a_platform(client, admin):
    page = client.get("/admin/lti/")
    html = page.get_data(as_text=True)
    assert "http://localhost/lti/login" in html and "http://localhost/lti/jwks" in html and "No platform" in html
    assert post_platform(client, GOOD).status_code == 302
    platform = db.session.scalar(select(LtiPlatform))
    assert platform.deployments == ["1", "2", "3"] and platform.active and not platform.trust_admins
    assert db.session.scalar(select(LtiKey)) is not None  # the first signing key
    listed = client.get("/admin/lti/").get_data(as_text=True)
    assert "Company Moodle" in listed and "abc123" in listed and "1, 2, 3" in listed
    edited = post_platform(client, {**GOOD, "label": "Moodle (prod)", "deployment_ids": "9"},
                           url=f"/admin/lti/platforms/{platform.id}")
    assert edited.status_code == 302
    db.session.refresh(platform)
    assert platform.label == "Moodle (prod)" and platform.deployments == ["9"]
    token = csrf_token(client, "/admin/lti/")
    assert client.post(f"/admin/lti/platforms/{platform.id}/disable", data={"csrf_token": token}).status_code == 302
    db.session.refresh(platform)
    assert not platform.active
    assert client.post(f"/admin/lti/platforms/{platform.id}/enable", data={}).status_code == 400  # no CSRF token
    assert client.post("/admin/lti/platforms/999/enable", data={"csrf_token": token}).status_code == 404
    assert client.get("/admin/lti/platforms/999").status_code == 404


@pytest.mark.parametrize(("field", "value", "message"), [
    ("label", "", "1 to 120 characters"),
    ("label", "x" * 121, "1 to 120 characters"),
    ("issuer", "moodle.example.com", "full web address"),
    ("issuer", "http://moodle.example.com", "https://"),
    ("issuer", "https://" + "a" * 240 + ".com", "full web address"),
    ("client_id", "", "client ID"),
    ("client_id", "has space", "client ID"),
    ("auth_login_url", "javascript:alert(1)", "full web address"),
    ("auth_login_url", "https://user:pw@moodle.example.com/auth", "full web address"),
    ("token_url", "ftp://moodle.example.com/token", "full web address"),
    ("token_url", "https://moodle.example.com:99999/token", "full web address"),
    ("keyset_url", "https://moodle.example.com/certs.php#frag", "full web address"),
    ("keyset_url", "http://10.0.0.5/certs.php", "https://"),
    ("deployment_ids", "", "at least one deployment ID"),
    ("deployment_ids", " \n , ", "at least one deployment ID"),
    ("deployment_ids", "x" * 300, "too long"),
])
def test_every_field_is_checked(client, admin, field, value, message):
    response = post_platform(client, {**GOOD, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(LtiPlatform)) is None


def test_a_duplicate_registration_is_refused_and_loopback_http_is_allowed(client, admin):
    assert post_platform(client, GOOD).status_code == 302
    again = post_platform(client, {**GOOD, "label": "Again"})
    assert again.status_code == 400 and "already registered" in again.get_data(as_text=True)
    local = {**GOOD, "issuer": "http://127.0.0.1:8080", "keyset_url": "http://localhost:8080/jwks"}
    assert post_platform(client, local).status_code == 302


def test_only_admins_see_the_pages(client, signed_in):
    signed_in("manager")
    for url in ["/admin/lti/", "/admin/lti/platforms/new"]:
        assert client.get(url).status_code == 403


def test_jwks_and_key_rotation(client, runner, admin):
    assert client.get("/lti/jwks").get_json() == {"keys": []}
    post_platform(client, GOOD)
    first = client.get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and "d" not in first[0] and first[0]["alg"] == "RS256"
    result = runner.invoke(args=["lti", "rotate-keys"])
    assert result.exit_code == 0 and first[0]["kid"] in result.output
    keys = client.get("/lti/jwks").get_json()["keys"]
    assert len(keys) == 2 and first[0]["kid"] in {k["kid"] for k in keys}  # the old key still published
    result = runner.invoke(args=["lti", "rotate-keys", "--grace-days", "0"])
    assert first[0]["kid"] in result.output.split("retired now:")[1]
    kids = {k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]}
    assert len(kids) == 2 and first[0]["kid"] not in kids
    assert "retired" in client.get("/admin/lti/").get_data(as_text=True)
    bad = runner.invoke(args=["lti", "rotate-keys", "--grace-days", "-1"])
    assert bad.exit_code != 0 and "-1" in bad.output
    token = csrf_token(client, "/admin/lti/")
    assert client.post("/admin/lti/keys/rotate", data={"csrf_token": token}).status_code == 302
    assert len(client.get("/lti/jwks").get_json()["keys"]) == 3


def test_private_keys_are_encrypted_and_a_new_secret_key_means_a_new_signing_key(app, client, admin):
    post_platform(client, GOOD)
    row = db.session.scalar(select(LtiKey))
    assert "PRIVATE KEY" not in row.private_pem and row.kid in row.public_jwk
    first = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    assert keys.signing_key().kid == first
    app.secret_key = app.config["SECRET_KEY"] = "another-secret-key-for-this-test-only-0123456789"
    signer = keys.signing_key()  # the old key cannot be decrypted any more: a new one signs
    db.session.commit()
    assert signer.kid != first
    published = {k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]}
    assert published == {first, signer.kid}  # the old one stays published until it retires
    assert [r.state for r in keys.key_rows()] == ["signing", "published"]
