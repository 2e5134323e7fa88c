"""``flask sim``: the policy lab's commands (for cron and operators)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from trainer.policylab import jobs

sim_cli = AppGroup("sim", help="Policy-lab simulation jobs.")


@sim_cli.command("sweep-jobs")
def sweep_jobs() -> None:
    """Mark failed every job whose worker stopped beating (run it every minute from cron)."""
    count = jobs.sweep()
    click.echo(f"{count} stalled job(s) marked failed.")
