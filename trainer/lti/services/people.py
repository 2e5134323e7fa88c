"""Who a platform's person is here: the account linked to their platform identity (issuer +
subject, in the identity links single sign-on uses, as ``lti:<issuer>``), made on their first launch
or roster sync and never duplicated; and the team each platform course becomes (learners are its
members, instructors its managers)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer.accounts import audit
from trainer.accounts.models import NO_PASSWORD, IdentityLink, Team, User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.lti import rules
from trainer.lti.models import LtiContext, LtiPlatform
from trainer.lti.rules import LaunchRefused, Reason

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


@dataclass(frozen=True)
class Person:
    """A platform member, from a launch or a roster."""

    subject: str
    name: str
    email: str
    locale: str
    roles: tuple[str, ...]


def person_of(launch: rules.Launch) -> Person:
    return Person(launch.subject, launch.name, launch.email, launch.locale, launch.roles)


def link_issuer(platform: LtiPlatform) -> str:
    return ("lti:" + platform.issuer)[:255]


def _language(locale: str) -> str:
    return "en" if locale.lower().startswith("en") else "zh_CN"


def _placeholder_email(platform: LtiPlatform, subject: str) -> str:
    digest = hashlib.sha256(f"{platform.issuer}\n{subject}".encode()).hexdigest()[:20]
    return f"lti-{digest}@lti.invalid"


def _email_free(email: str) -> bool:
    return bool(EMAIL_RE.match(email)) and db.session.scalar(select(User.id).where(User.email == email)) is None


def _create(platform: LtiPlatform, person: Person) -> User:
    email = person.email if person.email and _email_free(person.email) else _placeholder_email(platform, person.subject)
    user = User(
        name=person.name or email.split("@")[0], email=email, password_hash=NO_PASSWORD,
        role=rules.site_role(person.roles, trust_admins=platform.trust_admins),
        language=_language(person.locale), must_change_password=False,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(None, "lti.create", user.email, issuer=platform.issuer, subject=person.subject)
    return user


def _account(platform: LtiPlatform, person: Person) -> User:
    issuer = link_issuer(platform)
    link = db.session.scalar(
        select(IdentityLink).where(IdentityLink.issuer == issuer, IdentityLink.subject == person.subject)
    )
    if link is not None:
        user = link.user
    else:
        user = None
        if platform.link_by_email and person.email:
            user = db.session.scalar(select(User).where(User.email == person.email))
        user = user or _create(platform, person)
        link = IdentityLink(user_id=user.id, issuer=issuer, subject=person.subject, email_at_link=person.email[:254])
        db.session.add(link)
        audit.record(user, "lti.link", user.email, issuer=platform.issuer, subject=person.subject)
    link.last_sign_in_at = utcnow()
    role = rules.raised_role(user.role, rules.site_role(person.roles, trust_admins=platform.trust_admins))
    if role != user.role:
        audit.record(None, "lti.role_change", user.email, role=[user.role, role], issuer=platform.issuer)
        user.role = role
    if person.name and person.name != user.name:
        user.name = person.name
    return user


def account_for(platform: LtiPlatform, person: Person) -> User:
    """The linked (or new) account; no commit. Raises LaunchRefused for a deactivated account."""
    try:
        with db.session.begin_nested():
            user = _account(platform, person)
    except IntegrityError:  # the same person's first launch in two tabs at once: the other one made it
        user = _account(platform, person)
    if not user.active:
        raise LaunchRefused(Reason.NO_ACCOUNT)
    return user


def _team_name(platform: LtiPlatform, title: str, context_id: str) -> str:
    base = f"{platform.label} · {title or context_id}"[:110]
    name, n = base, 1
    while db.session.scalar(select(Team.id).where(Team.name == name)) is not None:
        n += 1
        name = f"{base} ({n})"
    return name


def context_team(platform: LtiPlatform, context_id: str, title: str, memberships_url: str = "") -> LtiContext:
    """The course's row and its team, made on first sight (no commit)."""
    row = db.session.scalar(
        select(LtiContext).where(LtiContext.platform_id == platform.id, LtiContext.context_id == context_id)
    )
    if row is None:
        row = LtiContext(platform_id=platform.id, context_id=context_id, title=title)
        db.session.add(row)
    if title:
        row.title = title
    if memberships_url:
        row.memberships_url = memberships_url
    if row.team_id is None or db.session.get(Team, row.team_id) is None:
        team = Team(name=_team_name(platform, title, context_id))
        db.session.add(team)
        db.session.flush()
        row.team_id = team.id
        audit.record(None, "team.create", team.name, source="lti", context=context_id)
    db.session.flush()
    return row


def place(user: User, team: Team, roles: tuple[str, ...]) -> bool:
    """Instructors manage the course's team, learners are its members; True when that changed."""
    instructor = rules.context_role(roles) == "instructor"
    relation, other = (user.managed_teams, user.teams) if instructor else (user.teams, user.managed_teams)
    changed = False
    if team not in relation:
        relation.append(team)
        changed = True
    if team in other:
        other.remove(team)
        changed = True
    return changed


def remove_from(user: User, team: Team) -> bool:
    changed = False
    for relation in (user.teams, user.managed_teams):
        if team in relation:
            relation.remove(team)
            changed = True
    return changed


def team_of(context: LtiContext) -> Team | None:
    return db.session.get(Team, context.team_id) if context.team_id is not None else None
