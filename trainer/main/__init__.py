"""The main feature."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.main.views import bp

    app.register_blueprint(bp)
