"""Course and lesson pages, the inline check, mark complete, certificates and public verification.

Thin views: parse the request, call :mod:`trainer.learn.services`, render.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from trainer.accounts import access
from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.i18n import content_language
from trainer.core.time import local_day
from trainer.home.services import NextStep
from trainer.learn.course import Course
from trainer.learn.forms import VerifyForm
from trainer.learn.models import Certificate
from trainer.learn.services import certificates, lookups, outlines, recording
from trainer.learn.services.demo import seed_demo_progress
from trainer.learn.services.glossary import MAX_QUERY, glossary_page

bp = Blueprint("learn", __name__, template_folder="templates")

IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp"}
# Images are served from our own origin: keep anything inside them from running or loading more.
IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def _course_or_404(course_id: str) -> Course:
    try:
        return lookups.get_course(course_id)
    except lookups.NotFound:
        abort(404)


# --------------------------------------------------------------------------------------------------
# Course and lessons
# --------------------------------------------------------------------------------------------------


@bp.route("/learn/", defaults={"course_id": None})
@bp.route("/learn/<course_id>")
@login_required
def course(course_id: str | None) -> ResponseReturnValue:
    if course_id is None:
        first = lookups.onboarding_course()
        if first is None:
            abort(404)
        return redirect(url_for(".course", course_id=first.id))
    plan = outlines.outline(current_user.id, _course_or_404(course_id))
    return render_template("learn/course.html", plan=plan, course=plan.course, lang=content_language())


@bp.route("/learn/<course_id>/<lesson_id>")
@login_required
def lesson(course_id: str, lesson_id: str) -> ResponseReturnValue:
    lang = content_language()
    try:
        plan, state = recording.view_lesson(current_user.id, course_id, lesson_id, lang)
    except lookups.NotFound:
        abort(404)
    except lookups.Locked as locked:
        flash(str(locked.message), "warning")
        return redirect(url_for(".course", course_id=course_id))
    lesson = state.lesson
    text = lesson.text(lang)
    before, after = plan.course.neighbours(lesson.id)
    module_state = plan.module_state(lesson.module_id)
    chosen = state.check_option if state.check_option is not None and state.check_option < len(
        text.check.options
    ) else None
    return render_template(
        "learn/lesson.html",
        plan=plan,
        course=plan.course,
        lesson=lesson,
        text=text,
        state=state,
        module_state=module_state,
        position=module_state.module.lesson_ids.index(lesson.id) + 1,
        previous=plan.lesson_state(before.id) if before else None,
        next=plan.lesson_state(after.id) if after else None,
        chosen=chosen,
        lang=lang,
    )


@bp.post("/learn/<course_id>/<lesson_id>/visit")
@login_required
def visit(course_id: str, lesson_id: str) -> ResponseReturnValue:
    """The lesson page's script reports that the lesson was opened (GET pages never write)."""
    try:
        recording.record_visit(current_user.id, course_id, lesson_id, content_language())
    except lookups.NotFound:
        abort(404)
    except lookups.Locked:
        abort(403)
    return "", 204


@bp.post("/learn/<course_id>/<lesson_id>/complete")
@login_required
def complete(course_id: str, lesson_id: str) -> ResponseReturnValue:
    lang = content_language()
    try:
        result = recording.complete_lesson(current_user.id, course_id, lesson_id, lang)
    except lookups.NotFound:
        abort(404)
    except lookups.Locked as locked:
        flash(str(locked.message), "warning")
        return redirect(url_for(".course", course_id=course_id))
    plan = result.outline
    lesson = plan.course.lesson(lesson_id)
    assert lesson is not None
    module_state = plan.module_state(lesson.module_id)
    title = pick(module_state.module.title, lang)
    if not result.newly:
        flash(_("You had already completed this lesson."), "info")
    elif result.module_finished and module_state.waiting_for_gate:
        flash(_("You have read every lesson of “%(module)s”. Pass its quiz to unlock the next module.",
                module=title), "success")
    elif result.module_finished:
        flash(_("Module “%(module)s” complete.", module=title), "success")
    else:
        flash(_("Lesson complete."), "success")
    after = plan.course.neighbours(lesson_id)[1]
    if after is not None and after.module_id == lesson.module_id and not result.module_finished:
        return redirect(url_for(".lesson", course_id=course_id, lesson_id=after.id))
    return redirect(url_for(".course", course_id=course_id) + f"#module-{lesson.module_id}")


