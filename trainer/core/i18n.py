"""Choosing the user's language: their saved preference, else the session's choice, else the
browser's Accept-Language, falling back to Simplified Chinese."""

from __future__ import annotations

import re
from typing import Any

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user

SUPPORTED = ("zh_CN", "en")
_CATALOGUE = "_trainer_catalogue"


def _page_catalogue() -> NullTranslations:
    """The request's translations, looked up once per locale: Flask-Babel's own lookup walks about
    nine context-proxy steps for each string, and a page translates dozens. Keyed by the locale
    object Flask-Babel keeps for the request, so ``force_locale`` (the certificate) still switches."""
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    cached = g.get(_CATALOGUE)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]  # type: ignore[no-any-return]
    translations = get_translations()
    setattr(g, _CATALOGUE, (getattr(g.get("_flask_babel"), "babel_locale", None), translations))
    return translations


def _gettext(string: str) -> str:
    return _page_catalogue().ugettext(string)


def _ngettext(singular: str, plural: str, number: int) -> str:
    return _page_catalogue().ungettext(singular, plural, number)


def _pgettext(context: str, string: str) -> str:
    return _page_catalogue().upgettext(context, string)


def _npgettext(context: str, singular: str, plural: str, number: int) -> str:
    return _page_catalogue().unpgettext(context, singular, plural, number)


def install_template_gettext(app: Flask) -> None:
    """Templates' ``_()``/``ngettext()`` through :func:`_page_catalogue` (same strings, same results)."""
    callables: dict[str, Any] = {"gettext": _gettext, "ngettext": _ngettext, "pgettext": _pgettext,
                                 "npgettext": _npgettext}
    # The i18n extension (added by Flask-Babel) puts this method on the environment at run time.
    app.jinja_env.install_gettext_callables(newstyle=True, **callables)  # type: ignore[attr-defined]


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


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def text_language(text: object) -> str:
    """'zh' for text with Chinese characters, else 'en': the ``lang`` of something people or the
    content wrote in either language (an accepted answer, a typed reply), for screen readers."""
    return "zh" if _CJK.search(str(text or "")) else "en"


def content_language() -> str:
    """The content key ('zh' or 'en') matching the current UI locale."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"
