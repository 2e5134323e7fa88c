"""``flask notify``: the scheduled e-mail run (cron or a systemd timer), sending only, and a test message."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.notify.services import outbox, schedule
from trainer.notify.services.compose import external_url
from trainer.notify.services.messages import send_to

notify_cli = AppGroup("notify", help="E-mail: reminders, digests and the outbox.")


def _report(sending: outbox.SendReport) -> None:
    if not sending.configured:
        click.echo(f"No SMTP server configured (TRAINER_MAIL_SMTP_HOST): {sending.waiting} message(s) wait in "
                   "the outbox page (/admin/outbox).")
        return
    click.echo(f"Sent {sending.sent}, to retry {sending.retried}, failed {sending.failed}, "
               f"waiting {sending.waiting}.")


@notify_cli.command("run")
@click.option("--at", "at", default=None, metavar="YYYY-MM-DDTHH:MM",
              help="Pretend it is this UTC time (to catch up or test); default: now.")
@click.option("--no-send", is_flag=True, help="Only queue what is due; leave sending to a later run.")
def run(at: str | None, no_send: bool) -> None:
    """Queue the reminders, overdue notices and weekly digests that are due, then send the outbox.
    Safe to run every few minutes: each message is queued once."""
    moment = utcnow()
    if at is not None:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError as error:
            raise click.BadParameter(f"{at!r} is not a time like 2026-12-07T08:00.", param_hint="--at") from error
        if moment.tzinfo is not None:
            raise click.BadParameter("give the time in UTC without an offset, e.g. 2026-12-07T08:00.",
                                     param_hint="--at")
    report = schedule.run(moment, send=not no_send)
    click.echo(f"Queued {report.reminders} reminder(s), {report.overdue} overdue notice(s), "
               f"{report.digests} digest(s).")
    if not no_send:
        _report(report.sending)


@notify_cli.command("send")
@click.option("--limit", type=click.IntRange(1, 10_000), default=None, help="At most this many messages.")
def send(limit: int | None) -> None:
    """Send what is waiting in the outbox (retries included), without queuing anything new."""
    _report(outbox.send_pending(limit))


@notify_cli.command("test")
@click.argument("email")
def test(email: str) -> None:
    """Queue and send a password-free test message (a certificate-style note) to an existing user."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.BadParameter(f"no user with the e-mail address {email!r}.", param_hint="EMAIL")
    queued = send_to(user, "certificate", f"test:{user.id}:{utcnow().isoformat()}",
                     {"course": "Test message", "code": "TESTTESTTESTTEST",
                      "link": external_url("main.home")})
    if not queued:
        raise click.ClickException("the message was not queued (is the account deactivated?).")
    _report(outbox.send_pending())
