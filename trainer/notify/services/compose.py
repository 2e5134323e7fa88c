"""Messages as the person will read them: subject, plain text and HTML in their language, links that
start with the site's public address. HTML is rendered from templates with inline styles and no
remote assets, then sanitised (nh3) and wrapped in a fixed document."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nh3
from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import escape

# Which preference switch silences each kind (None: always sent, e.g. a password reset).
CATEGORY: dict[str, str | None] = {
    "assigned": "assignments", "assignment_edited": "assignments", "assignment_cancelled": "assignments",
    "reminder": "reminders", "overdue": "overdue", "digest": "digest",
    "workshop": None, "certificate": None, "set_password": None, "password_reset": None,
}
KINDS = tuple(CATEGORY)

SUBJECTS = {
    "assigned": _l("New assignment: %(title)s, due %(due)s"),
    "assignment_edited": _l("Assignment changed: %(title)s, now due %(due)s"),
    "assignment_cancelled": _l("Assignment cancelled: %(title)s"),
    "reminder": _l("Reminder: %(title)s is due %(due)s"),
    "overdue": _l("Overdue: %(title)s was due %(due)s"),
    "digest": _l("Weekly digest: %(count)s overdue in your teams"),
    "workshop": _l("Invitation: %(title)s, %(start)s"),
    "certificate": _l("Your certificate: %(course)s"),
    "set_password": _l("Your Receivables Trainer account: choose a password"),
    "password_reset": _l("Reset your Receivables Trainer password"),
}

TAGS = {"a", "b", "br", "div", "em", "h1", "h2", "p", "span", "strong", "table", "tbody", "td", "th", "thead",
        "tr", "ul", "li", "code"}
ATTRIBUTES = {"*": {"style"}, "a": {"href"}, "td": {"align"}, "th": {"align", "scope"}}
UNSUBSCRIBE_SALT = "mail-unsubscribe"


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def base_url() -> str:
    """Where links point: TRAINER_MAIL_BASE_URL, else the address this request came in on."""
    configured = str(current_app.config.get("MAIL_BASE_URL") or "")
    if configured:
        return configured.rstrip("/") + "/"
    return request.host_url if has_request_context() else "http://localhost:5000/"


@contextmanager
def mail_context(language: str) -> Iterator[None]:
    """url_for(_external=True) against the public address, gettext in the reader's language."""
    with link_context(), force_locale(language):
        yield


def sanitize(fragment: str) -> str:
    return nh3.clean(fragment, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel=None)


def _document(language: str, subject: str, body: str) -> str:
    lang = "en" if language == "en" else "zh-CN"
    return ('<!doctype html>\n<html lang="' + lang + '"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(subject)}</title></head>"
            '<body style="margin:0;padding:0;background:#f3f5f7;">' + body + "</body></html>\n")


@lru_cache(maxsize=64)
def _subject_pattern(kind: str, language: str) -> str:
    """The translated subject line before its values go in (looked up once per kind and language)."""
    with force_locale(language):
        return str(SUBJECTS[kind])


def subject_of(kind: str, language: str, values: Mapping[str, Any]) -> str:
    return _subject_pattern(kind, language) % {k: v for k, v in values.items() if isinstance(v, str | int)}


def compose(kind: str, language: str, values: Mapping[str, Any]) -> Composed:
    """Render one message in ``language`` (zh_CN or en); ``values`` fill the templates and subject."""
    with mail_context(language):
        subject = subject_of(kind, language, values)
        context = dict(values, subject=subject, mail_lang="en" if language == "en" else "zh")
        text = render_template(f"notify/mail/{kind}.txt", **context)
        body = sanitize(render_template(f"notify/mail/{kind}.html", **context))
    return Composed(subject=subject, text=text.strip() + "\n", html=_document(language, subject, body))


LINKS_MARK = "trainer.mail_links"


@contextmanager
def link_context() -> Iterator[None]:
    """One request context for building many links (a bulk queue builds thousands)."""
    if has_request_context() and request.environ.get(LINKS_MARK):
        yield
        return
    with current_app.test_request_context("/", base_url=base_url(), environ_overrides={LINKS_MARK: True}):
        yield


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail (the same public address the bodies use)."""
    with link_context():
        return str(current_app.url_for(endpoint, _external=True, **values))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, category: str) -> str:
    return str(_serializer().dumps([user_id, category]))


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, category) from a link we signed; None for anything else (never raises)."""
    if not token or len(token) > 200:
        return None
    try:
        value = _serializer().loads(token)
    except (BadSignature, ValueError, UnicodeError):
        return None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int)
            or value[1] not in set(CATEGORY.values()) - {None}):
        return None
    return value[0], value[1]
