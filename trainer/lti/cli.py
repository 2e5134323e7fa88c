"""`flask lti`: rotate our signing keys, send the waiting scores, sync a course's roster."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from trainer.lti.services import grades, keys


@click.group("lti", help="LTI 1.3: signing keys and grade passback.")
def lti_cli() -> None:
    pass


@lti_cli.command("rotate-keys")
@click.option("--grace-days", type=click.IntRange(0, 365), default=7, show_default=True,
              help="How long a replaced key stays published before it retires.")
@with_appcontext
def rotate_keys(grace_days: int) -> None:
    """Make a new signing key; keys replaced more than GRACE_DAYS ago are no longer published."""
    rotation = keys.rotate(timedelta(days=grace_days))
    click.echo(f"signing key: {rotation.new_kid}")
    click.echo(f"still published: {', '.join(rotation.still_published) or '-'}")
    click.echo(f"retired now: {', '.join(rotation.retired) or '-'}")


@lti_cli.command("send-scores")
@click.option("--limit", type=click.IntRange(1, 10_000), default=500, show_default=True)
@with_appcontext
def send_scores(limit: int) -> None:
    """Post the due scores to the platforms' gradebooks (run it every minute from cron)."""
    done = grades.deliver_due(timeout=float(current_app.config.get("LTI_TIMEOUT_SECONDS", 10)), limit=limit)
    click.echo(f"sent {done.sent}, retrying {done.retrying}, failed {done.failed}")