@bp.post("/learn/<course_id>/<lesson_id>/check")
@login_required
def check(course_id: str, lesson_id: str) -> ResponseReturnValue:
    """The inline check: JSON for the page script, a redirect back to the lesson without it."""
    wants_json = _wants_json()
    raw = request.form.get("option")
    lesson_url = url_for(".lesson", course_id=course_id, lesson_id=lesson_id) + "#check"
    if not wants_json and not raw:
        flash(_("Choose an answer first."), "warning")
        return redirect(lesson_url, 303)
    try:
        result = recording.answer_check(current_user.id, course_id, lesson_id, raw, content_language())
    except lookups.NotFound:
        if wants_json:
            return jsonify(error=_("There is no such lesson.")), 404
        abort(404)
    except lookups.Locked as locked:
        if wants_json:
            return jsonify(error=str(locked.message)), 403
        flash(str(locked.message), "warning")
        return redirect(url_for(".course", course_id=course_id))
    except lookups.BadAnswer as bad:
        if wants_json:
            return jsonify(error=str(bad.message)), 400
        return render_template(
            "errors/error.html", code=400, title=_("Answer not accepted"), message=str(bad.message)
        ), 400
    if wants_json:
        return jsonify(
            correct=result.correct,
            option=result.option,
            feedback=result.feedback,
            verdict=_("Right.") if result.correct else _("Not quite."),
        )
    return redirect(lesson_url, 303)


@bp.route("/learn/<course_id>/images/<path:name>")
@login_required
def image(course_id: str, name: str) -> ResponseReturnValue:
    """A file from the course's own images/ folder, nothing else (send_from_directory refuses ..)."""
    course = _course_or_404(course_id)
    kind = IMAGE_TYPES.get(Path(name).suffix.lower())
    if kind is None:
        abort(404)
    folder = Path(course.source).resolve().parent / "images"
    response = send_from_directory(folder, name, mimetype=kind, max_age=3600)
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    return response


# --------------------------------------------------------------------------------------------------
# Certificates
# --------------------------------------------------------------------------------------------------


@bp.route("/learn/<course_id>/certificate", methods=["GET", "POST"])
@login_required
def certificate_status(course_id: str) -> ResponseReturnValue:
    course = _course_or_404(course_id)
    if request.method == "POST":
        try:
            issued = recording.issue_certificate(current_user, course.id, content_language())
        except lookups.LearningError as refused:
            flash(str(refused.message), "warning")
            return redirect(url_for(".certificate_status", course_id=course.id))
        flash(_("Your certificate is ready."), "success")
        return redirect(url_for(".certificate", certificate_id=issued.id))
    plan = outlines.outline(current_user.id, course)
    if plan.certificate is not None:
        return redirect(url_for(".certificate", certificate_id=plan.certificate.id))
    return render_template("learn/certificate_status.html", plan=plan, course=course, lang=content_language())


def _verify_url(certificate: Certificate) -> str:
    return url_for(".verify", code=certificates.format_code(certificate.code), _external=True)


def _certificate_words(certificate: Certificate, lang: str) -> dict[str, str]:
    """The certificate's wording and date in one language ('zh' or 'en')."""
    with force_locale("en" if lang == "en" else "zh_CN"):
        return {
            "lang": "en" if lang == "en" else "zh-CN",
            "org": _("Receivables Trainer"),
            "title": _("Certificate of completion"),
            "certifies": _("This certifies that"),
            "completed": _("has completed the course"),
            "course": certificates.course_titles(certificate)[lang],
            "date": _("Date"),
            "issued": format_date(local_day(certificate.issued_at), "long"),
            "code": _("Verification code"),
            "check": _("Anyone can check this certificate at"),
            "scan": _("Scan to verify"),
        }


def _certificate_body(certificate: Certificate) -> Markup:
    """The certificate itself: in the language it was issued in, with every line repeated in the
    other language, and a QR code of its verification address (whatever the page's language)."""
    first = "en" if certificate.language == "en" else "zh"
    main, other = _certificate_words(certificate, first), _certificate_words(certificate, "zh" if first == "en" else "en")
    verify_url = _verify_url(certificate)
    html = render_template(
        "learn/_certificate_body.html",
        certificate=certificate,
        code=certificates.format_code(certificate.code),
        main=main,
        other=other,
        verify_url=verify_url,
        qr=Markup(certificates.verification_qr_svg(verify_url, f"{main['scan']} · {other['scan']}")),  # noqa: S704 - segno's SVG of our own URL
    )
    return Markup(html)  # noqa: S704 - rendered by our own autoescaping template


