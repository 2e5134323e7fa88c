"""The LTI 1.3 rules, kept pure: checking a platform's signed launch (the id_token) once its keys are
known, what the launch says (who, which course, which item, where grades go), the roles it gives,
and the messages we sign back (the deep-linking answer, the client assertion, a score).

JOSE work (signatures, keys) is joserfc's, the library Authlib's own JOSE is built on and which is
already a dependency; the HTTP around it (fetching the platform's keys, posting scores) lives in the
services. Every way a launch can fail raises :class:`LaunchRefused` with a :class:`Reason`.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from joserfc import errors as jose_errors
from joserfc import jws, jwt
from joserfc.jwk import KeySet, RSAKey

LTI_VERSION = "1.3.0"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
TARGET_LINK_URI = CLAIM + "target_link_uri"
RESOURCE_LINK = CLAIM + "resource_link"
ROLES = CLAIM + "roles"
CONTEXT = CLAIM + "context"
CUSTOM = CLAIM + "custom"
LAUNCH_PRESENTATION = CLAIM + "launch_presentation"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DEEP_LINKING_SETTINGS = DL + "deep_linking_settings"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_MEMBERSHIPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
MEMBERSHIPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

ALGORITHMS = ["RS256"]
# The items a course designer can embed, and the custom parameter that names one in a launch.
ITEM_KINDS = ("lesson", "quiz", "scenario", "preset")
GRADED_KINDS = ("quiz", "scenario")
ITEM_PARAMETER = "trainer_item"

ROLE_ADMIN_MARKS = ("#Administrator", "/Administrator", "SysAdmin")
ROLE_INSTRUCTOR_MARKS = ("#Instructor", "/Instructor", "#ContentDeveloper", "#TeachingAssistant", "#Mentor")


class Reason(enum.Enum):
    """Why a launch was refused (the services give each one a message in the person's language)."""

    UNKNOWN_ISSUER = "unknown_issuer"
    DISABLED_PLATFORM = "disabled_platform"
    MALFORMED = "malformed"
    SIGNATURE = "signature"
    KEYS_UNREACHABLE = "keys_unreachable"
    AUDIENCE = "audience"
    EXPIRED = "expired"
    NONCE = "nonce"
    STATE = "state"
    DEPLOYMENT = "deployment"
    MESSAGE_TYPE = "message_type"
    VERSION = "version"
    MISSING_CLAIM = "missing_claim"
    UNKNOWN_ITEM = "unknown_item"
    NO_ACCOUNT = "no_account"
    NOT_INSTRUCTOR = "not_instructor"
    DEEP_LINK_EXPIRED = "deep_link_expired"


class LaunchRefused(Exception):
    def __init__(self, reason: Reason, detail: str = ""):
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Item:
    """One thing of ours a platform can link to: ``quiz:m1-quiz``."""

    kind: str
    ident: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ident}"

    @property
    def graded(self) -> bool:
        return self.kind in GRADED_KINDS


def parse_item(value: object) -> Item | None:
    """``kind:id`` as the deep-linking answer wrote it, or None for anything else."""
    if not isinstance(value, str) or ":" not in value or len(value) > 200:
        return None
    kind, ident = value.split(":", 1)
    if kind not in ITEM_KINDS or not ident or any(ch.isspace() or ord(ch) < 32 for ch in ident):
        return None
    return Item(kind, ident)


@dataclass(frozen=True)
class Grades:
    """The Assignment and Grade Services endpoint of a launch."""

    scopes: frozenset[str]
    lineitem: str
    lineitems: str


@dataclass(frozen=True)
class DeepLinkSettings:
    return_url: str
    data: str | None
    accept_types: frozenset[str]
    accept_multiple: bool
    accept_lineitem: bool


