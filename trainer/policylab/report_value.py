"""The value waterfall of a saved run, in the user's language: from the margin on sales made to the net
value of the policy (see trainer/sim/value.py for the definition and docs/simulation.md for sources)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trainer.core.charts import Chart, waterfall_chart
from trainer.policylab.report import Fmt
from trainer.sim.value import CHURN_HORIZON_MONTHS, STEPS

STEP_LABELS = {
    "bad_debt": _l("Bad debts written off"),
    "discounts": _l("Early-payment discounts"),
    "credit_notes": _l("Credit notes (disputes)"),
    "collection_cost": _l("Collection cost (staff, actions, agency)"),
    "carrying_cost": _l("Carrying cost of receivables"),
    "open_loss": _l("Expected loss on receivables still open"),
    "churn_margin": _l("Margin lost with customers who left"),
    "fx_result": _l("Exchange-rate result"),
}


def value_chart(summary: Mapping[str, Any], fmt: Fmt, chart_id: str = "chart-value",
                title: str | None = None) -> Chart | None:
    """The waterfall of one run (``None`` for a run saved before the value measure existed)."""
    value = summary.get("value")
    if not isinstance(value, Mapping) or "margin" not in value:
        return None
    steps = [(str(STEP_LABELS[key]), -float(value[key]) if key != "fx_result" else float(value[key]))
             for key in STEPS if key != "fx_result" or value.get(key)]
    return waterfall_chart(chart_id, title or _("From margin to net value"),
                           (_("Margin on sales made"), float(value["margin"])), steps, _("Net value"),
                           fmt=fmt.money_short, columns=(_("Step"), _("Change"), _("Running total")))


def value_note() -> str:
    """One sentence under the waterfall saying what the two less obvious steps count."""
    return _("Receivables still open at the end count at what they are likely to bring in (the collectability "
             "curve at each invoice's age), not as cash; a customer who left takes %(months)s months of "
             "expected orders with it.", months=CHURN_HORIZON_MONTHS)
