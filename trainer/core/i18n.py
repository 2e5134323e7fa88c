"""Choosing the user's language: their saved preference, else the session's choice, else the
browser's Accept-Language, falling back to Simplified Chinese."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

SUPPORTED = ("zh_CN", "en")


def select_locale() -> str:
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.language in SUPPORTED:
            return current_user.language
    chosen = session.get("lang")
    if chosen in SUPPORTED:
        return chosen
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best == "en":
        return "en"
    return "zh_CN" if best else current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")


def content_language() -> str:
    """The content key ('zh' or 'en') matching the current UI locale."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"
