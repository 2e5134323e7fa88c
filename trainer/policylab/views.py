"""Policy-lab pages: the lab, the form, job progress, results, comparisons, replications and exports.
Thin: parse input, call :mod:`trainer.policylab.services`, render. The workshop pages are in
:mod:`trainer.policylab.views_workshop`, on the same blueprint."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.core.downloads import attachment
from trainer.core.i18n import content_language
from trainer.core.inputs import bounded_int
from trainer.policylab import forms as F
from trainer.policylab import (
    jobs,
    report,
    report_aging,
    report_frontier,
    report_value,
    views_workshop,  # noqa: F401  (its routes are on the same blueprint)
)
from trainer.policylab.blueprint import (
    bp,
    job_error_text,
    job_refused_text,
    lesson_links,
    page_fmt,
    preset_choices,
)
from trainer.policylab.cli import sim_cli
from trainer.policylab.models import SimJob, SimRun
from trainer.policylab.services import exports, presets, run_requests, runs
from trainer.policylab.services import workshops as workshop_service
from trainer.policylab.services.home import next_steps, seed_demo
from trainer.sim import PolicyError

# ------------------------------------------------------------------------------------------ lab home


@bp.route("/sim/")
@login_required
def index() -> ResponseReturnValue:
    lang = content_language()
    return render_template(
        "sim/index.html",
        presets=presets.presets(),
        lang=lang,
        runs=runs.my_runs(current_user),
        team_runs=runs.team_runs(current_user),
        workshops=workshop_service.my_workshops(current_user),
        jobs=_job_rows(runs.recent_jobs(current_user)),
        fmt=page_fmt(),
        cash=report.cash,
        preset_titles={p.name: p.title.get(lang) or p.name for p in presets.presets()},
    )


# ------------------------------------------------------------------------------------ the policy form


def _form_context(form: F.PolicyFields, preset_name: str, general: list[str] | None = None) -> dict[str, Any]:
    the_preset = presets.preset(preset_name)
    return {
        "form": form,
        "preset": the_preset,
        "preset_choices": preset_choices(),
        "grades": F.GRADE_TITLES,
        "grade_keys": F.GRADE_KEYS,
        "grade_fields": F.GRADE_FIELD_TEXT,
        "groups": F.GROUPS,
        "lessons": lesson_links(),
        "general_errors": general or [],
        "max_customers": run_requests.max_customers(),
    }


@bp.route("/sim/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    if request.method == "POST":
        form = F.PolicyForm()
        preset_name = form.preset.data or ""
        if preset_name not in presets.preset_names():
            abort(400)
        if not form.validate_on_submit():
            if form.csrf_token.errors:
                abort(400)
            return render_template("sim/new.html", **_form_context(form, preset_name)), 400
        try:
            run_request = run_requests.parse_run_request(preset_name, F.policy_from_form(form), form.seed.data,
                                                form.customers.data, form.days.data, form.name.data or "")
        except PolicyError as exc:
            general = F.attach_problems(form, list(exc.problems))
            return render_template("sim/new.html", **_form_context(form, preset_name, general)), 400
        try:
            job = runs.start_run(current_user, run_request)
        except jobs.JobQueueUnavailable:
            flash(_("The simulation queue is not available right now. Try again in a minute."), "error")
            return render_template("sim/new.html", **_form_context(form, preset_name)), 503
        except jobs.JobRefused as refusal:
            flash(job_refused_text(refusal), "error")
            return render_template("sim/new.html", **_form_context(form, preset_name)), 429
        return redirect(url_for("sim.job", job_id=job.id))

    source = None
    if request.args.get("from"):
        source_id = bounded_int(request.args["from"]) or abort(404)
        source = runs.visible_run(current_user, source_id) or abort(404)
    preset_name = source.preset if source else request.args.get("preset") or presets.preset_names()[0]
    if preset_name not in presets.preset_names():
        abort(404)
    the_preset = presets.preset(preset_name)
    policy = source.policy if source else presets.default_policy(preset_name)
    data = F.form_data(policy)
    data.update(preset=preset_name, seed=str(source.seed if source else 1),
                customers=str(source.customers if source else min(the_preset.customers, run_requests.max_customers())),
                days=str(source.days if source else the_preset.days),
                name=(_("Copy of %(name)s", name=source.name or f"#{source.id}") if source else ""))
    form = F.PolicyForm(formdata=None, data=data)
    return render_template("sim/new.html", source=source, **_form_context(form, preset_name))


# ----------------------------------------------------------------------------------------------- jobs


def _job_or_404(job_id: int) -> SimJob:
    return runs.visible_job(current_user, job_id) or abort(404)


def _job_rows(recent: list[SimJob]) -> list[dict[str, Any]]:
    """The lab's list of unfinished and failed jobs, as their owner sees them (stalled shows failed)."""
    rows = []
    for j in recent:
        state = jobs.state_of(j)
        if state.status != "done":
            rows.append({"job": j, "status": state.status,
                         "error": job_error_text(state.error_code) if state.status == "failed" else None})
    return rows


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
def job(job_id: int) -> ResponseReturnValue:
    the_job = _job_or_404(job_id)
    target = _job_target(the_job)
    if target and request.args.get("stay") != "1":
        return redirect(target)
    state = jobs.state_of(the_job)
    return render_template(
        "sim/job.html", job=the_job, target=target, status=state.status,
        error=job_error_text(state.error_code) if state.status == "failed" else None,
        retry_form=F.ConfirmForm(formdata=None) if state.retryable and the_job.user_id == current_user.id else None,
    )


