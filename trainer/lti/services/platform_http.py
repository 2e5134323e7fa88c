"""Calling a platform's services: an access token by the client-credentials grant with our signed
JWT assertion (LTI security framework 4.1), cached until shortly before it expires."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

from trainer.lti import rules
from trainer.lti.models import LtiPlatform
from trainer.lti.services import keys


class PlatformCallFailed(Exception):
    """The platform did not give what was asked; the message says what happened (kept in the outbox)."""


_tokens: dict[tuple[int, str], tuple[float, str]] = {}
_lock = threading.Lock()


def clear_tokens() -> None:
    with _lock:
        _tokens.clear()


def access_token(platform: LtiPlatform, scopes: list[str], timeout: float) -> str:
    scope = " ".join(sorted(set(scopes)))
    with _lock:
        cached = _tokens.get((platform.id, scope))
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    assertion = rules.client_assertion(
        client_id=platform.client_id, token_url=platform.token_url, now=int(time.time()),
        key=keys.signing_key(), jti=rules.new_token(),
    )
    try:
        response = requests.post(platform.token_url, timeout=timeout, data={
            "grant_type": "client_credentials", "client_assertion_type": rules.CLIENT_ASSERTION_TYPE,
            "client_assertion": assertion, "scope": scope,
        })
    except requests.RequestException as error:
        raise PlatformCallFailed(f"token endpoint unreachable: {type(error).__name__}") from error
    body = _json(response)
    token = body.get("access_token") if isinstance(body, dict) else None
    if response.status_code != 200 or not isinstance(token, str) or not token:
        raise PlatformCallFailed(f"token endpoint answered {response.status_code}: {str(body)[:200]}")
    lifetime = body.get("expires_in")
    lifetime = lifetime if isinstance(lifetime, int) and lifetime > 0 else 3600
    with _lock:
        _tokens[(platform.id, scope)] = (time.monotonic() + max(0, lifetime - 60), token)
    return token


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:200]


def post_json(platform: LtiPlatform, url: str, payload: dict[str, Any], *, scopes: list[str],
              media_type: str, timeout: float) -> None:
    token = access_token(platform, scopes, timeout)
    try:
        response = requests.post(url, json=payload, timeout=timeout, headers={
            "Authorization": f"Bearer {token}", "Content-Type": media_type,
        })
    except requests.RequestException as error:
        raise PlatformCallFailed(f"{url} unreachable: {type(error).__name__}") from error
    if response.status_code not in (200, 201, 202, 204):
        raise PlatformCallFailed(f"{url} answered {response.status_code}: {response.text[:200]}")


def get_json(platform: LtiPlatform, url: str, *, scopes: list[str], accept: str,
             timeout: float) -> tuple[Any, requests.Response]:
    token = access_token(platform, scopes, timeout)
    try:
        response = requests.get(url, timeout=timeout, headers={"Authorization": f"Bearer {token}", "Accept": accept})
    except requests.RequestException as error:
        raise PlatformCallFailed(f"{url} unreachable: {type(error).__name__}") from error
    if response.status_code != 200:
        raise PlatformCallFailed(f"{url} answered {response.status_code}: {response.text[:200]}")
    return _json(response), response
