"""CSV exports (through :func:`trainer.core.csv.csv_bytes`: BOM for Excel, formula cells defused)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.csv import csv_bytes
from trainer.manage.services.overview import Overview
from trainer.manage.services.refreshers import ResultRow
from trainer.quiz.services.reports import AssignmentSummary
from trainer.roleplay.services.practice import outcome_label
from trainer.scorecard.services.quarters import local_time


def _one_decimal(value: float) -> str:
    """Scores and means in the export: one decimal, as on the page."""
    return f"{value:.1f}"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_l("Yes")) if value else str(_l("No"))


def overview_csv(view: Overview, lang: str) -> bytes:
    header = [
        _l("Name"), _l("Email"), _l("Teams"), _l("Lessons done"), _l("Lessons in the course"), _l("Course progress %"),
        _l("Certificate"), _l("Last activity"), _l("Refreshers due in the quarter"), _l("Refreshers done"),
        _l("Refreshers overdue"), _l("Refresher status"), _l("Refresher score %"), _l("Final exam %"),
        _l("Final exam passed"), _l("Role-plays finished"), _l("Role-play score %"), _l("Best role-play outcome"),
        _l("Workshop rubric %"), _l("Policy-lab runs"), _l("Latest policy-lab DSO (days)"), _l("Quarter"), _l("Statements rated"), _l("Self-rating (mean)"),
        _l("Measured (mean)"), _l("Overconfident competencies"), _l("Underconfident competencies"),
    ]
    rows = []
    for r in view.rows:
        headline = r.refresher.headline
        rows.append([
            r.name, r.email, ", ".join(r.teams), r.progress.done, r.progress.total, r.progress.percent,
            _yes_no(r.progress.certificate), local_time(r.last_activity), r.refresher.total, r.refresher.done,
            r.refresher.overdue, headline.label if headline else "", r.refresher.mean_percent,
            r.final.percent if r.final else None, _yes_no(r.final.passed) if r.final else "",
            r.roleplay.finished, r.roleplay.mean_percent, outcome_label(r.roleplay.best_outcome, lang),
            r.roleplay.rubric_mean, r.policy_lab.runs if r.policy_lab else 0,
            r.policy_lab.dso if r.policy_lab else None, view.scope.quarter, r.scorecard.rated, r.scorecard.self_mean,
            r.scorecard.measured_mean, r.scorecard.overconfident, r.scorecard.underconfident,
        ])
    return csv_bytes(header, rows, number=_one_decimal)


def assignment_csv(assignment: AssignmentSummary, rows: list[ResultRow], lang: str) -> bytes:
    definition = catalog().quizzes.get(assignment.quiz_id)
    quiz = pick(definition.title, lang) if definition else assignment.quiz_id
    header = [
        _l("Assignment"), _l("Quiz"), _l("Due"), _l("Name"), _l("Email"), _l("Teams"), _l("Status"),
        _l("Score %"), _l("Passed"), _l("Submitted"),
    ]
    body = [
        [
            assignment.title, quiz, local_time(assignment.due_at), r.name, r.email, ", ".join(r.teams),
            r.status.label, r.status.percent, _yes_no(r.status.passed), local_time(r.status.submitted_at),
        ]
        for r in rows
    ]
    return csv_bytes(header, body, number=_one_decimal)
