"""The pure single sign-on rules: reading the provider's claims and the group mapping."""

from __future__ import annotations

import pytest

from trainer.accounts.sso_rules import (
    ClaimNames,
    GroupMapping,
    MappingError,
    claim_value,
    language_from,
    mapped_access,
    parse_group_mapping,
    profile_from_claims,
)

ISSUER = "https://sso.example.com/realms/sales"


def test_claims_are_read_along_dotted_paths_as_keycloak_nests_them():
    claims = {"sub": "1", "realm_access": {"roles": ["sales", "offline_access"]}}
    assert claim_value(claims, "realm_access.roles") == ["sales", "offline_access"]
    assert claim_value(claims, "realm_access.missing") is None
    assert claim_value(claims, "sub.deeper") is None


@pytest.mark.parametrize(("verified", "expected"), [
    (True, True), ("true", True), ("TRUE", True), (False, False), ("false", False), (None, False), (1, False),
    ("yes", False),
])
def test_only_a_real_true_counts_as_a_verified_email(verified, expected):
    claims = {"sub": "u1", "email": "A@Corp.Example", "email_verified": verified}
    profile = profile_from_claims(ISSUER, claims, ClaimNames())
    assert profile.email == "a@corp.example"
    assert profile.email_verified is expected


def test_without_an_email_nothing_is_verified_and_the_name_falls_back():
    profile = profile_from_claims(ISSUER, {"sub": "u1", "email_verified": True}, ClaimNames())
    assert (profile.email, profile.email_verified, profile.name) == ("", False, "")
    named = profile_from_claims(ISSUER, {"sub": "u1", "email": "li.lei@corp.example"}, ClaimNames())
    assert named.name == "li.lei"


def test_claim_names_are_configurable_for_entra_id():
    names = ClaimNames(email="preferred_username", email_verified="xms_edov", groups="roles", disabled="blocked")
    claims = {"sub": "oid-1", "preferred_username": "Wei@Corp.Example", "xms_edov": True,
              "roles": ["Trainer.Admin"], "blocked": "true"}
    profile = profile_from_claims(ISSUER, claims, names)
    assert (profile.email, profile.email_verified, profile.groups, profile.blocked) == (
        "wei@corp.example", True, frozenset({"Trainer.Admin"}), True)


@pytest.mark.parametrize(("raw", "expected"), [
    (["a", "b", ""], {"a", "b"}), ("solo", {"solo"}), ([{"code": "east"}, {"name": "west"}, {"id": 7}], {"east", "west", "7"}),
    (None, set()), (42, set()), ([None, ["nested"]], set()),
])
def test_groups_arrive_in_many_shapes(raw, expected):
    profile = profile_from_claims(ISSUER, {"sub": "u", "groups": raw}, ClaimNames())
    assert profile.groups == frozenset(expected)


@pytest.mark.parametrize(("tag", "language"), [
    ("zh-CN", "zh_CN"), ("zh_Hans", "zh_CN"), ("ZH", "zh_CN"), ("en-GB", "en"), ("en", "en"), ("fr-FR", None),
    ("", None), (None, None), (5, None),
])
def test_languages_from_bcp47_tags(tag, language):
    assert language_from(tag) == language


MAPPING = {
    "default_role": "trainee",
    "roles": {"managers": "manager", "admins": "admin"},
    "teams": {"east": "East", "both": ["East", "North"]},
    "manages": {"managers": ["East"]},
    "disabled_groups": ["leavers"],
}


def test_the_highest_role_and_every_mapped_team_win():
    mapping = parse_group_mapping(MAPPING)
    access = mapped_access(frozenset({"managers", "admins", "both", "unknown"}), mapping)
    assert access.role == "admin"
    assert access.member_of == {"East", "North"} and access.manager_of == {"East"}
    assert not access.disabled
    assert mapping.mapped_teams == {"East", "North"}


def test_people_in_no_mapped_group_get_the_default_role_and_a_disabled_group_wins():
    mapping = parse_group_mapping(MAPPING)
    assert mapped_access(frozenset(), mapping).role == "trainee"
    assert mapped_access(frozenset({"east", "leavers"}), mapping).disabled


def test_the_mapping_reads_json_text_and_empty_means_no_rules():
    assert parse_group_mapping('{"roles": {"a": "admin"}}').roles == {"a": "admin"}
    assert parse_group_mapping("") == GroupMapping()
    assert parse_group_mapping(None) == GroupMapping()


@pytest.mark.parametrize(("raw", "names"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ({"rolez": {}}, "unknown keys"),
    ({"roles": {"g": "boss"}}, "roles.g"),
    ({"default_role": "root"}, "default_role"),
    ({"roles": ["admin"]}, "roles"),
    ({"teams": {"g": 5}}, "teams.g"),
    ({"teams": {"g": [""]}}, "teams.g"),
    ({"manages": {"g": ["East", 3]}}, "manages.g"),
    ({"disabled_groups": "leavers"}, "disabled_groups"),
])
def test_a_bad_mapping_names_the_key_to_fix(raw, names):
    with pytest.raises(MappingError, match=names):
        parse_group_mapping(raw)
