"""The self-assessment form (saved dimension by dimension, with a script that saves each click)
and the results page. Thin views: parse the request, call :mod:`trainer.scorecard.services`, render.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.core.i18n import content_language
from trainer.scorecard.forms import SCALE, SCALE_LABELS
from trainer.scorecard.services.assessments import assessment_for, save_dimension
from trainer.scorecard.services.common import ScorecardError
from trainer.scorecard.services.demo import seed_demo
from trainer.scorecard.services.form import DimensionForm, form_view
from trainer.scorecard.services.home import next_steps
from trainer.scorecard.services.quarters import check_quarter, this_quarter
from trainer.scorecard.services.results import scorecard

bp = Blueprint("scorecard", __name__, template_folder="templates")


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


@bp.route("/scorecard/")
@login_required
def index() -> ResponseReturnValue:
    return _results(this_quarter())


@bp.route("/scorecard/<quarter>")
@login_required
def quarter(quarter: str) -> ResponseReturnValue:
    try:
        label = check_quarter(quarter)
    except ScorecardError:
        abort(404)
    if label == this_quarter():
        return redirect(url_for(".index"))
    return _results(label)


def _results(label: str) -> ResponseReturnValue:
    card = scorecard(current_user, label, content_language())
    return render_template("scorecard/index.html", card=card)


@bp.route("/scorecard/assess")
@login_required
def assess() -> ResponseReturnValue:
    quarter = this_quarter()
    assessment = assessment_for(current_user.id, quarter)
    forms = form_view(assessment, content_language())
    return _form_page(quarter, forms)


def _form_page(quarter: str, forms: list[DimensionForm], status: int = 200) -> ResponseReturnValue:
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
def save(dimension_id: str) -> ResponseReturnValue:
    """Save one dimension's ratings: JSON for the autosave script, else back to the form."""
    wants_json = _wants_json()
    try:
        result = save_dimension(current_user, dimension_id, request.form)
    except ScorecardError as refused:
        if wants_json:
            return jsonify(error=str(refused.message)), refused.status
        abort(refused.status)
    forms = form_view(result.assessment, content_language(), submitted=result.submitted, errors=result.errors)
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
