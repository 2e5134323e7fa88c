"""Role-play in real Chromium: play a scenario to its ending and read the debrief; a facilitator
opens a workshop and two phones join by room code, one scores with the rubric and the board
updates by itself; the admin's scenario graph. Screenshots under test-output/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import sign_in


def console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def no_horizontal_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll}px wide on a {width}px screen"


def test_play_a_scenario_to_its_ending_and_read_the_debrief(live_server, page, screenshots):
    errors = console_errors(page)
    sign_in(page, live_server.url, "zhou.jie@demo.local")
    page.goto(live_server.url + "/roleplay/")
    assert page.locator("h1").inner_text() == "角色演练"
    card = page.locator("[data-scenario=quality-dispute-pair]")
    assert card.is_visible()
    screenshots(page, "roleplay-01-scenarios")
    card.locator("[data-testid=start]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=customer-line]").is_visible()
    assert page.locator("[data-testid=meters]").is_visible()  # this scenario shows its state
    turns = 0
    while page.locator(".rp-choice").count() and turns < 40:
        page.locator(".rp-choice").first.click()
        page.wait_for_load_state("networkidle")
        turns += 1
        if turns == 2:
            assert page.locator("[data-testid=my-reply]").count() == 2
            assert page.locator("[data-testid=feedback]").count() == 2  # immediate feedback
            screenshots(page, "roleplay-02-conversation")
    assert turns >= 3
    debrief = page.locator("[data-testid=debrief]")
    assert debrief.is_visible()
    assert page.locator(".rp-outcome").first.inner_text().strip()
    assert page.locator("[data-testid=replay] > li").count() == turns
    assert page.locator("[data-testid=scores] svg.rp-bar").count() >= 3
    assert "结果" in debrief.inner_text()
    screenshots(page, "roleplay-03-debrief")
    page.goto(live_server.url + "/roleplay/history")
    assert page.locator("[data-testid=my-plays] tbody tr").count() >= 1
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_phone_plays_without_horizontal_scroll(live_server, phone, screenshots):
    sign_in(phone, live_server.url, "emma.wu@demo.local")
    phone.goto(live_server.url + "/roleplay/")
    no_horizontal_scroll(phone, 375)
    phone.locator("[data-scenario=big-customer-longer-terms] [data-testid=start]").click()
    phone.wait_for_load_state("networkidle")
    phone.locator(".rp-choice").first.click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-testid=meters]").count() == 0  # hidden by this scenario
    assert phone.locator("[data-testid=feedback]").count() == 0  # feedback only at the end
    no_horizontal_scroll(phone, 375)
    screenshots(phone, "roleplay-04-phone-conversation-en")


def test_workshop_phones_join_by_code_and_the_board_updates(live_server, browser, page, screenshots):
    errors = console_errors(page)
    sign_in(page, live_server.url, "chen.manager@demo.local")
    page.goto(live_server.url + "/roleplay/workshops")
    page.select_option("select[name=scenario]", "quality-dispute-pair")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    code = page.locator("[data-testid=room-code]").inner_text().strip()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code), code
    screenshots(page, "roleplay-05-board-empty")

    phones = []
    for email in ("wang.fang@demo.local", "li.na@demo.local"):
        context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN",
                                      device_scale_factor=2, is_mobile=True, has_touch=True)
        phone = context.new_page()
        phone.set_default_timeout(15000)
        sign_in(phone, live_server.url, email)
        phone.goto(live_server.url + "/join")
        no_horizontal_scroll(phone, 375)
        if not phones:
            phone.fill("input[name=code]", "zzzzzz")
            phone.locator("button[type=submit].rp-join-button").click()
            phone.wait_for_load_state("networkidle")
            assert "没有房间号为 ZZZZZZ 的工作坊" in phone.locator("[data-testid=join-error]").inner_text()
            screenshots(phone, "roleplay-06-phone-wrong-code")
        phone.fill("input[name=code]", code.lower())
        phone.locator("button[type=submit].rp-join-button").click()
        phone.wait_for_load_state("networkidle")
        assert phone.locator("[data-testid=room]").is_visible()
        phones.append((context, phone))

    salesperson, customer = phones[0][1], phones[1][1]
    # the first phone was waiting alone; it refreshes by itself once its partner has joined
    expect(salesperson.locator("[data-testid=waiting]")).to_have_count(0, timeout=15000)
    salesperson.wait_for_load_state("networkidle")
    assert "销售" in salesperson.locator("[data-testid=my-role]").inner_text()
    assert salesperson.locator("[data-testid=account-file]").is_visible()
    assert customer.locator("[data-testid=role-card]").is_visible()
    no_horizontal_scroll(salesperson, 375)
    screenshots(salesperson, "roleplay-07-phone-salesperson")

    # the board shows both people without a reload (polling)
    page.locator("[data-group='1'] .rp-members li").nth(1).wait_for(timeout=10000)
    assert "王芳" in page.locator("[data-testid=groups]").inner_text()

    # in a pair the customer scores the salesperson
    rubric = customer.locator("[data-testid=rubric]")
    assert rubric.locator("fieldset").count() == 7
    for index, fieldset in enumerate(rubric.locator("fieldset").all()):
        fieldset.locator("input[type=radio]").nth(2 + index % 2).check()
    customer.fill("textarea[name=comment]", "先确认了金额和到期日，很清楚。")
    screenshots(customer, "roleplay-08-phone-rubric")
    rubric.locator("button[type=submit]").click()
    customer.wait_for_load_state("networkidle")
    assert customer.locator("[data-testid=rubric-saved]").is_visible()
    no_horizontal_scroll(customer, 375)

    page.locator("[data-group='1'] .rp-group-score").wait_for(timeout=10000)
    assert "%" in page.locator("[data-group='1'] .rp-group-score").inner_text()
    screenshots(page, "roleplay-09-board-scored")

    page.locator("[data-testid=reveal]").click()
    page.wait_for_load_state("networkidle")
    salesperson.locator("[data-testid=workshop-debrief]").wait_for(timeout=15000)  # reloads by itself
    screenshots(salesperson, "roleplay-10-phone-debrief")
    for context, _ in phones:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_admin_sees_the_scenario_graph(live_server, page, screenshots):
    sign_in(page, live_server.url, "admin@demo.local")
    page.goto(live_server.url + "/roleplay/scenarios/quality-dispute-pair/graph")
    assert page.locator("svg.rp-graph .rp-box").count() >= 12
    assert "flowchart TD" in page.locator("[data-testid=mermaid]").inner_text()
    screenshots(page, "roleplay-11-graph")
