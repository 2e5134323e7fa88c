"""The policy lab: the portfolio simulation in the browser (policy form, background runs, results,
comparisons, confidence bands, saved runs) and simulation workshops played in team rounds."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.services.simulation import next_steps, seed_demo
    from trainer.sim_web.views import bp

    app.register_blueprint(bp)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo)
