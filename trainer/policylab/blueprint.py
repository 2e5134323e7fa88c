"""The policy lab's one blueprint and the page helpers its two view modules share."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import gettext as _

from trainer.core.i18n import content_language
from trainer.policylab import forms as F
from trainer.policylab import jobs, report
from trainer.policylab.services import presets

bp = Blueprint("sim", __name__, template_folder="templates")


def page_fmt(currency: str = "CNY") -> report.Fmt:
    """Number and money formatting in the reader's language."""
    return report.Fmt(content_language(), currency)


def lesson_links() -> dict[str, tuple[str, str]]:
    """lesson id → (url, title in the user's language), for the help beside each field."""
    registry = current_app.extensions.get("content")
    lang = content_language()
    out = {}
    for spec in F.FIELDS:
        if spec.lesson and spec.lesson not in out:
            lesson = getattr(registry, "lessons", {}).get(spec.lesson) if registry else None
            title = lesson.title(lang) if lesson is not None else spec.lesson
            out[spec.lesson] = (f"/learn/ar-essentials/{spec.lesson}", title)
    return out


def preset_choices() -> list[tuple[str, str]]:
    lang = content_language()
    return [(p.name, p.title.get(lang) or p.name) for p in presets.presets()]


def job_error_text(code: str | None) -> str:
    """What a failed job tells its owner, from its error code (never the exception text)."""
    texts = {
        "invalid": _("The simulation refused these settings. Change them and run it again."),
        "stalled": _("The worker running this simulation stopped, so it did not finish. Run it again."),
        "timeout": _("The simulation took longer than allowed and was stopped. Try a smaller portfolio or "
                     "fewer days."),
        "queue_unavailable": _("The simulation queue was not available. Run it again in a minute."),
    }
    return texts.get(code or "", _("Something went wrong on our side and nothing was saved. Run it again; "
                                   "if it fails again, tell your administrator."))


def job_refused_text(refusal: jobs.JobRefused) -> str:
    """Why nothing was queued."""
    if refusal.code == "user_queued":
        return _("You already have %(n)s simulations waiting. Wait until one has finished, then start "
                 "the next.", n=refusal.limit)
    if refusal.code == "busy":
        return _("The policy lab is busy: too many simulations are waiting. Try again in a few minutes.")
    return _("This simulation cannot be run again.")
