"""The manage feature: the manager dashboard (team overview, a member's page, competency heatmap,
most-missed questions, refresher completion), CSV exports and a print-friendly page."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.manage.views import bp

    app.register_blueprint(bp)
