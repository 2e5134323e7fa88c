"""The manager dashboard and the trainee's scorecard in real Chromium, on the demo data.

The demo manager (陈静) opens her dashboard, sorts by clicking a heading, opens a member, downloads
the CSV (UTF-8 with BOM, Chinese names), looks at the team views and the print page; the demo
trainee (张伟) fills in part of this quarter's self-assessment and sees the radar."""

from __future__ import annotations

from tests.browser.helpers import sign_in

BOM = b"\xef\xbb\xbf"


def column_values(page, key: str) -> list[str]:
    index = page.evaluate(
        """key => Array.prototype.indexOf.call(
            document.querySelector('th[data-sort-key="' + key + '"]').parentNode.children,
            document.querySelector('th[data-sort-key="' + key + '"]'))""",
        key,
    )
    return page.eval_on_selector_all(
        "[data-testid=overview] tbody tr", f"rows => rows.map(r => r.cells[{index}].getAttribute('data-sort'))"
    )


def test_manager_sorts_opens_a_member_and_downloads_the_csv(live_server, page, screenshots, tmp_path):
    sign_in(page, live_server.url, "chen.manager@demo.local")
    page.click(".desktop-nav a:has-text('我的团队')")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("团队总览")
    rows = page.locator("[data-testid=overview] tbody tr")
    assert rows.count() == 6
    screenshots(page, "dashboard-01-overview")

    # click-to-sort in the browser: onboarding progress, ascending then descending
    before = page.url
    page.click("th[data-sort-key=progress] a")
    assert page.get_attribute("th[data-sort-key=progress]", "aria-sort") == "ascending"
    values = column_values(page, "progress")
    assert values == sorted(values)
    page.click("th[data-sort-key=progress] a")
    assert page.get_attribute("th[data-sort-key=progress]", "aria-sort") == "descending"
    values = column_values(page, "progress")
    assert values == sorted(values, reverse=True)
    assert page.url != before and "sort=progress" in page.url and "dir=desc" in page.url  # no reload, URL kept
    assert "sort=progress" in page.get_attribute("[data-testid=export-overview]", "href")
    screenshots(page, "dashboard-02-sorted-by-progress")

    # the CSV: UTF-8 with a BOM, Chinese names, in the order on screen
    with page.expect_download() as info:
        page.click("[data-testid=export-overview]")
    target = tmp_path / "overview.csv"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(BOM)
    text = data[len(BOM):].decode("utf-8")
    assert text.splitlines()[0].startswith("姓名,邮箱,团队")
    assert "张伟" in text and "孙丽" in text
    assert "王芳" not in text  # Liu's team

    # open the member at the top of the list
    first = page.locator("[data-testid=member-link]").first
    name = first.inner_text()
    first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=member-name]").inner_text().startswith(name)
    assert page.locator("[data-testid=member-radar]").is_visible()
    assert page.locator("[data-testid=timeline] li").count() > 0
    screenshots(page, "dashboard-03-member")

    page.click("nav.mg-tabs a:has-text('能力热力图')")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=heatmap] tbody tr").count() == 6
    screenshots(page, "dashboard-04-heatmap")
    page.click("nav.mg-tabs a:has-text('复训')")
    page.wait_for_load_state("networkidle")
    screenshots(page, "dashboard-05-refreshers")
    page.click("nav.mg-tabs a:has-text('错误率最高的题目')")
    page.wait_for_load_state("networkidle")
    screenshots(page, "dashboard-06-missed-questions")

    page.click("[data-testid=print-link]")
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("[data-testid=print-overview]").is_visible()
    screenshots(page, "dashboard-07-print")
    page.emulate_media(media="screen")


def test_team_filter_narrows_and_other_teams_stay_hidden(live_server, page):
    sign_in(page, live_server.url, "liu.manager@demo.local")
    page.goto(live_server.url + "/manage/")
    names = page.locator("[data-testid=member-link]").all_inner_texts()
    assert "王芳" in names and "张伟" not in names
    response = page.goto(live_server.url + "/manage/?team=1")  # 华东销售一组 belongs to Chen
    assert response.status == 404


def test_changing_the_team_drop_down_shows_that_team_without_a_console_error(live_server, page):
    """A drop-down change sends the filter form (a control named "submit" once shadowed form.submit()
    and the change threw instead)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "admin@demo.local")
    page.goto(live_server.url + "/manage/")
    everyone = page.locator("[data-testid=member-link]").all_inner_texts()
    assert "张伟" in everyone and "王芳" in everyone
    with page.expect_navigation(timeout=5000):
        page.select_option("[data-testid=filters] select[name=team]", label="华南销售二组 South Sales 2")
    page.wait_for_load_state("networkidle")
    assert "team=" in page.url
    names = page.locator("[data-testid=member-link]").all_inner_texts()
    assert "王芳" in names and "张伟" not in names and len(names) < len(everyone)
    with page.expect_navigation(timeout=5000):
        page.select_option("[data-testid=filters] select[name=quarter]", index=1)
    assert "quarter=" in page.url
    assert errors == []


def test_trainee_fills_part_of_the_scorecard_and_sees_the_radar(live_server, page, phone, screenshots):
    sign_in(page, live_server.url, "trainee@demo.local")
    step = page.locator("[data-testid=next-steps] a:has-text('能力自评')")
    assert step.is_visible()
    step.click()
    page.wait_for_load_state("networkidle")
    assert "能力自评" in page.locator("h1").inner_text()
    screenshots(page, "scorecard-01-form")

    # first competency: every click saves at once (the script), no page load
    first = page.locator("section.sc-dimension").first
    statements = first.locator("fieldset.sc-statement")
    for index in range(statements.count()):
        statements.nth(index).locator("label.sc-choice").nth(3 if index % 2 else 1).click()
        first.locator("[data-save-status].ok").wait_for()
    assert first.locator("[data-save-status]").inner_text() == "已保存。"
    assert "已评 5/40 项" in page.locator("[data-progress-text]").first.inner_text()
    screenshots(page, "scorecard-02-autosaved")

    # second competency: the ordinary Save button (what works without the script)
    second = page.locator("section.sc-dimension").nth(1)
    fieldsets = second.locator("fieldset.sc-statement")
    for index in range(fieldsets.count()):
        fieldsets.nth(index).locator("label.sc-choice").nth(4).click()
    second.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash-success").inner_text().startswith("已保存")

    page.reload()
    checked = page.locator("section.sc-dimension").first.locator("input[type=radio]:checked")
    assert checked.count() == 5  # saved, not just shown

    page.goto(live_server.url + "/scorecard/")
    radar = page.locator("[data-testid=radar]")
    assert radar.is_visible()
    assert page.locator("[data-testid=radar-self]").count() == 1
    assert radar.locator("text", has_text="客户信用评估").count() == 1
    assert page.locator("[data-testid=score-table] tbody tr").count() == 8
    assert page.locator("[data-testid=trend]").is_visible()  # last quarter's assessment is there
    screenshots(page, "scorecard-03-results-radar")

    sign_in(phone, live_server.url, "trainee@demo.local")
    phone.goto(live_server.url + "/scorecard/assess")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the form is {width}px wide on a 375px phone"
    screenshots(phone, "scorecard-04-phone-form")
    phone.goto(live_server.url + "/scorecard/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the results are {width}px wide on a 375px phone"
    screenshots(phone, "scorecard-05-phone-results")
