"""Policy-lab forms.

The policy form is described once by :data:`FIELDS` (form name, policy path, kind, label, short help,
lesson) and built from it, so the form, its defaults, the dict sent to the engine and the place each
engine problem is shown all come from the same table. Numbers are text inputs on purpose: the engine
validates them (every problem at once, with a stable code and parameters) and the messages are
translated here by code, next to the field they belong to.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from trainer.sim import GRADES, PRIORITIES, TERMS, Problem

GRADE_KEYS = ("accept", "terms", "net_days", "credit_limit_months", "deposit", "discount", "discount_days")


@dataclass(frozen=True)
class FieldSpec:
    """One policy field: ``name`` in the form, ``path`` in the policy dict."""

    name: str
    path: tuple[str, ...]
    kind: str  # bool | choice | int | percent | number
    label: Any
    help: Any
    lesson: str | None = None
    nullable: bool = False
    choices: tuple[str, ...] = ()
    unit: Any = ""


GRADE_FIELD_TEXT: dict[str, tuple[str, Any, Any, str, bool, Any]] = {
    # key: (kind, label, help, lesson, nullable, unit)
    "accept": ("bool", _l("Sell on these terms"), _l("Untick to refuse this grade altogether."),
               "m2-credit-assessment", False, ""),
    "terms": ("choice", _l("Terms"), _l("Credit (invoice on net terms), payment with goods or payment before goods."),
              "m2-contract-clauses", False, ""),
    "net_days": ("int", _l("Net days"), _l("Days from invoice to due date."), "m2-grades-and-limits", False,
                 _l("days")),
    "credit_limit_months": ("number", _l("Credit limit"), _l("Months of the customer's usual purchases; empty: no limit."),
                            "m2-grades-and-limits", True, _l("months")),
    "deposit": ("percent", _l("Deposit"), _l("Share paid with the order."), "m2-contract-clauses", False, "%"),
    "discount": ("percent", _l("Early-payment discount"), _l("Percent off for paying within the discount days, e.g. 2 for 2/10 net 30."),
                 "m4-carrying-cost-and-segments", False, "%"),
    "discount_days": ("int", _l("Discount days"), _l("Pay within this many days to take the discount."),
                      "m4-carrying-cost-and-segments", False, _l("days")),
}

GRADE_TITLES = {
    "A": _l("Grade A · strong"),
    "B": _l("Grade B · sound"),
    "C": _l("Grade C · watch"),
    "D": _l("Grade D · risky"),
}

TERMS_LABELS = {"net": _l("Invoice (net days)"), "cod": _l("Payment with goods"), "cia": _l("Payment before goods")}
PRIORITY_LABELS = {
    "oldest_debt": _l("Oldest debt first"),
    "largest_balance": _l("Largest balance first"),
    "first_come": _l("First come, first served"),
}


def _grade_fields() -> list[FieldSpec]:
    out = []
    for grade in GRADES:
        for key in GRADE_KEYS:
            kind, label, help_, lesson, nullable, unit = GRADE_FIELD_TEXT[key]
            out.append(FieldSpec(f"{grade}_{key}", ("grades", grade, key), kind, label, help_, lesson, nullable,
                                 TERMS if key == "terms" else (), unit))
    return out


LADDER_FIELDS = [
    FieldSpec("reminder_days_before_due", ("reminder_days_before_due",), "int", _l("Reminder before due"),
              _l("Days before the due date; empty: no reminder."), "m3-escalation-ladder", True, unit=_l("days")),
    FieldSpec("ladder_salesperson", ("ladder", "salesperson"), "int", _l("Salesperson calls"),
              _l("Days past due; empty: step off."), "m3-escalation-ladder", True, unit=_l("days")),
    FieldSpec("ladder_manager", ("ladder", "manager"), "int", _l("Sales manager and finance"),
              _l("Days past due, after the salesperson."), "m3-escalation-ladder", True, unit=_l("days")),
    FieldSpec("ladder_executive", ("ladder", "executive"), "int", _l("Executive"),
              _l("Days past due, after the manager."), "m3-escalation-ladder", True, unit=_l("days")),
    FieldSpec("ladder_legal", ("ladder", "legal"), "int", _l("Legal letter"),
              _l("Days past due; harsh, costly, but it works on the collectable."), "m3-escalation-ladder", True,
              unit=_l("days")),
    FieldSpec("follow_up_days", ("follow_up_days",), "int", _l("Follow up every"),
              _l("Repeat a step that failed after this many days; empty: once."), "m3-preparing-the-call", True,
              unit=_l("days")),
    FieldSpec("agency_day", ("agency_day",), "int", _l("Hand to an agency"),
              _l("Days past due; empty: never."), "m3-escalation-ladder", True, unit=_l("days")),
    FieldSpec("agency_fee", ("agency_fee",), "percent", _l("Agency fee"),
              _l("Share of what the agency recovers."), "m3-escalation-ladder", False, unit="%"),
]
COLLECTOR_FIELDS = [
    FieldSpec("collectors", ("collectors",), "int", _l("Collectors"),
              _l("People working the ladder; each costs a day's pay every day."), "m4-aging-report",
              unit=_l("people")),
    FieldSpec("priority", ("priority",), "choice", _l("Who is called first"),
              _l("When work queues up, which debts the collectors take first."), "m4-aging-report",
              choices=PRIORITIES),
]
WRITE_OFF_FIELDS = [
    FieldSpec("write_off_day", ("write_off_day",), "int", _l("Write off at"),
              _l("Days past due, after every other step."), "m4-overdue-baddebt-provision", unit=_l("days")),
]
HOLD_FIELDS = [
    FieldSpec("credit_hold_days", ("credit_hold_days",), "int", _l("Credit hold at"),
              _l("No new credit while any invoice is this many days late; empty: never."),
              "m2-danger-signals", True, unit=_l("days")),
]

GROUPS: list[tuple[str, Any, list[FieldSpec]]] = [
    ("ladder", _l("Reminders and the escalation ladder"), LADDER_FIELDS),
    ("collectors", _l("Collectors and priority"), COLLECTOR_FIELDS),
    ("write_off", _l("Write-off"), WRITE_OFF_FIELDS),
    ("hold", _l("Credit hold"), HOLD_FIELDS),
]
FIELDS: list[FieldSpec] = _grade_fields() + [f for _, _, specs in GROUPS for f in specs]
BY_NAME = {f.name: f for f in FIELDS}
BY_PATH = {".".join(f.path): f for f in FIELDS}
RUN_FIELDS = ("seed", "customers", "days", "name", "preset")


def _choice_labels(spec: FieldSpec) -> list[tuple[str, Any]]:
    labels = TERMS_LABELS if spec.path[-1] == "terms" else PRIORITY_LABELS
    return [(c, labels.get(c, c)) for c in spec.choices]


def _field_for(spec: FieldSpec) -> Field:
    kw: dict[str, Any] = {"render_kw": {}}
    if spec.kind == "bool":
        return BooleanField(spec.label, default=False)
    if spec.kind == "choice":
        return SelectField(spec.label, choices=_choice_labels(spec), validate_choice=False)
    kw["render_kw"] = {"inputmode": "numeric" if spec.kind == "int" else "decimal", "autocomplete": "off",
                       "size": "6"}
    return StringField(spec.label, **kw)


class PolicyFields(FlaskForm):
    """The policy part (built from FIELDS below) plus the run settings."""

    preset = HiddenField()
    name = StringField(_l("Name this run"),
                       render_kw={"maxlength": "120", "placeholder": _l("e.g. Stricter grade C")})
    seed = StringField(_l("Random seed"), render_kw={"inputmode": "numeric", "size": "8"})
    customers = StringField(_l("Customers"), render_kw={"inputmode": "numeric", "size": "8"})
    days = StringField(_l("Days to simulate"), render_kw={"inputmode": "numeric", "size": "8"})
    submit = SubmitField(_l("Run the simulation"))


for _spec in FIELDS:
    setattr(PolicyFields, _spec.name, _field_for(_spec))
del _spec


class PolicyForm(PolicyFields):
    pass


class DecisionForm(PolicyFields):
    """A team's policy for a workshop round (the run settings are the workshop's)."""

    round = HiddenField()
    note = StringField(_l("Why this policy? (for the decision log)"), validators=[Length(max=280)],
                       render_kw={"maxlength": "280"})
    submit = SubmitField(_l("Submit our policy"))


class CompareForm(FlaskForm):
    other = SelectField(_l("Compare with"), validate_choice=False)
    submit = SubmitField(_l("Compare on the same seed"))


class ReplicateForm(FlaskForm):
    replications = StringField(_l("Replications"), default="10",
                               render_kw={"inputmode": "numeric", "size": "4"})
    submit = SubmitField(_l("Run the replications"))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""


RANGE = _l("Enter a whole number from %(min)s to %(max)s.")


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message is ours (translated like the rest)."""

    data: Any  # an int once the form is valid, None when the entry was not a whole number

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_("Enter a whole number.")) from None


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the workshop a title.")),
                                                 Length(max=120)])
    preset = SelectField(_l("Portfolio"), validate_choice=True)
    seed = WholeNumberField(_l("Random seed"), default=1,
                        validators=[InputRequired(message=_l("Enter a whole number.")),
                                    NumberRange(min=0, max=2**31 - 1, message=RANGE)])
    customers = WholeNumberField(_l("Customers"), default=300,
                             validators=[InputRequired(message=_l("Enter a whole number.")),
                                         NumberRange(min=10, max=5000, message=RANGE)])
    rounds = WholeNumberField(_l("Rounds"), default=4,
                          validators=[InputRequired(message=_l("Enter a whole number.")), NumberRange(min=1, max=12, message=RANGE)])
    round_days = WholeNumberField(_l("Days per round"), default=91,
                              validators=[InputRequired(message=_l("Enter a whole number.")),
                                          NumberRange(min=7, max=365, message=RANGE)])
    submit = SubmitField(_l("Create the workshop"))