@bp.route("/sim/jobs/<int:job_id>.json")
@login_required
def job_status(job_id: int) -> ResponseReturnValue:
    the_job = _job_or_404(job_id)
    state = jobs.state_of(the_job)
    return jsonify({
        "id": the_job.id,
        "status": state.status,
        "progress": round(float(the_job.progress or 0.0), 3),
        "message": job_error_text(state.error_code) if state.status == "failed" else None,
        "url": _job_target(the_job),
    })


@bp.route("/sim/jobs/<int:job_id>/retry", methods=["POST"])
@login_required
def retry_job(job_id: int) -> ResponseReturnValue:
    """Run a failed or stalled job again (its owner only; the same limits as a new run)."""
    the_job = _job_or_404(job_id)
    if the_job.user_id != current_user.id:
        abort(403)
    if not F.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        jobs.retry(the_job)
    except jobs.JobQueueUnavailable:
        flash(_("The simulation queue is not available right now. Try again in a minute."), "error")
    except jobs.JobRefused as refusal:
        flash(job_refused_text(refusal), "error")
    return redirect(url_for("sim.job", job_id=the_job.id, stay=1))


# -------------------------------------------------------------------------------------------- results


def _run_or_404(run_id: int) -> SimRun:
    return runs.visible_run(current_user, run_id) or abort(404)


def _compare_choices(run: SimRun) -> list[tuple[str, str]]:
    choices = [("default", _("The preset's default policy"))]
    for other in runs.my_runs(run.user if run.user_id != current_user.id else current_user):
        if other.id != run.id and other.kind == "run" and other.preset == run.preset:
            choices.append((str(other.id), f"#{other.id} · {other.name or _('unnamed run')}"))
    return choices


@bp.route("/sim/runs/<int:run_id>/delete", methods=["GET", "POST"])
@login_required
def delete_run(run_id: int) -> ResponseReturnValue:
    """Ask, then delete one of the user's own runs (others' runs are not found here)."""
    the_run = _run_or_404(run_id)
    if the_run.user_id != current_user.id:
        abort(404)
    form = F.ConfirmForm()
    if form.validate_on_submit():
        runs.delete_run(current_user, run_id)
        flash(_("The run was deleted."), "success")
        return redirect(url_for("sim.index"))
    return render_template("sim/delete_run.html", run=the_run, form=form)


