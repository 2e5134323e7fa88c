"""E-mail pages: each person's preferences, the one-click unsubscribe, the forgotten-password
request, workshop invitations (managers) and the outbox (admins)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.accounts.access import visible_teams
from trainer.core.inputs import bounded_int
from trainer.core.throttle import Window, failure_window
from trainer.core.web import client_address, role_required
from trainer.extensions import csrf
from trainer.notify import mime
from trainer.notify.cli import notify_cli
from trainer.notify.forms import ForgotPasswordForm, PreferencesForm, UnsubscribeForm, WorkshopForm
from trainer.notify.services import listeners, on_demand, outbox
from trainer.notify.services import preferences as prefs
from trainer.notify.services.compose import KINDS
from trainer.notify.services.messages import Workshop, local_start
from trainer.notify.services.transport import settings_from

bp = Blueprint("notify", __name__, template_folder="templates")

RESET_REQUESTS_SECONDS = 15 * 60  # per address: slows down mass probing (app.extensions["reset_requests"])
RESET_REQUESTS_PER_ADDRESS = 10
PAGE_SIZE = 100
HTML_PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def preferences() -> ResponseReturnValue:
    form = PreferencesForm()
    if request.method == "GET":
        for name, value in prefs.preferences_of(current_user).items():
            getattr(form, name).data = "on" if value else "off"
    elif form.validate_on_submit():
        prefs.save_preferences(current_user, {name: getattr(form, name).data == "on" for name in prefs.SWITCHES})
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for("notify.preferences"))
    status = 400 if request.method == "POST" else 200
    return render_template("notify/preferences.html", form=form, is_manager=bool(current_user.managed_teams)), status


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET shows one button (a link preview must not unsubscribe anyone); POST, from that button or
    from a mail program's RFC 8058 one-click request, turns the switch off."""
    target = prefs.unsubscribe_target(token)
    if target is None:
        response = make_response(render_template("notify/unsubscribe.html", problem=True, done=False), 404)
    elif request.method == "POST":
        prefs.unsubscribe(token)
        response = make_response(render_template("notify/unsubscribe.html", problem=False, done=True,
                                                 category=target[1]))
    else:
        response = make_response(render_template("notify/unsubscribe.html", problem=False, done=False,
                                                 category=target[1], form=UnsubscribeForm()))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    """Always the same answer, whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip()
        try:
            mime.check_address(email)
        except mime.AddressError:
            form.email.errors.append(_("Enter a valid e-mail address, e.g. name@example.com."))
        else:
            key = f"reset:{client_address()}"
            requests: Window = current_app.extensions["reset_requests"]
            blocked = requests.count(key) >= RESET_REQUESTS_PER_ADDRESS
            requests.add(key)
            on_demand.request_password_reset(email, address_blocked=blocked)
            return render_template("notify/forgot_sent.html")
    status = 400 if request.method == "POST" else 200
    return render_template("notify/forgot.html", form=form), status


@bp.route("/notify/workshops/new", methods=["GET", "POST"])
@role_required("manager", "admin")
def invite_workshop() -> ResponseReturnValue:
    form = WorkshopForm()
    form.team_ids.choices = [(t.id, t.name) for t in visible_teams(current_user)]
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit() and form.starts_at.data is not None:
            workshop = Workshop(title=(form.title.data or "").strip(), start=local_start(form.starts_at.data),
                                minutes=int(form.minutes.data or 0), location=(form.location.data or "").strip(),
                                organizer=current_user)
            try:
                count = on_demand.invite_to_workshop(current_user, list(form.team_ids.data or []), workshop)
            except prefs.NotifyError:
                form.team_ids.errors.append(_("Choose at least one of the teams you manage."))
            else:
                flash(_("Invitations queued for %(n)d people.", n=count), "success")
                return redirect(url_for("notify.invite_workshop"))
    return render_template("notify/workshop.html", form=form), status


@bp.route("/admin/outbox")
@role_required("admin")
def outbox_page() -> ResponseReturnValue:
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    page = bounded_int(request.args.get("page"), low=1, high=10_000) or 1
    rows = outbox.messages(status=status if status in outbox.STATUSES else None, kind=kind if kind in KINDS else None,
                           limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("notify/outbox.html", rows=rows, status=status if status in outbox.STATUSES else "",
                           kind=kind if kind in KINDS else "", statuses=outbox.STATUSES, kinds=KINDS, page=page,
                           smtp=settings_from(current_app.config).configured, page_size=PAGE_SIZE)


@bp.route("/admin/outbox/<int:message_id>")
@role_required("admin")
def outbox_message(message_id: int) -> ResponseReturnValue:
    row = outbox.get_message(message_id) or abort(404)
    return render_template("notify/message.html", row=row, message=outbox.preview(row))


@bp.route("/admin/outbox/<int:message_id>/html")
@role_required("admin")
def outbox_html(message_id: int) -> ResponseReturnValue:
    """The HTML part as the reader sees it, under a policy that allows no script and no fetch."""
    row = outbox.get_message(message_id) or abort(404)
    response = Response(outbox.preview(row).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = HTML_PREVIEW_POLICY
    return response


def init_app(app: Flask) -> None:
    """Plug the feature in: the blueprint, `flask notify`, and the listeners for other features' signals."""
    settings_from(app.config)  # a wrong TRAINER_MAIL_SMTP_SECURITY stops the start, with the allowed values
    app.register_blueprint(bp)
    # shared by every process and host through Redis when TRAINER_REDIS_URL is set, else per process
    app.extensions["reset_requests"] = failure_window(app.config.get("REDIS_URL"), "reset-requests",
                                                      RESET_REQUESTS_SECONDS)
    app.cli.add_command(notify_cli)
    listeners.connect_listeners()
