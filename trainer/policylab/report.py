"""What a saved run looks like to a person: headline figures, charts, the written debrief, the aging
report, a side-by-side comparison and confidence bands, in the user's language.

Reads the plain dicts a run stored (never the engine), so an old run renders the same way tomorrow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trainer.core.charts import (
    AGING_PALETTE,
    Band,
    Chart,
    Series,
    band_chart,
    compact,
    line_chart,
    stacked_bar_chart,
)
from trainer.policylab.forms import BY_PATH, PRIORITY_LABELS, TERMS_LABELS
from trainer.sim.results import MONTH_DAYS

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

BEHAVIOUR_LABELS = {
    "on_time": _l("pays on time"),
    "fixed_delay": _l("always a little late"),
    "irregular": _l("irregular payer"),
    "chronic": _l("chronic late payer"),
}
STATUS_LABELS = {
    "active": _l("active"),
    "hold": _l("on credit hold"),
    "churned": _l("left us"),
    "defaulted": _l("defaulted"),
}
BUCKET_LABELS = (_l("Current"), _l("1-30 days"), _l("31-60 days"), _l("61-90 days"), _l("Over 90 days"))


# ------------------------------------------------------------------------------------ formatting


class Fmt:
    """Numbers for one language and currency."""

    def __init__(self, lang: str, currency: str = "CNY") -> None:
        self.lang = lang
        self.symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")

    def money(self, value: float | None) -> str:
        if value is None:
            return "–"
        sign = "−" if value < 0 else ""
        return f"{sign}{self.symbol}{abs(value):,.0f}"

    def money_short(self, value: float | None) -> str:
        if value is None:
            return "–"
        sign = "−" if value < 0 else ""
        return f"{sign}{self.symbol}{compact(abs(value), self.lang)}"

    def days(self, value: float | None) -> str:
        return "–" if value is None else _("%(n)s days", n=f"{value:,.1f}")

    def wait(self, days: float | None) -> str:
        """A waiting time: hours when under a day, else days."""
        if days is None:
            return "–"
        if days < 1:
            return _("%(n)s hours", n=f"{days * 24:,.1f}")
        return self.days(days)

    def pct(self, value: float | None, digits: int = 1) -> str:
        return "–" if value is None else f"{value:,.{digits}f} %"

    def ratio(self, value: float | None) -> str:
        return "–" if value is None else f"{value:,.2f}×"

    def count(self, value: float | None) -> str:
        return "–" if value is None else f"{value:,.0f}"

    def month(self, year: int, month: int) -> str:
        if self.lang == "zh":
            return f"{month}月" if year == 1 else f"第{year}年{month}月"
        return MONTHS_EN[month - 1] if year == 1 else f"{MONTHS_EN[month - 1]} Y{year}"

    def day(self, day: int) -> str:
        """A simulation day as a date in the run's calendar (365-day years)."""
        year, rest = divmod(int(day), 365)
        month = 0
        while rest >= MONTH_DAYS[month]:
            rest -= MONTH_DAYS[month]
            month += 1
        if self.lang == "zh":
            prefix = "" if year == 0 else f"第{year + 1}年"
            return f"{prefix}{month + 1}月{rest + 1}日"
        suffix = "" if year == 0 else f", Y{year + 1}"
        return f"{MONTHS_EN[month]} {rest + 1}{suffix}"


# ------------------------------------------------------------------------------ headline figures


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | None
    text: str
    help: str
    higher_better: bool | None  # None: neither (shown without colour in comparisons)


def cash(summary: Mapping[str, Any]) -> float:
    return float(summary.get("collected", 0.0)) + float(summary.get("cash_sales", 0.0))


