"""Choosing the user's language: their saved preference, else the session's choice, else the
browser's Accept-Language, falling back to Simplified Chinese."""

from __future__ import annotations

import re
from typing import Any

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

SUPPORTED = ("zh_CN", "en")
_CATALOGUE = "_trainer_catalogue"


def _page_catalogue() -> NullTranslations:
    """The request's translations, looked up once per locale: Flask-Babel's own lookup walks about
    nine context-proxy steps for each string, and a page translates dozens. Keyed by the locale
    object Flask-Babel keeps for the request, so ``force_locale`` (the certificate) still switches."""
    store = g._get_current_object()  # one context lookup for the reads below, not one per read
    locale = getattr(store.get("_flask_babel"), "babel_locale", None)
    cached = store.get(_CATALOGUE)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]  # type: ignore[no-any-return]
    translations = get_translations()
    setattr(store, _CATALOGUE, (getattr(store.get("_flask_babel"), "babel_locale", None), translations))
    return translations


# The templates' ``_()``, ``gettext()`` and the rest, with the semantics of Jinja's "newstyle" gettext
# (the translation is marked safe under autoescape, then always %-formatted with the keyword
# arguments, ``num`` and ``context`` filled in), but one call deep: Jinja's own wrappers reach the
# catalogue through two more context calls (``_`` -> ``gettext`` -> the function), and a course page
# translates about a hundred strings.


def _formatted(context: Context, text: str, variables: dict[str, Any]) -> str:
    if context.eval_ctx.autoescape:
        return Markup(text) % variables
    return text % variables


@pass_context
def _gettext(__context: Context, __string: str, **variables: Any) -> str:
    return _formatted(__context, _page_catalogue().ugettext(__string), variables)


@pass_context
def _ngettext(__context: Context, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
    variables.setdefault("num", __num)
    return _formatted(__context, _page_catalogue().ungettext(__singular, __plural, __num), variables)


@pass_context
def _pgettext(__context: Context, __string_ctx: str, __string: str, **variables: Any) -> str:
    variables.setdefault("context", __string_ctx)
    return _formatted(__context, _page_catalogue().upgettext(__string_ctx, __string), variables)


@pass_context
def _npgettext(
    __context: Context, __string_ctx: str, __singular: str, __plural: str, __num: int, **variables: Any
) -> str:
    variables.setdefault("context", __string_ctx)
    variables.setdefault("num", __num)
    text = _page_catalogue().unpgettext(__string_ctx, __singular, __plural, __num)
    return _formatted(__context, text, variables)


def install_template_gettext(app: Flask) -> None:
    """Templates' ``_()``/``gettext()``/``ngettext()``/``pgettext()``/``npgettext()`` through
    :func:`_page_catalogue` (same strings, same results as Jinja's newstyle gettext)."""
    env = app.jinja_env
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # compiles {% trans %} as newstyle calls
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext)


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
