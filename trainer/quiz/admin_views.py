"""Content health and item statistics for admins (the content owners)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from trainer.i18n import content_language
from trainer.quiz.views import tf_labels
from trainer.services.quiz import stats
from trainer.services.quiz.common import registry
from trainer.web import role_required

bp = Blueprint("quiz_admin", __name__, url_prefix="/admin/content")


@bp.before_request
@role_required("admin")
def admins_only():  # type: ignore[no-untyped-def]
    return None


@bp.route("/items")
def items():  # type: ignore[no-untyped-def]
    module = request.args.get("module") or None
    modules = sorted(registry().module_ids())
    if module not in modules:
        module = None
    flagged = request.args.get("flagged") == "1"
    rows = stats.item_rows(content_language(), module=module, flagged_only=flagged, tf_labels=tf_labels())
    return render_template(
        "quiz/items.html",
        rows=rows,
        modules=modules,
        module=module,
        flagged=flagged,
        min_attempts=stats.MIN_ATTEMPTS_FOR_FLAGS,
    )


@role_required("admin")
def content_health():  # type: ignore[no-untyped-def]
    """``admin.content``: counts and warnings from the content registry, with a link to items."""
    return render_template("quiz/content_health.html", health=stats.content_health(content_language()))
