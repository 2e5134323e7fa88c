"""Quiz pages: the list, a quiz's rules, taking an attempt (autosave, time limit), the review,
the daily review, managers' assignments and their results. Thin: the services decide."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from trainer.accounts.access import visible_teams
from trainer.content.markdown import render_text_markdown
from trainer.core.i18n import content_language
from trainer.core.inputs import bounded_int
from trainer.core.time import local_day, local_stamp, local_time_html, to_local
from trainer.core.web import highlight_navigation, role_required
from trainer.learn.services import (
    lessons_to_review,
    register_course_gates,
    register_final_gate,
    register_module_gate,
)
from trainer.quiz.answers import document_name, field_name, position_name, prompt_name, read_answers
from trainer.quiz.bank.model import QuizDefinition
from trainer.quiz.cli import quiz_cli
from trainer.quiz.forms import AssignmentForm, CancelAssignmentForm, ConfirmForm, StartForm
from trainer.quiz.models import Attempt
from trainer.quiz.services import AnswersError, QuizError, cards, expiry, present, scoring
from trainer.quiz.services import assignments as assignment_service
from trainer.quiz.services import attempts as attempt_service
from trainer.quiz.services.common import get_definition, now, quizzes, review_definition
from trainer.quiz.services.demo import seed_demo_quizzes
from trainer.quiz.services.home import next_steps
from trainer.quiz.services.progress import (
    course_gates,
    final_gate,
    module_gate,
    module_gates,
    quiz_status,
    quiz_statuses,
)

bp = Blueprint("quiz", __name__, url_prefix="/quiz", template_folder="templates")

KIND_ORDER = {"module": 0, "final": 1, "refresher": 2, "review": 3}


def tf_labels() -> dict[bool, str]:
    return {True: _("True"), False: _("False")}


def _status_code(error: QuizError) -> int:
    return {"not_found": 404, "forbidden": 403}.get(error.code, 400)


def _definition_or_404(quiz_id: str) -> QuizDefinition:
    try:
        return get_definition(quiz_id)
    except QuizError:
        abort(404)


def _highlight_daily_review(attempt: Attempt) -> None:
    """A daily-review attempt and its result belong to "Daily review" in the navigation."""
    review = review_definition()
    if review is not None and attempt.quiz_id == review.id:
        highlight_navigation("quiz.review")


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    try:
        return attempt_service.get_own_attempt(current_user, attempt_id)
    except QuizError:
        abort(404)


@bp.app_template_filter("question_text")
def question_text(text: str | None) -> Markup:
    """A question's text, explanation or feedback: Markdown (kept from Moodle's HTML by GIFT
    import) rendered to sanitized HTML."""
    return Markup(render_text_markdown(text or ""))  # noqa: S704 - sanitized by nh3 in render_text_markdown


@bp.app_template_filter("quiz_time")
def quiz_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> Markup:
    """A stored UTC time in the site's time zone, labelled with the zone."""
    return local_time_html(moment, fmt, "—")


@bp.app_context_processor
def quiz_helpers() -> dict[str, Any]:
    return {
        "quiz_field": field_name,
        "quiz_position_field": position_name,
        "quiz_prompt_field": prompt_name,
        "quiz_document_field": document_name,
    }


# --- the list and a quiz's rules ------------------------------------------------------------------


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    lang = content_language()
    attempts = expiry.attempts_closing_expired(current_user.id)
    statuses = quiz_statuses(current_user.id, lang, attempts)
    moment = now()
    mine = assignment_service.assignments_for_user(current_user)
    standings = assignment_service.member_statuses(mine, current_user, moment, attempts)
    assigned = [(a, standings[a.id], quizzes().get(a.quiz_id)) for a in mine]
    shown = sorted(
        (s for s in statuses.values() if s.definition.kind in ("module", "final")),
        key=lambda s: KIND_ORDER[s.definition.kind],
    )
    refreshers = [s for s in statuses.values() if s.definition.kind == "refresher"]
    return render_template(
        "quiz/index.html",
        statuses=shown,
        refreshers=refreshers,
        assigned=assigned,
        due=cards.due_count(current_user.id, moment),
        review=review_definition(),
    )


