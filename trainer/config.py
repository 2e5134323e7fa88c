"""Configuration defaults. Environment variables prefixed ``TRAINER_`` override them at app
creation (never at import), e.g. ``TRAINER_SECRET_KEY`` or ``TRAINER_DATABASE_URL``."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The key the code once fell back to: published in the repository, so it never signs a real session.
DEV_SECRET_KEY = "dev-only-not-secret"

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # TRAINER_SECRET_KEY; required outside debug and testing (see resolve_secret_key)
    "SECRET_KEY_FILE": None,  # TRAINER_SECRET_KEY_FILE: a file holding the key (`make run` writes one)
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from the instance folder when not set
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # TRAINER_SESSION_COOKIE_SECURE=1 behind HTTPS
    # Proxies in front of the app that set X-Forwarded-For/-Proto/-Host (docs/deploying.md); 0: none, and
    # the headers are ignored. Behind a proxy the throttles need the person's address, not the proxy's.
    "PROXY_HOPS": 0,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "trainer" / "translations"),
    "LANGUAGES": ["zh_CN", "en"],
    "CONTENT_ROOT": str(PROJECT_ROOT),
    "CONTENT_CACHE": True,  # keep the validated content on disk between starts (see trainer/content/cache.py)
    "CONTENT_CACHE_DIR": None,  # where; None: the instance folder
    # Entries each per-process cache of the dashboard keeps (one per person and quarter; least recently
    # used dropped first): enough for the largest team anyone opens, bounded for a long-lived worker.
    "CACHE_ENTRIES": 10_000,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS": 5,  # one account from one address
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 20,  # one account from every address (distributed guessing)
    "LOGIN_THROTTLE_WINDOW_MINUTES": 15,
    "SESSION_IDLE_MINUTES": 120,  # signed out after this long without a request
    "SESSION_MAX_HOURS": 12,  # signed out this long after signing in, however active
    "CSV_IMPORT_MAX_BYTES": 1_000_000,  # larger user files are refused before they are parsed
    "SET_PASSWORD_LINK_DAYS": 14,  # how long an imported person's one-time set-password link works
    "REDIS_URL": None,  # TRAINER_REDIS_URL: the Redis that RQ workers take simulation jobs from
    "JOB_BACKEND": "",  # thread (in-process pool) | rq (production); empty: rq when REDIS_URL is set
    "SIM_WORKERS": 2,  # in-process simulation threads per app process
    "SIM_FRONTIER": True,  # place each run against its preset's efficient frontier (a few extra runs per job)
    "SIM_PROCESSES": 0,  # processes a job spreads its seeds over (replications, frontier); 0: every core
    "SIM_QUEUE": "trainer-sim",  # RQ queue name
    "SIM_JOB_TIMEOUT": 1800,  # seconds
    "SIM_USER_MAX_RUNNING": 2,  # one person's simulations running at once
    "SIM_USER_MAX_QUEUED": 5,  # one person's simulations waiting; more are refused
    "SIM_MAX_RUNNING": 4,  # the global concurrency cap over every worker
    "SIM_MAX_WAITING": 40,  # simulations waiting in total before the lab says it is busy
    "SIM_HEARTBEAT_SECONDS": 5,  # a running job's worker writes heartbeat_at this often
    "SIM_STALE_SECONDS": 60,  # a job without a heartbeat for this long has lost its worker
    "SIM_MAX_CUSTOMERS": 5000,  # largest portfolio the policy lab accepts
    "QUIZ_TIMEZONE": "Asia/Shanghai",  # dates shown and due dates interpreted in this zone
    "ROLEPLAY_WORKSHOP_HOURS": 8,  # a workshop room code expires after this many hours
    "JOIN_MAX_GUESSES_PER_USER": 10,  # wrong room codes a minute before /join asks to wait
    "JOIN_MAX_GUESSES_PER_ADDRESS": 100,  # the same from one address (a workshop shares one)
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    # Single sign-on through an OpenID Connect provider (README: "Single sign-on"); off while no issuer.
    "OIDC_ISSUER": "",  # e.g. https://sso.example.com/realms/sales; discovery at /.well-known/openid-configuration
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_SCOPES": "openid email profile",
    "OIDC_REDIRECT_URI": "",  # the callback as the provider knows it; empty: this site's /login/sso/callback
    "OIDC_PROVIDER_LABEL": "",  # the button's name (e.g. "公司账号"); empty: "company account"
    "OIDC_CLAIM_SUBJECT": "sub",
    "OIDC_CLAIM_NAME": "name",
    "OIDC_CLAIM_EMAIL": "email",
    "OIDC_CLAIM_EMAIL_VERIFIED": "email_verified",  # Entra ID: xms_edov
    "OIDC_CLAIM_LANGUAGE": "locale",
    "OIDC_CLAIM_GROUPS": "groups",  # Keycloak realm roles: realm_access.roles
    "OIDC_CLAIM_DISABLED": "",  # a claim that is true for a blocked account (Authing: blocked)
    "OIDC_GROUP_MAPPING": "",  # JSON: {"default_role", "roles", "teams", "manages", "disabled_groups"}
    "OIDC_GROUP_MAPPING_FILE": "",  # or a file holding that JSON
    "OIDC_CREATE_USERS": True,  # first sign-in of an unknown verified e-mail creates the account
    "OIDC_CLOCK_SKEW_SECONDS": 60,  # tolerated clock difference when checking the ID token's times
    "OIDC_TIMEOUT_SECONDS": 10,  # each request to the provider
    "LOCAL_PASSWORDS": True,  # False: only single sign-on, except the break-glass admin below
    "BREAK_GLASS_ADMIN": "",  # e-mail of the one admin who may still use a password (emergency access)
    # E-mail (see README, "E-mail"): no host means nothing leaves; messages wait in the admins' outbox page.
    "MAIL_SMTP_HOST": "",
    "MAIL_SMTP_PORT": 0,  # 0: 587 for starttls and none, 465 for ssl
    "MAIL_SMTP_SECURITY": "starttls",  # starttls | ssl | none
    "MAIL_SMTP_USER": "",
    "MAIL_SMTP_PASSWORD": "",
    "MAIL_SMTP_TIMEOUT": 30,
    "MAIL_FROM": "",  # the From address, e.g. trainer@example.com
    "MAIL_BASE_URL": "",  # how links in e-mails start, e.g. https://trainer.example.com
    "MAIL_RESET_LINK_MINUTES": 60,  # a password-reset link works this long, once
    "MAIL_RESET_MAX_PER_HOUR": 3,  # reset e-mails one account can get in an hour
    "MAIL_SEND_BATCH": 200,  # messages one `flask notify run` sends at most
}

# Settings that must be whole numbers of at least 1 (a zero limit or timeout would lock everyone out).
POSITIVE_INTEGERS = (
    "LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS",
    "LOGIN_MAX_FAILURES_PER_ACCOUNT",
    "LOGIN_THROTTLE_WINDOW_MINUTES",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
    "OIDC_TIMEOUT_SECONDS",
    "CACHE_ENTRIES",
)

MISSING_SECRET_KEY = (
    "Refusing to start: TRAINER_SECRET_KEY is not set (or is the published development value), so "
    "anyone could forge a session cookie and sign in as any user. Set TRAINER_SECRET_KEY to a long "
    "random value (for example the output of `python -c 'import secrets; print(secrets.token_hex(32))'`) "
    "or TRAINER_SECRET_KEY_FILE to a file that holds one, and start again. For local use `make run` "
    "and `flask --app trainer run --debug` create instance/secret_key once and reuse it."
)


class ConfigError(RuntimeError):
    """The settings cannot run the app safely; the message says which variable to fix."""


MAX_PROXY_HOPS = 5

# Environment names that map onto a different config key than TRAINER_<KEY>.
ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def _coerce(raw: str, default: Any) -> Any:
    """Environment values are strings; give them the type of the default they replace."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, (dict, list)):
        return json.loads(raw)
    return raw


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings taken from ``TRAINER_*`` variables, typed like their defaults."""
    settings: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("TRAINER_"):
            continue
        key = name.removeprefix("TRAINER_")
        key = ALIASES.get(key, key)
        try:
            settings[key] = _coerce(raw, DEFAULTS.get(key, ""))
        except ValueError as error:
            raise ConfigError(f"{name}={raw!r} is not valid: {error}") from error
    return settings


def build_config(instance_path: str, test_config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment, then the test mapping; SQLite in the instance folder if unset."""
    config = dict(DEFAULTS)
    config.update(from_environment(os.environ))
    if test_config:
        config.update(test_config)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(instance_path) / "trainer.sqlite")
    hops = config.get("PROXY_HOPS")
    if isinstance(hops, bool) or not isinstance(hops, int) or not 0 <= hops <= MAX_PROXY_HOPS:
        raise ConfigError(f"TRAINER_PROXY_HOPS must be a whole number from 0 to {MAX_PROXY_HOPS} "
                          f"(the proxies in front of the app), not {hops!r}.")
    for key in POSITIVE_INTEGERS:
        value = config.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"TRAINER_{key} must be a whole number of at least 1, not {value!r}.")
    return config


