"""What workshop people see: the facilitator's live board and each participant's room, as plain data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from trainer.content.source import pick
from trainer.roleplay.models import Participant, RubricScore, WorkshopSession
from trainer.roleplay.rubric import rubric_info
from trainer.roleplay.scenarios import Scenario
from trainer.roleplay.services.seating import groups_of, scorer_role
from trainer.roleplay.services.workshop import is_open, rubric
from trainer.roleplay.services.workshop_debrief import workshop_debrief
from trainer.roleplay.services.workshop_scores import scores_of

ROLE_LABELS = {
    "salesperson": _l("Salesperson"),
    "customer": _l("Customer"),
    "observer": _l("Observer"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def board(
    session: WorkshopSession, scenario: Scenario | None, lang: str, now: datetime | None = None
) -> dict[str, Any]:
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
        values = [value for row in current_rows if isinstance(value := row.items.get(item.id), int)]
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
        "account_file": pick(scenario.account_file, lang)
        if scenario and seat.role == "salesperson"
        else None,
        "rubric": rubric_info(rubric(), lang),
        "current_score": current,
        "results": mine,
    }
    if session.debrief_revealed and scenario is not None:
        data["debrief"] = workshop_debrief(scenario, lang)
    return data
