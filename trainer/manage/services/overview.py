"""The team overview: one row per member with every cell, sorted by any column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.sql import Select

from trainer.accounts.models import User
from trainer.core.gcpause import collector_paused
from trainer.core.inputs import bounded_int
from trainer.manage.services.cells import (
    Progress,
    Roleplay,
    ScoreSummary,
    activity_by_member,
    empty_scorecard,
    progress_by_member,
    roleplays_by_member,
    scorecards_by_member,
)
from trainer.manage.services.people import member_list, member_team_ids, team_names
from trainer.manage.services.refreshers import (
    Refresher,
    refreshers_by_member,
)
from trainer.manage.services.scope import Scope
from trainer.policylab.services.reports import LabActivity, lab_activity
from trainer.quiz.services.reports import FinalExam, final_exams


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    email: str
    teams: tuple[str, ...]
    progress: Progress
    last_activity: datetime | None
    refresher: Refresher
    final: FinalExam | None
    roleplay: Roleplay
    scorecard: ScoreSummary
    policy_lab: LabActivity | None = None


def member_rows(scope: Scope, members: Select | None = None, *, light: bool = False) -> list[MemberRow]:
    """One row per member, by name; a fixed number of queries for any number of members. ``light``
    leaves out the cells neither the counts nor the light sorts need (activity, final exam,
    role-play, policy lab): :func:`with_page_cells` fills them in for the rows a page shows."""
    members = members if members is not None else scope.members()
    people = member_list(members)
    names = team_names(members, scope.team_ids)
    progress, lessons = progress_by_member(members)
    teams_of = member_team_ids(members)
    refreshers = refreshers_by_member(scope, members, {uid: teams_of.get(uid, set()) for uid, *_ in people})
    scorecards = scorecards_by_member(members, scope.quarter, scope.as_of)
    page = _PageCells({}, {}, {}, {}) if light else page_cells(scope, members)
    no_progress = Progress(0, lessons, False)
    no_scorecard = empty_scorecard()
    rows = []
    for user_id, name, email, last_seen in people:
        row = MemberRow(
            user_id=user_id,
            name=name,
            email=email,
            teams=tuple(names.get(user_id, [])),
            progress=progress.get(user_id, no_progress),
            last_activity=last_seen,
            refresher=refreshers.get(user_id, Refresher(())),
            final=None,
            roleplay=NO_ROLEPLAY,
            scorecard=scorecards.get(user_id, no_scorecard),
        )
        rows.append(row if light else page.row(row))
    return rows


NO_ROLEPLAY = Roleplay(0, None, None, None, 0)


@dataclass(frozen=True)
class _PageCells:
    """The cells only the shown rows need (and the sorts by them), by member."""

    activity: dict[int, datetime]
    finals: dict[int, FinalExam]
    roleplays: dict[int, Roleplay]
    labs: dict[int, LabActivity]

    def row(self, row: MemberRow) -> MemberRow:
        """``row`` (with its last-seen time as ``last_activity``) with these cells filled in."""
        moments = [m for m in (row.last_activity, self.activity.get(row.user_id)) if m is not None]
        return replace(
            row,
            last_activity=max(moments) if moments else None,
            final=self.finals.get(row.user_id),
            roleplay=self.roleplays.get(row.user_id, NO_ROLEPLAY),
            policy_lab=self.labs.get(row.user_id),
        )


def page_cells(scope: Scope, members: Select) -> _PageCells:
    return _PageCells(
        activity_by_member(members),
        final_exams(members, scope.as_of),
        roleplays_by_member(members, scope.as_of),
        lab_activity(members, scope.as_of),
    )


def with_page_cells(scope: Scope, rows: list[MemberRow]) -> list[MemberRow]:
    """Light rows (see :func:`member_rows`) with their page cells, read for just these members."""
    if not rows:
        return rows
    cells = page_cells(scope, select(User.id).where(User.id.in_([r.user_id for r in rows])))
    return [cells.row(r) for r in rows]


# --------------------------------------------------------------------------------------------------
# Sorting
# --------------------------------------------------------------------------------------------------

SORTS: dict[str, Callable[[MemberRow], Any]] = {
    "name": lambda r: r.name.casefold(),
    "team": lambda r: ", ".join(r.teams).casefold() or None,
    "progress": lambda r: (r.progress.percent, r.progress.certificate),
    "activity": lambda r: r.last_activity,
    "refresher": lambda r: r.refresher.sort_value,
    "final": lambda r: r.final.percent if r.final else None,
    "roleplay": lambda r: r.roleplay.mean_percent if r.roleplay.finished else None,
    "policy_lab": lambda r: (r.policy_lab.runs, r.policy_lab.last_at) if r.policy_lab else None,
    "self": lambda r: r.scorecard.self_mean,
    "measured": lambda r: r.scorecard.measured_mean,
    "gap": lambda r: (r.scorecard.overconfident, -r.scorecard.underconfident)
    if r.scorecard.self_mean is not None
    else None,
}
DEFAULT_SORT = "name"


def parse_sort(sort: Any, direction: Any) -> tuple[str, str]:
    key = sort if sort in SORTS else DEFAULT_SORT
    return key, "desc" if direction == "desc" else "asc"


def sort_rows(rows: list[MemberRow], sort: str, direction: str) -> list[MemberRow]:
    """Sorted by ``sort``; rows without a value go last in either direction; ties by name."""
    key = SORTS[sort]
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: r.name.casefold())
    present.sort(key=key, reverse=direction == "desc")
    missing.sort(key=lambda r: r.name.casefold())
    return present + missing


PAGE_SIZE = 50  # rows the overview shows at once; the counts above it cover every member


def parse_page(raw: Any, pages: int) -> tuple[int, Any]:
    """(the page to show, a message when ``raw`` named no page of ``pages``): a missing value is page
    1; anything that is not a page number, or past the last page, falls back to the nearest page
    with a message, never an error."""
    if raw in (None, ""):
        return 1, None
    number = bounded_int(raw)
    if number is not None and 1 <= number <= pages:
        return number, None
    shown = pages if number is not None and number > pages else 1
    return shown, _l("There is no page “%(page)s”; showing page %(shown)d of %(pages)d.",
                     page=str(raw)[:20], shown=shown, pages=pages)


@dataclass(frozen=True)
class Overview:
    scope: Scope
    rows: list[MemberRow]  # every member, sorted (the counts, the CSV and the print view use them all)
    sort: str
    direction: str
    page: int = 1
    page_size: int = PAGE_SIZE
    notice: Any = None  # why the page asked for is not the one shown, or None

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.rows) // self.page_size))

    @property
    def page_rows(self) -> list[MemberRow]:
        start = (self.page - 1) * self.page_size
        return self.rows[start:start + self.page_size]

    @property
    def first_number(self) -> int:
        """The position of the page's first row among all rows (1-based)."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last_number(self) -> int:
        return (self.page - 1) * self.page_size + len(self.page_rows)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "members": len(self.rows),
            "certified": sum(1 for r in self.rows if r.progress.certificate),
            "overdue": sum(1 for r in self.rows if r.refresher.overdue),
            "overconfident": sum(1 for r in self.rows if r.scorecard.overconfident),
            "assessed": sum(1 for r in self.rows if r.scorecard.finished),
        }


LIGHT_SORTS = frozenset({"name", "team", "progress", "refresher", "self", "measured", "gap"})
"""Sorts by cells that light rows have (the counts need those cells for every member anyway)."""


def overview(scope: Scope, sort: Any = None, direction: Any = None, page: Any = None, *,
             page_only: bool = False) -> Overview:
    """Every member's row, sorted; ``page`` picks the ``PAGE_SIZE`` rows the page shows. With
    ``page_only`` (the screen, which shows one page) and a light sort, only the shown rows get
    their activity, final exam, role-play and policy-lab cells; the others' stay empty, so such an
    overview is for the page and its counts, never for the CSV or the print view."""
    key, order = parse_sort(sort, direction)
    light = page_only and key in LIGHT_SORTS
    with collector_paused():  # thousands of short-lived objects, no cycles: see trainer.core.gcpause
        rows = sort_rows(member_rows(scope, light=light), key, order)
    number, notice = parse_page(page, max(1, -(-len(rows) // PAGE_SIZE)))
    if light:
        start = (number - 1) * PAGE_SIZE
        rows[start:start + PAGE_SIZE] = with_page_cells(scope, rows[start:start + PAGE_SIZE])
    return Overview(scope, rows, key, order, number, PAGE_SIZE, notice)
