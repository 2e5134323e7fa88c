"""The overview in pages of 50: the counts cover every member, each page shows its share in the
chosen order, sort and page stay in the URL, a bad page or sort value falls back with a message
(never an error), and paging never shows a member of a team the manager does not manage."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, select

from tests.web.test_dashboard import overview_names
from trainer.accounts.models import User, team_members
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.manage.services.overview import PAGE_SIZE

MEMBERS = 120  # three pages: 50, 50, 20


@pytest.fixture
def big_team(make_org):
    """Chen manages East with 120 members; Liu manages West with Cat, who must never show up."""
    org = make_org(
        {"east": "East", "west": "West"},
        {"chen": "manager of east: 陈静", "liu": "manager of west: Liu Yang", "cat": "trainee in west: Cat West"},
    )
    now = utcnow()
    db.session.execute(insert(User), [
        {"email": f"p{i:03d}@example.com", "name": f"Person {i:03d}", "role": "trainee", "password_hash": "x",
         "must_change_password": False, "language": "en", "active": True, "created_at": now}
        for i in range(MEMBERS)
    ])
    ids = db.session.scalars(select(User.id).where(User.email.like("p%@example.com"))).all()
    db.session.execute(insert(team_members), [{"team_id": org["east"].id, "user_id": uid} for uid in ids])
    db.session.commit()
    return org


def status_line(html: str) -> str:
    found = re.search(r'data-testid="page-status">([^<]+)<', html)
    return found.group(1) if found else ""


def notice(html: str) -> str:
    found = re.search(r'data-testid="page-notice">([^<]+)<', html)
    return found.group(1) if found else ""


def test_the_first_page_shows_fifty_members_and_counts_everyone(client, actions, big_team):
    actions.login(big_team["chen"].email)
    html = client.get("/manage/").get_data(as_text=True)
    names = overview_names(html)
    assert len(names) == PAGE_SIZE == 50
    assert names[0] == "Person 000" and names[-1] == "Person 049"
    assert f'<span class="figure">{MEMBERS}</span>' in html  # the members tile counts all 120
    assert status_line(html) == f"Members 1–50 of {MEMBERS} · page 1 of 3"
    assert 'data-testid="page-prev"' not in html and 'data-testid="page-next"' in html
    assert "data-sortable" not in html  # sorting in the browser would only sort this page


def test_the_pages_together_hold_every_member_once_in_the_chosen_order(client, actions, big_team):
    actions.login(big_team["chen"].email)
    seen: list[str] = []
    for page in (1, 2, 3):
        html = client.get(f"/manage/?sort=name&dir=desc&page={page}").get_data(as_text=True)
        seen += overview_names(html)
    assert seen == [f"Person {i:03d}" for i in reversed(range(MEMBERS))]
    assert "Cat West" not in seen


def test_sort_and_page_stay_in_the_links(client, actions, big_team):
    actions.login(big_team["chen"].email)
    html = client.get("/manage/?sort=name&dir=desc&page=2").get_data(as_text=True)
    assert status_line(html) == f"Members 51–100 of {MEMBERS} · page 2 of 3"
    prev_link = re.search(r'href="([^"]+)" rel="prev"', html).group(1).replace("&amp;", "&")
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    for link, page in ((prev_link, "1"), (next_link, "3")):
        assert "sort=name" in link and "dir=desc" in link and f"page={page}" in link and "quarter=" in link
    sort_link = re.search(r'data-sort-link="progress"', html)
    assert sort_link is not None
    heading = re.search(r'<a href="([^"]+)" data-sort-link="progress"', html).group(1)
    assert "page=" not in heading  # a new order starts on its first page
    last = client.get(next_link).get_data(as_text=True)
    assert len(overview_names(last)) == MEMBERS - 2 * PAGE_SIZE
    assert 'data-testid="page-next"' not in last


@pytest.mark.parametrize(("raw", "shown"), [
    ("abc", 1), ("0", 1), ("-1", 1), ("1.5", 1), ("1e3", 1), ("９", 1), ("4", 3), ("99999999999999999999", 1),
    ("x" * 500, 1),
])
def test_a_bad_page_falls_back_with_a_message(client, actions, big_team, raw, shown):
    actions.login(big_team["chen"].email)
    response = client.get("/manage/", query_string={"page": raw})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert status_line(html).endswith(f"page {shown} of 3")
    message = notice(html)
    assert message.startswith("There is no page “") and message.endswith(f"showing page {shown} of 3.")
    assert len(message) < 120  # the value is cut short, not echoed in full


def test_a_page_within_range_has_no_message_and_one_page_teams_have_no_pager(client, actions, big_team, make_org):
    actions.login(big_team["chen"].email)
    assert notice(client.get("/manage/?page=3").get_data(as_text=True)) == ""
    actions.logout()
    actions.login(big_team["liu"].email)
    html = client.get("/manage/?page=2").get_data(as_text=True)
    assert overview_names(html) == ["Cat West"]
    assert 'data-testid="pager-top"' not in html and "data-sortable" in html
    assert notice(html).endswith("showing page 1 of 1.")


@pytest.mark.parametrize("query", ["sort=nope", "sort=name&dir=sideways", "sort=%00&dir=%00", "sort=&dir="])
def test_a_bad_sort_falls_back_to_names_in_order(client, actions, big_team, query):
    actions.login(big_team["chen"].email)
    response = client.get(f"/manage/?{query}")
    assert response.status_code in (200, 400)  # a NUL byte is refused by the input layer, never a 500
    if response.status_code == 200:
        assert overview_names(response.get_data(as_text=True))[:2] == ["Person 000", "Person 001"]


def test_paging_another_managers_team_is_not_found(client, actions, big_team):
    actions.login(big_team["liu"].email)
    assert client.get(f"/manage/?team={big_team['east'].id}&page=2").status_code == 404
    html = client.get("/manage/?page=1&sort=name").get_data(as_text=True)
    assert not any(name.startswith("Person") for name in overview_names(html))


def test_a_trainee_cannot_page_the_overview(client, actions, big_team, make_user):
    trainee = make_user("trainee")
    actions.login(trainee.email)
    assert client.get("/manage/?page=2").status_code == 403
