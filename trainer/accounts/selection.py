"""A group of people as the reporting functions of every feature take it: a SELECT of user ids
(the dashboard's members, kept as a subquery so one query covers any team size) or plain ids."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.sql import Select

UserIds = Select | Iterable[int]


def user_id_filter(members: UserIds) -> Select | list[int]:
    """What ``column.in_`` takes: the SELECT as it is, or the ids as a list."""
    return members if isinstance(members, Select) else list(members)