def read_secret_key_file(path: Path) -> str:
    """The key in ``path`` (surrounding whitespace ignored); refused when missing or empty."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(f"TRAINER_SECRET_KEY_FILE={path} cannot be read: {error.strerror}.") from error
    if not key or key == DEV_SECRET_KEY:
        raise ConfigError(f"TRAINER_SECRET_KEY_FILE={path} holds no usable key. {MISSING_SECRET_KEY}")
    return key


def ensure_secret_key_file(path: Path) -> str:
    """Create ``path`` with a random key (mode 0600) unless it already holds one; return the key.

    Used for local runs only (`make run`, debug), so the two-command start needs no setting and
    sessions survive a restart; production sets TRAINER_SECRET_KEY or its own key file.
    """
    if path.exists() and path.read_text(encoding="utf-8").strip():
        return read_secret_key_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    os.chmod(path, 0o600)  # os.open's mode is masked by the umask; make sure nobody else can read it
    return read_secret_key_file(path)


def resolve_secret_key(config: Mapping[str, Any], instance_path: str, *, debug: bool, testing: bool) -> str:
    """The key that signs sessions: TRAINER_SECRET_KEY, else the key file, else (debug only) one made
    once in the instance folder, else (tests only) the development value; otherwise refuse to start."""
    key = config.get("SECRET_KEY")
    if isinstance(key, str | bytes) and key.strip() and key != DEV_SECRET_KEY:
        return key if isinstance(key, str) else key.decode()
    if config.get("SECRET_KEY_FILE"):
        return read_secret_key_file(Path(config["SECRET_KEY_FILE"]))
    if debug:
        return ensure_secret_key_file(Path(instance_path) / "secret_key")
    if testing:
        return DEV_SECRET_KEY
    raise ConfigError(MISSING_SECRET_KEY)


def main(argv: list[str]) -> int:
    """``python -m trainer.config ensure-secret-key PATH``: what `make run` calls before starting."""
    if len(argv) != 2 or argv[0] != "ensure-secret-key":
        print("usage: python -m trainer.config ensure-secret-key PATH", file=sys.stderr)
        return 2
    ensure_secret_key_file(Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
