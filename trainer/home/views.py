"""The home page, different for each role."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from trainer.core.content import catalog
from trainer.home import services as home_service

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
@login_required
def home() -> ResponseReturnValue:
    if current_user.is_admin:
        health = home_service.admin_health(current_app.config["SQLALCHEMY_DATABASE_URI"])
        registry = catalog()
        return render_template(
            "main/home_admin.html",
            health=health,
            counts=registry.counts(),
            competency_count=len(registry.competencies),
            warnings=registry.warnings,
        )
    if current_user.is_manager:
        panel = current_app.extensions.get("manager_home_panel")  # the dashboard's summary, when installed
        return render_template("main/home_manager.html", teams=home_service.manager_overview(current_user),
                               summary=panel(current_user) if panel else "")
    return render_template("main/home_trainee.html", steps=home_service.trainee_next_steps(current_user))


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
