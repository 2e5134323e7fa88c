"""The single sign-on rules, kept pure: what the provider's claims say about a person (name, e-mail
and whether the provider verified it, language, groups), and what their groups give them here
(role, team memberships, teams managed, or no access at all).

Providers name their claims differently (Keycloak puts roles under ``realm_access.roles``, Entra ID
sends ``groups`` as object ids and proves e-mail ownership with ``xms_edov``), so every claim is a
configurable dotted path, and the group mapping is data: a JSON object, checked once at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ROLE_RANK = {"trainee": 0, "manager": 1, "admin": 2}
MAPPING_KEYS = {"default_role", "roles", "teams", "manages", "disabled_groups"}


class MappingError(ValueError):
    """The group mapping cannot be used; the message names the key to fix."""


@dataclass(frozen=True)
class ClaimNames:
    """Where each fact is in the provider's claims (dotted paths into nested objects)."""

    subject: str = "sub"
    name: str = "name"
    email: str = "email"
    email_verified: str = "email_verified"
    language: str = "locale"
    groups: str = "groups"
    disabled: str = ""  # a claim that is true for a blocked account (Authing: "blocked"); empty: none


@dataclass(frozen=True)
class ProviderProfile:
    """One person as the provider describes them at this sign-in."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str
    language: str | None
    groups: frozenset[str]
    blocked: bool = False  # the provider's own "disabled" claim said so


@dataclass(frozen=True)
class GroupMapping:
    """Provider groups -> our role and teams. Only teams named here are kept in step; a person's
    other teams (set by hand by an admin) are left alone."""

    default_role: str = "trainee"
    roles: Mapping[str, str] = field(default_factory=dict)
    teams: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    manages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    disabled_groups: frozenset[str] = frozenset()

    @property
    def mapped_teams(self) -> frozenset[str]:
        """Every team whose membership (or management) the mapping decides."""
        return frozenset(name for names in (*self.teams.values(), *self.manages.values()) for name in names)


@dataclass(frozen=True)
class MappedAccess:
    """What one person's groups give them here."""

    role: str
    member_of: frozenset[str]
    manager_of: frozenset[str]
    disabled: bool


def claim_value(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` (``realm_access.roles``), or None when any step is missing."""
    value: Any = claims
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return None
        value = value[step]
    return value


def _is_true(value: Any) -> bool:
    """True only for a real true (some providers send the string "true"); anything else is unverified."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _group_names(value: Any) -> frozenset[str]:
    """Groups arrive as a list, a single string, or (Authing, some bridges) a list of objects."""
    if isinstance(value, str):
        return frozenset({value.strip()} - {""})
    if not isinstance(value, list):
        return frozenset()
    names = set()
    for item in value:
        if isinstance(item, Mapping):
            item = item.get("code") or item.get("name") or item.get("id")
        if isinstance(item, str | int) and str(item).strip():
            names.add(str(item).strip())
    return frozenset(names)


def language_from(value: Any) -> str | None:
    """Our language for a BCP 47 tag (``zh-CN``, ``zh_Hans``, ``en-GB``); None for anything else."""
    if not isinstance(value, str):
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return {"zh": "zh_CN", "en": "en"}.get(primary)


def profile_from_claims(issuer: str, claims: Mapping[str, Any], names: ClaimNames) -> ProviderProfile:
    """The person the claims describe. The e-mail is lower-cased; missing facts become empty."""
    email = claim_value(claims, names.email)
    name = claim_value(claims, names.name)
    email_text = email.strip().lower() if isinstance(email, str) else ""
    return ProviderProfile(
        issuer=issuer,
        subject=str(claim_value(claims, names.subject) or ""),
        email=email_text,
        email_verified=bool(email_text) and _is_true(claim_value(claims, names.email_verified)),
        name=(name.strip() if isinstance(name, str) and name.strip() else email_text.split("@")[0])[:120],
        language=language_from(claim_value(claims, names.language)),
        groups=_group_names(claim_value(claims, names.groups)),
        blocked=bool(names.disabled) and _is_true(claim_value(claims, names.disabled)),
    )


def _names(value: Any, key: str) -> tuple[str, ...]:
    """A team name or a list of them; anything else is a configuration error."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) and item.strip() for item in items):
        raise MappingError(f"{key}: give a team name or a list of team names")
    return tuple(item.strip() for item in items)


def _mapping_of(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise MappingError(f"{key}: give an object from provider group to value")
    return value


def parse_group_mapping(raw: Any) -> GroupMapping:
    """Check and build the mapping from its JSON form; raise MappingError naming the bad key."""
    if raw is None or raw == "":
        return GroupMapping()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise MappingError(f"not valid JSON: {error}") from error
    if not isinstance(raw, Mapping):
        raise MappingError("give a JSON object with default_role, roles, teams, manages, disabled_groups")
    unknown = set(raw) - MAPPING_KEYS
    if unknown:
        raise MappingError(f"unknown keys {sorted(unknown)}; allowed: {sorted(MAPPING_KEYS)}")
    default_role = raw.get("default_role", "trainee")
    roles = _mapping_of(raw, "roles")
    for group, role in (("default_role", default_role), *roles.items()):
        if role not in ROLE_RANK:
            raise MappingError(f"roles.{group}: {role!r} is not one of {sorted(ROLE_RANK)}")
    disabled = raw.get("disabled_groups", [])
    if not isinstance(disabled, list) or not all(isinstance(group, str) for group in disabled):
        raise MappingError("disabled_groups: give a list of group names")
    return GroupMapping(
        default_role=default_role,
        roles=dict(roles),
        teams={group: _names(value, f"teams.{group}") for group, value in _mapping_of(raw, "teams").items()},
        manages={group: _names(value, f"manages.{group}") for group, value in _mapping_of(raw, "manages").items()},
        disabled_groups=frozenset(disabled),
    )


def mapped_access(groups: frozenset[str], mapping: GroupMapping) -> MappedAccess:
    """The highest role any group gives (else the default), the mapped teams, and whether a group
    says the person is disabled."""
    roles = [mapping.roles[group] for group in groups if group in mapping.roles]
    role = max(roles, key=ROLE_RANK.__getitem__, default=mapping.default_role)
    return MappedAccess(
        role=role,
        member_of=frozenset(team for group in groups for team in mapping.teams.get(group, ())),
        manager_of=frozenset(team for group in groups for team in mapping.manages.get(group, ())),
        disabled=bool(groups & mapping.disabled_groups),
    )
