"""The self-assessment form (saved dimension by dimension, with a script that saves each click)
and the results page. Thin views: parse the request, call :mod:`trainer.scorecard.services`, render.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.core.i18n import content_language
from trainer.scorecard import services as service
from trainer.scorecard.forms import SCALE, SCALE_LABELS
from trainer.scorecard.services import next_steps, seed_demo

bp = Blueprint("scorecard", __name__, template_folder="templates")


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


@bp.route("/scorecard/")
@login_required
def index():  # type: ignore[no-untyped-def]
    return _results(service.this_quarter())


@bp.route("/scorecard/<quarter>")
@login_required
def quarter(quarter: str):  # type: ignore[no-untyped-def]
    try:
        label = service.check_quarter(quarter)
    except service.ScorecardError:
        abort(404)
    if label == service.this_quarter():
        return redirect(url_for(".index"))
    return _results(label)


def _results(label: str):  # type: ignore[no-untyped-def]
    card = service.scorecard(current_user, label, content_language())
    return render_template("scorecard/index.html", card=card)


@bp.route("/scorecard/assess")
@login_required
def assess():  # type: ignore[no-untyped-def]
    quarter = service.this_quarter()
    assessment = service.assessment_for(current_user.id, quarter)
    forms = service.form_view(assessment, content_language())
    return _form_page(quarter, forms)


def _form_page(quarter: str, forms, status: int = 200):  # type: ignore[no-untyped-def]
    rated = sum(f.rated for f in forms)
    total = sum(f.total for f in forms)
    return (
        render_template(
            "scorecard/assess.html",
            quarter=quarter,
            forms=forms,
            rated=rated,
            total=total,
            scale=SCALE,
            scale_labels=SCALE_LABELS,
        ),
        status,
    )


@bp.post("/scorecard/assess/<dimension_id>")
@login_required
def save(dimension_id: str):  # type: ignore[no-untyped-def]
    """Save one dimension's ratings: JSON for the autosave script, else back to the form."""
    wants_json = _wants_json()
    try:
        result = service.save_dimension(current_user, dimension_id, request.form)
    except service.ScorecardError as refused:
        if wants_json:
            return jsonify(error=str(refused.message)), refused.status
        abort(refused.status)
    forms = service.form_view(result.assessment, content_language(), submitted=result.submitted, errors=result.errors)
    this = next(f for f in forms if f.dimension.id == dimension_id)
    rated = sum(f.rated for f in forms)
    total = sum(f.total for f in forms)
    if wants_json:
        payload = {
            "saved": len(result.saved),
            "dimension_rated": this.rated,
            "dimension_total": this.total,
            "rated": rated,
            "total": total,
            "finished": result.assessment.finished_at is not None,
            "errors": {key: str(message) for key, message in result.errors.items()},
            "message": _("Saved.") if not result.errors else _("Some ratings were not saved. See the messages."),
        }
        return jsonify(payload), 400 if result.errors else 200
    if result.errors:
        if "" in result.errors:
            flash(str(result.errors[""]), "error")
        flash(_("Some ratings were not saved. See the messages next to the statements; everything else was kept."), "error")
        return _form_page(result.assessment.quarter, forms, 400)
    if result.finished_now:
        flash(_("Self-assessment complete. Here is how your ratings compare with your results."), "success")
        return redirect(url_for(".index"), 303)
    if result.saved:
        flash(_("Saved: %(title)s.", title=this.title), "success")
    following = next((f for f in forms if f.number > this.number and not f.complete), None)
    following = following or next((f for f in forms if not f.complete), None)
    anchor = f"#dim-{following.dimension.id}" if following else ""
    if following is None:
        return redirect(url_for(".index"), 303)
    return redirect(url_for(".assess") + anchor, 303)


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo)
