"""The launch, step by step: the platform's login initiation (we store a nonce bound to this
browser's state cookie and send the browser to the platform's auth endpoint), then its form post of
the signed id_token, checked against the platform's keys (fetched from its keyset URL, cached,
fetched again for an unknown key id), the registration, the stored nonce (used once) and the state.

Every failure is a :class:`rules.LaunchRefused`; :func:`refusal_text` says it in the reader's language.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select, update

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.lti import rules
from trainer.lti.models import LtiNonce, LtiPlatform
from trainer.lti.rules import LaunchRefused, Reason
from trainer.lti.services import platforms

NONCE_LIFETIME = timedelta(minutes=10)
KEYSET_TTL_SECONDS = 300
MIN_REFETCH_SECONDS = 5

REFUSALS: dict[Reason, tuple[int, Any]] = {
    Reason.UNKNOWN_ISSUER: (403, _l("This learning platform is not registered here, so the launch was refused. Ask your administrator to register it.")),
    Reason.DISABLED_PLATFORM: (403, _l("Launches from this learning platform are switched off here. Ask your administrator.")),
    Reason.MALFORMED: (400, _l("The launch did not carry a readable sign-in token, so it was refused. Start again from your course.")),
    Reason.SIGNATURE: (400, _l("The launch could not be verified (its signature did not match the platform's keys), so it was refused.")),
    Reason.KEYS_UNREACHABLE: (502, _l("The learning platform's keys could not be fetched, so the launch could not be checked. Try again in a few minutes.")),
    Reason.AUDIENCE: (400, _l("The launch was issued for a different tool, so it was refused.")),
    Reason.EXPIRED: (400, _l("The launch had expired before it arrived. Check that this computer's clock is right, then start again from your course.")),
    Reason.NONCE: (400, _l("This launch has already been used or has expired. Start again from your course.")),
    Reason.STATE: (400, _l("This launch did not start in this browser, or your browser blocked the tool's cookie. Open the activity in a new window, or allow cookies for this site, and start again.")),
    Reason.DEPLOYMENT: (403, _l("This deployment of the tool is not registered here, so the launch was refused. Ask your administrator to add its deployment ID.")),
    Reason.MESSAGE_TYPE: (400, _l("The platform sent a kind of launch this tool does not offer.")),
    Reason.VERSION: (400, _l("The platform did not launch with LTI version 1.3, so the launch was refused.")),
    Reason.MISSING_CLAIM: (400, _l("The launch left out information this tool needs, so it was refused. Ask your administrator to check the platform's settings.")),
    Reason.UNKNOWN_ITEM: (404, _l("The activity this link points to no longer exists here. Ask your course designer to pick it again.")),
    Reason.NO_ACCOUNT: (403, _l("Your account here is deactivated, so the launch was refused. Contact your administrator.")),
    Reason.NOT_INSTRUCTOR: (403, _l("Only the course's instructors and designers can choose activities to add.")),
    Reason.DEEP_LINK_EXPIRED: (400, _l("This choice of activities is no longer open. Start adding the activity again from your course.")),
}


def refusal_text(reason: Reason) -> tuple[int, str]:
    status, message = REFUSALS[reason]
    return status, str(message)


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoginRedirect:
    url: str
    state: str


def _platform_for_login(params: Mapping[str, str]) -> LtiPlatform:
    issuer = (params.get("iss") or "").strip()
    if not issuer or not params.get("login_hint"):
        raise LaunchRefused(Reason.MISSING_CLAIM, "iss/login_hint")
    found = platforms.for_issuer(issuer, (params.get("client_id") or "").strip() or None)
    if not found:
        raise LaunchRefused(Reason.UNKNOWN_ISSUER)
    active = [p for p in found if p.active]
    if not active:
        raise LaunchRefused(Reason.DISABLED_PLATFORM)
    deployment = params.get("lti_deployment_id")
    if deployment:
        active = [p for p in active if deployment in p.deployments] or active
    return active[0]


def start_login(params: Mapping[str, str], launch_url: str) -> LoginRedirect:
    """Third-party login initiation (LTI core 5.1.1): a nonce stored against a new state; the
    browser goes on to the platform's auth endpoint. Committed."""
    platform = _platform_for_login(params)
    state, nonce = rules.new_token(), rules.new_token()
    moment = utcnow()
    db.session.execute(delete(LtiNonce).where(LtiNonce.created_at < moment - 6 * NONCE_LIFETIME))
    db.session.add(LtiNonce(platform_id=platform.id, nonce=nonce, state_hash=state_hash(state), created_at=moment))
    db.session.commit()
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": platform.client_id, "redirect_uri": launch_url, "login_hint": params["login_hint"],
        "state": state, "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return LoginRedirect(url=platform.auth_login_url + separator + urlencode(query), state=state)