def headline(summary: Mapping[str, Any], fmt: Fmt) -> list[Figure]:
    s = summary
    rows: list[tuple[str, Any, float | None, Any, Any, bool | None]] = [
        ("net_value", _l("Net value"), s.get("net_value"), fmt.money_short,
         _l("Margin on sales − bad debt, discounts, credit notes, collection and carrying cost − expected loss on "
            "receivables still open − margin lost with customers who left."), True),
        ("dso", _l("DSO"), s.get("dso"), fmt.days, _l("Average receivables ÷ credit sales × days."), False),
        ("best_possible_dso", _l("Best Possible DSO"), s.get("best_possible_dso"), fmt.days,
         _l("Average current (not yet due) receivables ÷ credit sales × days."), False),
        ("add", _l("ADD"), s.get("add"), fmt.days, _l("Average days delinquent: DSO − Best Possible DSO."), False),
        ("cei_average", _l("CEI"), s.get("cei_average"), fmt.pct,
         _l("Collection effectiveness index, monthly average; 100 is perfect."), True),
        ("overdue_pct_end", _l("Overdue"), s.get("overdue_pct_end"), fmt.pct,
         _l("Past-due share of receivables at the end."), False),
        ("bad_debt_rate", _l("Bad-debt rate"), s.get("bad_debt_rate"), lambda v: fmt.pct(v, 2),
         _l("Written off ÷ sales."), False),
        ("turnover", _l("Turnover"), s.get("turnover"), fmt.ratio, _l("Credit sales ÷ average receivables, per year."),
         True),
        ("cash", _l("Cash collected"), cash(s), fmt.money_short,
         _l("Invoices paid plus cash sales and deposits."), True),
        ("lost_sales", _l("Lost sales"), s.get("lost_sales"), fmt.money_short,
         _l("Orders refused by terms, limits, holds or grade, plus a year of orders from each customer who left."),
         False),
        ("collection_cost", _l("Collection cost"), s.get("collection_cost"), fmt.money_short,
         _l("Collectors' pay, actions and agency fees."), False),
        ("carrying_cost", _l("Carrying cost"), s.get("carrying_cost"), fmt.money_short,
         _l("Interest on the money tied up in receivables."), False),
    ]
    return [Figure(key, str(label), None if value is None else float(value), text(value) if value is not None else "–",
                   str(help_), better) for key, label, value, text, help_, better in rows]


# ----------------------------------------------------------------------------------------- charts


def axis_number(value: float) -> str:
    """Tick labels without needless decimals: 0, 0.005, 0.5, 2.5, 10, 1,200."""
    if value == 0:
        return "0"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.2g}"


def month_cash(m: Mapping[str, Any]) -> float:
    """Cash that came in during a month: invoices paid plus cash sales and deposits."""
    return float(m.get("collections") or 0.0) + max(0.0, float(m.get("sales") or 0.0) - float(m.get("credit_sales") or 0.0))


def month_labels(months: Sequence[Mapping[str, Any]], fmt: Fmt) -> list[str]:
    return [fmt.month(int(m["year"]), int(m["month"])) for m in months]


def run_charts(result: Mapping[str, Any], fmt: Fmt) -> list[Chart]:
    months = result.get("months", [])
    labels = month_labels(months, fmt)
    month_word = _("Month")

    def days_fmt(v: float) -> str:
        return f"{v:,.0f}"

    charts = [
        line_chart("chart-dso", _("DSO and Best Possible DSO by month"), labels, [
            Series(_("DSO"), [m.get("dso") for m in months]),
            Series(_("Best Possible DSO"), [m.get("best_possible_dso") for m in months], dashed=True),
        ], y_label=_("days"), category_label=month_word, fmt=days_fmt, table_fmt=lambda v: f"{v:,.1f}"),
        stacked_bar_chart("chart-aging", _("Receivables by aging bucket at month end"), labels, [
            Series(str(BUCKET_LABELS[i]), [m["buckets"][key] for m in months])
            for i, key in enumerate(("current", "1-30", "31-60", "61-90", "90+"))
        ], y_label=fmt.symbol.strip(), category_label=month_word, fmt=lambda v: compact(v, fmt.lang),
            table_fmt=fmt.money, palette=AGING_PALETTE),
        line_chart("chart-cash", _("Cash collected and sales by month"), labels, [
            Series(_("Sales"), [m.get("sales") for m in months]),
            Series(_("Cash collected"), [month_cash(m) for m in months]),
            Series(_("Orders refused"), [m.get("lost_sales") for m in months], dashed=True),
        ], y_label=fmt.symbol.strip(), category_label=month_word, fmt=lambda v: compact(v, fmt.lang),
            table_fmt=fmt.money),
        line_chart("chart-util", _("Collector utilisation by month"), labels, [
            Series(_("Utilisation"), [100.0 * float(m.get("utilisation") or 0.0) for m in months]),
        ], y_label="%", category_label=month_word, fmt=lambda v: f"{v:,.0f}", table_fmt=lambda v: f"{v:,.1f} %",
            height=220),
    ]
    waits = [None if m.get("mean_wait") is None else 24.0 * float(m["mean_wait"]) for m in months]
    if any(w for w in waits):  # a flat zero line says nothing: the page says "nobody waited" instead
        charts.append(line_chart("chart-wait", _("Mean wait for a collector by month"), labels, [
            Series(_("Mean wait (hours)"), waits, color="#D55E00"),
        ], y_label=_("hours"), category_label=month_word, fmt=axis_number, table_fmt=lambda v: f"{v:,.2f}",
            height=220))
    return charts


