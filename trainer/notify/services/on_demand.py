"""Messages sent on demand: a password-reset link by e-mail, workshop invitations."""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import current_app
from sqlalchemy import select

from trainer.accounts import audit
from trainer.accounts.access import can_manage_team, descendant_team_ids
from trainer.accounts.models import Team, User, team_members
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.notify.services.messages import Workshop, password_reset_notice, workshop_invitation
from trainer.notify.services.outbox import sent_since
from trainer.notify.services.preferences import NotifyError
from trainer.notify.services.transport import settings_from


def request_password_reset(email: str, address_blocked: bool) -> None:
    """Queue a reset link when the address belongs to an active account and it has not had
    MAIL_RESET_MAX_PER_HOUR of them in the last hour. Says nothing either way: the page answers
    the same whatever happened, so it never tells whether an account exists."""
    if address_blocked:
        return
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active:
        return
    if sent_since(user.id, "password_reset", utcnow() - timedelta(hours=1)) >= current_app.config["MAIL_RESET_MAX_PER_HOUR"]:
        return
    password_reset_notice(user)


def invite_to_workshop(organizer: User, team_ids: list[int], workshop: Workshop) -> int:
    """Invite everyone in the teams (and the teams below) the organizer manages; returns how many."""
    if not team_ids:
        raise NotifyError("no teams", field="team_ids")
    for team_id in team_ids:
        if db.session.get(Team, team_id) is None or not can_manage_team(organizer, team_id):
            raise NotifyError("not your team", field="team_ids")
    members = db.session.scalars(
        select(User).join(team_members, team_members.c.user_id == User.id)
        .where(team_members.c.team_id.in_(descendant_team_ids(team_ids)), User.active.is_(True)).distinct()
    ).all()
    sender = settings_from(current_app.config).sender
    stamp = utcnow().replace(tzinfo=UTC)
    invited = sum(workshop_invitation(user, workshop, sender, stamp) for user in members)
    audit.record(organizer, "notify.workshop_invitation", workshop.title, invited=invited)
    db.session.commit()
    return invited