# --- the platform's keys ----------------------------------------------------------------------------


class KeysetCache:
    """Platforms' JWKS documents by URL, kept for a few minutes; an unknown key id fetches again
    (a platform rotated its keys), at most every few seconds per URL."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, KeySet]] = {}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, url: str, kid: str, timeout: float) -> KeySet:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(url)
        if entry is not None:
            fetched, keyset = entry
            fresh = now - fetched < KEYSET_TTL_SECONDS
            known = not kid or any(key.kid == kid for key in keyset.keys)
            if fresh and (known or now - fetched < MIN_REFETCH_SECONDS):
                return keyset
        keyset = _fetch_keyset(url, timeout)
        with self._lock:
            self._entries[url] = (now, keyset)
        return keyset


def _fetch_keyset(url: str, timeout: float) -> KeySet:
    try:
        response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
        return KeySet.import_key_set({"keys": [key for key in document["keys"] if key.get("kty") == "RSA"]})
    except (requests.RequestException, ValueError, KeyError, TypeError, AttributeError, JoseError) as error:
        raise LaunchRefused(Reason.KEYS_UNREACHABLE, url) from error


KEYSETS = KeysetCache()


# --- the launch -------------------------------------------------------------------------------------


def _open_nonces(state: str, platform_id: int) -> frozenset[str]:
    query = select(LtiNonce.nonce).where(
        LtiNonce.state_hash == state_hash(state), LtiNonce.platform_id == platform_id,
        LtiNonce.used_at.is_(None), LtiNonce.created_at >= utcnow() - NONCE_LIFETIME,
    )
    return frozenset(db.session.scalars(query).all())


def _platform_for_token(token: str) -> LtiPlatform:
    issuer = rules.unverified_issuer(token)
    found = platforms.for_issuer(issuer)
    if not found:
        raise LaunchRefused(Reason.UNKNOWN_ISSUER)
    audiences = rules.unverified_audiences(token)
    matching = [p for p in found if p.client_id in audiences]
    if not matching:
        raise LaunchRefused(Reason.AUDIENCE)
    if not matching[0].active:
        raise LaunchRefused(Reason.DISABLED_PLATFORM)
    return matching[0]


def _use_nonce(nonce: str) -> None:
    used = db.session.execute(
        update(LtiNonce).where(LtiNonce.nonce == nonce, LtiNonce.used_at.is_(None)).values(used_at=utcnow())
    )
    if getattr(used, "rowcount", 0) != 1:
        db.session.rollback()
        raise LaunchRefused(Reason.NONCE, "replayed")


def check_launch(id_token: str, posted_state: str, cookie_state: str, *, timeout: float, leeway: int) -> tuple[LtiPlatform, rules.Launch]:
    """The platform and what its launch says, every check passed; the nonce is spent (committed)."""
    if not id_token or len(id_token) > 64_000:
        raise LaunchRefused(Reason.MALFORMED)
    platform = _platform_for_token(id_token)
    if not posted_state or not cookie_state or not hmac.compare_digest(posted_state, cookie_state):
        raise LaunchRefused(Reason.STATE)
    keyset = KEYSETS.get(platform.keyset_url, rules.key_id(id_token), timeout)
    claims = rules.verify_signature(id_token, keyset)
    nonces = _open_nonces(posted_state, platform.id)
    if not nonces and isinstance(claims.get("nonce"), str):
        raise LaunchRefused(Reason.NONCE)
    launch = rules.check_claims(claims, rules.Expectations(
        issuer=platform.issuer, client_id=platform.client_id, deployment_ids=frozenset(platform.deployments),
        nonces=nonces, now=int(time.time()), leeway=leeway,
    ))
    _use_nonce(str(claims["nonce"]))
    db.session.commit()
    return platform, launch