def compare_charts(a: Mapping[str, Any], b: Mapping[str, Any], names: tuple[str, str], fmt: Fmt) -> list[Chart]:
    ma, mb = a.get("months", []), b.get("months", [])
    labels = month_labels(ma, fmt)
    n = len(labels)
    month_word = _("Month")
    return [
        line_chart("chart-cmp-dso", _("DSO by month"), labels, [
            Series(names[0], [m.get("dso") for m in ma]),
            Series(names[1], [m.get("dso") for m in mb[:n]], dashed=True),
        ], y_label=_("days"), category_label=month_word, fmt=lambda v: f"{v:,.0f}", table_fmt=lambda v: f"{v:,.1f}"),
        line_chart("chart-cmp-cash", _("Cash collected by month"), labels, [
            Series(names[0], [month_cash(m) for m in ma]),
            Series(names[1], [month_cash(m) for m in mb[:n]], dashed=True),
        ], y_label=fmt.symbol.strip(), category_label=month_word, fmt=lambda v: compact(v, fmt.lang),
            table_fmt=fmt.money),
        line_chart("chart-cmp-pastdue", _("Past-due receivables at month end"), labels, [
            Series(names[0], [m["ar"] - m["buckets"]["current"] for m in ma]),
            Series(names[1], [m["ar"] - m["buckets"]["current"] for m in mb[:n]], dashed=True),
        ], y_label=fmt.symbol.strip(), category_label=month_word, fmt=lambda v: compact(v, fmt.lang),
            table_fmt=fmt.money),
    ]


BAND_LABELS = {
    "net_value": _l("Net value"),
    "cash": _l("Cash collected"),
    "dso": _l("DSO"),
    "bad_debt_rate": _l("Bad-debt rate"),
    "lost_sales": _l("Lost sales"),
    "collection_cost": _l("Collection cost"),
}


@dataclass(frozen=True)
class BandView:
    key: str
    label: str
    chart: Chart
    verdict: str
    real: bool
    tone: str  # better | worse | luck | same


def band_views(result: Mapping[str, Any], fmt: Fmt) -> list[BandView]:
    out = []
    formatters = {"dso": axis_number, "bad_debt_rate": lambda v: f"{axis_number(v)} %"}
    for key, data in result.get("bands", {}).items():
        if not data.get("yours") or not data.get("default") or not data.get("difference"):
            continue
        f = formatters.get(key, fmt.money_short)
        label = str(BAND_LABELS.get(key, key))
        bands = [
            Band(_("Your policy"), *data["yours"]),
            Band(_("Preset default"), *data["default"]),
            Band(_("Difference (yours − default)"), *_band_values(data["difference"]), color="#5b6b73"),
        ]
        chart = band_chart(f"band-{key}", label, bands, fmt=f,
                           columns=("", _("10th percentile"), _("Median"), _("90th percentile")))
        low, _mid, high = data["difference"]
        real = low > 0 or high < 0
        better, pairs = data["better"], data["pairs"]
        tone = "luck" if not real else ("better" if better * 2 >= pairs else "worse")
        if data.get("same") == pairs:
            tone, verdict = "same", _("Identical on all %(pairs)s seeds: the two policies give the same results.",
                                      pairs=pairs)
        elif not real:
            verdict = _("Yours did better on %(better)s of %(pairs)s seeds, but the 10-90 %% band of the difference "
                        "includes zero: it could be luck.", better=better, pairs=pairs)
        elif better * 2 >= pairs:
            verdict = _("Yours did better on %(better)s of %(pairs)s seeds and the 10-90 %% band of the difference "
                        "stays clear of zero: the improvement is probably real.", better=better, pairs=pairs)
        else:
            verdict = _("Yours did worse on %(worse)s of %(pairs)s seeds and the 10-90 %% band of the difference "
                        "stays clear of zero: the loss is probably real.", worse=pairs - better, pairs=pairs)
        out.append(BandView(key, label, chart, verdict, real, tone))
    return out


# --------------------------------------------------------------------------------------- debrief


