"""Names and Role Provisioning: read a course's membership from its platform and keep the course's
team in step (accounts made and linked as at a launch; learners members, instructors managers;
people who left the course, or are inactive in it, leave the team)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from trainer.accounts import audit
from trainer.accounts.models import IdentityLink, User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.lti import rules
from trainer.lti.models import LtiContext
from trainer.lti.services import people
from trainer.lti.services.platform_http import PlatformCallFailed, get_json

MAX_PAGES = 50


@dataclass(frozen=True)
class SyncResult:
    members: int
    added: int
    removed: int
    created: int


def _members(context: LtiContext, timeout: float) -> list[dict[str, Any]]:
    members: list[dict[str, Any]] = []
    url: str | None = context.memberships_url
    for _ in range(MAX_PAGES):
        if not url:
            break
        body, response = get_json(context.platform, url, scopes=[rules.SCOPE_MEMBERSHIPS],
                                  accept=rules.MEMBERSHIPS_MEDIA_TYPE, timeout=timeout)
        page = body.get("members") if isinstance(body, dict) else None
        if not isinstance(page, list):
            raise PlatformCallFailed("the membership answer has no members list")
        members.extend(m for m in page if isinstance(m, dict))
        url = response.links.get("next", {}).get("url")
    return members


def _person(member: dict[str, Any]) -> people.Person | None:
    subject = member.get("user_id")
    if not isinstance(subject, str) or not subject.strip():
        return None
    roles = member.get("roles")

    def text(key: str, limit: int) -> str:
        value = member.get(key)
        return value.strip()[:limit] if isinstance(value, str) else ""

    return people.Person(subject=subject.strip()[:255], name=text("name", 120), email=text("email", 254).lower(),
                         locale="", roles=tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else ())


def sync(actor: User, context_id: int, *, timeout: float) -> SyncResult:
    """Fetch the roster and bring the team in step; committed. Raises PlatformCallFailed."""
    context = db.session.get(LtiContext, context_id)
    if context is None or not context.memberships_url:
        raise PlatformCallFailed("this course has no membership service (launch it once from the platform)")
    members = _members(context, timeout)
    team = people.team_of(context) or people.team_of(
        people.context_team(context.platform, context.context_id, context.title)
    )
    assert team is not None
    issuer = people.link_issuer(context.platform)
    existing = {link.subject for link in db.session.scalars(select(IdentityLink).where(IdentityLink.issuer == issuer))}
    present: set[int] = set()
    added = created = 0
    for member in members:
        person = _person(member)
        if person is None or member.get("status", "Active") != "Active":
            continue
        created += person.subject not in existing
        try:
            user = people.account_for(context.platform, person)
        except rules.LaunchRefused:
            continue  # deactivated here: stays out
        present.add(user.id)
        added += people.place(user, team, person.roles)
    removed = sum(people.remove_from(user, team) for user in list(team.members) + list(team.managers)
                  if user.id not in present and _linked_here(user.id, issuer))
    context.last_synced_at = utcnow()
    audit.record(actor, "lti.roster_sync", team.name, members=len(present), added=added, removed=removed)
    db.session.commit()
    return SyncResult(members=len(present), added=added, removed=removed, created=created)


def _linked_here(user_id: int, issuer: str) -> bool:
    """Only people who came from this platform leave with it (an admin may add others by hand)."""
    return db.session.scalar(select(IdentityLink.id).where(
        IdentityLink.user_id == user_id, IdentityLink.issuer == issuer)) is not None