@bp.route("/<quiz_id>")
@login_required
def intro(quiz_id: str) -> ResponseReturnValue:
    definition = _definition_or_404(quiz_id)
    if definition.kind == "review":
        return redirect(url_for("quiz.review"))
    attempts = expiry.attempts_closing_expired(current_user.id)
    status = quiz_status(current_user.id, definition, content_language(), attempts)
    assignment_id = bounded_int(request.args.get("assignment"))
    form = StartForm(assignment=assignment_id or "")
    history = attempt_service.history_among(attempts, quiz_id)
    return render_template("quiz/intro.html", definition=definition, status=status, form=form, history=history)


@bp.route("/<quiz_id>/start", methods=["POST"])
@login_required
def start(quiz_id: str) -> ResponseReturnValue:
    definition = _definition_or_404(quiz_id)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    raw = (form.assignment.data or "").strip()
    assignment_id = bounded_int(raw)
    if raw and assignment_id is None:
        abort(404)
    try:
        attempt = attempt_service.start_attempt(
            current_user, definition.id, assignment_id=assignment_id, lang=content_language()
        )
    except QuizError as error:
        if error.code == "not_found":
            abort(404)
        flash(str(error.message), "error")
        return redirect(url_for("quiz.intro", quiz_id=quiz_id))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


# --- taking an attempt ----------------------------------------------------------------------------


def _render_attempt(
    attempt: Attempt,
    *,
    form_values: Mapping[str, Any] | None = None,
    errors: Mapping[str, object] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    definition = quizzes().get(attempt.quiz_id)
    if definition is None:
        abort(404)
    _highlight_daily_review(attempt)
    views = present.question_views(
        attempt, content_language(), tf_labels(), form_values=form_values, errors=errors
    )
    form_error = (errors or {}).get("")
    html = render_template(
        "quiz/attempt.html",
        attempt=attempt,
        definition=definition,
        questions=views,
        remaining=attempt_service.remaining_seconds(attempt, now()),
        form_error=form_error,
        has_errors=bool(errors),
        tf_labels=tf_labels(),
    )
    return html, status


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int) -> ResponseReturnValue:
    current = _own_attempt_or_404(attempt_id)
    moment = now()
    if expiry.close_if_expired(current, moment):
        flash(_("Time is up. Your saved answers were submitted."), "warning")
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    if current.submitted_at is not None:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    if request.method != "POST":  # GET, and HEAD (which once saved the answers as if posted)
        return _render_attempt(current)

    posted, unknown = read_answers(request.form, scoring.instances_of(current))
    action = request.form.get("action", "save")
    check = request.form.get("check")
    try:
        if action == "submit" and not check:
            attempt_service.submit(current_user, attempt_id, posted=posted, unknown=unknown, moment=moment)
            flash(_("Your answers were submitted."), "success")
            return redirect(url_for("quiz.result", attempt_id=attempt_id))
        attempt_service.save_answers(current_user, attempt_id, posted, unknown, moment)
        if check:
            attempt_service.check_answer(current_user, attempt_id, check, moment)
            return redirect(url_for("quiz.attempt", attempt_id=attempt_id, _anchor=f"q{_number_of(current, check)}"))
        flash(_("Your answers are saved."), "success")
        return redirect(url_for("quiz.attempt", attempt_id=attempt_id))
    except AnswersError as error:
        fresh = _own_attempt_or_404(attempt_id)
        return _render_attempt(fresh, form_values=posted, errors=error.errors, status=400)
    except QuizError as error:
        if error.code in ("time_up", "submitted"):
            flash(str(error.message), "warning")
            return redirect(url_for("quiz.result", attempt_id=attempt_id))
        if error.field:
            fresh = _own_attempt_or_404(attempt_id)
            return _render_attempt(fresh, form_values=posted, errors={error.field: error.message}, status=400)
        flash(str(error.message), "error")
        return redirect(url_for("quiz.attempt", attempt_id=attempt_id))


