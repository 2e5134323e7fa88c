"""The manager dashboard. Thin views: read the query parameters, ask
:mod:`trainer.manage.services` (which decides who may see what), render or send a CSV."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, render_template, request
from flask_login import current_user

from trainer.core.i18n import content_language
from trainer.core.web import role_required
from trainer.manage import services as service
from trainer.manage.forms import filter_form
from trainer.scorecard import services as cards

bp = Blueprint("manage", __name__, url_prefix="/manage", template_folder="templates")


def _scope() -> service.Scope:
    try:
        return service.make_scope(current_user, request.args.get("team"), request.args.get("quarter"))
    except service.DashboardError as refused:
        abort(refused.status)


def _page(template: str, scope: service.Scope, **context):  # type: ignore[no-untyped-def]
    return render_template(
        template, scope=scope, form=filter_form(scope, request.args), cards=cards, service=service, **context
    )


@bp.route("/")
@role_required("manager", "admin")
def dashboard():  # type: ignore[no-untyped-def]
    scope = _scope()
    view = service.overview(scope, request.args.get("sort"), request.args.get("dir"))
    return _page("manage/overview.html", scope, view=view, lang=content_language())


@bp.route("/print")
@role_required("manager", "admin")
def print_view():  # type: ignore[no-untyped-def]
    scope = _scope()
    lang = content_language()
    view = service.overview(scope, request.args.get("sort"), request.args.get("dir"))
    return _page(
        "manage/print.html", scope, view=view, heat=service.heatmap(scope, lang),
        reports=service.refresher_reports(scope, lang), lang=lang,
    )


@bp.route("/members/<int:user_id>")
@role_required("manager", "admin")
def member(user_id: int):  # type: ignore[no-untyped-def]
    scope = _scope()
    lang = content_language()
    try:
        detail = service.member_detail(scope, user_id, lang)
    except service.DashboardError as refused:
        abort(refused.status)
    return _page("manage/member.html", scope, detail=detail, card=detail.scorecard, lang=lang)


@bp.route("/competencies")
@role_required("manager", "admin")
def competencies():  # type: ignore[no-untyped-def]
    scope = _scope()
    return _page("manage/competencies.html", scope, heat=service.heatmap(scope, content_language()))


@bp.route("/questions")
@role_required("manager", "admin")
def questions():  # type: ignore[no-untyped-def]
    scope = _scope()
    return _page("manage/questions.html", scope, missed=service.missed_questions(scope, content_language()))


@bp.route("/refreshers")
@role_required("manager", "admin")
def refreshers():  # type: ignore[no-untyped-def]
    scope = _scope()
    return _page("manage/refreshers.html", scope, reports=service.refresher_reports(scope, content_language()))


def _csv(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/export/overview.csv")
@role_required("manager", "admin")
def export_overview():  # type: ignore[no-untyped-def]
    scope = _scope()
    view = service.overview(scope, request.args.get("sort"), request.args.get("dir"))
    suffix = f"-team{scope.team.id}" if scope.team else ""
    return _csv(service.overview_csv(view, content_language()), f"team-overview-{scope.quarter}{suffix}.csv")


@bp.route("/export/assignments/<int:assignment_id>.csv")
@role_required("manager", "admin")
def export_assignment(assignment_id: int):  # type: ignore[no-untyped-def]
    scope = _scope()
    try:
        assignment = service.reachable_assignment(current_user, assignment_id)
    except service.DashboardError as refused:
        abort(refused.status)
    rows = service.assignment_rows(scope, assignment)
    return _csv(service.assignment_csv(assignment, rows, content_language()), f"assignment-{assignment.id}-results.csv")


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
