"""Request-level wiring shared by every blueprint: who is logged in, forced password changes,
security headers, error pages and template helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from trainer.core.i18n import content_language, text_language
from trainer.core.time import local_day, local_time_html
from trainer.extensions import db, login_manager

P = ParamSpec("P")
R = TypeVar("R")

# Endpoints a user who must change their password may still reach.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(*, frame_ancestors: tuple[str, ...] = (), form_action: tuple[str, ...] = ()) -> str:
    """The site's policy, letting the given origins frame the page or receive its forms (LTI: a
    registered learning platform shows us in an iframe and takes the deep-linking answer)."""
    policy = CONTENT_SECURITY_POLICY
    if form_action:
        policy = policy.replace("form-action 'self'", "form-action 'self' " + " ".join(form_action))
    if frame_ancestors:
        policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self' " + " ".join(frame_ancestors))
    return policy


# Browsers that reached us over HTTPS keep to HTTPS for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
# The last resort when even the error template fails (for example the database is down): both languages.
PLAIN_SERVER_ERROR = (
    "<!doctype html><meta charset=utf-8><title>500</title>"
    "<h1>出错了 / Something went wrong (500)</h1>"
    "<p>请稍后再试；如果一直出现，请联系管理员。 / Please try again; if it keeps happening, tell your administrator.</p>"
)


# The main navigation: (endpoint, label, roles allowed). An entry shows only once its feature's
# endpoint exists, so features add themselves by registering their blueprint.
NAVIGATION: list[tuple[str, Any, tuple[str, ...]]] = [
    ("main.home", _l("Home"), ("trainee", "manager", "admin")),
    ("learn.course", _l("Course"), ("trainee", "manager", "admin")),
    ("learn.glossary", _l("Glossary"), ("trainee", "manager", "admin")),
    ("quiz.index", _l("Quizzes"), ("trainee", "manager", "admin")),
    ("quiz.review", _l("Daily review"), ("trainee", "manager", "admin")),
    ("roleplay.index", _l("Role-play"), ("trainee", "manager", "admin")),
    # not in the admin's header: it has no room left in English at 1280 px (admins review through the dashboard)
    ("writing.index", _l("Writing"), ("trainee", "manager")),
    ("sim.index", _l("Policy lab"), ("trainee", "manager", "admin")),
    ("scorecard.index", _l("Scorecard"), ("trainee", "manager", "admin")),
    ("manage.dashboard", _l("My teams"), ("manager", "admin")),
    ("admin.users", _l("Users"), ("admin",)),
    ("admin.teams", _l("Teams"), ("admin",)),
    ("admin.content", _l("Content"), ("admin",)),
    ("admin.audit_log", _l("Audit log"), ("admin",)),
    ("notify.outbox_page", _l("Outbox"), ("admin",)),
    ("lti_admin.index", _l("LTI platforms"), ("admin",)),
]


@dataclass(frozen=True)
class NavEntry:
    """One item of the main navigation: a link, or (with ``children``) a labelled menu of links."""

    label: str
    url: str = ""
    is_current: bool = False
    children: tuple[NavEntry, ...] = ()


ADMIN_MENU_LABEL = _l("Manage")


def highlight_navigation(endpoint: str) -> None:
    """Mark ``endpoint``'s item as the current one for this request, for pages that belong to
    another item than their own endpoint's feature (a daily-review attempt is "Daily review")."""
    g.nav_endpoint = endpoint


def _current_endpoint(visible: list[str]) -> str | None:
    """The item to highlight: the one the view chose, else the page's own endpoint, else the first
    item of the same feature (so a quiz attempt highlights "Quizzes", not also "Daily review")."""
    chosen = g.get("nav_endpoint") or request.endpoint or ""
    if chosen in visible:
        return chosen
    feature = chosen.split(".")[0]
    if feature in ("main", "admin"):
        return None
    return next((e for e in visible if e.split(".")[0] == feature), None)


