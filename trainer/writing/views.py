"""Writing practice pages: the task list, the editor beside the case file with the checklist's
instant feedback, submissions with their history, exports (text, print), peer requests and the
review page. Thin views: the services decide who may see and do what."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from trainer.core.downloads import attachment
from trainer.core.i18n import content_language
from trainer.core.time import local_stamp
from trainer.writing.checklist import Feedback, segments
from trainer.writing.forms import CsrfForm
from trainer.writing.services import drafts, reviews
from trainer.writing.services.common import WritingError, feedback, paragraphs, task_of
from trainer.writing.services.demo import seed_demo
from trainer.writing.tasks import ID_RE, Task

bp = Blueprint("writing", __name__, url_prefix="/writing", template_folder="templates")

FACT_LABELS = {
    "customer": _l("The customer's name"),
    "contract": _l("The contract number"),
    "amount": _l("The amount owed"),
    "invoices": _l("The invoice numbers"),
    "invoice_dates": _l("The invoice dates"),
    "due_date": _l("The due date"),
    "account": _l("Our bank account number"),
    "reply_deadline": _l("A deadline that is a real date after today"),
}
NOTES = {
    "wrong_amount": _l("Amounts in your text: %(values)s. The case says %(expected)s."),
    "some_missing": _l("Still missing: %(values)s"),
    "past_deadline": _l("Not after today: %(values)s"),
    "invalid_date": _l("Not a real date: %(values)s"),
}
WARNINGS = {
    "threat": _l("Sounds like a threat"),
    "insult": _l("Insulting"),
    "defamation": _l("Could be defamatory"),
    "promise": _l("A promise a salesperson may not make without authority (waiving fees, extending terms, discounts)"),
    "invalid_date": _l("Not a real date"),
}


def _task(task_id: str) -> Task:
    if not ID_RE.match(task_id):
        abort(404)
    try:
        return task_of(task_id)
    except WritingError:
        abort(404)


def _refuse(error: WritingError) -> ResponseReturnValue:
    if error.status in (403, 404):
        abort(error.status)
    flash(str(error.message), "error")
    return redirect(request.referrer or url_for("writing.index"))


def feedback_view(task: Task, text: str, result: Feedback) -> dict[str, Any]:
    """The checklist result in the reader's language, with the text cut into highlighted pieces."""
    lang = content_language()
    labels = {item.id: (item.label[lang] if item.label else str(FACT_LABELS[item.kind])) for item in task.checklist}
    rows = []
    marks: list[tuple[tuple[int, int], str]] = []
    for number, item in enumerate(result.items, start=1):
        note = ""
        if item.note == "wrong_amount":
            note = str(NOTES["wrong_amount"] % {"values": ", ".join(item.values[:-1]), "expected": item.values[-1]})
        elif item.values and not item.found:
            note = str(NOTES.get(item.note, NOTES["some_missing"]) % {"values": ", ".join(item.values)})
        quotes = [text[a:b] for a, b in item.spans[:3]]
        rows.append({"n": number, "id": item.id, "label": labels[item.id], "found": item.found, "note": note, "quotes": quotes})
        marks.extend((span, f"i{number}") for span in item.spans)
    warnings = [{"label": str(WARNINGS[w.category]), "phrase": w.phrase, "category": w.category} for w in result.warnings]
    marks.extend(((w.start, w.end), "warn") for w in result.warnings)
    length = result.length
    unit = _l("%(count)d characters (aim for %(low)d to %(high)d)") if length.language == "zh" else _l(
        "%(count)d words (aim for %(low)d to %(high)d)")
    return {
        "rows": rows, "warnings": warnings, "found": result.found, "total": result.total,
        "length": str(unit % {"count": length.count, "low": length.low, "high": length.high}),
        "length_status": length.status, "pieces": segments(text, marks),
    }


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    return render_template(
        "writing/index.html", rows=drafts.task_rows(current_user), requests=reviews.requests_for(current_user),
        titles={row.task.id: row.task.title[content_language()] for row in drafts.task_rows(current_user)},
        lang=content_language(), local_text=local_stamp,
    )


