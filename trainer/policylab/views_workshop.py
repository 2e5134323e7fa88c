"""Simulation workshop pages: creating one, the team page with its form and charts, submitting and
closing rounds, the leaderboard and decision log, the big screen and the polling status."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.core.charts import Series, line_chart
from trainer.core.i18n import content_language
from trainer.core.web import role_required
from trainer.policylab import blueprint as lab
from trainer.policylab import forms as F
from trainer.policylab import jobs, report, report_frontier, report_value
from trainer.policylab.blueprint import bp, lesson_links, page_fmt, preset_choices
from trainer.policylab.models import SimWorkshop, SimWorkshopTeam
from trainer.policylab.services import presets
from trainer.policylab.services import workshops as workshop_service
from trainer.sim import PolicyError


def _workshop_or_404(workshop_id: int) -> SimWorkshop:
    return workshop_service.visible_workshop(current_user, workshop_id) or abort(404)


@bp.route("/sim/workshops/new", methods=["GET", "POST"])
@role_required("manager", "admin")
def new_workshop() -> ResponseReturnValue:
    form = F.WorkshopForm()
    form.preset.choices = preset_choices()
    candidates = workshop_service.workshop_candidates(current_user)
    assignment = {u.id: request.form.get(f"member_{u.id}", "") for u in candidates}
    errors: dict[int, str] = {}
    general: list[str] = []
    if request.method == "POST":
        valid = form.validate_on_submit()
        if form.csrf_token.errors:
            abort(400)
        names = {i: (form[f"team_{i}"].data or "").strip() for i in range(1, F.MAX_TEAMS + 1)}
        members: dict[int, list[int]] = {i: [] for i in names}
        for user in candidates:
            value = assignment[user.id]
            if not value:
                continue
            if not value.isdigit() or int(value) not in names:
                errors[user.id] = _("Pick a team from the list.")
                continue
            if not names[int(value)]:
                errors[user.id] = _("Team %(n)s has no name yet: name it above, or pick another team.", n=value)
                continue
            members[int(value)].append(user.id)
        teams = [workshop_service.TeamSpec(names[i], members[i]) for i in names if names[i]]
        for i, name in names.items():
            if name and not members[i]:
                form[f"team_{i}"].errors = list(form[f"team_{i}"].errors) + [_("Put at least one person in this team.")]
                valid = False
        if len({t.name for t in teams}) != len(teams):
            general.append(_("Two teams have the same name."))
        if not teams:
            general.append(_("Name at least one team and put people in it."))
        if form.rounds.data and form.round_days.data and form.rounds.data * form.round_days.data > 1825:
            form.round_days.errors = list(form.round_days.errors) + [
                _("Rounds × days per round may be at most %(maximum)s days.", maximum=1825)]
            valid = False
        if valid and not errors and not general:
            workshop = workshop_service.create_workshop(current_user, form.title.data.strip(), form.preset.data, form.seed.data,
                                           form.customers.data, form.rounds.data, form.round_days.data, teams)
            flash(_("Workshop created. Round 1 is open for submissions."), "success")
            return redirect(url_for("sim.workshop", workshop_id=workshop.id))
        status = 400
    else:
        status = 200
    return render_template("sim/workshop_new.html", form=form, candidates=candidates, assignment=assignment,
                           errors=errors, general=general, max_teams=F.MAX_TEAMS), status


def _workshop_context(workshop: SimWorkshop) -> dict[str, Any]:
    fmt = page_fmt(presets.preset(workshop.preset).portfolio.currency)
    team = workshop_service.team_of(current_user, workshop)
    running_job = workshop_service.latest_job(workshop)
    state = jobs.state_of(running_job) if running_job is not None else None
    facilitator = workshop_service.can_facilitate(current_user, workshop)
    standings = workshop_service.leaderboard(workshop)
    return {
        "workshop": workshop,
        "team": team,
        "facilitator": facilitator,
        "standings": standings,
        "submitted": workshop_service.submissions_this_round(workshop),
        "fmt": fmt,
        "cash": report.cash,
        "version": workshop_service.workshop_version(workshop),
        "running_job": running_job,
        "running_error": lab.job_error_text(state.error_code) if state and state.status == "failed" else None,
        "preset": presets.preset(workshop.preset),
        "lang": content_language(),
        "frontier_distances": report_frontier.team_distances(standings) if facilitator else [],
    }


@bp.route("/sim/workshops/")
@login_required
def workshops() -> ResponseReturnValue:
    return render_template("sim/workshops.html", workshops=workshop_service.my_workshops(current_user))


@bp.route("/sim/workshops/<int:workshop_id>")
@login_required
def workshop(workshop_id: int) -> ResponseReturnValue:
    the_workshop = _workshop_or_404(workshop_id)
    context = _workshop_context(the_workshop)
    team = context["team"]
    form = None
    if team is not None and the_workshop.status == "open":
        data = F.form_data(workshop_service.current_policy(team))
        data["round"] = str(the_workshop.current_round)
        form = F.DecisionForm(formdata=None, data=data)
    return _render_workshop(the_workshop, context, form)


def _render_workshop(workshop: SimWorkshop, context: dict[str, Any], form: F.DecisionForm | None,
                     general: list[str] | None = None, status: int = 200) -> ResponseReturnValue:
    team = context["team"]
    results = team.results if team is not None else []
    fmt = context["fmt"]
    charts = []
    if results:
        latest = results[-1]
        months = latest.months
        value = report_value.value_chart(latest.summary, fmt, "chart-team-value")
        if value is not None:
            charts.append(value)
        labels = report.month_labels(months, fmt)
        charts.append(line_chart("chart-team-cash", _("Cash collected and sales by month"), labels, [
            report_series(_("Sales"), months, "sales"), Series(_("Cash collected"), [report.month_cash(m) for m in months]),
        ], y_label=fmt.symbol.strip(), category_label=_("Month"),
            fmt=lambda v: report.compact(v, fmt.lang), table_fmt=fmt.money, width=460, height=280))
        charts.append(line_chart("chart-team-dso", _("DSO by month"), labels, [
            Series(_("DSO"), [m.get("dso") for m in months])], y_label=_("days"), category_label=_("Month"),
            fmt=lambda v: f"{v:,.0f}", table_fmt=lambda v: f"{v:,.1f}", width=460, height=260))
    everyone = context["facilitator"] or workshop.status == "finished"
    return render_template(
        "sim/workshop.html", form=form, general_errors=general or [], charts=charts,
        log=_decision_log_rows(workshop, None if everyone else team),
        grades=F.GRADE_TITLES, grade_keys=F.GRADE_KEYS, grade_fields=F.GRADE_FIELD_TEXT, groups=F.GROUPS,
        lessons=lesson_links(), confirm=F.ConfirmForm(), **context,
    ), status


def _decision_log_rows(workshop: SimWorkshop, only_team: SimWorkshopTeam | None) -> list[dict[str, Any]]:
    """Every decision with what changed against the team's previous policy (None: all teams)."""
    previous = {t.id: workshop_service.current_policy(t, before_round=1) for t in workshop.teams}
    names = {t.id: t.name for t in workshop.teams}
    rows = []
    for decision in workshop_service.decision_log(workshop):
        before = previous[decision.team_id]
        changes = [(report.policy_label(p), report.policy_value(p, before), report.policy_value(p, decision.policy))
                   for p in presets.policy_differences(before, decision.policy)]
        previous[decision.team_id] = dict(decision.policy)
        if only_team is not None and decision.team_id != only_team.id:
            continue
        rows.append({"round": decision.round, "team": names[decision.team_id], "decision": decision,
                     "changes": changes})
    return rows


