"""The efficient frontier on the results page, in real Chromium on a desktop and on a phone: the
chart has the frontier, the default and the trainee's policy, the share and the levers are written
out, and nothing overflows the phone's width. Screenshots go to test-output/screenshots/frontier-*.png."""

from __future__ import annotations

import re

from tests.browser.helpers import sign_in


def test_a_run_shows_its_place_against_the_frontier(live_server, page, phone, screenshots):
    sign_in(page, live_server.url, "emma.wu@demo.local")  # English
    page.goto(live_server.url + "/sim/new?preset=distributor")
    page.fill("input[name=name]", "Frontier in the browser")
    page.fill("input[name=collectors]", "3")
    page.click("[data-testid=policy-form] input[type=submit]")
    page.wait_for_url(re.compile(r".*/sim/runs/\d+"), timeout=180000)
    page.wait_for_load_state("networkidle")
    section = page.locator("[data-testid=frontier]")
    assert section.is_visible()
    markers = page.locator("#chart-frontier .marker")
    rows = page.locator("[data-testid=chart-frontier] details table tbody tr")
    assert markers.count() >= 3 and markers.count() == rows.count()  # every frontier policy, the default, yours
    assert re.search(r"reaches \d+ % of the best net value", page.locator("[data-testid=frontier-share]").inner_text())
    gap = page.locator("[data-testid=frontier-gap]").inner_text()
    assert "earns" in gap or "on the frontier" in gap
    section.scroll_into_view_if_needed()
    screenshots(page, "frontier-run-desktop")
    run_url = page.url

    sign_in(phone, live_server.url, "emma.wu@demo.local")
    phone.goto(run_url + "#frontier")
    phone.wait_for_load_state("networkidle")
    box = phone.locator("#chart-frontier").bounding_box()
    assert box is not None and box["width"] <= 375 and box["height"] >= 200  # scaled to the phone, still tall
    overflow = phone.evaluate("document.querySelector('[data-testid=frontier]').scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshots(phone, "frontier-run-phone")