def _number_of(attempt: Attempt, question_id: str) -> int:
    ids = attempt.question_ids()
    return ids.index(question_id) + 1 if question_id in ids else 0


@bp.route("/attempts/<int:attempt_id>/answer", methods=["POST"])
@login_required
def autosave(attempt_id: int) -> ResponseReturnValue:
    """Save one answer as the trainee goes: JSON ``{"question": id, "answer": <form value>}``."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "question" not in payload:
        return jsonify(ok=False, error=_("The request was not understood. Nothing was saved.")), 400
    try:
        saved_at = attempt_service.save_answer(
            current_user, attempt_id, payload.get("question"), payload.get("answer")
        )
    except QuizError as error:
        body = {"ok": False, "error": str(error.message), "code": error.code, "question": error.field}
        if error.code in ("time_up", "submitted"):
            body["redirect"] = url_for("quiz.result", attempt_id=attempt_id)
        return jsonify(body), _status_code(error)
    current = _own_attempt_or_404(attempt_id)
    return jsonify(
        ok=True,
        saved_at=local_stamp(saved_at, "%H:%M:%S", "—"),
        remaining=attempt_service.remaining_seconds(current, now()),
    )


# --- the review -----------------------------------------------------------------------------------


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> ResponseReturnValue:
    try:
        current = attempt_service.get_viewable_attempt(current_user, attempt_id)
    except QuizError:
        abort(404)
    own = current.user_id == current_user.id
    _highlight_daily_review(current)
    if expiry.close_if_expired(current):
        current = attempt_service.get_viewable_attempt(current_user, attempt_id)
    if current.submitted_at is None:
        if own:
            return redirect(url_for("quiz.attempt", attempt_id=attempt_id))
        return render_template("quiz/result.html", attempt=current, definition=quizzes().get(current.quiz_id),
                               questions=[], show="pending", own=own)
    definition = quizzes().get(current.quiz_id)
    show = definition.show_feedback if definition else "after_submit"
    views = present.question_views(current, content_language(), tf_labels(), review=show != "never")
    return render_template("quiz/result.html", attempt=current, definition=definition, questions=views,
                           show=show, own=own, tf_labels=tf_labels(), to_review=_lessons_to_review(current, views))


def _lessons_to_review(attempt: Attempt, views: list[present.QuestionView]) -> list[tuple[str, str]]:
    """(url, title) of the lessons behind the questions a failed attempt missed (none once passed)."""
    if attempt.passed:
        return []
    lang = content_language()
    return [
        (url_for("learn.lesson", course_id=lesson.course_id, lesson_id=lesson.id), lesson.title(lang))
        for lesson in lessons_to_review(present.missed_topics(views))
    ]


# --- the daily review -----------------------------------------------------------------------------


@bp.route("/review", methods=["GET", "POST"])
@login_required
def review() -> ResponseReturnValue:
    definition = review_definition()
    if definition is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():  # starting closes the expired attempts itself
        try:
            started = attempt_service.start_attempt(current_user, definition.id, lang=content_language())
        except QuizError as error:
            flash(str(error.message), "info")
            return redirect(url_for("quiz.review"))
        return redirect(url_for("quiz.attempt", attempt_id=started.id))
    status = quiz_status(current_user.id, definition, content_language(), expiry.attempts_closing_expired(current_user.id))
    due, next_due = cards.due_summary(current_user.id, now())
    return render_template(
        "quiz/review.html",
        definition=definition,
        form=form,
        due=due,
        next_due=next_due,
        status=status,
        limit=definition.question_count,
    )


# --- assignments (managers) -----------------------------------------------------------------------


@bp.route("/assignments")
@role_required("manager", "admin")
def assignments() -> ResponseReturnValue:
    moment = now()
    rows = []
    for item in assignment_service.visible_assignments(current_user):
        results = assignment_service.assignment_results(current_user, item, moment)
        rows.append((item, assignment_service.summarize(results), len(results), quizzes().get(item.quiz_id)))
    return render_template("quiz/assignments.html", rows=rows, now=moment)


def _assignment_form(form: AssignmentForm) -> AssignmentForm:
    lang = content_language()
    form.quiz_id.choices = [(d.id, d.title.get(lang) or d.id) for d in assignment_service.assignable_quizzes()]
    form.team_ids.choices = [(t.id, t.name) for t in visible_teams(current_user)]
    return form


def _assignment_input(form: AssignmentForm) -> assignment_service.AssignmentInput:
    return assignment_service.AssignmentInput(
        title=form.title.data or "", quiz_id=form.quiz_id.data or "", team_ids=list(form.team_ids.data or []),
        opens_on=form.opens_on.data, due_on=form.due_on.data,
    )


def _today() -> date:
    return (to_local(now()) or now()).date()


@bp.route("/assignments/new", methods=["GET", "POST"])
@role_required("manager", "admin")
def new_assignment() -> ResponseReturnValue:
    form = _assignment_form(AssignmentForm())
    if request.method == "GET":
        form.opens_on.data = form.opens_on.data or _today()
        refresher = next((d.id for d in assignment_service.assignable_quizzes() if d.kind == "refresher"), None)
        form.quiz_id.data = form.quiz_id.data or refresher
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                created = assignment_service.create_assignment(current_user, _assignment_input(form), _today())
            except QuizError as error:
                getattr(form, error.field or "title").errors.append(str(error.message))
                status = 403 if error.code == "forbidden" else 400
            else:
                flash(_("Assignment created."), "success")
                return redirect(url_for("quiz.assignment", assignment_id=created.id))
        else:
            status = 400
    return render_template("quiz/assignment_form.html", form=form), status


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@role_required("manager", "admin")
def edit_assignment(assignment_id: int) -> ResponseReturnValue:
    """Change an assignment; the people it concerns are told by e-mail."""
    item = assignment_service.get_visible_assignment(current_user, assignment_id)
    if item is None:
        abort(404)
    form = _assignment_form(AssignmentForm(obj=None if request.method == "POST" else item))
    form.submit.label.text = _("Save changes")
    if request.method == "GET":
        form.team_ids.data = [t.id for t in item.teams]
        form.opens_on.data, form.due_on.data = local_day(item.opens_at), local_day(item.due_at)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                assignment_service.update_assignment(current_user, item, _assignment_input(form), _today())
            except QuizError as error:
                getattr(form, error.field or "title").errors.append(str(error.message))
                status = 403 if error.code == "forbidden" else 400
            else:
                flash(_("Assignment changed; the people it concerns are told by e-mail."), "success")
                return redirect(url_for("quiz.assignment", assignment_id=item.id))
    return render_template("quiz/assignment_form.html", form=form, assignment=item), status


@bp.route("/assignments/<int:assignment_id>/cancel", methods=["POST"])
@role_required("manager", "admin")
def cancel_assignment(assignment_id: int) -> ResponseReturnValue:
    item = assignment_service.get_visible_assignment(current_user, assignment_id)
    if item is None:
        abort(404)
    if not CancelAssignmentForm().validate_on_submit():
        abort(400)
    try:
        assignment_service.cancel_assignment(current_user, item)
    except QuizError as error:
        flash(str(error.message), "error")
        return redirect(url_for("quiz.assignment", assignment_id=assignment_id)), 403
    flash(_("Assignment cancelled; the people it reached are told by e-mail."), "success")
    return redirect(url_for("quiz.assignments"))


@bp.route("/assignments/<int:assignment_id>")
@role_required("manager", "admin")
def assignment(assignment_id: int) -> ResponseReturnValue:
    item = assignment_service.get_visible_assignment(current_user, assignment_id)
    if item is None:
        abort(404)
    results = assignment_service.assignment_results(current_user, item, now())
    return render_template(
        "quiz/assignment.html",
        assignment=item,
        definition=quizzes().get(item.quiz_id),
        results=results,
        summary=assignment_service.summarize(results),
        cancel_form=CancelAssignmentForm(),
    )


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
    register_module_gate(app, module_gate, module_gates)
    register_final_gate(app, final_gate)
    register_course_gates(app, course_gates)  # after both: it answers as they do, in one query
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo_quizzes)
    app.cli.add_command(quiz_cli)