def nav_items(app: Flask) -> list[NavEntry]:
    """The current user's navigation. An admin's management pages (the ones trainees never see)
    gather under one "Manage" menu, so the header stays one row at 1280 px in both languages."""
    if not current_user.is_authenticated:
        return []
    cached = g.get("_trainer_nav")
    if cached is not None:  # the page shows the menu twice (desktop and mobile): build it once
        return cast(list[NavEntry], cached)
    role = current_user.role
    visible = [
        (endpoint, label, roles)
        for endpoint, label, roles in NAVIGATION
        if endpoint in app.view_functions and role in roles
    ]
    current = _current_endpoint([endpoint for endpoint, _, _ in visible])
    urls = app.extensions.setdefault("nav_urls", {})  # the entries take no arguments: build each URL once
    root = request.script_root
    entries: list[NavEntry] = []
    grouped: list[NavEntry] = []
    for endpoint, label, roles in visible:
        if (endpoint, root) not in urls:
            urls[(endpoint, root)] = url_for(endpoint)
        entry = NavEntry(str(label), urls[(endpoint, root)], endpoint == current)
        in_admin_menu = role == "admin" and "trainee" not in roles
        (grouped if in_admin_menu else entries).append(entry)
    if grouped:
        is_current = any(child.is_current for child in grouped)
        entries.append(NavEntry(str(ADMIN_MENU_LABEL), "", is_current, tuple(grouped)))
    g._trainer_nav = entries
    return entries


def role_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R | ResponseReturnValue]]:
    """Allow the view only to logged-in users with one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | ResponseReturnValue:
            if not current_user.is_authenticated:
                return cast(ResponseReturnValue, login_manager.unauthorized())
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, fallback: str) -> str:
    """Only follow redirects to paths on this site (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return fallback


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def served_over_https() -> bool:
    """The request came over HTTPS, or the site says it is only served that way."""
    return request.is_secure or current_app.config.get("PREFERRED_URL_SCHEME") == "https"


def add_security_headers(response: Response) -> Response:
    """Headers on every response: CSP and friends; HSTS over HTTPS; and ``no-store`` whenever the
    signed cookie names a user, so neither the browser's back button nor a shared proxy keeps a copy
    of someone's pages (static files, the same for everyone, stay cacheable)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
        response.headers.setdefault("X-Frame-Options", "DENY")  # a page some platform may frame has none
    if served_over_https():
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if session.get("_user_id") is not None and request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def server_error_page(error: InternalServerError) -> tuple[str, int]:
    """Our own 500 page in the reader's language, never the exception's text. The failed request's
    database transaction is rolled back first, so the page itself can still read the user."""
    _ = error
    db.session.rollback()
    try:
        return (
            render_template(
                "errors/error.html",
                code=500,
                title=str(_l("Something went wrong")),
                message=str(
                    _l("The page could not be shown because of an error on our side. It has been logged; please try again, and if it keeps happening tell your administrator.")
                ),
            ),
            500,
        )
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        return PLAIN_SERVER_ERROR, 500


def install_web_hooks(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.register_error_handler(InternalServerError, server_error_page)
    # Stored times are naive UTC; every page shows them in the site's zone through these filters.
    app.add_template_filter(local_time_html, "localtime")
    app.add_template_filter(local_day, "localday")
    app.add_template_filter(text_language, "text_lang")

    @app.context_processor
    def template_helpers() -> dict[str, Any]:
        return {"content_lang": content_language(), "nav_items": lambda: nav_items(app)}

    def error_page(code: int, title: str, message: str) -> tuple[str, int]:
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return error_page(
            400,
            str(_l("Form expired")),
            str(_l("The form was missing its security token or it expired. Reload the page and try again; nothing was saved.")),
        )

    @app.errorhandler(403)
    def forbidden(error: HTTPException) -> tuple[str, int]:
        return error_page(403, str(_l("Not allowed")), str(_l("You do not have access to this page.")))

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> tuple[str, int]:
        return error_page(404, str(_l("Not found")), str(_l("We could not find that page.")))

    @app.errorhandler(413)
    def too_large(error: HTTPException) -> tuple[str, int]:
        return error_page(413, str(_l("File too large")), str(_l("The upload is larger than the limit.")))
