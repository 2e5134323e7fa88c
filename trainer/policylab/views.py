"""Policy-lab pages: the lab, the form, job progress, results, comparisons, replications, exports, and
simulation workshops (team rounds, leaderboard, decision log, big screen). Thin: parse input, call
:mod:`trainer.policylab.services`, render."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from trainer.core.i18n import content_language
from trainer.core.web import role_required
from trainer.extensions import db
from trainer.policylab import forms as F
from trainer.policylab import jobs, report
from trainer.policylab import services as lab
from trainer.policylab.charts import Series, line_chart
from trainer.policylab.models import SimJob, SimRun, SimWorkshop
from trainer.policylab.services import next_steps, seed_demo
from trainer.sim import PolicyError

bp = Blueprint("sim", __name__, template_folder="templates")


def _fmt(currency: str = "CNY") -> report.Fmt:
    return report.Fmt(content_language(), currency)


def _lesson_links() -> dict[str, tuple[str, str]]:
    """lesson id → (url, title in the user's language), for the help beside each field."""
    registry = current_app.extensions.get("content")
    lang = content_language()
    out = {}
    for spec in F.FIELDS:
        if spec.lesson and spec.lesson not in out:
            lesson = getattr(registry, "lessons", {}).get(spec.lesson) if registry else None
            title = lesson.title(lang) if lesson is not None else spec.lesson
            out[spec.lesson] = (f"/learn/ar-essentials/{spec.lesson}", title)
    return out


def _preset_choices() -> list[tuple[str, str]]:
    lang = content_language()
    return [(p.name, p.title.get(lang) or p.name) for p in lab.presets()]


# ------------------------------------------------------------------------------------------ lab home


@bp.route("/sim/")
@login_required
def index():  # type: ignore[no-untyped-def]
    lang = content_language()
    return render_template(
        "sim/index.html",
        presets=lab.presets(),
        lang=lang,
        runs=lab.my_runs(current_user),
        team_runs=lab.team_runs(current_user),
        workshops=lab.my_workshops(current_user),
        jobs=[j for j in lab.recent_jobs(current_user) if not j.finished or j.status == "failed"],
        fmt=_fmt(),
        cash=report.cash,
        preset_titles={p.name: p.title.get(lang) or p.name for p in lab.presets()},
    )


# ------------------------------------------------------------------------------------ the policy form


def _form_context(form: F.PolicyFields, preset_name: str, general: list[str] | None = None) -> dict:
    the_preset = lab.preset(preset_name)
    return {
        "form": form,
        "preset": the_preset,
        "preset_choices": _preset_choices(),
        "grades": F.GRADE_TITLES,
        "grade_keys": F.GRADE_KEYS,
        "grade_fields": F.GRADE_FIELD_TEXT,
        "groups": F.GROUPS,
        "lessons": _lesson_links(),
        "general_errors": general or [],
        "max_customers": lab.max_customers(),
    }


@bp.route("/sim/new", methods=["GET", "POST"])
@login_required
def new():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        form = F.PolicyForm()
        preset_name = form.preset.data or ""
        if preset_name not in lab.preset_names():
            abort(400)
        if not form.validate_on_submit():
            if form.csrf_token.errors:
                abort(400)
            return render_template("sim/new.html", **_form_context(form, preset_name)), 400
        try:
            run_request = lab.parse_run_request(preset_name, F.policy_from_form(form), form.seed.data,
                                                form.customers.data, form.days.data, form.name.data or "")
        except PolicyError as exc:
            general = F.attach_problems(form, list(exc.problems))
            return render_template("sim/new.html", **_form_context(form, preset_name, general)), 400
        try:
            job = lab.start_run(current_user, run_request)
        except jobs.JobQueueUnavailable:
            flash(_("The simulation queue is not available right now. Try again in a minute."), "error")
            return render_template("sim/new.html", **_form_context(form, preset_name)), 503
        return redirect(url_for("sim.job", job_id=job.id))

    source = None
    if request.args.get("from", "").isdigit():
        source = lab.visible_run(current_user, int(request.args["from"])) or abort(404)
    preset_name = source.preset if source else request.args.get("preset") or lab.preset_names()[0]
    if preset_name not in lab.preset_names():
        abort(404)
    the_preset = lab.preset(preset_name)
    policy = source.policy if source else lab.default_policy(preset_name)
    data = F.form_data(policy)
    data.update(preset=preset_name, seed=str(source.seed if source else 1),
                customers=str(source.customers if source else min(the_preset.customers, lab.max_customers())),
                days=str(source.days if source else the_preset.days),
                name=(_("Copy of %(name)s", name=source.name or f"#{source.id}") if source else ""))
    form = F.PolicyForm(formdata=None, data=data)
    return render_template("sim/new.html", source=source, **_form_context(form, preset_name))


# ----------------------------------------------------------------------------------------------- jobs


def _job_or_404(job_id: int) -> SimJob:
    return lab.visible_job(current_user, job_id) or abort(404)


def _job_target(job: SimJob) -> str | None:
    if job.status != "done":
        return None
    if job.kind == "round" and job.workshop_id:
        return url_for("sim.workshop", workshop_id=job.workshop_id)
    if job.run_id is None:
        return None
    compare_with = job.params.get("compare_with")
    if compare_with:
        return url_for("sim.compare", a=compare_with, b=job.run_id)
    return url_for("sim.run", run_id=job.run_id)


@bp.route("/sim/jobs/<int:job_id>")
@login_required
def job(job_id: int):  # type: ignore[no-untyped-def]
    the_job = _job_or_404(job_id)
    target = _job_target(the_job)
    if target and request.args.get("stay") != "1":
        return redirect(target)
    return render_template("sim/job.html", job=the_job, target=target)


@bp.route("/sim/jobs/<int:job_id>.json")
@login_required
def job_status(job_id: int):  # type: ignore[no-untyped-def]
    the_job = _job_or_404(job_id)
    return jsonify({
        "id": the_job.id,
        "status": the_job.status,
        "progress": round(float(the_job.progress or 0.0), 3),
        "message": the_job.message,
        "url": _job_target(the_job),
    })


# -------------------------------------------------------------------------------------------- results


def _run_or_404(run_id: int) -> SimRun:
    return lab.visible_run(current_user, run_id) or abort(404)


def _compare_choices(run: SimRun) -> list[tuple[str, str]]:
    choices = [("default", _("The preset's default policy"))]
    for other in lab.my_runs(run.user if run.user_id != current_user.id else current_user):
        if other.id != run.id and other.kind == "run" and other.preset == run.preset:
            choices.append((str(other.id), f"#{other.id} · {other.name or _('unnamed run')}"))
    return choices


@bp.route("/sim/runs/<int:run_id>")
@login_required
def run(run_id: int):  # type: ignore[no-untyped-def]
    the_run = _run_or_404(run_id)
    fmt = _fmt(the_run.result.get("currency", "CNY"))
    compare_form = F.CompareForm(formdata=None)
    compare_form.other.choices = _compare_choices(the_run)
    replicate_form = F.ReplicateForm(formdata=None)
    common = {"run": the_run, "fmt": fmt, "owner": the_run.user_id == current_user.id,
              "compare_form": compare_form, "replicate_form": replicate_form,
              "preset": lab.preset(the_run.preset), "lang": content_language()}
    if the_run.kind == "replicate":
        return render_template("sim/replications.html", bands=report.band_views(the_run.result, fmt), **common)
    sort = request.args.get("sort", "total")
    descending = request.args.get("dir", "desc") != "asc"
    return render_template(
        "sim/run.html",
        figures=report.headline(the_run.summary, fmt),
        charts=report.run_charts(the_run.result, fmt),
        debrief=report.debrief(the_run.result, the_run.summary, fmt),
        aging=report.aging_rows(the_run.result, sort, descending),
        sort=sort, descending=descending,
        behaviour_labels=report.BEHAVIOUR_LABELS, status_labels=report.STATUS_LABELS,
        bucket_labels=report.BUCKET_LABELS,
        differences=[(report.policy_label(p), report.policy_value(p, the_run.policy),
                      report.policy_value(p, lab.default_policy(the_run.preset)))
                     for p in lab.policy_differences(the_run.policy, lab.default_policy(the_run.preset))],
        **common,
    )


@bp.route("/sim/runs/<int:run_id>/compare", methods=["POST"])
@login_required
def start_compare(run_id: int):  # type: ignore[no-untyped-def]
    the_run = _run_or_404(run_id)
    form = F.CompareForm()
    form.other.choices = _compare_choices(the_run)
    if not form.validate_on_submit():
        abort(400)
    choice = form.other.data or "default"
    other = None
    if choice != "default":
        if not choice.isdigit():
            abort(400)
        other = _run_or_404(int(choice))
    found, job_row = lab.comparison_target(current_user, the_run, other, _("Preset default"))
    if found is not None:
        return redirect(url_for("sim.compare", a=the_run.id, b=found.id))
    return redirect(url_for("sim.job", job_id=job_row.id))  # type: ignore[union-attr]


@bp.route("/sim/compare/<int:a>/<int:b>")
@login_required
def compare(a: int, b: int):  # type: ignore[no-untyped-def]
    run_a, run_b = _run_or_404(a), _run_or_404(b)
    if run_a.kind != "run" or run_b.kind != "run":
        abort(404)
    fmt = _fmt(run_a.result.get("currency", "CNY"))
    name_a = run_a.name or f"#{run_a.id}"
    name_b = run_b.name or f"#{run_b.id}"
    if name_a == name_b:
        name_a, name_b = f"{name_a} (#{run_a.id})", f"{name_b} (#{run_b.id})"
    differences = [(report.policy_label(p), report.policy_value(p, run_a.policy), report.policy_value(p, run_b.policy))
                   for p in lab.policy_differences(run_a.policy, run_b.policy)]
    return render_template(
        "sim/compare.html", a=run_a, b=run_b, names=(name_a, name_b), same_world=lab.same_world(run_a, run_b),
        rows=report.compare_rows(run_a.summary, run_b.summary, fmt), differences=differences,
        charts=report.compare_charts(run_a.result, run_b.result, (name_a, name_b), fmt), fmt=fmt,
    )


@bp.route("/sim/runs/<int:run_id>/replicate", methods=["POST"])
@login_required
def replicate(run_id: int):  # type: ignore[no-untyped-def]
    the_run = _run_or_404(run_id)
    form = F.ReplicateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        n = lab.parse_replications(form.replications.data)
    except PolicyError as exc:
        flash(F.problem_message(exc.problems[0]), "error")
        return redirect(url_for("sim.run", run_id=the_run.id) + "#confidence")
    job_row = lab.start_replications(current_user, the_run, n)
    return redirect(url_for("sim.job", job_id=job_row.id))


# -------------------------------------------------------------------------------------------- exports


def _download(text: str, filename: str, mimetype: str, bom: bool = False) -> Response:
    body = ("\ufeff" + text) if bom else text
    response = Response(body.encode("utf-8"), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_labels() -> dict[str, str]:
    return {
        "run": _("Run"), "preset": _("Portfolio"), "seed": _("Seed"), "engine": _("Engine"),
        "label": _("Month"), "sales": _("Sales"), "credit_sales": _("Credit sales"),
        "collections": _("Collected on invoices"), "bad_debt": _("Bad debt"), "lost_sales": _("Lost sales"),
        "ar": _("Receivables"), "current": str(report.BUCKET_LABELS[0]), "1-30": str(report.BUCKET_LABELS[1]),
        "31-60": str(report.BUCKET_LABELS[2]), "61-90": str(report.BUCKET_LABELS[3]),
        "90+": str(report.BUCKET_LABELS[4]), "dso": _("DSO"), "best_possible_dso": _("Best Possible DSO"),
        "average_days_delinquent": _("ADD"), "cei": _("CEI"), "overdue_pct": _("Overdue %"),
        "bad_debt_rate": _("Bad-debt rate %"), "turnover": _("Turnover"), "utilisation": _("Utilisation"),
        "mean_wait": _("Mean wait (days)"), "max_queue": _("Longest queue (actions)"),
        "carrying_cost": _("Carrying cost"), "customer": _("Customer"), "grade": _("Grade"),
        "behaviour": _("Payment behaviour"), "status": _("Status"), "total": _("Total"),
        "oldest": _("Days past due (oldest)"),
    }


@bp.route("/sim/runs/<int:run_id>/export.csv")
@login_required
def export_csv(run_id: int):  # type: ignore[no-untyped-def]
    the_run = _run_or_404(run_id)
    if the_run.kind != "run":
        abort(404)
    return _download(lab.runs_csv(the_run, _csv_labels()), f"sim-run-{the_run.id}-months.csv",
                     "text/csv; charset=utf-8", bom=True)


@bp.route("/sim/runs/<int:run_id>/aging.csv")
@login_required
def export_aging(run_id: int):  # type: ignore[no-untyped-def]
    the_run = _run_or_404(run_id)
    if the_run.kind != "run":
        abort(404)
    words = {k: str(v) for k, v in {**report.BEHAVIOUR_LABELS, **report.STATUS_LABELS}.items()}
    return _download(lab.aging_csv(the_run, _csv_labels(), words), f"sim-run-{the_run.id}-aging.csv",
                     "text/csv; charset=utf-8", bom=True)


@bp.route("/sim/runs/<int:run_id>/policy.yaml")
@login_required
def export_policy(run_id: int):  # type: ignore[no-untyped-def]
    the_run = _run_or_404(run_id)
    header = [
        f"Receivables Trainer policy · run #{the_run.id} {the_run.name}".rstrip(),
        f"preset: {the_run.preset} · seed: {the_run.seed} · customers: {the_run.customers} · days: {the_run.days}",
        f"engine: {the_run.engine_version}",
        f"python -m trainer.sim run --preset {the_run.preset} --policy this-file.yaml --seed {the_run.seed}",
    ]
    return _download(lab.policy_yaml(the_run.policy, header), f"sim-run-{the_run.id}-policy.yaml",
                     "application/x-yaml; charset=utf-8")


# ------------------------------------------------------------------------------------------ workshops


def _workshop_or_404(workshop_id: int) -> SimWorkshop:
    return lab.visible_workshop(current_user, workshop_id) or abort(404)


@bp.route("/sim/workshops/new", methods=["GET", "POST"])
@role_required("manager", "admin")
def new_workshop():  # type: ignore[no-untyped-def]
    form = F.WorkshopForm()
    form.preset.choices = _preset_choices()
    candidates = lab.workshop_candidates(current_user)
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
        teams = [lab.TeamSpec(names[i], members[i]) for i in names if names[i]]
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
            workshop = lab.create_workshop(current_user, form.title.data.strip(), form.preset.data, form.seed.data,
                                           form.customers.data, form.rounds.data, form.round_days.data, teams)
            flash(_("Workshop created. Round 1 is open for submissions."), "success")
            return redirect(url_for("sim.workshop", workshop_id=workshop.id))
        status = 400
    else:
        status = 200
    return render_template("sim/workshop_new.html", form=form, candidates=candidates, assignment=assignment,
                           errors=errors, general=general, max_teams=F.MAX_TEAMS), status


def _workshop_context(workshop: SimWorkshop) -> dict:
    fmt = _fmt(lab.preset(workshop.preset).portfolio.currency)
    team = lab.team_of(current_user, workshop)
    return {
        "workshop": workshop,
        "team": team,
        "facilitator": lab.can_facilitate(current_user, workshop),
        "standings": lab.leaderboard(workshop),
        "submitted": lab.submissions_this_round(workshop),
        "fmt": fmt,
        "cash": report.cash,
        "version": lab.workshop_version(workshop),
        "criteria": lab.SCORE_CRITERIA,
        "running_job": db.session.scalar(
            select(SimJob).where(SimJob.workshop_id == workshop.id).order_by(SimJob.id.desc()).limit(1)),
        "preset": lab.preset(workshop.preset),
        "lang": content_language(),
    }


@bp.route("/sim/workshops/")
@login_required
def workshops():  # type: ignore[no-untyped-def]
    return render_template("sim/workshops.html", workshops=lab.my_workshops(current_user))


@bp.route("/sim/workshops/<int:workshop_id>")
@login_required
def workshop(workshop_id: int):  # type: ignore[no-untyped-def]
    the_workshop = _workshop_or_404(workshop_id)
    context = _workshop_context(the_workshop)
    team = context["team"]
    form = None
    if team is not None and the_workshop.status == "open":
        data = F.form_data(lab.current_policy(team))
        data["round"] = str(the_workshop.current_round)
        form = F.DecisionForm(formdata=None, data=data)
    return _render_workshop(the_workshop, context, form)


def _render_workshop(workshop: SimWorkshop, context: dict, form, general=None, status: int = 200):  # type: ignore[no-untyped-def]
    team = context["team"]
    results = team.results if team is not None else []
    fmt = context["fmt"]
    charts = []
    if results:
        latest = results[-1]
        months = latest.months
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
        lessons=_lesson_links(), confirm=F.ConfirmForm(), **context,
    ), status


def _decision_log_rows(workshop: SimWorkshop, only_team) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every decision with what changed against the team's previous policy (None: all teams)."""
    previous = {t.id: lab.current_policy(t, before_round=1) for t in workshop.teams}
    names = {t.id: t.name for t in workshop.teams}
    rows = []
    for decision in lab.decision_log(workshop):
        before = previous[decision.team_id]
        changes = [(report.policy_label(p), report.policy_value(p, before), report.policy_value(p, decision.policy))
                   for p in lab.policy_differences(before, decision.policy)]
        previous[decision.team_id] = dict(decision.policy)
        if only_team is not None and decision.team_id != only_team.id:
            continue
        rows.append({"round": decision.round, "team": names[decision.team_id], "decision": decision,
                     "changes": changes})
    return rows


def report_series(label: str, months: list, key: str) -> Series:
    return Series(label, [m.get(key) for m in months])


@bp.route("/sim/workshops/<int:workshop_id>/submit", methods=["POST"])
@login_required
def submit_decision(workshop_id: int):  # type: ignore[no-untyped-def]
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
        lab.submit_decision(current_user, the_workshop, round_no, F.policy_from_form(form), form.note.data or "")
    except lab.RoundRefused as refused:
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
def close_round(workshop_id: int):  # type: ignore[no-untyped-def]
    the_workshop = _workshop_or_404(workshop_id)
    if not lab.can_facilitate(current_user, the_workshop):
        abort(403)
    if not F.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        job_row = lab.close_round(current_user, the_workshop)
    except lab.RoundRefused:
        flash(_("This round is not open, so it cannot be closed."), "error")
        return redirect(url_for("sim.workshop", workshop_id=the_workshop.id)), 409
    except jobs.JobQueueUnavailable:
        flash(_("The simulation queue is not available right now. Try again in a minute."), "error")
        return redirect(url_for("sim.workshop", workshop_id=the_workshop.id))
    return redirect(url_for("sim.job", job_id=job_row.id))


@bp.route("/sim/workshops/<int:workshop_id>/screen")
@login_required
def screen(workshop_id: int):  # type: ignore[no-untyped-def]
    the_workshop = _workshop_or_404(workshop_id)
    if not lab.can_facilitate(current_user, the_workshop):
        abort(403)
    return render_template("sim/screen.html", **_workshop_context(the_workshop))


@bp.route("/sim/workshops/<int:workshop_id>/status.json")
@login_required
def workshop_status(workshop_id: int):  # type: ignore[no-untyped-def]
    the_workshop = _workshop_or_404(workshop_id)
    submitted = lab.submissions_this_round(the_workshop)
    return jsonify({
        "status": the_workshop.status,
        "round": the_workshop.current_round,
        "rounds": the_workshop.rounds,
        "version": lab.workshop_version(the_workshop),
        "submitted": sum(1 for d in submitted.values() if d is not None and not d.carried),
        "teams": len(the_workshop.teams),
    })


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo)
