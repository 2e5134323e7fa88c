"""The policy lab in real Chromium: set a policy, watch the job, read the results (SVG charts with
real data), compare with the default, check confidence bands, a form with errors, and a workshop on
a phone and on the projector. Screenshots go to test-output/screenshots/sim-*.png."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.helpers import sign_in


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _submit(page: Any, form: str, url: str, timeout: int) -> None:
    """Submit a form by its data-testid and wait until the page it leads to has settled."""
    page.click(f"[data-testid={form}] input[type=submit]")
    page.wait_for_url(re.compile(url), timeout=timeout)
    page.wait_for_load_state("networkidle")


def _assert_line_has_data(page, chart_id: str) -> None:
    paths = page.locator(f"#{chart_id} path.series")
    assert paths.count() >= 1, chart_id
    d = paths.first.get_attribute("d") or ""
    coords = _numbers(d)
    xs, ys = coords[0::2], coords[1::2]
    assert len(xs) >= 3, (chart_id, d)
    assert max(xs) - min(xs) > 100, (chart_id, d)  # spread across the plot
    assert len({round(y) for y in ys}) >= 2, (chart_id, d)  # not a flat line at zero


def test_run_a_policy_read_the_results_and_compare(live_server, page, screenshots):
    sign_in(page, live_server.url, "trainee@demo.local")
    page.goto(live_server.url + "/sim/")
    screenshots(page, "sim-01-lab-index")
    page.click("[data-testid=start-distributor]")
    page.fill("input[name=name]", "浏览器测试：收紧 C 级")
    page.fill("input[name=customers]", "200")
    page.fill("input[name=C_deposit]", "30")
    page.fill("input[name=collectors]", "4")
    screenshots(page, "sim-02-policy-form")
    _submit(page, "policy-form", r".*/sim/runs/\d+", timeout=60000)
    assert "浏览器测试" in page.locator("[data-testid=run-title]").inner_text()
    for chart_id in ("chart-dso", "chart-cash", "chart-util"):
        _assert_line_has_data(page, chart_id)
    bars = page.locator("#chart-aging rect[fill]")
    assert bars.count() >= 20
    heights = [float(bars.nth(i).get_attribute("height") or 0) for i in range(bars.count())]
    assert max(heights) > 50
    box = page.locator("#chart-dso").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150  # drawn at a readable size
    assert page.locator("[data-testid=debrief] p").count() >= 3
    assert page.locator("[data-testid=aging-table] tbody tr").count() > 5
    shot = screenshots(page, "sim-03-results")
    page.locator("[data-testid=charts]").screenshot(path=str(shot.parent / "sim-03b-charts.png"))
    page.locator("[data-testid=figures]").screenshot(path=str(shot.parent / "sim-03c-figures.png"))

    page.select_option("[data-testid=compare-form] select", "default")
    _submit(page, "compare-form", r".*/sim/compare/\d+/\d+", timeout=60000)
    rows = page.locator("[data-testid=compare-table] tbody tr")
    assert rows.count() == 12
    assert page.locator("[data-testid=compare-table] tr.better, [data-testid=compare-table] tr.worse").count() >= 3
    assert page.locator("[data-testid=compare-differences] mark").count() >= 2
    _assert_line_has_data(page, "chart-cmp-dso")
    assert page.locator("#chart-cmp-dso path.series").count() == 2
    screenshots(page, "sim-04-compare")


def test_confidence_bands(live_server, page, screenshots):
    sign_in(page, live_server.url, "wang.fang@demo.local")
    page.goto(live_server.url + "/sim/")
    page.locator("[data-testid=my-runs] a").first.click()
    page.wait_for_load_state("networkidle")
    page.fill("[data-testid=replicate-form] input[name=replications]", "4")
    _submit(page, "replicate-form", r".*/sim/runs/\d+", timeout=90000)
    bands = page.locator("[data-testid=bands] rect.band")
    assert bands.count() == 18
    widths = [float(bands.nth(i).get_attribute("width") or 0) for i in range(bands.count())]
    assert max(widths) > 10
    screenshots(page, "sim-05-bands")


def test_form_errors_next_to_fields(live_server, page, screenshots):
    sign_in(page, live_server.url, "trainee@demo.local")
    page.goto(live_server.url + "/sim/new?preset=manufacturer")
    page.fill("input[name=B_net_days]", "abc")
    page.fill("input[name=ladder_manager]", "1")
    page.fill("input[name=collectors]", "0")
    page.click("[data-testid=policy-form] input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-field=B_net_days] .error").inner_text() == "请输入数字，例如 30。"
    assert "必须晚于" in page.locator("[data-field=ladder_manager] .error").inner_text()
    assert page.locator("[data-field=collectors] .error").inner_text() == "必须大于零。"
    page.locator("[data-field=ladder_manager]").scroll_into_view_if_needed()
    screenshots(page, "sim-06-form-errors")


def test_workshop_on_a_phone_and_on_the_projector(live_server, phone, page, screenshots):
    sign_in(phone, live_server.url, "trainee@demo.local")
    phone.goto(live_server.url + "/sim/")
    phone.locator("[data-testid=workshops] a").first.click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-testid=leaderboard] tbody tr").count() == 3
    assert phone.locator("[data-testid=my-team]").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"workshop page is {width}px wide on a 375px phone"
    screenshots(phone, "sim-07-workshop-phone")

    sign_in(page, live_server.url, "chen.manager@demo.local")
    page.goto(live_server.url + "/sim/")
    page.locator("[data-testid=workshops] a").first.click()
    page.wait_for_load_state("networkidle")
    page.click("text=投影大屏")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=screen-round]").inner_text().strip() == "最终结果"
    assert page.locator("[data-testid=leaderboard] tbody tr").count() == 3
    screenshots(page, "sim-08-big-screen")


def test_facilitator_opens_a_round_and_a_team_submits_from_a_phone(live_server, page, phone, screenshots):
    sign_in(page, live_server.url, "liu.manager@demo.local")
    page.goto(live_server.url + "/sim/workshops/new")
    page.fill("input[name=title]", "Phone round")
    page.fill("input[name=customers]", "60")
    page.fill("input[name=team_1]", "North")
    page.fill("input[name=team_2]", "South")
    page.select_option("tr:has-text('wang.fang@demo.local') select", "1")
    page.select_option("tr:has-text('zhao.lei@demo.local') select", "2")
    page.click("[data-testid=workshop-form] input[type=submit]")
    page.wait_for_url(re.compile(r".*/sim/workshops/\d+$"))
    workshop_url = page.url

    sign_in(phone, live_server.url, "wang.fang@demo.local")
    phone.goto(workshop_url)
    assert phone.locator("[data-testid=decision-form]").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the decision form is {width}px wide on a 375px phone"
    phone.fill("input[name=collectors]", "7")
    phone.fill("input[name=note]", "多一个催收员")
    screenshots(phone, "sim-09-phone-decision-form")
    phone.click("[data-testid=decision-form] input[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-testid=submitted]").is_visible()

    page.goto(workshop_url)
    page.click("[data-testid=close-round]")
    page.wait_for_url(workshop_url, timeout=60000)
    page.wait_for_load_state("networkidle")
    assert "Round 2 of 4" in page.locator("[data-testid=round-status]").inner_text()  # Liu reads English
    assert page.locator("[data-testid=leaderboard] tbody tr").count() == 2
    assert "no submission" in page.locator("[data-testid=decision-log]").inner_text()  # South kept its policy
    screenshots(page, "sim-10-facilitator-after-round-1")
