"""Single sign-on through OpenID Connect, with Authlib: the settings, the redirect to the provider,
and checking its answer (state, PKCE, the ID token's signature, issuer, audience, expiry and nonce).

Every way the answer can fail becomes one :class:`Refusal`, shown on a page that says what happened
in the person's language; nothing the provider (or someone replaying its answer) sends can raise a
500. Who the verified person becomes here is decided in :mod:`trainer.accounts.sso_accounts`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext as _l
from joserfc import errors as jose_errors
from werkzeug.wrappers import Response

from trainer.accounts.sso_rules import (
    ClaimNames,
    GroupMapping,
    MappingError,
    ProviderProfile,
    parse_group_mapping,
    profile_from_claims,
)
from trainer.config import ConfigError

CLIENT_NAME = "company"
SETTINGS_KEY = "sso_settings"
# Errors with which a provider says "this person may not sign in" (RFC 6749 4.1.2.1, OIDC core 3.1.2.6).
PROVIDER_REFUSALS = {"access_denied", "login_required", "interaction_required", "consent_required",
                     "account_selection_required", "unauthorized_client"}


@dataclass(frozen=True)
class SsoSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str
    label: str
    claims: ClaimNames
    mapping: GroupMapping
    create_users: bool
    clock_skew: int
    timeout: int
    local_passwords: bool
    break_glass_admin: str

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def password_allowed(self, email: str) -> bool:
        """Local passwords work for everyone, or (turned off) for the break-glass admin only."""
        return self.local_passwords or (bool(self.break_glass_admin) and email.strip().lower() == self.break_glass_admin)


class Refusal(enum.Enum):
    """Why a single sign-on did not let the person in: (HTTP status, message)."""

    NOT_CONFIGURED = (404, _l("Company sign-in is not set up on this site. Sign in with your email and password."))
    UNREACHABLE = (502, _l("The company sign-in service did not answer. Please try again in a few minutes."))
    PROVIDER_REFUSED = (403, _l("Your company account was not allowed to sign in (it may be disabled or not yet approved). Contact your IT help desk."))
    PROVIDER_ERROR = (400, _l("The company sign-in service reported an error and did not sign you in. Please start again."))
    STATE = (400, _l("This sign-in link has already been used or has expired. Please start the sign-in again."))
    SIGNATURE = (400, _l("The answer from the company sign-in service could not be verified, so it was refused. Please start again."))
    AUDIENCE = (400, _l("The sign-in answer was issued for a different application, so it was refused. Please start again."))
    ISSUER = (400, _l("The sign-in answer came from a different sign-in service than the one this site trusts, so it was refused."))
    EXPIRED = (400, _l("The sign-in answer had expired before it arrived. Check that this computer's clock is right, then start again."))
    NO_EMAIL = (403, _l("Your company account has no email address, so it cannot be matched to an account here. Contact your IT help desk."))
    UNVERIFIED_EMAIL = (403, _l("Your company account's email address is not verified, so it cannot be linked to an account here. Ask your IT help desk to verify it."))
    DISABLED = (403, _l("Your company account is disabled, so you have no access here. Contact your administrator."))
    DEACTIVATED = (403, _l("This account has been deactivated. Please contact your administrator."))
    NO_ACCOUNT = (403, _l("There is no account here for your email address yet. Ask your administrator to add you."))
    LINKED_ELSEWHERE = (409, _l("This account is already linked to a different company identity. Ask your administrator to check it."))
    BREAK_GLASS = (403, _l("This is the emergency administrator account: it signs in with its password only."))

    @property
    def status(self) -> int:
        return int(self.value[0])

    @property
    def message(self) -> str:
        return str(self.value[1])


class SsoRefused(Exception):
    """The sign-in stops here; the view shows ``reason``'s page."""

    def __init__(self, reason: Refusal):
        super().__init__(reason.name)
        self.reason = reason


def _group_mapping(config: Mapping[str, Any]) -> GroupMapping:
    raw: Any = config.get("OIDC_GROUP_MAPPING") or ""
    source = "TRAINER_OIDC_GROUP_MAPPING"
    if config.get("OIDC_GROUP_MAPPING_FILE"):
        source = f"TRAINER_OIDC_GROUP_MAPPING_FILE={config['OIDC_GROUP_MAPPING_FILE']}"
        try:
            raw = Path(config["OIDC_GROUP_MAPPING_FILE"]).read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{source} cannot be read: {error.strerror}.") from error
    try:
        return parse_group_mapping(raw)
    except MappingError as error:
        raise ConfigError(f"{source} is not a valid group mapping: {error}") from error


