"""The engine's public extension points: observers it notifies as things happen, and read-only views
of its customers. Code outside the engine (the policy lab, tests) watches a run through these and
never subclasses :class:`trainer.sim.Simulation` or touches its private state.

An observer only reads: it must not change the simulation or draw from its random streams, so a run
with observers gives exactly the same results as one without.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.sim.results import Event


class Observer:
    """Hooks called by the engine; the defaults do nothing, so override only what you need.

    Pass instances as ``Simulation(..., observers=[...])``.
    """

    def on_order_refused(self, customer: int, value: float, reason: str) -> None:
        """An order of ``value`` from ``customer`` was refused (``grade``, ``terms``, ``hold`` or ``limit``)."""

    def on_event(self, event: Event) -> None:
        """A notable event was logged (default, write-off, hold, escalation, churn, shock …)."""


@dataclass(frozen=True)
class CustomerView:
    """A customer as seen from outside the engine."""

    id: int
    grade: str
    behaviour: str
    status: str  # "defaulted", "churned", "hold" or "active"


@dataclass(frozen=True)
class CustomerAging:
    """A customer's open invoices by aging bucket (current, 1-30, 31-60, 61-90, 90+ days past due) as
    the last daily snapshot counts them, and the days past due of the oldest (negative: none is late)."""

    customer: CustomerView
    buckets: tuple[float, float, float, float, float]
    oldest: int
