"""The policy lab's one blueprint and the page helpers its two view modules share."""

from __future__ import annotations

from flask import Blueprint, current_app

from trainer.core.i18n import content_language
from trainer.policylab import forms as F
from trainer.policylab import report
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