@bp.route("/sim/runs/<int:run_id>")
@login_required
def run(run_id: int) -> ResponseReturnValue:
    the_run = _run_or_404(run_id)
    fmt = page_fmt(the_run.result.get("currency", "CNY"))
    compare_form = F.CompareForm(formdata=None)
    compare_form.other.choices = _compare_choices(the_run)
    replicate_form = F.ReplicateForm(formdata=None)
    common = {"run": the_run, "fmt": fmt, "owner": the_run.user_id == current_user.id,
              "compare_form": compare_form, "replicate_form": replicate_form,
              "preset": presets.preset(the_run.preset), "lang": content_language(),
              "frontier": report_frontier.frontier_view(the_run.result.get("frontier"), fmt)}
    if the_run.kind == "replicate":
        return render_template("sim/replications.html", bands=report.band_views(the_run.result, fmt), **common)
    sort = request.args.get("sort", "total")
    descending = request.args.get("dir", "desc") != "asc"
    return render_template(
        "sim/run.html",
        figures=report.headline(the_run.summary, fmt),
        value_chart=report_value.value_chart(the_run.summary, fmt), value_note=report_value.value_note(),
        charts=report.run_charts(the_run.result, fmt),
        debrief=report.debrief(the_run.result, the_run.summary, fmt),
        aging=report_aging.aging_rows(the_run.result, sort, descending),
        sort=sort, descending=descending,
        behaviour_labels=report.BEHAVIOUR_LABELS, status_labels=report.STATUS_LABELS,
        bucket_labels=report.BUCKET_LABELS,
        differences=[(report.policy_label(p), report.policy_value(p, the_run.policy),
                      report.policy_value(p, presets.default_policy(the_run.preset)))
                     for p in presets.policy_differences(the_run.policy, presets.default_policy(the_run.preset))],
        **common,
    )


@bp.route("/sim/runs/<int:run_id>/compare", methods=["POST"])
@login_required
def start_compare(run_id: int) -> ResponseReturnValue:
    the_run = _run_or_404(run_id)
    form = F.CompareForm()
    form.other.choices = _compare_choices(the_run)
    if not form.validate_on_submit():
        abort(400)
    choice = form.other.data or "default"
    other = None
    if choice != "default":
        other = _run_or_404(bounded_int(choice) or abort(404))
    try:
        found, job_row = runs.comparison_target(current_user, the_run, other, _("Preset default"))
    except (jobs.JobRefused, jobs.JobQueueUnavailable) as refusal:
        return _refused_redirect(refusal, the_run.id)
    if found is not None:
        return redirect(url_for("sim.compare", a=the_run.id, b=found.id))
    if job_row is None:
        abort(500)
    return redirect(url_for("sim.job", job_id=job_row.id))


def _refused_redirect(refusal: Exception, run_id: int, anchor: str = "") -> ResponseReturnValue:
    """Back to the run with why nothing was queued (a limit, or the queue being down)."""
    if isinstance(refusal, jobs.JobRefused):
        flash(job_refused_text(refusal), "error")
    else:
        flash(_("The simulation queue is not available right now. Try again in a minute."), "error")
    return redirect(url_for("sim.run", run_id=run_id) + anchor)