MAX_TEAMS = 8
for _i in range(1, MAX_TEAMS + 1):
    setattr(WorkshopForm, f"team_{_i}", StringField(_l("Team %(n)s", n=_i), validators=[Length(max=80)],
                                                    render_kw={"maxlength": "80"}))
del _i


# ------------------------------------------------------------------------ policy ↔ form values


def _fmt_number(value: float | int, percent: bool = False) -> str:
    if percent:
        value = float(value) * 100.0
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _get(policy: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = policy
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def form_data(policy: Mapping[str, Any]) -> dict[str, Any]:
    """Form values (strings, booleans) for a full policy dict."""
    data: dict[str, Any] = {}
    for spec in FIELDS:
        value = _get(policy, spec.path)
        if spec.kind == "bool":
            data[spec.name] = bool(value)
        elif spec.kind == "choice":
            data[spec.name] = value
        elif value is None:
            data[spec.name] = ""
        else:
            data[spec.name] = _fmt_number(value, spec.kind == "percent")
    return data


def policy_from_form(form: FlaskForm) -> dict[str, Any]:
    """The policy dict for the engine: blanks of nullable fields are ``None`` (step off), percents
    become fractions, anything unreadable is passed on as text for the engine to report."""
    policy: dict[str, Any] = {}
    for spec in FIELDS:
        raw = form[spec.name].data
        if spec.kind == "bool":
            value: Any = bool(raw)
        elif spec.kind == "choice":
            value = raw
        else:
            text = (raw or "").strip().replace(",", "").replace("，", "").rstrip("%").strip()
            if not text:
                value = None
            else:
                try:
                    number = float(text)
                except ValueError:
                    number = math.nan
                if not math.isfinite(number):
                    value = text
                elif spec.kind == "percent":
                    value = round(number / 100.0, 6)
                elif number.is_integer():
                    value = int(number)
                else:
                    value = number  # the engine says "whole number" for an int field
        node = policy
        for key in spec.path[:-1]:
            node = node.setdefault(key, {})
        node[spec.path[-1]] = value
    return policy


def attach_problems(form: FlaskForm, problems: list[Problem]) -> list[str]:
    """Put each problem next to its field in the user's language; return the ones with no field."""
    general: list[str] = []
    for problem in problems:
        spec = BY_PATH.get(problem.field)
        name = spec.name if spec else (problem.field if problem.field in RUN_FIELDS else None)
        text = problem_message(problem, spec)
        if name and name in form:
            errors = form[name].errors
            if isinstance(errors, tuple):
                errors = list(errors)
            errors.append(text)
            form[name].errors = errors
        else:
            general.append(text)
    return general


STEP_LABELS = {
    "salesperson": _l("Salesperson calls"),
    "manager": _l("Sales manager and finance"),
    "executive": _l("Executive"),
    "legal": _l("Legal letter"),
    "agency_day": _l("Hand to an agency"),
    "agency": _l("Hand to an agency"),
    "net_days": _l("Net days"),
}


def _num(value: Any, spec: FieldSpec | None) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec is not None and spec.kind == "percent":
            return _fmt_number(float(value), True) + " %"
        return _fmt_number(value)
    return str(value)


def problem_message(problem: Problem, spec: FieldSpec | None = None) -> str:
    """Translate an engine problem by its code and parameters."""
    p = dict(problem.params)
    code = problem.code
    if code == "required":
        return _("Enter a value.")
    if code == "must_be_number":
        return _("Enter a number, for example 30.")
    if code == "must_be_integer":
        return _("Enter a whole number.")
    if code == "must_be_positive":
        return _("Must be greater than zero.")
    if code == "must_not_be_negative":
        return _("Must not be negative.")
    if code == "too_small":
        return _("Must be at least %(minimum)s.", minimum=_num(p.get("minimum"), spec))
    if code == "too_large":
        return _("Must be at most %(maximum)s.", maximum=_num(p.get("maximum"), spec))
    if code == "too_long":
        return _("Must be at most %(maximum)s characters.", maximum=p.get("maximum"))
    if code == "must_be_fraction":
        if p.get("below_one"):
            return _("Must be from 0 to below 100 %.")
        return _("Must be from 0 to 100 %.")
    if code == "must_be_bool":
        return _("Must be yes or no.")
    if code == "must_be_one_of":
        return _("Pick one of the choices.")
    if code == "must_be_before":
        return _("Must be fewer than the net days (%(limit)s).", limit=p.get("limit"))
    if code == "ladder_out_of_order":
        return _("Must come after %(previous)s (day %(previous_day)s).",
                 previous=STEP_LABELS.get(str(p.get("previous")), p.get("previous")), previous_day=p.get("previous_day"))
    if code == "must_be_after":
        return _("Must come after %(other)s (day %(other_day)s).",
                 other=STEP_LABELS.get(str(p.get("other")), p.get("other")), other_day=p.get("other_day"))
    if code == "unknown_preset":
        return _("Unknown portfolio; pick one from the list.")
    if code == "horizon_too_long":
        return _("The run may last at most %(maximum)s days.", maximum=p.get("maximum"))
    if code == "unknown_key":
        return _("Unknown setting %(key)s.", key=p.get("key"))
    return _("This value is not accepted: %(detail)s", detail=problem.message)
