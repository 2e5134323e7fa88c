"""Configuration defaults. Environment variables prefixed ``TRAINER_`` override them at app
creation (never at import), e.g. ``TRAINER_SECRET_KEY`` or ``TRAINER_DATABASE_URL``."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": "dev-only-not-secret",
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from the instance folder when not set
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # TRAINER_SESSION_COOKIE_SECURE=1 behind HTTPS
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "trainer" / "translations"),
    "LANGUAGES": ["zh_CN", "en"],
    "CONTENT_ROOT": str(PROJECT_ROOT),
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_THROTTLE_WINDOW_MINUTES": 15,
    "CSV_IMPORT_MAX_BYTES": 1_000_000,  # larger user files are refused before they are parsed
    "SET_PASSWORD_LINK_DAYS": 14,  # how long an imported person's one-time set-password link works
    "REDIS_URL": None,  # TRAINER_REDIS_URL: simulation jobs go to RQ workers instead of in-process
    "SIM_WORKERS": 2,  # in-process simulation threads per app process
    "SIM_QUEUE": "trainer-sim",  # RQ queue name
    "SIM_JOB_TIMEOUT": 1800,  # seconds
    "SIM_MAX_CUSTOMERS": 5000,  # largest portfolio the policy lab accepts
    "QUIZ_TIMEZONE": "Asia/Shanghai",  # dates shown and due dates interpreted in this zone
    "ROLEPLAY_WORKSHOP_HOURS": 8,  # a workshop room code expires after this many hours
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
}

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
        settings[key] = _coerce(raw, DEFAULTS.get(key, ""))
    return settings


def build_config(instance_path: str, test_config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment, then the test mapping; SQLite in the instance folder if unset."""
    config = dict(DEFAULTS)
    config.update(from_environment(os.environ))
    if test_config:
        config.update(test_config)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(instance_path) / "trainer.sqlite")
    return config
