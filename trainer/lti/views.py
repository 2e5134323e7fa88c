"""The LTI endpoints a platform calls: login initiation, launch, our keys, and the deep-linking
picker; plus the frame-ancestors a launched browser needs. Admin pages are in admin_views."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from trainer.accounts.views import sign_in_verified
from trainer.core import events
from trainer.core.i18n import content_language
from trainer.core.readonly import commit_allowed_on_get
from trainer.core.web import content_security_policy, served_over_https
from trainer.extensions import csrf
from trainer.lti import admin_views, rules
from trainer.lti.cli import lti_cli
from trainer.lti.forms import PickForm
from trainer.lti.models import LtiPlatform
from trainer.lti.rules import LaunchRefused, Reason
from trainer.lti.services import grades, items, keys, launch, opening, platforms

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")

STATE_COOKIE = "lti_state"
FRAME_COOKIE = "lti_frame"
DEEP_LINK = "lti_deep_link"  # the open deep-linking request, in the signed session


def _cookie_options() -> dict[str, Any]:
    """Launches arrive cross-site, often in an iframe: browsers send a cookie there only when it is
    SameSite=None and Secure, which needs HTTPS. Over plain http (development) Lax is all we can do."""
    secure = served_over_https() or bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    return {"secure": secure, "samesite": "None" if secure else "Lax", "httponly": True}


def _frame_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt="lti-frame")


def _platform_origins(platform: LtiPlatform) -> list[str]:
    return sorted({rules.origin(platform.issuer), rules.origin(platform.auth_login_url)})


def refused(reason: Reason) -> ResponseReturnValue:
    status, message = launch.refusal_text(reason)
    response = make_response(render_template("lti/refused.html", reason=reason.value, message=message), status)
    response.headers["Cache-Control"] = "no-store"
    origins = platforms.registered_origins()  # the launch may have failed inside a platform's iframe
    if origins:
        response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors=origins)
    return response


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login() -> ResponseReturnValue:
    """Third-party login initiation: the platform sends the browser here first, by GET or POST.
    A GET that commits (the nonce it stores), by the protocol: it changes nothing anyone can see,
    the row is single use and swept after an hour (see trainer.core.readonly)."""
    params = {key: str(value)[:2000] for key, value in (request.form if request.method == "POST" else request.args).items()}
    try:
        with commit_allowed_on_get():
            redirect_to = launch.start_login(params, url_for("lti.launch_view", _external=True))
    except LaunchRefused as refusal:
        return refused(refusal.reason)
    response = redirect(redirect_to.url)
    response.set_cookie(STATE_COOKIE, redirect_to.state, max_age=int(launch.NONCE_LIFETIME.total_seconds()),
                        path=url_for("lti.launch_view"), **_cookie_options())
    return response


@bp.route("/launch", methods=["POST"])
@csrf.exempt
def launch_view() -> ResponseReturnValue:
    """The platform's form post of the signed id_token."""
    timeout = float(current_app.config.get("LTI_TIMEOUT_SECONDS", 10))
    try:
        platform, checked = launch.check_launch(
            request.form.get("id_token", ""), request.form.get("state", ""), request.cookies.get(STATE_COOKIE, ""),
            timeout=timeout, leeway=int(current_app.config.get("LTI_CLOCK_SKEW_SECONDS", 60)),
        )
        if checked.message_type == rules.DEEP_LINKING_REQUEST and rules.context_role(checked.roles) != "instructor":
            raise LaunchRefused(Reason.NOT_INSTRUCTOR)
        user = opening.enter(platform, checked)
    except LaunchRefused as refusal:
        return refused(refusal.reason)
    sign_in_verified(user, via="lti")
    if checked.message_type == rules.DEEP_LINKING_REQUEST:
        assert checked.deep_linking is not None
        session[DEEP_LINK] = {
            "platform": platform.id, "deployment": checked.deployment_id,
            "return_url": checked.deep_linking.return_url, "data": checked.deep_linking.data,
            "lineitem": checked.deep_linking.accept_lineitem, "multiple": checked.deep_linking.accept_multiple,
        }
        target = url_for("lti.deep_link")
    else:
        target = opening.target_url(user, checked)
    response = redirect(target)
    response.delete_cookie(STATE_COOKIE, path=url_for("lti.launch_view"), **_cookie_options())
    response.set_cookie(FRAME_COOKIE, _frame_signer().dumps(_platform_origins(platform)),
                        max_age=3600 * int(current_app.config.get("SESSION_MAX_HOURS", 12)), **_cookie_options())
    return response


@bp.route("/jwks")
def jwks() -> ResponseReturnValue:
    """Our public keys (every unretired one), for platforms to check what we sign."""
    response = jsonify(keys.public_keyset())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _open_deep_link() -> dict[str, Any]:
    state = session.get(DEEP_LINK)
    if not isinstance(state, dict):
        raise LaunchRefused(Reason.DEEP_LINK_EXPIRED)
    return state


@bp.route("/deep-link", methods=["GET", "POST"])
@login_required
def deep_link() -> ResponseReturnValue:
    """The picker a course designer sees; its POST answers the platform with the signed choice."""
    try:
        state = _open_deep_link()
    except LaunchRefused as refusal:
        return refused(refusal.reason)
    lang = content_language()
    form = PickForm()
    choices = items.choices(lang)
    status = 200
    if request.method == "POST":
        picked = [choice for value in form.items.data or []
                  if (item := rules.parse_item(value)) and (choice := items.find(item, lang))]
        if form.validate_on_submit() and picked and (state["multiple"] or len(picked) == 1):
            platform = platforms.get(int(state["platform"]))
            if platform is None or not platform.active:
                return refused(Reason.DISABLED_PLATFORM)
            session.pop(DEEP_LINK, None)
            answer = items.answer(platform, deployment_id=state["deployment"], return_url=state["return_url"],
                                  data=state["data"], with_lineitem=bool(state["lineitem"]),
                                  picked=[(c, url_for("lti.launch_view", _external=True)) for c in picked])
            response = make_response(render_template("lti/autopost.html", answer=answer))
            response.headers["Content-Security-Policy"] = content_security_policy(
                form_action=(rules.origin(answer.return_url),), frame_ancestors=tuple(_platform_origins(platform)))
            return response
        form.items.errors = [str(PICK_ONE if not state["multiple"] else PICK_SOME)]
        status = 400
    return render_template("lti/deep_link.html", form=form, choices=choices, multiple=state["multiple"]), status


PICK_ONE = _l("Pick one activity: this course adds one at a time.")
PICK_SOME = _l("Pick at least one activity.")


def _frame_policy(response: Response) -> Response:
    """Pages after a launch may be framed by the launching platform (its origins, from the signed
    cookie the launch set) and by no one else."""
    raw = request.cookies.get(FRAME_COOKIE)
    if raw and "Content-Security-Policy" not in response.headers:
        try:
            origins = _frame_signer().loads(raw)
        except BadSignature:
            return response
        if isinstance(origins, list) and all(isinstance(o, str) for o in origins):
            response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors=tuple(origins))
    return response


def init_app(app: Flask) -> None:
    """The blueprints, `flask lti`, the grade passback listeners and the framing rule."""
    app.config.setdefault("LTI_TIMEOUT_SECONDS", 10)
    app.config.setdefault("LTI_CLOCK_SKEW_SECONDS", 60)
    app.register_blueprint(bp)
    app.register_blueprint(admin_views.bp)
    app.cli.add_command(lti_cli)
    app.after_request(_frame_policy)
    events.quiz_graded.connect(grades.on_quiz_graded)
    events.scenario_finished.connect(grades.on_scenario_finished)
