"""The admins' LTI pages: the URLs to paste into a platform, registered platforms (add, edit,
disable), our signing keys (rotate), course rosters (sync) and the score outbox (send now)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from trainer.core.web import role_required
from trainer.lti.forms import ActionForm, PlatformForm
from trainer.lti.services import grades, keys, platforms, roster
from trainer.lti.services.platform_http import PlatformCallFailed

bp = Blueprint("lti_admin", __name__, url_prefix="/admin/lti", template_folder="templates")


def _timeout() -> float:
    return float(current_app.config.get("LTI_TIMEOUT_SECONDS", 10))


def tool_urls() -> dict[str, str]:
    launch = url_for("lti.launch_view", _external=True)
    return {
        "login": url_for("lti.login", _external=True), "launch": launch, "deep_link": launch,
        "jwks": url_for("lti.jwks", _external=True),
    }


@bp.route("/")
@role_required("admin")
def index() -> ResponseReturnValue:
    return render_template(
        "lti/admin.html", urls=tool_urls(), platforms=platforms.all_platforms(),
        context_counts=platforms.context_counts(), contexts=platforms.contexts(), keys=keys.key_rows(),
        outbox=grades.outbox_counts(), scores=grades.recent_scores(), form=ActionForm(),
    )


def _save(form: PlatformForm, platform_id: int | None) -> bool:
    try:
        platforms.save(current_user, form.to_input(), platform_id)
    except platforms.PlatformInvalid as invalid:
        for name, message in invalid.problems.items():
            getattr(form, name).errors = [message]
        return False
    return True


@bp.route("/platforms/new", methods=["GET", "POST"])
@role_required("admin")
def new_platform() -> ResponseReturnValue:
    form = PlatformForm()
    if form.validate_on_submit():
        if _save(form, None):
            flash(_("The platform is registered. Launches from it are accepted now."), "success")
            return redirect(url_for("lti_admin.index"))
        return render_template("lti/platform_form.html", form=form, platform=None, urls=tool_urls()), 400
    return render_template("lti/platform_form.html", form=form, platform=None, urls=tool_urls())


@bp.route("/platforms/<int:platform_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_platform(platform_id: int) -> ResponseReturnValue:
    platform = platforms.get(platform_id) or abort(404)
    form = PlatformForm(obj=platform)
    if form.validate_on_submit():
        if _save(form, platform_id):
            flash(_("The platform's registration is saved."), "success")
            return redirect(url_for("lti_admin.index"))
        return render_template("lti/platform_form.html", form=form, platform=platform, urls=tool_urls()), 400
    return render_template("lti/platform_form.html", form=form, platform=platform, urls=tool_urls())


@bp.route("/platforms/<int:platform_id>/enable", methods=["POST"])
@role_required("admin")
def enable_platform(platform_id: int) -> ResponseReturnValue:
    return _set_active(platform_id, True)


@bp.route("/platforms/<int:platform_id>/disable", methods=["POST"])
@role_required("admin")
def disable_platform(platform_id: int) -> ResponseReturnValue:
    return _set_active(platform_id, False)


def _set_active(platform_id: int, active: bool) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    platform = platforms.set_active(current_user, platform_id, active) or abort(404)
    if active:
        flash(_("Launches from %(name)s are accepted again.", name=platform.label), "success")
    else:
        flash(_("Launches from %(name)s are refused from now on; its scores wait in the outbox.", name=platform.label), "info")
    return redirect(url_for("lti_admin.index"))


@bp.route("/contexts/<int:context_id>/sync", methods=["POST"])
@role_required("admin")
def sync_context(context_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = roster.sync(current_user, context_id, timeout=_timeout())
    except PlatformCallFailed as error:
        flash(_("The roster could not be read from the platform: %(error)s", error=str(error)), "error")
        return redirect(url_for("lti_admin.index"))
    flash(_("Roster synced: %(members)d members, %(added)d placed in the team, %(removed)d removed, %(created)d new accounts.",
            members=result.members, added=result.added, removed=result.removed, created=result.created), "success")
    return redirect(url_for("lti_admin.index"))


@bp.route("/scores/send", methods=["POST"])
@role_required("admin")
def send_scores() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    done = grades.deliver_due(timeout=_timeout())
    flash(_("Scores sent: %(sent)d; to retry later: %(retrying)d; given up: %(failed)d.",
            sent=done.sent, retrying=done.retrying, failed=done.failed), "info")
    return redirect(url_for("lti_admin.index"))


@bp.route("/keys/rotate", methods=["POST"])
@role_required("admin")
def rotate_keys() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    rotation = keys.rotate(timedelta(days=int(current_app.config.get("LTI_KEY_GRACE_DAYS", 7))))
    flash(_("A new signing key is in use; %(count)d older keys stay published until they retire.",
            count=len(rotation.still_published)), "success")
    return redirect(url_for("lti_admin.index"))
