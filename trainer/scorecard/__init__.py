"""The scorecard feature: the quarterly self-assessment, its results next to measured scores
(radar, levels, gaps, recommendations) and the trend over quarters."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.scorecard.views import bp
    from trainer.services.scorecard import next_steps, seed_demo

    app.register_blueprint(bp)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo)
