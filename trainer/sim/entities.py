"""The engine's records: customers, invoices and blocks of pre-drawn orders, and the constants the
engine's modules share. Plain slotted classes: the hot paths read and write their fields directly."""

from __future__ import annotations

import math
from dataclasses import dataclass

from trainer.sim.params import MAX_DAYS
from trainer.sim.portfolio import Behaviour

#: names of the random streams, in spawn order (never reorder: it would change every seeded run)
STREAMS: tuple[str, ...] = ("portfolio", "orders", "payments", "disputes", "defaults", "collection", "shocks", "fx")
BLOCK_DAYS = 30
LEDGER_DAYS = MAX_DAYS + 365 * 2 + 200  # issue day + net days + milestone offsets + 91 days of aging
INF = math.inf
LOST_REASONS = ("grade", "terms", "hold", "limit")
ESCALATIONS = frozenset(("manager", "executive", "legal"))
RULES = {"oldest_debt": 0, "largest_balance": 1}  # queue keys (see Collection._priority); else first come


class Customer:
    __slots__ = (
        "id", "grade", "behaviour", "resp", "takes_discount", "fixed_delay", "size", "rate", "industry",
        "foreign", "sensitivity", "goodwill", "churned", "defaulted", "balance", "hold_count", "open",
        "shock_until", "monthly", "beh", "fate", "hazard", "hazard_since", "default_t",
    )
    id: int
    grade: str
    behaviour: str
    resp: float
    takes_discount: bool
    fixed_delay: float
    size: float
    rate: float
    industry: int
    foreign: bool
    sensitivity: float
    goodwill: float
    churned: bool
    defaulted: bool
    balance: float
    hold_count: int
    open: dict[int, Invoice]  # open invoices by id (ints hash in C: a set would call Invoice.__hash__)
    shock_until: float
    monthly: float
    beh: Behaviour
    fate: float  # cumulative default hazard left before the customer fails (an exponential draw)
    hazard: float  # default hazard per day under the current policy
    hazard_since: float  # when ``hazard`` took effect
    default_t: float  # the default time now scheduled (a superseded timer is ignored)

    def __init__(self) -> None:
        self.open: dict[int, Invoice] = {}
        self.balance = 0.0
        self.hold_count = 0
        self.goodwill = 1.0
        self.churned = False
        self.defaulted = False
        self.shock_until = -1.0
        self.fate = self.hazard = self.hazard_since = 0.0
        self.default_t = math.inf


class Invoice:
    __slots__ = (
        "id", "cust", "amount", "remaining", "issue_t", "due_t", "due_day", "pay_t", "bad_age", "discount",
        "discount_until", "wake_t", "timers", "next_action_t", "last_day", "last_action_t", "task_pending", "agency",
        "closed", "held", "hold_t", "writeoff_t", "dispute_until", "dispute_share", "fx0", "last_step", "issue_day", "logged_step",
        "stretched",
    )


    id: int
    cust: Customer
    amount: float
    remaining: float
    issue_t: float
    due_t: float
    due_day: int
    pay_t: float
    bad_age: float
    discount: float
    discount_until: float
    wake_t: float  # earliest pending timer (inf: none)
    timers: list[float]  # times of every pending timer
    next_action_t: float
    last_day: float
    last_action_t: float
    task_pending: bool
    agency: bool
    closed: bool
    held: bool
    hold_t: float
    writeoff_t: float
    dispute_until: float
    dispute_share: float
    fx0: float
    last_step: str
    issue_day: int
    logged_step: str
    stretched: bool  # its lateness was already stretched because nobody asked for the money

    def __hash__(self) -> int:
        return self.id

    def __eq__(self, other: object) -> bool:
        return self is other


@dataclass
class OrderBlock:
    times: list[float]
    custs: list[int]
    amounts: list[float]
    u_thin: list[float]
    u_terms: list[float]
    # per-invoice draws, flattened: order i, milestone k is at index i * milestones + k
    u_delay: list[float]
    e_extra: list[float]
    bad_age: list[float]
    u_dispute: list[float]
    e_dispute: list[float]
    u_share: list[float]
    first_id: int

