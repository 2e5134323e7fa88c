"""Who a person verified by the company's OpenID provider becomes here: found by their identity link
(issuer + subject), or on first sign-in linked to the account with the same *verified* e-mail (or a
new one), then kept in step with the provider's groups (role, mapped teams) at every sign-in.

A person the provider marks disabled (a disabled group or claim) is deactivated here and all their
sessions end; a person deactivated here stays out whatever the provider says. Every sign-in, link,
creation, role and team change and refusal is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.accounts import audit, sessions
from trainer.accounts.models import NO_PASSWORD, IdentityLink, Team, User
from trainer.accounts.sso import Refusal, SsoRefused, SsoSettings
from trainer.accounts.sso_rules import GroupMapping, MappedAccess, ProviderProfile, mapped_access
from trainer.core.time import utcnow
from trainer.extensions import db

DEFAULT_LANGUAGE = "zh_CN"


def _refuse(reason: Refusal, profile: ProviderProfile, user: User | None = None) -> SsoRefused:
    """Record the refusal (committed: the page that follows is all the person sees) and return it."""
    audit.record(user, "sso.refused", profile.email or profile.subject, reason=reason.name, issuer=profile.issuer)
    db.session.commit()
    return SsoRefused(reason)


def _linked_user(profile: ProviderProfile) -> tuple[IdentityLink | None, User | None]:
    link = db.session.scalar(
        select(IdentityLink).where(IdentityLink.issuer == profile.issuer, IdentityLink.subject == profile.subject)
    )
    if link is not None:
        return link, link.user
    if not profile.email_verified:
        return None, None
    return None, db.session.scalar(select(User).where(User.email == profile.email))


def _deactivate(user: User, profile: ProviderProfile) -> None:
    """The provider says this person is disabled: no access here either, from now on."""
    if user.active:
        user.active = False
        sessions.end_all(user.id)
        audit.record(None, "sso.deactivated", user.email, issuer=profile.issuer, groups=sorted(profile.groups))


def _create(profile: ProviderProfile, settings: SsoSettings) -> User:
    if not settings.create_users:
        raise _refuse(Refusal.NO_ACCOUNT, profile)
    user = User(
        name=profile.name, email=profile.email, password_hash=NO_PASSWORD, role=settings.mapping.default_role,
        language=profile.language or DEFAULT_LANGUAGE, must_change_password=False,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(None, "sso.create", user.email, issuer=profile.issuer, subject=profile.subject)
    return user


def _link(user: User, profile: ProviderProfile) -> IdentityLink:
    """Link on a verified e-mail only; one identity per account and provider."""
    other = db.session.scalar(
        select(IdentityLink.id).where(IdentityLink.user_id == user.id, IdentityLink.issuer == profile.issuer)
    )
    if other is not None:
        raise _refuse(Refusal.LINKED_ELSEWHERE, profile, user)
    link = IdentityLink(user_id=user.id, issuer=profile.issuer, subject=profile.subject, email_at_link=profile.email)
    db.session.add(link)
    audit.record(user, "sso.link", user.email, issuer=profile.issuer, subject=profile.subject)
    return link


def _teams_named(names: set[str]) -> dict[str, Team]:
    """The teams with these names, creating the missing ones (a mapping may name a new team)."""
    found = {team.name: team for team in db.session.scalars(select(Team).where(Team.name.in_(names))).all()}
    for name in sorted(names - set(found)):
        found[name] = Team(name=name)
        db.session.add(found[name])
        audit.record(None, "team.create", name, source="sso")
    return found


def _sync(user: User, access: MappedAccess, mapping: GroupMapping) -> None:
    """Role (when the mapping gives roles) and the mapped teams follow the provider's groups."""
    if mapping.roles and user.role != access.role:
        audit.record(None, "sso.role_change", user.email, role=[user.role, access.role])
        user.role = access.role
    mapped = mapping.mapped_teams
    if not mapped:
        return
    teams = _teams_named(set(mapped))
    for relation, wanted, action in ((user.teams, access.member_of, "sso.teams"),
                                     (user.managed_teams, access.manager_of, "sso.manages")):
        before = {team.name for team in relation if team.name in mapped}
        for name in before - wanted:
            relation.remove(teams[name])
        for name in wanted - before:
            relation.append(teams[name])
        if before != wanted:
            audit.record(None, action, user.email, teams=[sorted(before), sorted(wanted)])


def sign_in(profile: ProviderProfile, settings: SsoSettings) -> User:
    """The account for a verified provider identity, linked, created and synced as needed and
    committed; raises SsoRefused (already audited) when the person gets no access.

    The same person's first sign-in in two browsers at once makes one of them hit the unique
    link (or e-mail, or team name); that one starts again and finds what the other one made."""
    try:
        return _sign_in_once(profile, settings)
    except IntegrityError:
        db.session.rollback()
        return _sign_in_once(profile, settings)


def _sign_in_once(profile: ProviderProfile, settings: SsoSettings) -> User:
    access = mapped_access(profile.groups, settings.mapping)
    link, user = _linked_user(profile)
    if user is not None and settings.break_glass_admin and user.email == settings.break_glass_admin:
        raise _refuse(Refusal.BREAK_GLASS, profile, user)
    if profile.blocked or access.disabled:
        if user is not None:
            _deactivate(user, profile)
        raise _refuse(Refusal.DISABLED, profile, user)
    if user is None and link is None:
        if not profile.email:
            raise _refuse(Refusal.NO_EMAIL, profile)
        if not profile.email_verified:
            raise _refuse(Refusal.UNVERIFIED_EMAIL, profile)
    if user is not None and not user.active:
        raise _refuse(Refusal.DEACTIVATED, profile, user)
    if user is None:
        user = _create(profile, settings)
    if link is None:
        link = _link(user, profile)
    if profile.name and user.name != profile.name:
        user.name = profile.name
    _sync(user, access, settings.mapping)
    link.last_sign_in_at = user.last_seen_at = utcnow()
    audit.record(user, "sso.sign_in", user.email, issuer=profile.issuer, groups=sorted(profile.groups))
    db.session.commit()
    return user


@dataclass(frozen=True)
class SsoOverview:
    """What the admin page shows: the effective settings and how many people are linked."""

    settings: SsoSettings
    linked_people: int


def overview(settings: SsoSettings) -> SsoOverview:
    linked = db.session.scalar(select(func.count(func.distinct(IdentityLink.user_id)))) or 0
    return SsoOverview(settings=settings, linked_people=int(linked))
