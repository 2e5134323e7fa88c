"""The policy lab in the browser's place: the form (every validation path), running as a job, the
results page, saving and listing, copying, exports, comparing and replications.

Runs use small portfolios (60 customers, 120 days) to keep the suite quick."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from trainer import sim
from trainer.extensions import db
from trainer.policylab import jobs, report
from trainer.policylab.models import SimJob, SimRun
from trainer.policylab.services import presets, simulation

SMALL = {"customers": "60", "days": "120", "seed": "3"}


class _FormReader(HTMLParser):
    """Collects the values a browser would submit from the first form with ``data-testid``."""

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid, self.inside, self.values = testid, False, {}
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form" and a.get("data-testid") == self.testid:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[a["name"]] = a.get("value") or "y"
            elif a.get("type") != "submit":
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._first_option = a.get("name"), None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.values.setdefault(self._select, self._first_option)
            if "selected" in a:
                self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "select":
            self._select = None
        if tag == "form":
            self.inside = False


def form_values(html: str, testid: str = "policy-form") -> dict[str, str]:
    reader = _FormReader(testid)
    reader.feed(html)
    assert reader.values, f"no form {testid}"
    return reader.values


def submit_policy(client, changes: dict[str, str | None], preset: str = "distributor", run: dict | None = None):
    """Load the form for ``preset``, apply ``changes`` (None unticks/removes a field) and post it."""
    page = client.get(f"/sim/new?preset={preset}")
    values = form_values(page.get_data(as_text=True))
    values.update(SMALL if run is None else run)
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return client.post("/sim/new", data=values)


def run_policy(client, changes: dict[str, str | None] | None = None, **kw) -> SimRun:
    """Post a valid policy, wait for its job and return the saved run."""
    response = submit_policy(client, changes or {}, **kw)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    job = jobs.wait(job_id)
    assert job.status == "done", job.message
    return db.session.get(SimRun, job.run_id)


def field_errors(html: str, name: str) -> list[str]:
    """The error messages rendered inside the container of field ``name``."""
    match = re.search(rf'data-field="{re.escape(name)}">(.*?)</(?:td|div)>\s*(?:<td|</tr>|<div|</fieldset>)', html, re.S)
    assert match, f"no field {name}"
    return re.findall(r'class="error"[^>]*>([^<]+)<', match.group(1))


@pytest.fixture
def trainee(signed_in):
    return signed_in(email="lab.trainee@example.com")


# ------------------------------------------------------------------------------------------ the form


def test_form_shows_preset_defaults_grouped_with_help_and_lessons(client, trainee):
    html = client.get("/sim/new?preset=distributor").get_data(as_text=True)
    values = form_values(html)
    the_preset = sim.load_preset("distributor")
    assert values["A_net_days"] == str(the_preset.policy.grades["A"].net_days) == "45"
    assert values["C_deposit"] == "20"  # 0.2 shown as a percentage
    assert values["D_terms"] == "cod"
    assert values["collectors"] == "5" and values["ladder_legal"] == ""  # null: the step is off
    assert values["customers"] == "1000" and values["days"] == "365"
    for legend in ("Credit by grade", "Reminders and the escalation ladder", "Collectors and priority",
                   "Write-off", "Credit hold"):
        assert f"<legend>{legend}</legend>" in html
    assert 'href="/learn/ar-essentials/m2-grades-and-limits"' in html
    assert 'href="/learn/ar-essentials/m3-escalation-ladder"' in html
    assert "Lesson: Grades and credit limits" in html
    assert "Days from invoice to due date." in html


def test_form_follows_the_chosen_preset(client, trainee):
    values = form_values(client.get("/sim/new?preset=manufacturer").get_data(as_text=True))
    the_preset = sim.load_preset("manufacturer")
    assert values["preset"] == "manufacturer"
    assert values["A_net_days"] == str(the_preset.policy.grades["A"].net_days)
    assert values["collectors"] == str(the_preset.policy.collectors)
    assert client.get("/sim/new?preset=nope").status_code == 404


def test_form_in_chinese(client, make_user, actions):
    user = make_user("trainee", language="zh_CN")
    actions.login(user.email)
    html = client.get("/sim/new?preset=distributor").get_data(as_text=True)
    assert "按信用等级授信" in html and "催收人员" in html
    response = submit_policy(client, {"A_net_days": "abc", "collectors": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(html, "A_net_days") == ["请输入数字，例如 30。"]
    assert field_errors(html, "collectors") == ["必须大于零。"]


BAD_VALUES = [
    # (field, value, expected message)
    ("A_net_days", "abc", "Enter a number, for example 30."),
    ("B_net_days", "30.5", "Enter a whole number."),
    ("C_net_days", "400", "Must be at most 365."),
    ("A_net_days", "-3", "Must not be negative."),
    ("B_net_days", "0", "Must be greater than zero."),
    ("A_credit_limit_months", "0", "Must be greater than zero."),
    ("A_credit_limit_months", "500", "Must be at most 120."),
    ("C_deposit", "100", "Must be from 0 to below 100 %."),
    ("C_deposit", "-5", "Must be from 0 to below 100 %."),
    ("A_discount", "25", "Must be at most 20 %."),
    ("A_discount", "2%x", "Enter a number, for example 30."),
    ("A_discount_days", "50", "Must be fewer than the net days (45)."),
    ("B_terms", "barter", "Pick one of the choices."),
    ("reminder_days_before_due", "-1", "Must not be negative."),
    ("ladder_salesperson", "0", "Must be at least 1."),
    ("ladder_manager", "1", "Must come after Salesperson calls (day 1)."),
    ("ladder_executive", "20", "Must come after Sales manager and finance (day 31)."),
    ("follow_up_days", "0", "Must be at least 1."),
    ("agency_day", "2000", "Must be at most 1825."),
    ("agency_fee", "100", "Must be from 0 to below 100 %."),
    ("collectors", "0", "Must be greater than zero."),
    ("collectors", "", "Enter a value."),
    ("collectors", "2.5", "Enter a whole number."),
    ("collectors", "5000", "Must be at most 1000."),
    ("priority", "loudest", "Pick one of the choices."),
    ("write_off_day", "60", "Must come after Executive (day 61)."),
    ("write_off_day", "", "Enter a value."),
    ("credit_hold_days", "0", "Must be at least 1."),
    ("seed", "-1", "Must be at least 0."),
    ("seed", "x", "Enter a number, for example 30."),
    ("customers", "0", "Must be at least 1."),
    ("customers", "999999", "Must be at most 5000."),
    ("customers", "", "Enter a value."),
    ("days", "2000", "Must be at most 1825."),
    ("days", "1.5", "Enter a whole number."),
    ("name", "x" * 121, "Must be at most 120 characters."),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES, ids=[f"{n}={v[:8]}" for n, v, _ in BAD_VALUES])
def test_every_bad_value_is_refused_next_to_its_field(client, trainee, name, value, message):
    response = submit_policy(client, {name: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in field_errors(html, name), field_errors(html, name)
    assert 'data-testid="form-errors"' in html
    assert db.session.scalar(select(func.count()).select_from(SimJob)) == 0


def test_all_problems_are_shown_at_once_and_values_kept(client, trainee):
    response = submit_policy(client, {"A_net_days": "x", "collectors": "0", "ladder_manager": "1", "days": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(html, "A_net_days") and field_errors(html, "collectors")
    assert field_errors(html, "ladder_manager") and field_errors(html, "days")
    assert form_values(html)["A_net_days"] == "x"  # what the trainee typed stays in the field
    assert 'aria-invalid="true"' in html


def test_the_form_needs_its_csrf_token_and_a_known_preset(client, trainee):
    values = form_values(client.get("/sim/new?preset=distributor").get_data(as_text=True))
    bad = dict(values, csrf_token="nope")
    assert client.post("/sim/new", data=bad).status_code == 400
    assert client.post("/sim/new", data=dict(values, preset="nope")).status_code == 400


def test_the_lab_needs_a_login(client):
    response = client.get("/sim/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --------------------------------------------------------------------------------- runs and results


def test_a_run_is_saved_with_policy_seed_engine_and_summary(client, trainee):
    run = run_policy(client, {"name": "Tight C", "C_deposit": "40", "collectors": "6", "ladder_legal": "91"})
    assert run.user_id == trainee.id and run.name == "Tight C"
    assert (run.preset, run.seed, run.customers, run.days) == ("distributor", 3, 60, 120)
    assert run.policy["grades"]["C"]["deposit"] == pytest.approx(0.4)
    assert run.policy["collectors"] == 6 and run.policy["ladder"]["legal"] == 91
    assert run.engine_version == presets.engine_version() and "+" in run.engine_version
    # the saved summary is exactly what the engine gives for this policy and seed
    expected = sim.run(sim.load_preset("distributor"), sim.policy_from_dict(run.policy), seed=3, customers=60, days=120)
    assert run.summary["dso"] == pytest.approx(expected.summary.dso)
    assert run.summary["net_value"] == pytest.approx(expected.summary.net_value)
    assert len(run.result["months"]) == 4
    listing = client.get("/sim/").get_data(as_text=True)
    assert "Tight C" in listing and f"/sim/runs/{run.id}" in listing


def test_results_page_shows_figures_charts_debrief_and_aging(client, trainee):
    run = run_policy(client, {"name": "Baseline-ish"})
    html = client.get(f"/sim/runs/{run.id}").get_data(as_text=True)
    for label in ("DSO", "Best Possible DSO", "ADD", "CEI", "Overdue", "Bad-debt rate", "Turnover", "Cash collected",
                  "Lost sales", "Collection cost", "Carrying cost", "Net value"):
        assert f"<dt>{label}</dt>" in html
    assert "Net effect on profit" not in html
    waited = any(m.get("mean_wait") for m in run.result["months"])
    charts = ["chart-value", "chart-dso", "chart-aging", "chart-cash", "chart-util"] + (["chart-wait"] if waited else [])
    assert html.count('<svg class="chart"') == len(charts)
    for chart_id in charts:
        assert f'data-testid="{chart_id}"' in html
    assert ('data-testid="no-wait"' in html) != waited  # a statement instead of a flat-zero chart
    assert html.count("<caption>") >= len(charts)  # a data table behind every chart
    # the waterfall runs from the margin to the net value, every step labelled
    for step in ("Margin on sales made", "Bad debts written off", "Expected loss on receivables still open",
                 "Margin lost with customers who left", "Net value"):
        assert step in html
    assert "What happened" in html and "collectors were busy" in html
    assert ("customers defaulted" in html) or ("No customer defaulted" in html)
    # the aging table lists every customer who still owes, largest first by default
    totals = [float(x.replace(",", "")) for x in re.findall(r"<td class=\"num\"><strong>¥([\d,]+)</strong>", html)]
    assert totals == sorted(totals, reverse=True) and len(totals) == len(run.result["aging"])


def test_aging_table_sorts_by_any_column(client, trainee):
    run = run_policy(client)
    html = client.get(f"/sim/runs/{run.id}?sort=customer&dir=asc").get_data(as_text=True)
    ids = [int(x) for x in re.findall(r'<th scope="row">#(\d{4})</th>', html)]
    assert ids == sorted(ids) and len(ids) > 3
    html = client.get(f"/sim/runs/{run.id}?sort=oldest&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html


def test_aging_by_customer_adds_up_to_the_engines_buckets(app):
    the_preset = sim.load_preset("distributor")
    refused = simulation.RefusedOrders()
    engine = sim.Simulation(the_preset, seed=5, customers=80, observers=[refused])
    engine.advance(200)
    result = engine.result()
    rows = simulation.aging_rows(engine)
    for b in range(5):
        assert sum(r["buckets"][b] for r in rows) == pytest.approx(result.daily.buckets(len(result.daily) - 1)[b], abs=1.0)
    assert sum(refused.value_by_reason.values()) == pytest.approx(result.summary.refused_sales)


def test_copy_into_a_new_policy_prefills_the_form(client, trainee):
    run = run_policy(client, {"name": "Mine", "B_net_days": "50", "collectors": "7"})
    html = client.get(f"/sim/new?from={run.id}").get_data(as_text=True)
    values = form_values(html)
    assert values["B_net_days"] == "50" and values["collectors"] == "7"
    assert values["seed"] == "3" and values["customers"] == "60" and values["days"] == "120"
    assert values["name"] == "Copy of Mine"
    assert f"Copied from run #{run.id}" in html


def test_exports_csv_with_bom_and_a_policy_file_that_loads_back(client, trainee):
    run = run_policy(client, {"name": "Export me", "A_discount": "1.5", "ladder_legal": "100"})
    response = client.get(f"/sim/runs/{run.id}/export.csv")
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][0] == "Month" and "DSO" in rows[1]
    assert rows[0][-2] == "Net value" and float(rows[0][-1]) == pytest.approx(run.summary["net_value"], abs=1e-4)
    header = rows[1]
    for line in rows[2:]:  # the CSV's DSO, BPDSO and ADD share one basis: ADD = DSO − BPDSO, BPDSO ≤ DSO
        dso, best, add = (line[header.index(k)] for k in ("DSO", "Best Possible DSO", "ADD"))
        if dso:
            assert float(best) <= float(dso) + 1e-9 and float(add) == pytest.approx(float(dso) - float(best), abs=1e-3)
    assert len(rows) == 2 + len(run.result["months"])
    assert rows[2][0] == "Y1-Jan"
    aging = client.get(f"/sim/runs/{run.id}/aging.csv").get_data()
    assert aging.startswith(b"\xef\xbb\xbf")
    aging_rows = list(csv.reader(io.StringIO(aging.decode("utf-8-sig"))))
    assert aging_rows[0][0] == "Customer" and len(aging_rows) == 1 + len(run.result["aging"])
    policy_file = client.get(f"/sim/runs/{run.id}/policy.yaml")
    assert "attachment" in policy_file.headers["Content-Disposition"]
    text = policy_file.get_data(as_text=True)
    assert text.startswith("# Receivables Trainer policy")
    assert "# net value: " in text
    loaded = sim.load_policy(text)
    assert sim.policy_to_dict(loaded) == run.policy
    assert loaded.grades["A"].discount == pytest.approx(0.015)


def test_chinese_results_and_csv_headers(client, make_user, actions):
    user = make_user("trainee", language="zh_CN")
    actions.login(user.email)
    run = run_policy(client)
    html = client.get(f"/sim/runs/{run.id}").get_data(as_text=True)
    assert "应收账款周转天数" in html or "DSO" in html
    assert "账龄" in html and "1月" in html
    rows = list(csv.reader(io.StringIO(client.get(f"/sim/runs/{run.id}/export.csv").get_data().decode("utf-8-sig"))))
    assert rows[1][0] == "月份"


# ------------------------------------------------------------------------------------- comparing


def test_compare_with_the_preset_default_on_the_same_seed(client, trainee):
    run = run_policy(client, {"name": "Strict", "collectors": "9", "credit_hold_days": "10"})
    token = form_values(client.get(f"/sim/runs/{run.id}").get_data(as_text=True), "compare-form")
    response = client.post(f"/sim/runs/{run.id}/compare", data=dict(token, other="default"))
    assert response.status_code == 302 and "/sim/jobs/" in response.headers["Location"]
    job = jobs.wait(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job.status == "done"
    baseline = db.session.get(SimRun, job.run_id)
    assert baseline.policy == presets.default_policy("distributor")
    assert (baseline.seed, baseline.customers, baseline.days) == (run.seed, run.customers, run.days)
    page = client.get(f"/sim/jobs/{job.id}")
    assert page.headers["Location"].endswith(f"/sim/compare/{run.id}/{baseline.id}")
    html = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "Strict" in html and "Preset default" in html
    assert "the same customers placed the same orders" in html
    assert "Collectors" in html and "<mark>9</mark>" in html  # the differing settings, highlighted
    assert re.search(r'<tr class="(better|worse)">', html)
    assert html.count('<svg class="chart"') == 5  # three by month, and what each policy is worth
    assert 'data-testid="chart-value-a"' in html and 'data-testid="chart-value-b"' in html
    assert 'data-testid="identical"' not in html
    # asking again reuses the saved default run instead of running it twice
    response = client.post(f"/sim/runs/{run.id}/compare", data=dict(token, other="default"))
    assert response.headers["Location"].endswith(f"/sim/compare/{run.id}/{baseline.id}")


def test_comparing_the_default_with_itself_says_identical(client, trainee):
    run = run_policy(client, {"name": "Plain"})
    token = form_values(client.get(f"/sim/runs/{run.id}").get_data(as_text=True), "compare-form")
    response = client.post(f"/sim/runs/{run.id}/compare", data=dict(token, other="default"))
    location = response.headers["Location"]
    if "/sim/jobs/" in location:
        job = jobs.wait(int(location.rsplit("/", 1)[1]))
        location = client.get(f"/sim/jobs/{job.id}").headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert 'data-testid="identical"' in html and "Identical: every figure is the same in both runs." in html
    assert 'class="better"' not in html and 'class="worse"' not in html


def test_compare_with_a_saved_run(client, trainee):
    first = run_policy(client, {"name": "One"})
    second = run_policy(client, {"name": "Two", "A_net_days": "60"})
    token = form_values(client.get(f"/sim/runs/{second.id}").get_data(as_text=True), "compare-form")
    response = client.post(f"/sim/runs/{second.id}/compare", data=dict(token, other=str(first.id)))
    assert response.headers["Location"].endswith(f"/sim/compare/{second.id}/{first.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Grade A: Net days" in html and "<mark>60</mark>" in html


def test_replications_show_bands_and_a_verdict(client, trainee):
    run = run_policy(client, {"name": "Many seeds", "collectors": "1"}, run={"customers": "40", "days": "90", "seed": "0"})
    token = form_values(client.get(f"/sim/runs/{run.id}").get_data(as_text=True), "replicate-form")
    response = client.post(f"/sim/runs/{run.id}/replicate", data=dict(token, replications="3"))
    job = jobs.wait(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job.status == "done", job.message
    rep = db.session.get(SimRun, job.run_id)
    assert rep.kind == "replicate" and rep.replications == 3
    assert rep.result["seeds"] == [0, 1, 2]
    band = rep.result["bands"]["dso"]
    assert band["yours"][0] <= band["yours"][1] <= band["yours"][2]
    html = client.get(f"/sim/runs/{rep.id}").get_data(as_text=True)
    assert html.count('<rect class="band"') == 3 * len(rep.result["bands"])
    assert "could be luck" in html or "probably real" in html


def test_replicating_the_default_policy_says_identical(client, trainee):
    run = run_policy(client, {"name": "Same as default"}, run={"customers": "40", "days": "90", "seed": "0"})
    token = form_values(client.get(f"/sim/runs/{run.id}").get_data(as_text=True), "replicate-form")
    response = client.post(f"/sim/runs/{run.id}/replicate", data=dict(token, replications="2"))
    job = jobs.wait(int(response.headers["Location"].rsplit("/", 1)[1]))
    rep = db.session.get(SimRun, job.run_id)
    assert all(band["same"] == band["pairs"] == 2 for band in rep.result["bands"].values())
    html = client.get(f"/sim/runs/{rep.id}").get_data(as_text=True)
    assert html.count("Identical on all 2 seeds") == len(rep.result["bands"])
    assert "could be luck" not in html and "probably real" not in html


@pytest.mark.parametrize("value", ["1", "51", "x", ""])
def test_replications_refuse_bad_counts(client, trainee, value):
    run = run_policy(client)
    token = form_values(client.get(f"/sim/runs/{run.id}").get_data(as_text=True), "replicate-form")
    response = client.post(f"/sim/runs/{run.id}/replicate", data=dict(token, replications=value), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "flash-error" in html
    assert db.session.scalar(select(func.count()).select_from(SimJob).where(SimJob.kind == "replicate")) == 0


# ----------------------------------------------------------------------------------- home page


def test_home_suggests_the_lab_until_a_run_is_saved(client, trainee):
    assert "Try your own credit policy in the policy lab" in client.get("/").get_data(as_text=True)
    run_policy(client)
    assert "Try your own credit policy in the policy lab" not in client.get("/").get_data(as_text=True)


def test_the_debrief_prices_the_customers_who_left(app):
    facts = {"churned": 3, "lost_count": {}, "lost_value": {}, "holds": 0, "margin": 0.2}
    with app.test_request_context(), force_locale("en"):
        paragraphs = dict(report.debrief({"debrief": facts}, {"churn_lost_sales": 50_000.0}, report.Fmt("en")))
    text = paragraphs["Orders refused and customers lost"]
    assert "3 customers left" in text and "¥50,000 of orders over the next year, ¥10,000 of margin" in text


@pytest.mark.parametrize(("waits", "drawn"), [([None, None], False), ([0.0, None], False), ([None, 0.25], True)])
def test_the_wait_chart_is_left_out_when_nobody_ever_waited(app, waits, drawn):
    month = {"year": 1, "month": 1, "dso": 30.0, "best_possible_dso": 20.0, "sales": 10.0, "credit_sales": 10.0,
             "collections": 5.0, "lost_sales": 0.0, "utilisation": 0.5,
             "buckets": {"current": 1.0, "1-30": 0.0, "31-60": 0.0, "61-90": 0.0, "90+": 0.0}}
    months = [{**month, "month": i + 1, "mean_wait": w} for i, w in enumerate(waits)]
    with app.test_request_context(), force_locale("en"):
        ids = [c.id for c in report.run_charts({"months": months}, report.Fmt("en"))]
    assert ("chart-wait" in ids) == drawn and len(ids) == 4 + drawn