def settings_from_config(config: Mapping[str, Any]) -> SsoSettings:
    """The settings from the app config; a bad group mapping stops the app with the key to fix."""
    return SsoSettings(
        issuer=str(config.get("OIDC_ISSUER") or "").strip(),
        client_id=str(config.get("OIDC_CLIENT_ID") or "").strip(),
        client_secret=str(config.get("OIDC_CLIENT_SECRET") or ""),
        scopes=str(config.get("OIDC_SCOPES") or "openid email profile"),
        redirect_uri=str(config.get("OIDC_REDIRECT_URI") or "").strip(),
        label=str(config.get("OIDC_PROVIDER_LABEL") or ""),
        claims=ClaimNames(
            subject=config.get("OIDC_CLAIM_SUBJECT") or "sub",
            name=config.get("OIDC_CLAIM_NAME") or "name",
            email=config.get("OIDC_CLAIM_EMAIL") or "email",
            email_verified=config.get("OIDC_CLAIM_EMAIL_VERIFIED") or "email_verified",
            language=config.get("OIDC_CLAIM_LANGUAGE") or "locale",
            groups=config.get("OIDC_CLAIM_GROUPS") or "groups",
            disabled=config.get("OIDC_CLAIM_DISABLED") or "",
        ),
        mapping=_group_mapping(config),
        create_users=bool(config.get("OIDC_CREATE_USERS", True)),
        clock_skew=int(config.get("OIDC_CLOCK_SKEW_SECONDS", 60)),
        timeout=int(config.get("OIDC_TIMEOUT_SECONDS", 10)),
        local_passwords=bool(config.get("LOCAL_PASSWORDS", True)),
        break_glass_admin=str(config.get("BREAK_GLASS_ADMIN") or "").strip().lower(),
    )


def install(app: Flask) -> None:
    """Read the settings once and register the provider with Authlib (per app, so tests can run
    several apps against different providers)."""
    settings = settings_from_config(app.config)
    if settings.enabled and "openid" not in settings.scopes.split():
        raise ConfigError("TRAINER_OIDC_SCOPES must include openid.")
    app.extensions[SETTINGS_KEY] = settings
    if settings.enabled:
        oauth = OAuth(app)
        oauth.register(
            CLIENT_NAME,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=settings.discovery_url,
            client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256",
                           "default_timeout": settings.timeout},
        )


def current_settings() -> SsoSettings:
    settings: SsoSettings = current_app.extensions[SETTINGS_KEY]
    return settings


def _client() -> Any:
    if not current_settings().enabled:
        raise SsoRefused(Refusal.NOT_CONFIGURED)
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT_NAME)


def redirect_to_provider(redirect_uri: str, language: str) -> Response:
    """The redirect to the provider's sign-in page; state, nonce and PKCE verifier go to the session."""
    try:
        response: Response = _client().authorize_redirect(redirect_uri, ui_locales=language.replace("_", "-"))
    except (requests.RequestException, ValueError, KeyError) as error:
        raise SsoRefused(Refusal.UNREACHABLE) from error
    return response


def _token_refusal(error: Exception) -> Refusal:
    """Which refusal a failed ID-token check is."""
    if isinstance(error, jose_errors.ExpiredTokenError):
        return Refusal.EXPIRED
    claim = getattr(error, "claim", "")
    if claim in ("aud", "azp"):
        return Refusal.AUDIENCE
    if claim == "iss":
        return Refusal.ISSUER
    if claim == "nonce":
        return Refusal.STATE
    return Refusal.SIGNATURE


def _stop_on_provider_error(client: Any) -> None:
    """An error answer ends this sign-in, but only one this browser started (its state) shows the
    provider's refusal; any other is a stale or forged link."""
    error = request.args.get("error")
    if error is None:
        return
    state = request.args.get("state") or ""
    if not client.framework.get_state_data(session, state):
        raise SsoRefused(Refusal.STATE)
    client.framework.clear_state_data(session, state)
    raise SsoRefused(Refusal.PROVIDER_REFUSED if error in PROVIDER_REFUSALS else Refusal.PROVIDER_ERROR)


def _checked_token() -> dict[str, Any]:
    """Exchange the code and check the ID token (Authlib), mapping each failure to a refusal."""
    client = _client()
    _stop_on_provider_error(client)
    try:
        token: dict[str, Any] = client.authorize_access_token(leeway=current_settings().clock_skew)
    except MismatchingStateError as error:
        raise SsoRefused(Refusal.STATE) from error
    except OAuthError as error:
        refused = error.error in PROVIDER_REFUSALS
        raise SsoRefused(Refusal.PROVIDER_REFUSED if refused else Refusal.PROVIDER_ERROR) from error
    except jose_errors.JoseError as error:
        raise SsoRefused(_token_refusal(error)) from error
    except requests.RequestException as error:
        raise SsoRefused(Refusal.UNREACHABLE) from error
    except ValueError as error:  # a token that is not even a JWT, a non-JSON answer
        raise SsoRefused(Refusal.SIGNATURE) from error
    if not isinstance(token.get("userinfo"), Mapping):
        raise SsoRefused(Refusal.SIGNATURE)  # no ID token: nothing signed says who this is
    return token


def verified_profile() -> ProviderProfile:
    """The person the provider vouches for, from the checked ID token plus the userinfo endpoint
    (which some providers use for e-mail and groups). The ID token's claims win where both speak."""
    client = _client()
    token = _checked_token()
    claims = dict(token["userinfo"])
    metadata = client.load_server_metadata()
    if metadata.get("userinfo_endpoint"):
        try:
            info = dict(client.userinfo(token=token))
        except (requests.RequestException, ValueError) as error:
            raise SsoRefused(Refusal.UNREACHABLE) from error
        if info.get("sub") != claims.get("sub"):
            raise SsoRefused(Refusal.SIGNATURE)  # OIDC core 5.3.2: a different person's userinfo
        claims = {**info, **claims}
    profile = profile_from_claims(str(metadata.get("issuer") or current_settings().issuer), claims,
                                   current_settings().claims)
    if not profile.subject:
        raise SsoRefused(Refusal.SIGNATURE)
    return profile
