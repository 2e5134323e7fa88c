"""A manager's home page summarises the team: onboarding progress, who is overdue on a refresher,
the weakest competencies, each linking to the dashboard page with the detail."""

from __future__ import annotations

import re

from tests.web.test_dashboard import make_assignment, org  # noqa: F401 - the shared fixture
from trainer.extensions import db


def section(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</section>', html, re.S)
    assert found, testid
    return found.group(1)


def test_manager_home_shows_progress_overdue_people_and_links(client, actions, org):  # noqa: F811
    make_assignment("Q4 refresher", [org["east"]], due_in_days=-2)  # overdue for east and its sub-team
    actions.login(org["chen"].email)
    html = client.get("/").get_data(as_text=True)
    summary = section(html, "manager-summary")
    assert re.search(r'<span class="figure">2</span>team members', summary)
    assert re.search(r'<span class="figure">2</span>with an overdue refresher', summary)
    overdue = section(html, "home-overdue")
    assert f'href="/manage/members/{org["amy"].id}"' in overdue and "Ben Sub" in overdue
    assert "Cat West" not in html  # another manager's team stays out
    assert 'href="/manage/refreshers"' in overdue
    weakest = section(html, "home-weakest")
    assert "No quiz or role-play results yet." in weakest and 'href="/manage/competencies"' in weakest
    assert 'data-testid="my-teams"' in html and f'href="/manage/?team={org["east"].id}"' in html


def test_manager_home_in_chinese(client, actions, org):  # noqa: F811
    org["chen"].language = "zh_CN"
    db.session.commit()
    actions.login(org["chen"].email)
    summary = section(client.get("/").get_data(as_text=True), "home-overdue")
    assert "没有人逾期" in summary
