"""Receivables Trainer (回款训练营): the application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from trainer.config import PROJECT_ROOT, build_config


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, content (validated eagerly), blueprints, commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(build_config(app.instance_path, test_config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from trainer import models  # noqa: F401  (registers the tables on the metadata)
    from trainer.extensions import babel, csrf, db, login_manager, migrate
    from trainer.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)

    from trainer.web import install_web_hooks

    install_web_hooks(app)

    from trainer.content.registry import install_content

    install_content(app)

    from trainer.admin.views import bp as admin_bp
    from trainer.auth.views import bp as auth_bp
    from trainer.main.views import bp as main_bp

    for blueprint in (auth_bp, main_bp, admin_bp):
        app.register_blueprint(blueprint)

    from trainer.cli import register_commands

    register_commands(app)
    return app
