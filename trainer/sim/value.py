"""The economic value of a credit policy over the run: the one headline figure of the policy lab.

Incremental analysis of a credit policy, as corporate-finance texts do it ([BM] ch. "Credit
management"; [RWJ] Ross, Westerfield & Jaffe, *Corporate Finance*, "Credit and inventory
management", the NPV of switching credit policy): a policy is worth the margin on the sales it
makes, less what those sales cost to finance and collect, less what is never collected, less the
customers it drives away::

    net value = margin on sales made
                − bad debts written off − early-payment discounts − credit notes (disputes)
                − collection cost (collectors' pay, actions including legal, agency fees)
                − carrying cost of receivables
                − expected loss on receivables still open at the end
                − margin lost with churned customers
                ± exchange result

Two terms make doing nothing look as bad as it is:

* **Open receivables are not cash.** Each invoice still open at the end is valued with the documented
  collectability curve (:mod:`trainer.sim.collectability`) at its own age past due: a debt 200 days
  late is worth ``curve(200)`` of its face value, one not yet due ``curve(0)`` (98.2 % with the
  reference curve; some of those customers will fail before paying). The curve, not the aging
  allowance rates, because it uses each invoice's exact age: the rates lump a debt 95 days late
  with one 300 days late in the "over 90" bucket.
* **A churned customer takes its future margin with it.** A customer who leaves would have bought its
  expected monthly purchases for :data:`CHURN_HORIZON_MONTHS` more months (the customer's next year,
  counted from the day it left, inside or beyond the run); that margin is lost.

Pure functions of numbers the engine recorded; no randomness, no engine state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from trainer.sim.collectability import collectability

__all__ = ["CHURN_HORIZON_MONTHS", "STEPS", "ValueBreakdown", "churn_lost_sales", "open_receivables_loss",
           "value_breakdown"]

#: months of a churned customer's expected purchases counted as lost
CHURN_HORIZON_MONTHS = 12

#: the waterfall's steps in order, after the margin (the keys of :class:`ValueBreakdown`)
STEPS: tuple[str, ...] = ("bad_debt", "discounts", "credit_notes", "collection_cost", "carrying_cost",
                          "open_loss", "churn_margin", "fx_result")


@dataclass(frozen=True)
class ValueBreakdown:
    """Margin to net value, step by step (money in the portfolio's currency). Costs are positive
    numbers to subtract; ``fx_result`` is added (it may be negative)."""

    margin: float
    bad_debt: float
    discounts: float
    credit_notes: float
    collection_cost: float
    carrying_cost: float
    open_loss: float
    churn_margin: float
    fx_result: float
    net_value: float

    def signed_steps(self) -> list[tuple[str, float]]:
        """(key, effect on value) for each step after the margin: costs negative, fx as it is."""
        return [(key, getattr(self, key) if key == "fx_result" else -getattr(self, key)) for key in STEPS]

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def open_receivables_loss(curve: Sequence[tuple[float, float]], open_items: Iterable[tuple[float, float]]) -> float:
    """Expected loss on ``(remaining amount, days past due)`` items: ``amount × (1 − curve(age))``,
    an invoice not yet due valued as if due today."""
    return sum(amount * (1.0 - collectability(curve, max(0.0, age))) for amount, age in open_items if amount > 0)


def churn_lost_sales(monthly_purchases: Iterable[float], months: int = CHURN_HORIZON_MONTHS) -> float:
    """Sales the churned customers would have made over ``months`` after leaving."""
    return sum(max(0.0, m) for m in monthly_purchases) * months


def value_breakdown(*, sales: float, margin_rate: float, bad_debt: float, discounts: float, credit_notes: float,
                    collection_cost: float, carrying_cost: float, open_loss: float, churn_sales: float,
                    fx_result: float) -> ValueBreakdown:
    """The waterfall from the margin on sales made to the net value."""
    margin = sales * margin_rate
    churn_margin = churn_sales * margin_rate
    net = (margin - bad_debt - discounts - credit_notes - collection_cost - carrying_cost - open_loss
           - churn_margin + fx_result)
    return ValueBreakdown(margin, bad_debt, discounts, credit_notes, collection_cost, carrying_cost, open_loss,
                          churn_margin, fx_result, net)
