"""Facilitated pair workshops: open a session with a room code, seat participants in groups of two
or three with a role each (salesperson, customer, observer), rotate the roles between rounds, take
the observers' rubric scores, show the facilitator a live board and reveal the debrief.

Who scores: the observer in a group of three; in a pair, the customer player (there is no one else).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.roleplay import play as rules
from trainer.roleplay.models import ROLES, Participant, RubricScore, WorkshopSession
from trainer.roleplay.rubric import SCALE, Rubric, rubric_info, score_rubric
from trainer.roleplay.scenarios import OUTCOMES, QUALITIES, Scenario

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Room code letters: no 0/O and no 1/I, which people mix up when reading a projector."""
CODE_LENGTH = 6
DEFAULT_HOURS = 8
DEFAULT_CAPACITY = 30
GROUP_SIZE = 3
COMMENT_MAX = 1000

ROLE_LABELS = {
    "salesperson": _l("Salesperson"),
    "customer": _l("Customer"),
    "observer": _l("Observer"),
}

# Rotation between rounds: the observer, who has just watched, sells next; the salesperson plays the
# customer; the customer observes. In a pair, salesperson and customer swap.
_ROTATE_THREE = {"observer": "salesperson", "salesperson": "customer", "customer": "observer"}
_ROTATE_TWO = {"salesperson": "customer", "customer": "salesperson"}


