"""Receivables Trainer (回款训练营): the application factory."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask

from trainer.config import PROJECT_ROOT, build_config

# Each feature package exposes init_app(app): it registers its blueprint and, where it has them,
# a home-page next-step provider (app.extensions["next_step_providers"]) and a demo-data seeder
# (app.extensions["demo_seeders"]).
FEATURES = (
    "trainer.auth",
    "trainer.main",
    "trainer.admin",
    "trainer.learn",
    "trainer.quiz",
    "trainer.roleplay",
    "trainer.scorecard",
    "trainer.manage",
    "trainer.sim_web",
)


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

    for feature in FEATURES:
        import_module(feature).init_app(app)

    from trainer.cli import register_commands

    register_commands(app)
    return app
