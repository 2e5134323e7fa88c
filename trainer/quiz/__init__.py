"""The quiz feature: module quizzes, the final exam, refresher assignments, the daily review,
item statistics, and GIFT import/export on the command line.

It plugs into the course through the gates of :mod:`trainer.services.learning`: a module quiz
passed completes its module (``app.extensions["module_gate"]``), the final exam passed allows the
certificate (``app.extensions["final_gate"]``).
"""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from trainer.quiz.admin_views import bp as admin_bp
    from trainer.quiz.admin_views import content_health
    from trainer.quiz.cli import quiz_cli
    from trainer.quiz.views import bp
    from trainer.services.learning import register_final_gate, register_module_gate
    from trainer.services.quiz.demo import seed_demo_quizzes
    from trainer.services.quiz.home import next_steps
    from trainer.services.quiz.progress import final_gate, module_gate

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    if "admin.content" not in app.view_functions:  # the content health page the navigation links
        app.add_url_rule("/admin/content", endpoint="admin.content", view_func=content_health)
    register_module_gate(app, module_gate)
    register_final_gate(app, final_gate)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo_quizzes)
    app.cli.add_command(quiz_cli)