@bp.route("/sim/compare/<int:a>/<int:b>")
@login_required
def compare(a: int, b: int) -> ResponseReturnValue:
    run_a, run_b = _run_or_404(a), _run_or_404(b)
    if run_a.kind != "run" or run_b.kind != "run":
        abort(404)
    fmt = page_fmt(run_a.result.get("currency", "CNY"))
    name_a = run_a.name or f"#{run_a.id}"
    name_b = run_b.name or f"#{run_b.id}"
    if name_a == name_b:
        name_a, name_b = f"{name_a} (#{run_a.id})", f"{name_b} (#{run_b.id})"
    differences = [(report.policy_label(p), report.policy_value(p, run_a.policy), report.policy_value(p, run_b.policy))
                   for p in presets.policy_differences(run_a.policy, run_b.policy)]
    return render_template(
        "sim/compare.html", a=run_a, b=run_b, names=(name_a, name_b), same_world=runs.same_world(run_a, run_b),
        rows=report.compare_rows(run_a.summary, run_b.summary, fmt), differences=differences,
        charts=report.compare_charts(run_a.result, run_b.result, (name_a, name_b), fmt), fmt=fmt,
        value_charts=[c for c in (report_value.value_chart(run_a.summary, fmt, "chart-value-a", name_a),
                                  report_value.value_chart(run_b.summary, fmt, "chart-value-b", name_b)) if c],
        value_note=report_value.value_note(),
    )


@bp.route("/sim/runs/<int:run_id>/replicate", methods=["POST"])
@login_required
def replicate(run_id: int) -> ResponseReturnValue:
    the_run = _run_or_404(run_id)
    form = F.ReplicateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        n = run_requests.parse_replications(form.replications.data)
    except PolicyError as exc:
        flash(F.problem_message(exc.problems[0]), "error")
        return redirect(url_for("sim.run", run_id=the_run.id) + "#confidence")
    try:
        job_row = runs.start_replications(current_user, the_run, n)
    except (jobs.JobRefused, jobs.JobQueueUnavailable) as refusal:
        return _refused_redirect(refusal, the_run.id, "#confidence")
    return redirect(url_for("sim.job", job_id=job_row.id))


# -------------------------------------------------------------------------------------------- exports


def _csv_labels() -> dict[str, str]:
    return {
        "run": _("Run"), "preset": _("Portfolio"), "seed": _("Seed"), "engine": _("Engine"),
        "label": _("Month"), "sales": _("Sales"), "credit_sales": _("Credit sales"),
        "collections": _("Collected on invoices"), "bad_debt": _("Bad debt"), "lost_sales": _("Orders refused"),
        "net_value": _("Net value"),
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
def export_csv(run_id: int) -> ResponseReturnValue:
    the_run = _run_or_404(run_id)
    if the_run.kind != "run":
        abort(404)
    return attachment(exports.runs_csv(the_run, _csv_labels()), f"sim-run-{the_run.id}-months.csv", "text/csv")


@bp.route("/sim/runs/<int:run_id>/aging.csv")
@login_required
def export_aging(run_id: int) -> ResponseReturnValue:
    the_run = _run_or_404(run_id)
    if the_run.kind != "run":
        abort(404)
    words = {k: str(v) for k, v in {**report.BEHAVIOUR_LABELS, **report.STATUS_LABELS}.items()}
    return attachment(exports.aging_csv(the_run, _csv_labels(), words), f"sim-run-{the_run.id}-aging.csv",
                      "text/csv")


@bp.route("/sim/runs/<int:run_id>/policy.yaml")
@login_required
def export_policy(run_id: int) -> ResponseReturnValue:
    the_run = _run_or_404(run_id)
    header = [
        f"Receivables Trainer policy · run #{the_run.id} {the_run.name}".rstrip(),
        f"preset: {the_run.preset} · seed: {the_run.seed} · customers: {the_run.customers} · days: {the_run.days}",
        f"engine: {the_run.engine_version}",
        *([f"net value: {the_run.summary['net_value']:,.0f} {the_run.result.get('currency', '')}".rstrip()]
          if the_run.summary.get("net_value") is not None else []),
        f"python -m trainer.sim run --preset {the_run.preset} --policy this-file.yaml --seed {the_run.seed}",
    ]
    return attachment(exports.policy_yaml(the_run.policy, header), f"sim-run-{the_run.id}-policy.yaml",
                      "application/x-yaml; charset=utf-8")


# ------------------------------------------------------------------------------------------ workshops


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    jobs.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(sim_cli)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo)