@bp.route("/tasks/<task_id>")
@login_required
def editor(task_id: str) -> ResponseReturnValue:
    task = _task(task_id)
    draft = drafts.draft_of(current_user, task)
    text = draft.text if draft else ""
    history = drafts.submissions_of(current_user.id, task.id)
    return render_template(
        "writing/editor.html", task=task, text=text, draft=draft, history=history, form=CsrfForm(),
        fb=feedback_view(task, text, feedback(task, text)), lang=content_language(), local_text=local_stamp,
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/tasks/<task_id>/save", methods=["POST"])
@login_required
def save(task_id: str) -> ResponseReturnValue:
    task = _task(task_id)
    text = request.form.get("text", "")
    try:
        draft = drafts.save_draft(current_user, task, text)
    except WritingError as error:
        if _wants_json():
            return jsonify({"ok": False, "error": str(error.message)}), 400
        flash(str(error.message), "error")
        return render_template(
            "writing/editor.html", task=task, text=text[:20000], draft=None, form=CsrfForm(),
            history=drafts.submissions_of(current_user.id, task.id),
            fb=feedback_view(task, "", feedback(task, "")), lang=content_language(), local_text=local_stamp,
        ), 400
    if _wants_json():
        panel = render_template("writing/_feedback.html", fb=feedback_view(task, draft.text, feedback(task, draft.text)))
        return jsonify({"ok": True, "saved_at": local_stamp(draft.updated_at, "%H:%M:%S"), "feedback": panel})
    flash(_l("Draft saved."), "success")
    return redirect(url_for("writing.editor", task_id=task.id))


@bp.route("/tasks/<task_id>/submit", methods=["POST"])
@login_required
def submit(task_id: str) -> ResponseReturnValue:
    task = _task(task_id)
    try:
        submission = drafts.submit(current_user, task, request.form.get("text", ""))
    except WritingError as error:
        return _refuse(error)
    flash(_l("Submitted as version %(version)d. Ask a colleague to review it, or wait for your manager.",
             version=submission.version), "success")
    return redirect(url_for("writing.submission", submission_id=submission.id))


def _readable(submission_id: int) -> Any:
    try:
        return reviews.readable_submission(current_user, submission_id)
    except WritingError as error:
        abort(error.status)


@bp.route("/submissions/<int:submission_id>")
@login_required
def submission(submission_id: int) -> ResponseReturnValue:
    item = _readable(submission_id)
    task = _task(item.task_id)
    is_author = item.user_id == current_user.id
    versions = drafts.submissions_of(item.user_id, item.task_id)
    shown_reviews = [r for r in item.reviews if r.completed_at is not None or r.reviewer_id == current_user.id]
    return render_template(
        "writing/submission.html", item=item, task=task, is_author=is_author, versions=versions,
        fb=feedback_view(task, item.text, feedback(task, item.text)), reviews=shown_reviews,
        can_review=reviews.can_review(current_user, item), paragraphs=_paragraph_texts(item.text),
        peers=reviews.peer_choices(current_user) if is_author else [], form=CsrfForm(),
        lang=content_language(), local_text=local_stamp,
    )


def _paragraph_texts(text: str) -> list[dict[str, Any]]:
    return [{"n": n, "start": a, "text": text[a:b]} for n, (a, b) in enumerate(paragraphs(text), start=1)]


@bp.route("/submissions/<int:submission_id>.txt")
@login_required
def export_text(submission_id: int) -> ResponseReturnValue:
    item = _readable(submission_id)
    text = item.text if item.text.endswith("\n") else item.text + "\n"
    return attachment(text.replace("\n", "\r\n"), f"{item.task_id}-v{item.version}.txt", "text/plain; charset=utf-8")


@bp.route("/submissions/<int:submission_id>/print")
@login_required
def print_view(submission_id: int) -> ResponseReturnValue:
    item = _readable(submission_id)
    return render_template("writing/print.html", item=item, task=_task(item.task_id),
                           paragraphs=_paragraph_texts(item.text), lang=content_language(), local_text=local_stamp)


@bp.route("/submissions/<int:submission_id>/ask", methods=["POST"])
@login_required
def ask(submission_id: int) -> ResponseReturnValue:
    item = _readable(submission_id)
    try:
        review = reviews.ask_peer(current_user, item, request.form.get("peer"))
    except WritingError as error:
        return _refuse(error)
    flash(_l("%(name)s has been asked to review this version.", name=review.reviewer.name), "success")
    return redirect(url_for("writing.submission", submission_id=item.id))


def _reviewable(submission_id: int) -> Any:
    try:
        return reviews.reviewable_submission(current_user, submission_id)
    except WritingError as error:
        abort(error.status)


@bp.route("/submissions/<int:submission_id>/review")
@login_required
def review(submission_id: int) -> ResponseReturnValue:
    item = _reviewable(submission_id)
    task = _task(item.task_id)
    mine = next((r for r in item.reviews if r.reviewer_id == current_user.id), None)
    return render_template(
        "writing/review.html", item=item, task=task, mine=mine, paragraphs=_paragraph_texts(item.text),
        fb=feedback_view(task, item.text, feedback(task, item.text)), form=CsrfForm(), lang=content_language(),
        local_text=local_stamp,
    )


@bp.route("/submissions/<int:submission_id>/comment", methods=["POST"])
@login_required
def comment(submission_id: int) -> ResponseReturnValue:
    item = _reviewable(submission_id)
    try:
        reviews.add_comment(current_user, item, request.form)
    except WritingError as error:
        return _refuse(error)
    flash(_l("Comment added."), "success")
    return redirect(url_for("writing.review", submission_id=item.id) + "#comments")


@bp.route("/submissions/<int:submission_id>/review", methods=["POST"])
@login_required
def save_review(submission_id: int) -> ResponseReturnValue:
    item = _reviewable(submission_id)
    try:
        saved = reviews.save_review(current_user, item, request.form)
    except WritingError as error:
        return _refuse(error)
    flash(_l("Review saved: %(score)d of %(max)d.", score=saved.score or 0, max=saved.max_score or 0), "success")
    return redirect(url_for("writing.submission", submission_id=item.id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo)
