"""The learn feature: course and lesson pages, progress along the onboarding path, certificates and
their public verification."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.learn.views import bp, next_steps
    from trainer.services.learning import seed_demo_progress

    app.register_blueprint(bp)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo_progress)
