"""The admin feature."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.admin.views import bp

    app.register_blueprint(bp)
