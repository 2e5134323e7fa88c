"""The pure LTI rules: claim checks (audience and azp, times, nonce, version, deployment, message
type, required claims), roles, item names, registration URLs and what we sign."""

from __future__ import annotations

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from trainer.lti import rules
from trainer.lti.rules import LaunchRefused, Reason

NOW = 1_800_000_000
EXPECT = rules.Expectations(issuer="https://lms.example.com", client_id="tool", deployment_ids=frozenset({"d1"}),
                            nonces=frozenset({"n1"}), now=NOW, leeway=60)


def claims(**changes):
    base = {
        "iss": "https://lms.example.com", "aud": "tool", "sub": "u1", "iat": NOW - 5, "exp": NOW + 300, "nonce": "n1",
        rules.VERSION: "1.3.0", rules.DEPLOYMENT_ID: "d1", rules.MESSAGE_TYPE: rules.RESOURCE_LINK_REQUEST,
        rules.ROLES: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        rules.RESOURCE_LINK: {"id": "rl"}, rules.CUSTOM: {"trainer_item": "quiz:q1"},
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def test_a_good_launch():
    launch = rules.check_claims(claims(), EXPECT)
    assert launch.item == rules.Item("quiz", "q1") and launch.item.graded and launch.grades is None


@pytest.mark.parametrize(("changes", "reason"), [
    ({"aud": ["other"]}, Reason.AUDIENCE),
    ({"aud": ["tool", "other"]}, Reason.AUDIENCE),  # several audiences need azp
    ({"aud": ["tool", "other"], "azp": "other"}, Reason.AUDIENCE),
    ({"azp": "other"}, Reason.AUDIENCE),
    ({"exp": NOW - 61}, Reason.EXPIRED),
    ({"iat": NOW + 3600}, Reason.EXPIRED),
    ({"exp": None}, Reason.MISSING_CLAIM),
    ({"nonce": "n2"}, Reason.NONCE),
    ({"nonce": None}, Reason.NONCE),
    ({rules.VERSION: "1.1"}, Reason.VERSION),
    ({rules.DEPLOYMENT_ID: "d2"}, Reason.DEPLOYMENT),
    ({rules.MESSAGE_TYPE: "LtiSubmissionReviewRequest"}, Reason.MESSAGE_TYPE),
    ({"sub": ""}, Reason.MISSING_CLAIM),
    ({rules.ROLES: None}, Reason.MISSING_CLAIM),
    ({rules.RESOURCE_LINK: None}, Reason.MISSING_CLAIM),
    ({"iss": "https://other.example.com"}, Reason.UNKNOWN_ISSUER),
])
def test_refusals(changes, reason):
    with pytest.raises(LaunchRefused) as refused:
        rules.check_claims(claims(**changes), EXPECT)
    assert refused.value.reason == reason


def test_several_audiences_with_our_azp_pass():
    assert rules.check_claims(claims(aud=["tool", "x"], azp="tool"), EXPECT).subject == "u1"


def test_deep_linking_needs_a_return_url():
    deep = claims(**{rules.MESSAGE_TYPE: rules.DEEP_LINKING_REQUEST, rules.RESOURCE_LINK: None})
    with pytest.raises(LaunchRefused):
        rules.check_claims(deep, EXPECT)
    deep[rules.DEEP_LINKING_SETTINGS] = {"deep_link_return_url": "https://lms/dl", "accept_multiple": True}
    settings = rules.check_claims(deep, EXPECT).deep_linking
    assert settings.return_url == "https://lms/dl" and settings.accept_multiple and settings.accept_lineitem
    deep[rules.DEEP_LINKING_SETTINGS]["accept_types"] = ["file", "html"]  # nothing we can answer with
    with pytest.raises(LaunchRefused) as refused:
        rules.check_claims(deep, EXPECT)
    assert refused.value.reason == Reason.MESSAGE_TYPE


@pytest.mark.parametrize(("roles", "trust", "site", "course"), [
    (["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], False, "trainee", "learner"),
    (["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], False, "manager", "instructor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], False, "manager", "instructor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], True, "admin", "instructor"),
    (["Instructor"], False, "manager", "instructor"),  # LTI 1.1 short names
    ([], False, "trainee", "learner"),
])
def test_roles(roles, trust, site, course):
    assert rules.site_role(roles, trust_admins=trust) == site
    assert rules.context_role(roles) == course


def test_a_launch_never_lowers_a_role():
    assert rules.raised_role("admin", "trainee") == "admin" and rules.raised_role("trainee", "manager") == "manager"


@pytest.mark.parametrize("value", ["quiz", "quiz:", "exam:q1", "quiz:a b", 7, None, "lesson:" + "x" * 300])
def test_bad_item_names(value):
    assert rules.parse_item(value) is None


@pytest.mark.parametrize(("url", "problem"), [
    ("https://lms.example.com/auth", None), ("http://127.0.0.1:8000/x", None), ("http://localhost/x", None),
    ("http://[::1]:80/x", None), ("http://lms.example.com/auth", "https"), ("lms.example.com", "shape"),
    ("https://", "shape"), ("https://a b.com", "shape"), ("https://u:p@lms.example.com", "shape"),
    ("https://lms.example.com:70000/", "shape"), ("mailto:x@y.z", "shape"), ("", "shape"),
])
def test_registration_urls(url, problem):
    assert rules.url_problem(url) == problem


def test_deployment_ids():
    assert rules.parse_deployment_ids("1\n2, 2\n\n3") == (["1", "2", "3"], [])
    assert rules.parse_deployment_ids("ok\nbad\x01")[1] == ["bad\x01"]


def test_what_we_sign_verifies_with_our_public_key():
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    public = KeySet.import_key_set({"keys": [key.as_dict(private=False)]})
    item = rules.content_item(rules.Item("quiz", "q1"), title="Quiz", url="https://tool/lti/launch", with_lineitem=True)
    token = rules.deep_linking_response(client_id="tool", issuer="https://lms", deployment_id="d1", data="x",
                                        items=[item], now=NOW, key=key, nonce="nn")
    decoded = jwt.decode(token, public, algorithms=["RS256"]).claims
    assert decoded["aud"] == ["https://lms"] and decoded[rules.DL + "data"] == "x"
    assert decoded[rules.DL + "content_items"][0]["lineItem"]["resourceId"] == "quiz:q1"
    assert rules.verify_signature(token, public)["iss"] == "tool"
    with pytest.raises(LaunchRefused):
        rules.verify_signature(token[:-6] + "AAAAAA", public)
    assert rules.unverified_issuer(token) == "tool" and rules.key_id(token) == "k1"
    payload = rules.score_payload(user_id="u", given=120, maximum=100, timestamp="t")
    assert payload["scoreGiven"] == 100 and payload["activityProgress"] == "Completed"