@bp.route("/certificates/<int:certificate_id>")
@login_required
def certificate(certificate_id: int) -> ResponseReturnValue:
    found = certificates.get_certificate(certificate_id)
    if found is None or not access.can_view_user(current_user, found.user_id):
        abort(404)
    return render_template("learn/certificate.html", certificate=found, body=_certificate_body(found))


@bp.route("/verify")
def verify_form() -> ResponseReturnValue:
    form = VerifyForm(formdata=request.args if request.args else None)
    if request.args and form.validate():
        code = certificates.normalize_code(form.code.data)
        if code is not None:
            return redirect(url_for(".verify", code=certificates.format_code(code)))
        form.code.errors.append(_("A code has 16 letters and digits, like ABCD-EFGH-JKLM-NPQR."))
    return render_template("learn/verify.html", form=form, certificate=None, unknown=False)


@bp.route("/verify/<code>")
def verify(code: str) -> ResponseReturnValue:
    found = certificates.find_certificate(code)
    form = VerifyForm(formdata=None, data={"code": code[:40]})
    if found is None:
        return render_template("learn/verify.html", form=form, certificate=None, unknown=True, code=code[:40]), 404
    return render_template(
        "learn/verify.html",
        form=form,
        certificate=found,
        unknown=False,
        code=certificates.format_code(found.code),
        issued=format_date(local_day(found.issued_at), "long"),
        course_title=certificates.course_titles(found)[content_language()],
    )


# --------------------------------------------------------------------------------------------------
# Home page
# --------------------------------------------------------------------------------------------------


def next_steps(user: User) -> list[NextStep]:
    """The home page's pointer along the onboarding path."""
    course = lookups.onboarding_course()
    if course is None:
        return []
    lang = content_language()
    plan = outlines.outline(user.id, course)
    resume = plan.resume
    course_title = pick(course.title, lang)
    course_url = url_for("learn.course", course_id=course.id)
    if resume.kind in ("start", "lesson") and resume.lesson is not None:
        url = url_for("learn.lesson", course_id=course.id, lesson_id=resume.lesson.id)
        if resume.kind == "start":
            return [NextStep(
                _("Start the onboarding course"),
                _("%(course)s · %(count)d lessons, about %(hours)d hours in all",
                  course=course_title, count=plan.total, hours=max(1, round(course.minutes / 60))),
                url,
            )]
        return [NextStep(
            _("Resume: %(lesson)s", lesson=resume.lesson.title(lang)),
            _("%(course)s · %(done)d of %(total)d lessons done", course=course_title, done=plan.done,
              total=plan.total),
            url,
        )]
    if resume.kind == "gate" and resume.module is not None:
        module_title = pick(resume.module.module.title, lang)
        gate = resume.gate
        return [NextStep(
            (gate.title if gate and gate.title else _("Take the quiz of “%(module)s”", module=module_title)),
            _("You have read every lesson of “%(module)s”. Pass its quiz to unlock the next module.",
              module=module_title),
            (gate.url if gate and gate.url else course_url),
            "warning",
        )]
    if resume.kind == "final":
        gate = resume.gate
        return [NextStep(
            (gate.title if gate and gate.title else _("Take the final exam")),
            _("Every module is complete. Pass the final exam to earn your certificate."),
            (gate.url if gate and gate.url else course_url),
            "warning",
        )]
    if resume.kind == "certificate":
        return [NextStep(
            _("Get your certificate"),
            _("You have finished “%(course)s”.", course=course_title),
            url_for("learn.certificate_status", course_id=course.id),
            "done",
        )]
    if resume.kind == "done" and plan.certificate is not None:
        return [NextStep(
            _("Your certificate"),
            _("“%(course)s” finished. The lessons stay open whenever you want to revise.", course=course_title),
            url_for("learn.certificate", certificate_id=plan.certificate.id),
            "done",
        )]
    return []



# --------------------------------------------------------------------------------------------------
# Glossary
# --------------------------------------------------------------------------------------------------


@bp.get("/glossary")
@login_required
def glossary() -> ResponseReturnValue:
    """Every signed-in user may search the course's terms (they are course content, not records)."""
    lang = content_language()
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        message = _("The search is too long: use at most %(n)d characters.", n=MAX_QUERY)
        page = glossary_page("", lang)
        return render_template("learn/glossary.html", page=page, entries=(), query=query[:MAX_QUERY],
                               error=message, lang=lang), 400
    page = glossary_page(query, lang)
    return render_template("learn/glossary.html", page=page, entries=page.entries, query=query, error=None, lang=lang)


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo_progress)
