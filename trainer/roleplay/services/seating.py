"""Workshop groups and roles: seat people in groups of two or three, rebalance and rotate the roles
between rounds."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.roleplay.models import ROLES, Participant, WorkshopSession
from trainer.roleplay.services.workshop import (
    WorkshopError,
    find_by_code,
    is_open,
    normalise_code,
    require_facilitator,
)

# Rotation between rounds: the observer, who has just watched, sells next; the salesperson plays the
# customer; the customer observes. In a pair, salesperson and customer swap.
_ROTATE_THREE = {"observer": "salesperson", "salesperson": "customer", "customer": "observer"}
_ROTATE_TWO = {"salesperson": "customer", "customer": "salesperson"}


def groups_of(session: WorkshopSession) -> dict[int, list[Participant]]:
    """Participants by group number, each group in joining order."""
    groups: dict[int, list[Participant]] = {}
    for participant in sorted(session.participants, key=lambda p: (p.joined_at, p.id)):
        groups.setdefault(participant.group_number, []).append(participant)
    return dict(sorted(groups.items()))


def scorer_role(group_size: int) -> str:
    """The role that fills in the rubric: the observer, or the customer in a pair."""
    return "observer" if group_size >= 3 else "customer"


def _fresh_roles(members: list[Participant], round_number: int) -> None:
    """Give a group a full set of roles by seat, shifted by the round so each round differs."""
    size = len(members)
    roles = ROLES[: max(size, 1)]
    for seat, member in enumerate(members):
        member.role = roles[(seat + round_number - 1) % len(roles)] if size > 1 else "salesperson"


def _group_is_consistent(members: list[Participant]) -> bool:
    return sorted(m.role for m in members) == sorted(ROLES[: len(members)]) if len(members) > 1 else True


def _no_open_room(code: str) -> WorkshopError:
    """One answer for a code that never existed and one that has ended, so guessing learns nothing."""
    return WorkshopError(
        _l(
            "No open workshop has the code %(code)s. Check the code on the facilitator's screen or ask for a new one.",
            code=code,
        ),
        404,
    )


def join(user: User, raw_code: str | None, now: datetime | None = None) -> tuple[Participant, bool]:
    """Seat ``user`` in the room with ``raw_code``; returns (seat, already_there).

    Joining twice gives the existing seat. A wrong, expired or closed code, or a full room, is
    refused with a message in the user's language.
    """
    code = normalise_code(raw_code)
    if not code:
        raise WorkshopError(_l("Enter the room code shown on the facilitator's screen."))
    session = find_by_code(code)
    if session is None:
        raise _no_open_room(code)
    existing = seat_of(session, user)
    if existing is not None:
        return existing, True
    if session.facilitator_id == user.id:
        raise WorkshopError(
            _l("You are the facilitator of this workshop; open it from your workshops page."), 409
        )
    if not is_open(session, now):
        raise _no_open_room(code)
    if len(session.participants) >= session.capacity:
        raise WorkshopError(
            _l(
                "This workshop room is full (%(capacity)s people). Ask the facilitator.",
                capacity=session.capacity,
            ),
            409,
        )
    try:
        participant = seat_user(session, user, now)
        db.session.commit()
    except IntegrityError:  # joined twice at the same moment: hand back the seat that won
        db.session.rollback()
        again = seat_of(db.session.get(WorkshopSession, session.id), user)  # type: ignore[arg-type]
        if again is None:
            raise
        return again, True
    return participant, False


def seat_user(session: WorkshopSession, user: User, now: datetime | None = None) -> Participant:
    """Put ``user`` in a group and give them the free role there (no checks, no commit)."""
    groups = groups_of(session)
    target = _group_for_newcomer(groups, session.group_size)
    members = groups.get(target, [])
    taken = {m.role for m in members}
    free = [r for r in ROLES[: len(members) + 1] if r not in taken]
    participant = Participant(
        session=session,
        user_id=user.id,
        group_number=target,
        role=free[0] if free and members else "salesperson",
        joined_at=now or utcnow(),
    )
    db.session.add(participant)
    if members and not _group_is_consistent([*members, participant]):
        _fresh_roles([*members, participant], session.round)
    db.session.flush()
    return participant


def _group_for_newcomer(groups: dict[int, list[Participant]], group_size: int) -> int:
    """Someone waiting alone first; else the first group with room; else a new group."""
    for number, members in groups.items():
        if len(members) == 1:
            return number
    for number, members in groups.items():
        if len(members) < group_size:
            return number
    return max(groups, default=0) + 1


def seat_of(session: WorkshopSession, user: User) -> Participant | None:
    return db.session.scalar(
        select(Participant).where(Participant.session_id == session.id, Participant.user_id == user.id)
    )


def _rebalance(session: WorkshopSession) -> None:
    """Between rounds: nobody stays alone when someone can move over from a group of three."""
    while True:
        groups = groups_of(session)
        alone = [n for n, m in groups.items() if len(m) == 1]
        if not alone:
            return
        donors = [n for n, m in groups.items() if len(m) >= 3] or [n for n in alone[1:]]
        if not donors:
            return
        lone = alone[0]
        donor = donors[-1]
        mover = groups[donor][-1]
        mover.group_number = lone
        groups = groups_of(session)
        for number in {lone, donor}:
            members = groups.get(number, [])
            _fresh_roles(members, session.round)


def rotate(session: WorkshopSession) -> None:
    """Next round (no commit): rebalance lone participants, then rotate every group's roles. A
    revealed debrief belongs to the round it was revealed in: hidden again for the next salesperson."""
    session.round += 1
    session.debrief_revealed = False
    moved_before = {p.id: p.group_number for p in session.participants}
    _rebalance(session)
    for members in groups_of(session).values():
        if any(moved_before[m.id] != m.group_number for m in members) or not _group_is_consistent(members):
            _fresh_roles(members, session.round)
            continue
        if len(members) < 2:
            members[0].role = "salesperson"
            continue
        table = _ROTATE_THREE if len(members) >= 3 else _ROTATE_TWO
        for member in members:
            member.role = table.get(member.role, member.role)
    db.session.flush()


def next_round(facilitator: User, session: WorkshopSession) -> WorkshopSession:
    """Start the next round: rebalance lone participants, then rotate every group's roles."""
    require_facilitator(facilitator, session)
    if not is_open(session):
        raise WorkshopError(_l("This workshop has ended; scores can no longer be changed."), 409)
    rotate(session)
    db.session.commit()
    return session
