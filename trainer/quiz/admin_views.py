"""Content health and item statistics for admins (the content owners)."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request

from trainer.core.content import catalog
from trainer.core.i18n import content_language
from trainer.core.web import role_required
from trainer.quiz.services import stats
from trainer.quiz.views import tf_labels

bp = Blueprint("quiz_admin", __name__, url_prefix="/admin/content", template_folder="templates")


@bp.before_request
@role_required("admin")
def admins_only() -> None:
    return None


@bp.route("/items")
def items() -> str:
    module = request.args.get("module") or None
    modules = sorted(catalog().module_ids())
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
def content_health() -> str:
    """``admin.content``: counts and warnings from the content registry, with a link to items."""
    return render_template("quiz/content_health.html", health=stats.content_health(content_language()))


def init_app(app: Flask) -> None:
    """The admin side of the quiz feature: content health and item statistics."""
    app.register_blueprint(bp)
    if "admin.content" not in app.view_functions:  # the content health page the navigation links
        app.add_url_rule("/admin/content", endpoint="admin.content", view_func=content_health)