class WorkshopError(Exception):
    """Refused: ``message`` is for the user, ``status`` the HTTP status to answer."""

    def __init__(self, message: Any, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# --------------------------------------------------------------------------- codes and sessions


def new_code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str:
    """Upper case without spaces or dashes, as people type a code read off a screen."""
    return "".join(ch for ch in (raw or "").upper() if not ch.isspace() and ch != "-")


def rubric() -> Rubric:
    return catalog().rubric


def open_session(
    facilitator: User,
    scenario: Scenario,
    *,
    rng: random.Random | None = None,
    hours: float = DEFAULT_HOURS,
    capacity: int = DEFAULT_CAPACITY,
    now: datetime | None = None,
    commit: bool = True,
) -> WorkshopSession:
    """A new open session with a unique room code (cryptographic randomness unless ``rng`` is given)."""
    if not (facilitator.is_manager or facilitator.is_admin):
        raise WorkshopError(_l("Only managers and admins can run a workshop."), 403)
    generator = rng or secrets.SystemRandom()
    now = now or utcnow()
    for _attempt in range(20):
        code = new_code(generator)
        if db.session.scalar(select(WorkshopSession.id).where(WorkshopSession.code == code)) is None:
            break
    else:  # pragma: no cover - 32**6 codes
        raise WorkshopError(_l("Could not find a free room code; try again."), 503)
    session = WorkshopSession(
        code=code,
        facilitator_id=facilitator.id,
        scenario_id=scenario.id,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        capacity=capacity,
        group_size=GROUP_SIZE,
    )
    db.session.add(session)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return session


def find_by_code(raw: str | None) -> WorkshopSession | None:
    code = normalise_code(raw)
    if not code:
        return None
    return db.session.scalar(select(WorkshopSession).where(WorkshopSession.code == code))


def is_open(session: WorkshopSession, now: datetime | None = None) -> bool:
    return session.status == "open" and (now or utcnow()) < session.expires_at


def can_facilitate(user: User, session: WorkshopSession) -> bool:
    return user.is_admin or (user.is_manager and session.facilitator_id == user.id)


def sessions_for(user: User) -> list[WorkshopSession]:
    """The sessions a facilitator ran (admins see every session), newest first."""
    query = select(WorkshopSession).order_by(WorkshopSession.created_at.desc(), WorkshopSession.id.desc())
    if not user.is_admin:
        query = query.where(WorkshopSession.facilitator_id == user.id)
    return list(db.session.scalars(query.limit(100)).all())


# --------------------------------------------------------------------------- groups and roles


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
        raise WorkshopError(
            _l("There is no workshop with the code %(code)s. Check the code on the facilitator's screen.", code=code),
            404,
        )
    existing = seat_of(session, user)
    if existing is not None:
        return existing, True
    if session.facilitator_id == user.id:
        raise WorkshopError(_l("You are the facilitator of this workshop; open it from your workshops page."), 409)
    if not is_open(session, now):
        raise WorkshopError(
            _l("The workshop with the code %(code)s has ended or expired. Ask the facilitator for a new code.", code=code),
            410,
        )
    if len(session.participants) >= session.capacity:
        raise WorkshopError(
            _l("This workshop room is full (%(capacity)s people). Ask the facilitator.", capacity=session.capacity),
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
    """Next round (no commit): rebalance lone participants, then rotate every group's roles."""
    session.round += 1
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
    _require_facilitator(facilitator, session)
    if not is_open(session):
        raise WorkshopError(_l("This workshop has ended; scores can no longer be changed."), 409)
    rotate(session)
    db.session.commit()
    return session


def reveal_debrief(facilitator: User, session: WorkshopSession) -> None:
    _require_facilitator(facilitator, session)
    session.debrief_revealed = True
    db.session.commit()


def close(facilitator: User, session: WorkshopSession) -> None:
    _require_facilitator(facilitator, session)
    session.status = "closed"
    db.session.commit()


def _require_facilitator(user: User, session: WorkshopSession) -> None:
    if not can_facilitate(user, session):
        raise WorkshopError(_l("Only the facilitator of this workshop can do that."), 403)


# --------------------------------------------------------------------------- the rubric


def parse_scores(form: Mapping[str, str], prefix: str = "score-") -> dict[str, Any]:
    """``{item id: value}`` from form fields named ``score-<item id>``; values stay as typed."""
    result: dict[str, Any] = {}
    for key, value in form.items():
        if key.startswith(prefix):
            text = (value or "").strip()
            result[key[len(prefix):]] = int(text) if text.lstrip("-").isdigit() else text
    return result


def submit_rubric(
    user: User,
    session: WorkshopSession,
    scores: Mapping[str, Any],
    comment: str,
    *,
    lang: str = "zh",
    now: datetime | None = None,
    commit: bool = True,
) -> RubricScore:
    """Store (or correct) this round's rubric for the user's group. Only the group's scorer may."""
    the_rubric = rubric()
    seat = seat_of(session, user)
    if seat is None:
        raise WorkshopError(_l("You are not in this workshop."), 403)
    if not is_open(session, now):
        raise WorkshopError(_l("This workshop has ended; scores can no longer be changed."), 409)
    members = groups_of(session)[seat.group_number]
    if len(members) < 2:
        raise WorkshopError(_l("Wait for a partner before scoring."), 409)
    if seat.role != scorer_role(len(members)):
        raise WorkshopError(_l("Only the observer of your group scores this round."), 403)
    salesperson = next((m for m in members if m.role == "salesperson"), None)
    if salesperson is None:  # pragma: no cover - groups always have one
        raise WorkshopError(_l("Your group has no salesperson this round."), 409)
    known = [item.id for item in the_rubric.items]
    unknown = sorted(str(k) for k in scores if k not in known)
    if unknown:
        raise WorkshopError(_l("These are not items of the rubric: %(items)s. Nothing was saved.", items=", ".join(unknown)))
    missing = [the_rubric.item(k) for k in known if k not in scores or scores[k] == ""]
    if missing:
        raise WorkshopError(
            _l("Score every item (missing: %(items)s). Nothing was saved.",
               items=", ".join(pick(item.title, lang) for item in missing))
        )
    for value in scores.values():
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise WorkshopError(
                _l("Each score is a whole number from %(low)s to %(high)s. Nothing was saved.", low=SCALE[0], high=SCALE[-1])
            )
    if len(comment or "") > COMMENT_MAX:
        raise WorkshopError(_l("The comment is too long (at most %(n)s characters).", n=COMMENT_MAX))
    result = score_rubric(the_rubric, scores)
    row = db.session.scalar(
        select(RubricScore).where(
            RubricScore.session_id == session.id,
            RubricScore.round == session.round,
            RubricScore.group_number == seat.group_number,
        )
    )
    if row is None:
        row = RubricScore(session_id=session.id, round=session.round, group_number=seat.group_number)
        db.session.add(row)
    row.observer_id = user.id
    row.salesperson_id = salesperson.user_id
    row.items = dict(result.scores)
    row.total = result.total
    row.percent = result.percent
    row.comment = (comment or "").strip()
    row.at = now or utcnow()
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return row


def scores_of(session: WorkshopSession) -> list[RubricScore]:
    return list(
        db.session.scalars(
            select(RubricScore)
            .where(RubricScore.session_id == session.id)
            .order_by(RubricScore.round, RubricScore.group_number)
        ).all()
    )


# --------------------------------------------------------------------------- what people see


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def board(session: WorkshopSession, scenario: Scenario | None, lang: str, now: datetime | None = None) -> dict[str, Any]:
    """The facilitator's live board as JSON-able data."""
    the_rubric = rubric()
    scores = scores_of(session)
    by_group: dict[int, list[RubricScore]] = {}
    for row in scores:
        by_group.setdefault(row.group_number, []).append(row)
    groups = []
    for number, members in groups_of(session).items():
        rounds = [
            {
                "round": row.round,
                "salesperson": row.salesperson.name,
                "observer": row.observer.name,
                "total": row.total,
                "percent": row.percent,
                "items": row.items,
                "comment": row.comment,
            }
            for row in by_group.get(number, [])
        ]
        current = next((r for r in rounds if r["round"] == session.round), None)
        groups.append(
            {
                "number": number,
                "members": [
                    {"name": m.user.name, "role": m.role, "role_label": role_label(m.role)} for m in members
                ],
                "waiting": len(members) < 2,
                "scorer_role": scorer_role(len(members)),
                "rounds": rounds,
                "current": current,
            }
        )
    current_rows = [row for row in scores if row.round == session.round]
    items = []
    for item in the_rubric.items:
        values = [row.items.get(item.id) for row in current_rows if isinstance(row.items.get(item.id), int)]
        items.append(
            {
                "id": item.id,
                "title": pick(item.title, lang),
                "average": round(sum(values) / len(values), 2) if values else None,
            }
        )
    return {
        "id": session.id,
        "code": session.code,
        "scenario": pick(scenario.title, lang) if scenario else session.scenario_id,
        "round": session.round,
        "status": session.status,
        "open": is_open(session, now),
        "revealed": session.debrief_revealed,
        "participants": len(session.participants),
        "capacity": session.capacity,
        "scored": len(current_rows),
        "groups": groups,
        "items": items,
        "maximum": the_rubric.maximum,
    }


def room_version(session: WorkshopSession, seat: Participant) -> str:
    """Changes whenever the participant's screen should change (round, role, group, reveal, close)."""
    size = sum(1 for p in session.participants if p.group_number == seat.group_number)
    return f"{session.round}-{seat.role}-{seat.group_number}-{size}-{int(session.debrief_revealed)}-{session.status}"


def room(session: WorkshopSession, seat: Participant, scenario: Scenario | None, lang: str) -> dict[str, Any]:
    """A participant's screen: their group and role, and what that role gets to see."""
    members = groups_of(session)[seat.group_number]
    size = len(members)
    mine = [row for row in scores_of(session) if row.group_number == seat.group_number]
    current = next((row for row in mine if row.round == session.round), None)
    data: dict[str, Any] = {
        "code": session.code,
        "round": session.round,
        "group": seat.group_number,
        "role": seat.role,
        "role_label": role_label(seat.role),
        "members": [
            {"name": m.user.name, "role": m.role, "role_label": role_label(m.role), "me": m.id == seat.id}
            for m in members
        ],
        "waiting": size < 2,
        "scorer": size >= 2 and seat.role == scorer_role(size),
        "open": is_open(session),
        "revealed": session.debrief_revealed,
        "version": room_version(session, seat),
        "title": pick(scenario.title, lang) if scenario else session.scenario_id,
        "summary": pick(scenario.summary, lang) if scenario else "",
        "role_card": pick(scenario.role_card, lang) if scenario and seat.role == "customer" else None,
        "account_file": pick(scenario.account_file, lang) if scenario and seat.role == "salesperson" else None,
        "rubric": rubric_info(rubric(), lang),
        "current_score": current,
        "results": mine,
    }
    if session.debrief_revealed and scenario is not None:
        data["debrief"] = workshop_debrief(scenario, lang)
    return data


def best_path(scenario: Scenario, *, max_steps: int = 40, budget: int = 20_000) -> list[int]:
    """The choice indices of a model conversation: the fewest weak replies (good 0, ok 1, poor 2
    summed), then the best outcome, then the shortest. A bounded depth-first search; if the budget
    runs out before any ending is found, the best reply at each turn."""
    rank = {q: i for i, q in enumerate(QUALITIES)}
    outcomes = list(OUTCOMES)
    best: tuple[tuple[int, int, int], list[int]] | None = None
    expansions = 0

    def walk(state: rules.PlayState, chosen: list[int], cost: int) -> None:
        nonlocal best, expansions
        expansions += 1
        if expansions > budget or (best is not None and cost > best[0][0]):
            return
        if rules.is_finished(state):
            key = (cost, outcomes.index(scenario.endings[state["ending"]].outcome), len(chosen))
            if best is None or key < best[0]:
                best = (key, list(chosen))
            return
        if len(chosen) >= max_steps:
            return
        for choice in sorted(rules.available_choices(scenario, state), key=lambda c: (rank[c.quality], c.index)):
            walk(rules.choose(scenario, state, choice.index), [*chosen, choice.index], cost + rank[choice.quality])

    walk(rules.start(scenario), [], 0)
    if best is not None:
        return best[1]
    state, greedy = rules.start(scenario), []
    while not rules.is_finished(state) and len(greedy) < max_steps:
        choice = min(rules.available_choices(scenario, state), key=lambda c: (rank[c.quality], c.index))
        greedy.append(choice.index)
        state = rules.choose(scenario, state, choice.index)
    return greedy


def model_path(scenario: Scenario, lang: str) -> list[dict[str, Any]]:
    """The model conversation turn by turn, then its ending."""
    state = rules.start(scenario)
    turns: list[dict[str, Any]] = []
    for index in best_path(scenario):
        node = scenario.nodes[state["node"]]
        turns.append({"customer": pick(node.customer, lang), "reply": rules.choice_info(node.choices[index], lang)})
        state = rules.choose(scenario, state, index)
    ending = scenario.endings.get(state["ending"] or "")
    if ending is not None:
        turns.append(
            {
                "ending": {
                    "outcome": ending.outcome,
                    "outcome_label": pick(OUTCOMES[ending.outcome], lang),
                    "text": pick(ending.text, lang),
                    "debrief": pick(ending.debrief, lang),
                }
            }
        )
    return turns


def workshop_debrief(scenario: Scenario, lang: str) -> dict[str, Any]:
    """Shown to everyone once the facilitator reveals it: both briefs, a model conversation, and
    what each ending teaches."""
    return {
        "role_card": pick(scenario.role_card, lang),
        "account_file": pick(scenario.account_file, lang),
        "model_path": model_path(scenario, lang),
        "endings": [
            {
                "outcome": ending.outcome,
                "outcome_label": pick(OUTCOMES[ending.outcome], lang),
                "text": pick(ending.text, lang),
                "debrief": pick(ending.debrief, lang),
            }
            for ending in sorted(scenario.endings.values(), key=lambda e: list(OUTCOMES).index(e.outcome))
        ],
    }


def my_workshops(user: User) -> list[dict[str, Any]]:
    """Each workshop the user took part in, with the rubric scores they received as salesperson."""
    seats = db.session.scalars(
        select(Participant).where(Participant.user_id == user.id).order_by(Participant.joined_at.desc())
    ).all()
    received = db.session.scalars(
        select(RubricScore).where(RubricScore.salesperson_id == user.id).order_by(RubricScore.round)
    ).all()
    given = db.session.scalars(select(RubricScore).where(RubricScore.observer_id == user.id)).all()
    result = []
    for seat in seats:
        session = seat.session
        result.append(
            {
                "session": session,
                "seat": seat,
                "open": is_open(session),
                "received": [r for r in received if r.session_id == session.id],
                "given": sum(1 for r in given if r.session_id == session.id),
            }
        )
    return result


def open_seats(user: User, now: datetime | None = None) -> list[Participant]:
    """Seats the user holds in workshops that are still open."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Participant)
            .join(WorkshopSession, WorkshopSession.id == Participant.session_id)
            .where(
                Participant.user_id == user.id,
                WorkshopSession.status == "open",
                WorkshopSession.expires_at > now,
            )
            .order_by(Participant.joined_at.desc())
        ).all()
    )
