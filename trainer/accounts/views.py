"""Signing in and out (with a password, or through the company's OpenID provider), changing the
password, choosing the language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from trainer.accounts import password_links, sessions, signin, sso, sso_accounts
from trainer.accounts import services as accounts
from trainer.accounts.forms import ChangePasswordForm, LanguageForm, LoginForm, NewPasswordForm
from trainer.accounts.models import User
from trainer.core.i18n import content_language
from trainer.core.readonly import commit_allowed_on_get
from trainer.core.time import utcnow
from trainer.core.web import client_address, safe_next
from trainer.extensions import login_manager

bp = Blueprint("auth", __name__, template_folder="templates")

# Keys in the signed Flask session: the server-side session's token, and when it was last used
# (seconds since the epoch, UTC; see trainer.accounts.sessions for why it lives in the cookie).
SESSION_TOKEN = "sid"
LAST_SEEN = "seen"
SIGNED_IN_WITH = "via"  # "sso" (company sign-in) or "lti" (a platform's launch): no password to force a change of
SSO_NEXT = "sso_next"  # where to go after the provider sends the person back


def _limits() -> signin.ThrottleLimits:
    config = current_app.config
    return signin.ThrottleLimits(
        per_account_address=config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"],
        per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        window=timedelta(minutes=config["LOGIN_THROTTLE_WINDOW_MINUTES"]),
    )


def _session_limits() -> sessions.SessionLimits:
    config = current_app.config
    return sessions.SessionLimits(
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]), absolute=timedelta(hours=config["SESSION_MAX_HOURS"])
    )


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def _from_epoch(value: object) -> datetime | None:
    """The cookie's last-seen time; None when missing or not a number (signed, but be strict)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def _sign_in(user: User, via: str = "password") -> None:
    login_user(user)
    session[SESSION_TOKEN] = sessions.start(user, _session_limits())
    session[LAST_SEEN] = _epoch(utcnow())
    session[SIGNED_IN_WITH] = via
    session["lang"] = user.language


def sign_in_verified(user: User, via: str) -> None:
    """Sign in a person another feature has verified (an LTI launch): a different person signed in
    in this browser is signed out first, their server-side session ended."""
    if current_user.is_authenticated and current_user.id != user.id:
        sessions.end(session.get(SESSION_TOKEN))
        _forget_session()
    _sign_in(user, via=via)


def _forget_session() -> None:
    logout_user()
    session.pop(SESSION_TOKEN, None)
    session.pop(LAST_SEEN, None)
    session.pop(SIGNED_IN_WITH, None)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    settings = sso.current_settings()
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        if not settings.password_allowed(form.email.data):
            form.password.errors.append(_("Password sign-in is turned off here. Use the company sign-in button."))
        else:
            try:
                user = signin.authenticate(form.email.data, form.password.data, client_address(), _limits())
            except accounts.AccountError as error:
                form.password.errors.append(str(error.message))
            else:
                _sign_in(user)
                return redirect(safe_next(form.next.data, url_for("main.home")))
    return render_template("auth/login.html", form=form, sso_enabled=settings.enabled,
                           sso_label=settings.label or _("company account"),
                           passwords_open=settings.local_passwords)


