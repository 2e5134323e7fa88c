"""The auth feature."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.auth.views import bp

    app.register_blueprint(bp)
