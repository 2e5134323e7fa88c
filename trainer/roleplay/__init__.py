"""Role-play: solo practice against scripted customers and facilitated pair workshops."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.roleplay.cli import scenario_cli
    from trainer.roleplay.views import bp
    from trainer.services.roleplay.extras import next_steps, seed_demo

    app.register_blueprint(bp)
    app.cli.add_command(scenario_cli)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo)