def debrief(result: Mapping[str, Any], summary: Mapping[str, Any], fmt: Fmt) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs written from the run's events."""
    f = result.get("debrief") or {}
    if not f:
        return []
    margin = float(f.get("margin") or result.get("margin") or 0.0)
    return [
        (_("Bad debt"), _bad_debt_paragraph(f, float(summary.get("bad_debt") or 0.0), margin, fmt)),
        (_("Orders refused and customers lost"),
         _refusals_paragraph(f, margin, float(summary.get("churn_lost_sales") or 0.0), fmt)),
        (_("Collectors"), _collectors_paragraph(f, fmt)),
    ]


def _bad_debt_paragraph(f: Mapping[str, Any], bad_total: float, margin: float, fmt: Fmt) -> str:
    """Who defaulted and why it hurt."""
    if not f.get("default_count"):
        text = _("No customer defaulted during the run.")
    else:
        share = 100.0 * f["write_offs"]["default"] / bad_total if bad_total > 0 else 0.0
        text = _("%(n)s customers defaulted and %(amount)s was written off with them (%(share)s of all bad debt).",
                 n=f["default_count"], amount=fmt.money(f["write_offs"]["default"]), share=fmt.pct(share, 0))
        if f.get("defaults"):
            d = f["defaults"][0]
            terms = _terms_phrase(d)
            text += " " + _("The largest: customer #%(id)s (grade %(grade)s, %(behaviour)s) defaulted on %(day)s "
                            "owing %(amount)s; it was buying %(terms)s.",
                            id=f"{d['customer']:04d}", grade=d["grade"],
                            behaviour=BEHAVIOUR_LABELS.get(d["behaviour"], d["behaviour"]),
                            day=fmt.day(d["day"]), amount=fmt.money(d["amount"]), terms=terms)
            if margin > 0 and d["amount"] > 0:
                text += " " + _("At a %(margin)s margin, it takes %(sales)s of new sales to earn that loss back.",
                                margin=fmt.pct(100 * margin, 0), sales=fmt.money(d["amount"] / margin))
    if f.get("write_offs", {}).get("age", 0) > 0:
        text += " " + _("Another %(amount)s was written off because invoices reached the write-off day unpaid.",
                        amount=fmt.money(f["write_offs"]["age"]))
    return text


def _refusals_paragraph(f: Mapping[str, Any], margin: float, churn_sales: float, fmt: Fmt) -> str:
    """Credit holds, limits and terms: the orders they refused and the customers who left."""
    counts, values = f.get("lost_count", {}), f.get("lost_value", {})
    parts = []
    if counts.get("hold"):
        parts.append(_("Credit holds were started %(holds)s times and refused %(n)s orders worth %(value)s "
                       "(%(margin)s of margin).", holds=f.get("holds", 0), n=counts["hold"],
                       value=fmt.money(values.get("hold")), margin=fmt.money(values.get("hold", 0) * margin)))
    elif f.get("holds"):
        parts.append(_("Credit holds were started %(holds)s times but refused no orders.", holds=f["holds"]))
    else:
        parts.append(_("No customer was put on credit hold."))
    if counts.get("limit"):
        parts.append(_("Credit limits refused %(n)s orders worth %(value)s.", n=counts["limit"],
                       value=fmt.money(values.get("limit"))))
    if counts.get("terms"):
        parts.append(_("Customers turned down your terms (cash on delivery, cash in advance or a deposit) on "
                       "%(n)s orders worth %(value)s.", n=counts["terms"], value=fmt.money(values.get("terms"))))
    if counts.get("grade"):
        parts.append(_("Refusing whole grades turned away %(n)s orders worth %(value)s.", n=counts["grade"],
                       value=fmt.money(values.get("grade"))))
    if f.get("churned"):
        parts.append(_("%(n)s customers left because collection or holds were too harsh for them.", n=f["churned"]))
        if churn_sales > 0:
            parts.append(_("With them went about %(sales)s of orders over the next year, %(margin)s of margin that "
                           "the net value counts as lost.", sales=fmt.money(churn_sales),
                           margin=fmt.money(churn_sales * margin)))
    return " ".join(parts)


