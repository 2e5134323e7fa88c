"""The application factory: config, extensions, the content catalogue, every feature, commands."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from trainer.accounts import views as accounts_views
from trainer.admin import views as admin_views
from trainer.catalog import install_content
from trainer.cli import register_commands
from trainer.config import PROJECT_ROOT, ConfigError, build_config, resolve_secret_key
from trainer.content.source import ContentError
from trainer.core import inputs, readonly
from trainer.core.gcpause import collector_paused
from trainer.core.i18n import install_template_gettext, select_locale
from trainer.core.web import install_web_hooks
from trainer.extensions import babel, csrf, db, login_manager, migrate
from trainer.home import views as home_views
from trainer.learn import views as learn_views
from trainer.lti import views as lti_views
from trainer.manage import views as manage_views
from trainer.notify import views as notify_views
from trainer.policylab import views as policylab_views
from trainer.quiz import admin_views as quiz_admin_views
from trainer.quiz import views as quiz_views
from trainer.roleplay import views as roleplay_views
from trainer.scorecard import views as scorecard_views
from trainer.writing import views as writing_views

# Each feature's views module has init_app(app): it registers the blueprint and, where the feature has
# them, a home-page next-step provider (app.extensions["next_step_providers"]) and a demo-data seeder
# (app.extensions["demo_seeders"]). Importing them registers every table on the metadata too.
FEATURES = (
    accounts_views,
    home_views,
    admin_views,
    learn_views,
    quiz_views,
    quiz_admin_views,
    roleplay_views,
    writing_views,
    scorecard_views,
    manage_views,
    policylab_views,
    notify_views,
    lti_views,
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; under a ``flask`` command a refusal to start (configuration or content) is the
    plain message and exit status 1, not a traceback: the person at the terminal needs the reason.
    Built with the cyclic collector paused: loading the content makes long-lived objects only, and
    the collector's passes over them took half of the build (see :mod:`trainer.core.gcpause`)."""
    try:
        with collector_paused():
            return build_app(test_config)
    except (ConfigError, ContentError) as error:
        if click.get_current_context(silent=True) is None:
            raise
        raise click.ClickException(str(error)) from error


def build_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, content (validated eagerly), blueprints, commands."""
    app = Flask(
        "trainer",
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(build_config(app.instance_path, test_config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = resolve_secret_key(
        app.config, app.instance_path, debug=app.debug, testing=app.testing
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    login_manager.init_app(app)

    install_web_hooks(app)
    readonly.install()
    inputs.install(app)  # before the blueprints: their <int:...> rules take the bounded converter

    install_content(app)

    for feature in FEATURES:
        feature.init_app(app)

    register_commands(app)
    hops = app.config["PROXY_HOPS"]
    if hops:  # behind a proxy: the person's address (throttles, the sign-in log) and scheme come from it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app