@dataclass(frozen=True)
class Launch:
    """What a checked launch says."""

    message_type: str
    issuer: str
    subject: str
    deployment_id: str
    name: str
    email: str
    locale: str
    roles: tuple[str, ...]
    context_id: str
    context_title: str
    resource_link_id: str
    resource_link_title: str
    item: Item | None
    grades: Grades | None
    memberships_url: str
    deep_linking: DeepLinkSettings | None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Expectations:
    """What this launch must match: the platform as registered and the nonce we stored."""

    issuer: str
    client_id: str
    deployment_ids: frozenset[str]
    nonces: frozenset[str]  # the nonces this browser's login initiations stored and have not used
    now: int
    leeway: int = 60


def _unchecked(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWS before any check."""
    try:
        compact = jws.extract_compact(token.encode("ascii"))
        claims = json.loads(compact.payload)
    except (jose_errors.JoseError, ValueError, TypeError, IndexError, UnicodeError) as error:
        raise LaunchRefused(Reason.MALFORMED) from error
    if not isinstance(claims, dict):
        raise LaunchRefused(Reason.MALFORMED)
    return dict(compact.headers()), claims


def unverified_issuer(token: str) -> str:
    """The ``iss`` of a token before any check: only to find which platform's keys to check it with."""
    issuer = _unchecked(token)[1].get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise LaunchRefused(Reason.MALFORMED, "no iss")
    return issuer


def key_id(token: str) -> str:
    """The ``kid`` in the token's header ('' when absent)."""
    kid = _unchecked(token)[0].get("kid")
    return kid if isinstance(kid, str) else ""


def verify_signature(token: str, keys: KeySet) -> dict[str, Any]:
    """The token's claims when one of ``keys`` signed it with RS256."""
    try:
        return dict(jwt.decode(token, keys, algorithms=ALGORITHMS).claims)
    except jose_errors.InvalidKeyIdError as error:
        raise LaunchRefused(Reason.SIGNATURE, "unknown kid") from error
    except (jose_errors.JoseError, ValueError, TypeError) as error:
        raise LaunchRefused(Reason.SIGNATURE) from error


def check_claims(claims: Mapping[str, Any], expect: Expectations) -> Launch:
    """Every check of LTI 1.3 core 5.1.3 after the signature; the launch it describes."""
    if claims.get("iss") != expect.issuer:
        raise LaunchRefused(Reason.UNKNOWN_ISSUER)
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(audiences, list) or expect.client_id not in audiences:
        raise LaunchRefused(Reason.AUDIENCE)
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != expect.client_id:
        raise LaunchRefused(Reason.AUDIENCE, "azp")
    _check_times(claims, expect)
    if not isinstance(claims.get("nonce"), str) or claims["nonce"] not in expect.nonces:
        raise LaunchRefused(Reason.NONCE)
    if claims.get(VERSION) != LTI_VERSION:
        raise LaunchRefused(Reason.VERSION)
    if claims.get(DEPLOYMENT_ID) not in expect.deployment_ids:
        raise LaunchRefused(Reason.DEPLOYMENT)
    message_type = claims.get(MESSAGE_TYPE)
    if message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise LaunchRefused(Reason.MESSAGE_TYPE)
    return _launch(claims, str(message_type))


def _check_times(claims: Mapping[str, Any], expect: Expectations) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise LaunchRefused(Reason.MISSING_CLAIM, "exp/iat")
    if exp + expect.leeway < expect.now:
        raise LaunchRefused(Reason.EXPIRED)
    if iat - expect.leeway > expect.now:
        raise LaunchRefused(Reason.EXPIRED, "issued in the future")


def _text(value: object, limit: int = 255) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _launch(claims: Mapping[str, Any], message_type: str) -> Launch:
    subject = _text(claims.get("sub"))
    if not subject:
        raise LaunchRefused(Reason.MISSING_CLAIM, "sub")
    link, context = _mapping(claims.get(RESOURCE_LINK)), _mapping(claims.get(CONTEXT))
    roles = claims.get(ROLES)
    if not isinstance(roles, list):
        raise LaunchRefused(Reason.MISSING_CLAIM, "roles")
    deep = _deep_linking(claims) if message_type == DEEP_LINKING_REQUEST else None
    if message_type == RESOURCE_LINK_REQUEST and not _text(link.get("id")):
        raise LaunchRefused(Reason.MISSING_CLAIM, "resource_link.id")
    custom = _mapping(claims.get(CUSTOM))
    name = _text(claims.get("name")) or " ".join(
        part for part in (_text(claims.get("given_name")), _text(claims.get("family_name"))) if part
    )
    return Launch(
        message_type=message_type, issuer=str(claims["iss"]), subject=subject,
        deployment_id=str(claims[DEPLOYMENT_ID]), name=name[:120], email=_text(claims.get("email"), 254).lower(),
        locale=_text(claims.get("locale"), 16) or _text(_mapping(claims.get(LAUNCH_PRESENTATION)).get("locale"), 16),
        roles=tuple(role for role in roles if isinstance(role, str)),
        context_id=_text(context.get("id")), context_title=_text(context.get("title"), 120),
        resource_link_id=_text(link.get("id")), resource_link_title=_text(link.get("title"), 200),
        item=parse_item(custom.get(ITEM_PARAMETER)), grades=_grades(claims),
        memberships_url=_text(_mapping(claims.get(NRPS)).get("context_memberships_url"), 1000),
        deep_linking=deep,
    )


def _grades(claims: Mapping[str, Any]) -> Grades | None:
    endpoint = _mapping(claims.get(AGS_ENDPOINT))
    if not endpoint:
        return None
    scopes = endpoint.get("scope")
    return Grades(
        scopes=frozenset(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else frozenset(),
        lineitem=_text(endpoint.get("lineitem"), 1000),
        lineitems=_text(endpoint.get("lineitems"), 1000),
    )


def _deep_linking(claims: Mapping[str, Any]) -> DeepLinkSettings:
    settings = _mapping(claims.get(DEEP_LINKING_SETTINGS))
    return_url = _text(settings.get("deep_link_return_url"), 1000)
    if not return_url:
        raise LaunchRefused(Reason.MISSING_CLAIM, "deep_link_return_url")
    types = settings.get("accept_types")
    if isinstance(types, list) and "ltiResourceLink" not in types:
        raise LaunchRefused(Reason.MESSAGE_TYPE, "the platform accepts no resource links here")
    data = settings.get("data")
    return DeepLinkSettings(
        return_url=return_url,
        data=data if isinstance(data, str) else None,
        accept_types=frozenset(t for t in types if isinstance(t, str)) if isinstance(types, list) else frozenset(),
        accept_multiple=settings.get("accept_multiple") is True,
        accept_lineitem=settings.get("accept_lineitem") is not False,
    )


# --- roles ------------------------------------------------------------------------------------------


def _has(roles: Iterable[str], marks: Sequence[str]) -> bool:
    return any(role.endswith(mark) or role == mark.lstrip("#/") for role in roles for mark in marks)


def context_role(roles: Iterable[str]) -> str:
    """The person's place in this course: 'instructor' (teaches it, administers it) or 'learner'."""
    roles = list(roles)
    return "instructor" if _has(roles, ROLE_INSTRUCTOR_MARKS) or _has(roles, ROLE_ADMIN_MARKS) else "learner"


def site_role(roles: Iterable[str], *, trust_admins: bool) -> str:
    """Our role for these platform roles: Administrator -> admin (only when the platform's
    registration trusts its administrators, otherwise manager), Instructor -> manager, else trainee."""
    roles = list(roles)
    if _has(roles, ROLE_ADMIN_MARKS):
        return "admin" if trust_admins else "manager"
    if _has(roles, ROLE_INSTRUCTOR_MARKS):
        return "manager"
    return "trainee"


ROLE_RANK = {"trainee": 0, "manager": 1, "admin": 2}


def raised_role(current: str, offered: str) -> str:
    """A launch may raise someone's role, never lower it: a manager who is a learner in one course
    stays a manager, and roles set here by an admin win over a platform's."""
    return offered if ROLE_RANK.get(offered, 0) > ROLE_RANK.get(current, 0) else current


# --- what we sign -----------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def client_assertion(*, client_id: str, token_url: str, now: int, key: RSAKey, jti: str) -> str:
    """The signed JWT with which we ask the platform for an access token (RFC 7523)."""
    claims = {"iss": client_id, "sub": client_id, "aud": token_url, "iat": now, "exp": now + 300, "jti": jti}
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)


def content_item(item: Item, *, title: str, url: str, with_lineitem: bool) -> dict[str, Any]:
    """One ltiResourceLink content item; graded items ask the platform for a gradebook column."""
    entry: dict[str, Any] = {"type": "ltiResourceLink", "title": title[:200], "url": url,
                             "custom": {ITEM_PARAMETER: item.key}}
    if item.graded and with_lineitem:
        entry["lineItem"] = {"scoreMaximum": 100, "label": title[:200], "resourceId": item.key}
    return entry


def deep_linking_response(
    *, client_id: str, issuer: str, deployment_id: str, data: str | None, items: list[dict[str, Any]],
    now: int, key: RSAKey, nonce: str, message: str = "",
) -> str:
    """The signed LtiDeepLinkingResponse the browser posts back to the platform."""
    claims: dict[str, Any] = {
        "iss": client_id, "aud": [issuer], "iat": now, "exp": now + 600, "nonce": nonce,
        MESSAGE_TYPE: DEEP_LINKING_RESPONSE, VERSION: LTI_VERSION, DEPLOYMENT_ID: deployment_id,
        DL + "content_items": items,
    }
    if data is not None:
        claims[DL + "data"] = data
    if message:
        claims[DL + "msg"] = message[:200]
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)