def _collectors_paragraph(f: Mapping[str, Any], fmt: Fmt) -> str:
    """How busy the collectors were, where they queued, how far invoices escalated."""
    util = 100.0 * float(f.get("utilisation") or 0.0)
    text = _("Your %(n)s collectors were busy %(util)s of the time.", n=f.get("collectors", 0), util=fmt.pct(util, 0))
    busiest = f.get("busiest")
    if busiest and (busiest.get("mean_wait") or 0) > 0:
        if busiest.get("max_queue"):
            text += " " + _("They queued most in %(month)s: up to %(queue)s actions were still waiting at the end "
                            "of a day, and an action waited %(wait)s on average.",
                            month=fmt.month(busiest["year"], busiest["month"]), queue=busiest["max_queue"],
                            wait=fmt.wait(busiest["mean_wait"]))
        else:
            text += " " + _("Work waited longest in %(month)s, %(wait)s on average, but the queue was cleared "
                            "every day.", month=fmt.month(busiest["year"], busiest["month"]),
                            wait=fmt.wait(busiest["mean_wait"]))
    elif busiest is None or not busiest.get("mean_wait"):
        text += " " + _("No collection action had to wait for a collector.")
    peak = 100.0 * float(f.get("peak_utilisation") or 0.0)
    if peak >= 90:
        text += " " + _("Near full use, actions wait and debts age while they wait: another collector or a "
                        "sharper priority would help.")
    elif util < 30:
        text += " " + _("They had time to spare: fewer collectors would cost less, or an earlier ladder would use them.")
    esc = f.get("escalations", {})
    text += " " + _("%(manager)s invoices reached the manager step, %(executive)s the executive, %(legal)s legal; "
                    "%(agency)s went to an agency.", manager=esc.get("manager", 0), executive=esc.get("executive", 0),
                    legal=esc.get("legal", 0), agency=f.get("agency", 0))
    return text


def _band_values(values: Sequence[float]) -> tuple[float, float, float]:
    """A saved band's (10th percentile, median, 90th percentile)."""
    low, mid, high = values
    return float(low), float(mid), float(high)


def _terms_phrase(d: Mapping[str, Any]) -> str:
    if d.get("terms") != "net":
        terms = str(d.get("terms"))
        return str(TERMS_LABELS.get(terms, terms)).lower()
    if d.get("limit") is None:
        return _("on %(days)s days' credit with no credit limit", days=d.get("net_days"))
    return _("on %(days)s days' credit with a limit of %(months)s months of purchases", days=d.get("net_days"),
             months=f"{d['limit']:g}")


# ------------------------------------------------------------------------------------- comparisons


@dataclass(frozen=True)
class CompareRow:
    label: str
    a: str
    b: str
    diff: str
    verdict: str  # better | worse | same | ""


def compare_rows(sa: Mapping[str, Any], sb: Mapping[str, Any], fmt: Fmt) -> list[CompareRow]:
    out = []
    for fa, fb in zip(headline(sa, fmt), headline(sb, fmt), strict=True):
        if fa.value is None or fb.value is None:
            out.append(CompareRow(fa.label, fa.text, fb.text, "–", ""))
            continue
        delta = fa.value - fb.value
        scale = max(abs(fa.value), abs(fb.value), 1e-9)
        if abs(delta) <= 1e-6 * scale:
            verdict = "same"
        elif fa.higher_better is None:
            verdict = ""
        else:
            verdict = "better" if (delta > 0) == fa.higher_better else "worse"
        sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
        diff_text = _delta_text(fa.key, abs(delta), fmt)
        out.append(CompareRow(fa.label, fa.text, fb.text, f"{sign}{diff_text}", verdict))
    return out


def _delta_text(key: str, value: float, fmt: Fmt) -> str:
    if key in ("dso", "best_possible_dso", "add"):
        return f"{value:,.1f}"
    if key in ("cei_average", "overdue_pct_end"):
        return f"{value:,.1f} pp"
    if key == "bad_debt_rate":
        return f"{value:,.2f} pp"
    if key == "turnover":
        return f"{value:,.2f}"
    return fmt.money_short(value)


def policy_value(path: str, policy: Mapping[str, Any]) -> str:
    node: Any = policy
    for key in path.split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
    spec = BY_PATH.get(path)
    if node is None:
        return _("off") if spec is None or spec.path[-1] != "credit_limit_months" else _("no limit")
    if isinstance(node, bool):
        return _("yes") if node else _("no")
    if spec is not None and spec.kind == "percent":
        return f"{float(node) * 100:g} %"
    if spec is not None and spec.path[-1] == "terms":
        return str(TERMS_LABELS.get(node, node))
    if spec is not None and spec.path[-1] == "priority":
        return str(PRIORITY_LABELS.get(node, node))
    return f"{node:g}" if isinstance(node, float) else str(node)


def policy_label(path: str) -> str:
    spec = BY_PATH.get(path)
    if spec is None:
        return path
    if spec.path[0] == "grades":
        return _("Grade %(grade)s: %(field)s", grade=spec.path[1], field=spec.label)
    return str(spec.label)
