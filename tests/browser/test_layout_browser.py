"""Every role's main pages in both languages: nothing wider than a 375 px phone, and the header on
one row at 1280 px, with room for one more navigation item (a glossary is on its way)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import sign_in

PAGES = {
    "trainee": ["/", "/learn/", "/quiz/", "/quiz/review", "/roleplay/", "/roleplay/history", "/sim/",
                "/sim/new", "/scorecard/", "/scorecard/assess"],
    "manager": ["/", "/manage/", "/manage/refreshers", "/manage/competencies", "/manage/questions",
                "/quiz/assignments", "/roleplay/workshops", "/roleplay/team", "/sim/workshops/"],
    "admin": ["/", "/admin/users", "/admin/teams", "/admin/content", "/admin/content/items", "/admin/audit",
              "/admin/import", "/manage/"],
}
# Demo people whose saved language the test may change (it puts it back).
PEOPLE = {"trainee": "emma.wu@demo.local", "manager": "liu.manager@demo.local", "admin": "admin@demo.local"}
SAVED_LANGUAGE = {"trainee": "en", "manager": "en", "admin": "zh"}
ONE_MORE_ITEM = {"en": "Glossary", "zh": "术语表"}

HEADER_ROWS = """(extra) => {
  const middle = (element) => { const box = element.getBoundingClientRect(); return (box.top + box.bottom) / 2; };
  const nav = document.querySelector('.desktop-nav > ul');
  if (extra && nav) {
    const item = nav.querySelector(':scope > li:not(.nav-group)').cloneNode(true);
    item.querySelector('a').textContent = extra;
    item.querySelector('a').removeAttribute('aria-current');
    nav.insertBefore(item, nav.querySelector(':scope > li.nav-group'));
  }
  const bar = document.querySelector('.site-header .bar');
  const tops = [...bar.children].filter(c => c.getBoundingClientRect().width > 0)
                                .map(middle);
  const items = nav ? [...nav.children].map(middle) : [];
  return {rows: Math.max(...tops) - Math.min(...tops), itemRows: items.length ? Math.max(...items) - Math.min(...items) : 0,
          height: bar.getBoundingClientRect().height, width: document.documentElement.scrollWidth};
}"""


# Management tables read as labelled cards on a phone: every cell but the row's title names its column.
UNLABELLED_CELLS = """() => [...document.querySelectorAll('table.stack')].flatMap(table => {
  if (!table.classList.contains('stacked')) return ['table.stack not stacked'];
  return [...table.querySelectorAll('tbody td:not(.stack-title):not([colspan])')]
    .filter(cell => !cell.dataset.label).map(cell => cell.textContent.trim().slice(0, 30));
}).slice(0, 5)"""


# What sticks out past 375 px, for the failure message (against 375, not innerWidth: a phone zooms out
# to fit a page that is too wide, so innerWidth grows with it).
WIDEST = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node && out.length < 4; node = walker.nextNode()) {
    const range = document.createRange(); range.selectNodeContents(node);
    const right = Math.max(0, ...[...range.getClientRects()].map(r => r.right));
    if (right > 376) out.push(node.parentElement.tagName + '.' + node.parentElement.className + ' ' + Math.round(right) + ' ' + node.textContent.trim().slice(0, 30));
  }
  for (const e of document.querySelectorAll('body *')) {
    if (e.scrollWidth > 376 && out.length < 8) out.push('scroll:' + e.tagName + '.' + e.className + ' ' + e.scrollWidth);
  }
  return out;
}"""


def use_language(page: Any, lang: str) -> None:
    button = page.locator(f"[data-testid=lang-{lang}]")
    if button.count():
        button.click()
        page.wait_for_load_state("networkidle")


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("role", sorted(PAGES))
def test_no_page_is_wider_than_a_phone(live_server, phone, screenshots, role):
    sign_in(phone, live_server.url, PEOPLE[role])
    too_wide = []
    try:
        for lang in ("zh", "en"):
            use_language(phone, lang)
            for path in PAGES[role]:
                visit(phone, live_server.url + path)
                width = phone.evaluate("document.documentElement.scrollWidth")
                unlabelled = phone.evaluate(UNLABELLED_CELLS)
                if unlabelled:
                    too_wide.append(f"{lang} {path}: table cells without a label on a phone: {unlabelled}")
                if width > 375:
                    too_wide.append(f"{lang} {path}: {width}px, {phone.evaluate(WIDEST)}")
                    screenshots(phone, f"layout-375-{role}-{lang}-{path.strip('/').replace('/', '-') or 'home'}")
    finally:
        use_language(phone, SAVED_LANGUAGE[role])
    assert not too_wide, "wider than a 375 px phone: " + "; ".join(too_wide)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_header_is_one_row_at_1280_with_room_for_one_more_item(live_server, page, screenshots, role):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server.url, PEOPLE[role])
    problems = []
    try:
        for lang in ("zh", "en"):
            use_language(page, lang)
            for path in (PAGES[role][0], PAGES[role][-1]):  # the header is the same on every page
                visit(page, live_server.url + path)
                for extra in (None, ONE_MORE_ITEM[lang]):
                    shape = page.evaluate(HEADER_ROWS, extra)
                    if shape["rows"] > 4 or shape["itemRows"] > 4 or shape["height"] > 70 or shape["width"] > 1280:
                        problems.append(f"{lang} {path} (extra item: {extra}): {shape}")
            screenshots(page, f"layout-1280-{role}-{lang}-header")
    finally:
        use_language(page, SAVED_LANGUAGE[role])
    assert not problems, "header not one row: " + "; ".join(problems)