def report_series(label: str, months: list[dict[str, Any]], key: str) -> Series:
    return Series(label, [m.get(key) for m in months])


@bp.route("/sim/workshops/<int:workshop_id>/submit", methods=["POST"])
@login_required
def submit_decision(workshop_id: int) -> ResponseReturnValue:
    the_workshop = _workshop_or_404(workshop_id)
    context = _workshop_context(the_workshop)
    if context["team"] is None:
        abort(403)
    form = F.DecisionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_workshop(the_workshop, context, form, status=400)
    round_no = int(form.round.data) if (form.round.data or "").isdigit() else -1
    try:
        workshop_service.submit_decision(current_user, the_workshop, round_no, F.policy_from_form(form), form.note.data or "")
    except workshop_service.RoundRefused as refused:
        if refused.code == "finished":
            message = _("The workshop is over; no more submissions.")
        else:
            message = _("Round %(round)s is closed: your submission came too late and was not recorded. "
                        "Your team plays its last submitted policy.", round=refused.params.get("round", round_no))
        flash(message, "error")
        return redirect(url_for("sim.workshop", workshop_id=the_workshop.id)), 409
    except PolicyError as exc:
        general = F.attach_problems(form, list(exc.problems))
        return _render_workshop(the_workshop, context, form, general, status=400)
    flash(_("Policy submitted for round %(round)s. You may change it until the facilitator closes the round.",
            round=round_no), "success")
    return redirect(url_for("sim.workshop", workshop_id=the_workshop.id))


@bp.route("/sim/workshops/<int:workshop_id>/close", methods=["POST"])
@login_required
def close_round(workshop_id: int) -> ResponseReturnValue:
    the_workshop = _workshop_or_404(workshop_id)
    if not workshop_service.can_facilitate(current_user, the_workshop):
        abort(403)
    if not F.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        job_row = workshop_service.close_round(current_user, the_workshop)
    except workshop_service.RoundRefused:
        flash(_("This round is not open, so it cannot be closed."), "error")
        return redirect(url_for("sim.workshop", workshop_id=the_workshop.id)), 409
    except jobs.JobQueueUnavailable:
        flash(_("The simulation queue is not available right now. Try again in a minute."), "error")
        return redirect(url_for("sim.workshop", workshop_id=the_workshop.id))
    except jobs.JobRefused as refusal:
        flash(lab.job_refused_text(refusal), "error")
        return redirect(url_for("sim.workshop", workshop_id=the_workshop.id))
    return redirect(url_for("sim.job", job_id=job_row.id))


@bp.route("/sim/workshops/<int:workshop_id>/screen")
@login_required
def screen(workshop_id: int) -> ResponseReturnValue:
    the_workshop = _workshop_or_404(workshop_id)
    if not workshop_service.can_facilitate(current_user, the_workshop):
        abort(403)
    return render_template("sim/screen.html", **_workshop_context(the_workshop))


@bp.route("/sim/workshops/<int:workshop_id>/status.json")
@login_required
def workshop_status(workshop_id: int) -> ResponseReturnValue:
    the_workshop = _workshop_or_404(workshop_id)
    submitted = workshop_service.submissions_this_round(the_workshop)
    return jsonify({
        "status": the_workshop.status,
        "round": the_workshop.current_round,
        "rounds": the_workshop.rounds,
        "version": workshop_service.workshop_version(the_workshop),
        "submitted": sum(1 for d in submitted.values() if d is not None and not d.carried),
        "teams": len(the_workshop.teams),
    })