def score_payload(*, user_id: str, given: float, maximum: float, timestamp: str, comment: str = "") -> dict[str, Any]:
    """An AGS score for a finished activity (its fields as AGS 2.0 section 3.4 names them)."""
    payload: dict[str, Any] = {
        "userId": user_id, "scoreGiven": round(max(0.0, min(given, maximum)), 4), "scoreMaximum": maximum,
        "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": timestamp,
    }
    if comment:
        payload["comment"] = comment[:500]
    return payload


# --- the registration's URLs ------------------------------------------------------------------------

LOOPBACK_HOSTS = {"localhost"}


def url_problem(value: str) -> str | None:
    """Why ``value`` cannot be a platform endpoint (None when it can): absolute https, or http on
    this machine only (a test or development platform); no user names, fragments or spaces."""
    value = value.strip()
    if not value or len(value) > 500 or any(ch.isspace() for ch in value):
        return "shape"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return "shape"
    _ = port
    if not parts.hostname or parts.username or parts.password or parts.fragment:
        return "shape"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _loopback(parts.hostname):
        return None
    return "https" if parts.scheme == "http" else "shape"


def _loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL (for CSP frame-ancestors)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def parse_deployment_ids(text: str) -> tuple[list[str], list[str]]:
    """Deployment ids, one per line or comma separated: (the ids, the problems)."""
    ids: list[str] = []
    problems: list[str] = []
    for raw in text.replace(",", "\n").splitlines():
        value = raw.strip()
        if not value:
            continue
        if len(value) > 255 or any(ord(ch) < 32 for ch in value):
            problems.append(value[:40])
        elif value not in ids:
            ids.append(value)
    return ids, problems



def unverified_audiences(token: str) -> list[str]:
    """The ``aud`` of a token before any check (to pick the registration among one issuer's)."""
    audiences = _unchecked(token)[1].get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    return [a for a in audiences if isinstance(a, str)] if isinstance(audiences, list) else []
