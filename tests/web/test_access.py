"""Role access: each role against each area, and reading other people's pages by URL."""

import pytest

from trainer.accounts import access
from trainer.extensions import db

ADMIN_URLS = ["/admin/users", "/admin/users/new", "/admin/teams", "/admin/teams/new", "/admin/import", "/admin/audit"]


@pytest.fixture
def org(make_org):
    """A region over east, and south apart; a manager and a trainee for each, plus an admin."""
    teams = {"region": "Region", "east": "East < region", "south": "South"}
    return make_org(teams, {
        "admin": "admin", "regional": "manager of region", "east_mgr": "manager of east",
        "south_mgr": "manager of south", "east_1": "trainee in east <east1@example.com>",
        "south_1": "trainee in south <south1@example.com>",
    })


@pytest.mark.parametrize("url", ADMIN_URLS)
@pytest.mark.parametrize("who", ["east_1", "east_mgr"])
def test_non_admins_cannot_reach_admin_pages(client, actions, org, url, who):
    actions.login(org[who].email)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_admin_reaches_admin_pages(client, actions, org, url):
    actions.login("admin@example.com")
    response = client.get(url)
    assert response.status_code == 200
    assert "<h1>" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login_from_admin(client, org):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_post_by_trainee_is_refused(client, actions, org):
    actions.login("east1@example.com")
    response = actions.post("/admin/users/new", {"name": "X", "email": "x@example.com", "role": "admin",
                                                 "language": "en"}, token_from="/")
    assert response.status_code == 403


def test_editing_another_user_by_url_as_manager_is_refused(client, actions, org):
    actions.login("east.mgr@example.com")
    assert client.get(f"/admin/users/{org['south_1'].id}").status_code == 403


def test_visibility_rules(org):
    assert access.can_view_user(org["east_1"], org["east_1"].id)
    assert not access.can_view_user(org["east_1"], org["south_1"].id)
    assert access.can_view_user(org["east_mgr"], org["east_1"].id)
    assert not access.can_view_user(org["east_mgr"], org["south_1"].id)
    assert not access.can_view_user(org["south_mgr"], org["east_1"].id)
    # A regional manager sees the teams nested below their own.
    assert access.can_view_user(org["regional"], org["east_1"].id)
    assert not access.can_view_user(org["regional"], org["south_1"].id)
    assert access.can_view_user(org["admin"], org["south_1"].id)


def test_visible_user_ids_query(org):
    def ids(viewer):
        return set(db.session.scalars(access.visible_user_ids_query(viewer)).all())

    assert ids(org["east_1"]) == {org["east_1"].id}
    assert ids(org["east_mgr"]) == {org["east_1"].id, org["east_mgr"].id}
    assert org["south_1"].id not in ids(org["regional"])
    assert org["south_1"].id in ids(org["admin"])


def test_managed_team_ids_follow_nesting(org):
    teams = org.teams
    assert access.managed_team_ids(org["regional"]) == {teams["region"].id, teams["east"].id}
    assert access.managed_team_ids(org["east_mgr"]) == {teams["east"].id}
    assert access.managed_team_ids(org["east_1"]) == set()
    assert access.can_manage_team(org["east_mgr"], teams["east"].id)
    assert not access.can_manage_team(org["east_mgr"], teams["south"].id)


def test_manager_home_lists_only_their_teams(client, actions, org):
    actions.login("regional@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "Region" in page and "East" in page and "South" not in page


def test_trainee_home_has_no_admin_navigation(client, actions, org):
    actions.login("east1@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "/admin/users" not in page


def test_admin_home_shows_health_figures(app, client, actions, org):
    actions.login("admin@example.com")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="health"' in page
    assert "sqlite" in page or "postgresql" in page
    lessons = len(app.extensions["content"].lessons)
    assert f'<span class="figure">{lessons}</span><span>lessons</span>' in page


def test_navigation_highlights_one_item(client, actions, org):
    actions.login("east1@example.com")
    for url, label in [("/quiz/review", "Daily review"), ("/quiz/", "Quizzes")]:
        page = client.get(url).get_data(as_text=True)
        current = [line for line in page.splitlines() if 'aria-current="page"' in line]
        # desktop and phone menus each mark exactly the one page
        assert len(current) == 2 and all(label in line for line in current), current


def test_admin_management_pages_sit_in_one_manage_menu(client, actions, org, as_user):
    """Admins see the learner items at the top and their management pages in one "Manage" menu (so
    the header fits one row); the menu is marked current on its pages. Managers keep "My teams"."""
    actions.login("admin@example.com")
    page = client.get("/admin/audit").get_data(as_text=True)
    desktop = page.split('class="desktop-nav"')[1].split("</nav>")[0]
    group = desktop.split('class="nav-group"')[1].split("</details>")[0]
    assert '<summary class="current">Manage</summary>' in group
    for url in ("/manage/", "/admin/users", "/admin/teams", "/admin/content", "/admin/audit"):
        assert f'href="{url}"' in group
    assert 'href="/admin/audit" aria-current="page"' in group
    assert 'href="/quiz/"' in desktop.split('class="nav-group"')[0]
    manager = as_user(org["east_mgr"].email).client.get("/manage/").get_data(as_text=True)
    assert "nav-group" not in manager and 'href="/manage/" aria-current="page">My teams<' in manager