def _sso_refused(reason: sso.Refusal) -> ResponseReturnValue:
    """The page for a company sign-in that did not let the person in: what happened, what to do."""
    response = make_response(render_template("auth/sso_refused.html", reason=reason), reason.status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/sso")
def sso_start() -> ResponseReturnValue:
    """Off to the company's sign-in page; it sends the person back to :func:`sso_callback`."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session[SSO_NEXT] = safe_next(request.args.get("next", ""), "")
    try:
        callback = sso.current_settings().redirect_uri or url_for("auth.sso_callback", _external=True)
        return sso.redirect_to_provider(callback, "en" if content_language() == "en" else "zh-CN")
    except sso.SsoRefused as refused:
        return _sso_refused(refused.reason)


@bp.route("/login/sso/callback")
def sso_callback() -> ResponseReturnValue:
    """The provider's answer. A GET by the protocol, yet it signs in (and may link or create the
    account): allowed to commit because only the browser that started the sign-in holds its
    single-use state, so a crawler or a replay cannot change anything (see trainer.core.readonly)."""
    try:
        profile = sso.verified_profile()
        with commit_allowed_on_get():
            user = sso_accounts.sign_in(profile, sso.current_settings())
            _sign_in(user, via="sso")
    except sso.SsoRefused as refused:
        return _sso_refused(refused.reason)
    return redirect(safe_next(session.pop(SSO_NEXT, ""), url_for("main.home")))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    sessions.end(session.get(SESSION_TOKEN))
    _forget_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    if not sso.current_settings().password_allowed(current_user.email):
        flash(_("Password sign-in is turned off here: you sign in with your company account."), "info")
        return redirect(url_for("main.home"))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data, session.get(SESSION_TOKEN)
            )
        except accounts.AccountError as error:
            getattr(form, error.field or "new_password").errors.append(str(error.message))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


LINK_STATUS = {password_links.LinkState.UNKNOWN: 404}  # expired, used or deactivated: gone (410)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    """An imported person's one-time link: choose the first password, then sign in with it."""
    form = NewPasswordForm()
    state, _row = password_links.check(token)
    problem = None if state is password_links.LinkState.VALID else password_links.LINK_PROBLEMS[state]
    if problem is None and form.validate_on_submit():
        try:
            password_links.redeem(token, form.new_password.data)
        except password_links.LinkError as error:
            state, problem = error.state, error.message
        except accounts.AccountError as error:
            form.new_password.errors.append(str(error.message))
        else:
            flash(_("Your password is set. Sign in with your email and the new password."), "success")
            return redirect(url_for("auth.login"))
    status = 200 if problem is None else LINK_STATUS.get(state, 410)
    response = make_response(render_template("auth/set_password.html", form=form, problem=problem), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


@bp.route("/language", methods=["POST"])
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.language.data
        accounts.set_language(current_user if current_user.is_authenticated else None, form.language.data)
    return redirect(safe_next(form.next.data, url_for("main.home")))


PASSWORD_CHANGE_EXEMPT = {"auth.change_password", "auth.set_password", "auth.logout", "auth.set_language", "static"}


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader, run once per request: the user only while their server-side session is
    live (not signed out, not past its absolute or idle limit, account active). Otherwise the
    browser is signed out with a message saying why. Reads only, so a GET never commits."""
    now = utcnow()
    limits = _session_limits()
    user, ended = sessions.live_user(session.get(SESSION_TOKEN), user_id, _from_epoch(session.get(LAST_SEEN)), now, limits)
    if ended is not None:
        # Forget the user before the message is translated: choosing its language reads current_user.
        session.pop("_user_id", None)
        session.pop(SESSION_TOKEN, None)
        session.pop(LAST_SEEN, None)
        flash(sessions.end_message(ended, limits), "info")
        return None
    last_seen = _from_epoch(session.get(LAST_SEEN))
    if last_seen is None or now - last_seen >= sessions.SEEN_REFRESH:
        session[LAST_SEEN] = _epoch(now)
    return user


def force_password_change() -> ResponseReturnValue | None:
    """New and reset accounts must choose their own password before anything else (not when they
    signed in through the company's provider or a learning platform's launch, or passwords are
    turned off for them)."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_EXEMPT
        and session.get(SIGNED_IN_WITH) not in ("sso", "lti")
        and sso.current_settings().password_allowed(current_user.email)
    ):
        return redirect(url_for("auth.change_password"))
    return None


def init_app(app: Flask) -> None:
    """Plug the feature into the app: sign-in (Flask-Login's settings and loader), the forced
    password change, and the blueprint."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    sso.install(app)
    app.before_request(force_password_change)
    app.register_blueprint(bp)
