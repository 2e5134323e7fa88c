"""The manager dashboard. Thin views: read the query parameters, ask
:mod:`trainer.manage.services` (which decides who may see what), render or send a CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from trainer.core.downloads import attachment
from trainer.core.gcpause import collector_paused
from trainer.core.i18n import content_language
from trainer.core.time import local_time_html
from trainer.core.web import role_required
from trainer.manage.forms import filter_form
from trainer.manage.services.competencies import heatmap
from trainer.manage.services.exports import assignment_csv, overview_csv
from trainer.manage.services.home import home_summary
from trainer.manage.services.member import member_detail
from trainer.manage.services.overview import overview
from trainer.manage.services.questions import MISSED_MIN_ANSWERS, missed_questions
from trainer.manage.services.refreshers import (
    assignment_rows,
    reachable_assignment,
    refresher_reports,
    status_labels,
)
from trainer.manage.services.scope import DashboardError, Scope, make_scope
from trainer.scorecard.services.quarters import local_date
from trainer.writing.services.reports import pending_reviews, recent_scores

bp = Blueprint("manage", __name__, url_prefix="/manage", template_folder="templates")


def _scope() -> Scope:
    try:
        return make_scope(current_user, request.args.get("team"), request.args.get("quarter"))
    except DashboardError as refused:
        abort(refused.status)


def _page(template: str, scope: Scope, **context: Any) -> str:
    """Every dashboard page gets the scope, the filter and the two date formats it shows."""
    return render_template(
        template, scope=scope, form=filter_form(scope, request.args), local_date=local_date, local_time=local_time_html,
        **context,
    )


@bp.route("/")
@role_required("manager", "admin")
def dashboard() -> ResponseReturnValue:
    scope = _scope()
    # Rows built, rendered and dropped with the collector paused: re-enabled any earlier, its first
    # pass would walk every row still alive (see trainer.core.gcpause).
    with collector_paused():
        view = overview(scope, request.args.get("sort"), request.args.get("dir"), request.args.get("page"), page_only=True)
        page = _page("manage/overview.html", scope, view=view, labels=status_labels(), lang=content_language())
        del view
    return page


@bp.route("/print")
@role_required("manager", "admin")
def print_view() -> ResponseReturnValue:
    scope = _scope()
    lang = content_language()
    view = overview(scope, request.args.get("sort"), request.args.get("dir"))
    return _page(
        "manage/print.html", scope, view=view, heat=heatmap(scope, lang), reports=refresher_reports(scope, lang), lang=lang,
    )


@bp.route("/members/<int:user_id>")
@role_required("manager", "admin")
def member(user_id: int) -> ResponseReturnValue:
    scope = _scope()
    lang = content_language()
    try:
        detail = member_detail(scope, user_id, lang)
    except DashboardError as refused:
        abort(refused.status)
    return _page("manage/member.html", scope, detail=detail, card=detail.scorecard, lang=lang)


@bp.route("/competencies")
@role_required("manager", "admin")
def competencies() -> ResponseReturnValue:
    scope = _scope()
    return _page("manage/competencies.html", scope, heat=heatmap(scope, content_language()))


@bp.route("/questions")
@role_required("manager", "admin")
def questions() -> ResponseReturnValue:
    scope = _scope()
    return _page(
        "manage/questions.html", scope, missed=missed_questions(scope, content_language()),
        min_answers=MISSED_MIN_ANSWERS,
    )


@bp.route("/refreshers")
@role_required("manager", "admin")
def refreshers() -> ResponseReturnValue:
    scope = _scope()
    return _page("manage/refreshers.html", scope, reports=refresher_reports(scope, content_language()))


@bp.route("/writing")
@role_required("manager", "admin")
def writing() -> ResponseReturnValue:
    scope = _scope()
    lang = content_language()
    return _page(
        "manage/writing.html", scope, pending=pending_reviews(scope.members(), lang),
        scores=recent_scores(scope.members(), lang, scope.start, scope.end),
    )


@bp.route("/export/overview.csv")
@role_required("manager", "admin")
def export_overview() -> ResponseReturnValue:
    scope = _scope()
    view = overview(scope, request.args.get("sort"), request.args.get("dir"))
    suffix = f"-team{scope.team.id}" if scope.team else ""
    return attachment(overview_csv(view, content_language()), f"team-overview-{scope.quarter}{suffix}.csv", "text/csv")


@bp.route("/export/assignments/<int:assignment_id>.csv")
@role_required("manager", "admin")
def export_assignment(assignment_id: int) -> ResponseReturnValue:
    scope = _scope()
    try:
        assignment = reachable_assignment(current_user, assignment_id)
    except DashboardError as refused:
        abort(refused.status)
    rows = assignment_rows(scope, assignment)
    return attachment(
        assignment_csv(assignment, rows, content_language()), f"assignment-{assignment.id}-results.csv", "text/csv"
    )


def home_panel(user: Any) -> Markup:
    """The summary on a manager's home page (the home feature places it; see init_app)."""
    scope = make_scope(user)
    return Markup(render_template("manage/_home.html", summary=home_summary(scope, content_language())))


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
    app.extensions["manager_home_panel"] = home_panel
