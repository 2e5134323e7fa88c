"""Refresher assignments: managers assign to their own teams only, trainees see deadlines on their
home page, results flag late and missing people, and a refresher needs an open assignment."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.web.test_quiz_common import attempt_from, attempts_of, start, take
from trainer.core.time import to_local, utcnow
from trainer.extensions import db
from trainer.quiz.models import Assignment
from trainer.quiz.services.assignments import assignments_for_user

REFRESHER = "refresher-q4"


@pytest.fixture
def org(make_org):
    """Everyone joined a year ago (a refresher due before someone joined is not theirs to do)."""
    built = make_org(
        {"east": "East", "east_north": "East North < east", "west": "West"},
        {"manager": "manager of east: Mona Manager <mona@example.com>",
         "other_manager": "manager of west: Will West <will@example.com>", "amy": "trainee in east: Amy",
         "bob": "trainee in east_north: Bob", "cat": "trainee in east: Cat", "wes": "trainee in west: Wes"},
    )
    for person in built.people.values():
        person.created_at = utcnow() - timedelta(days=365)
    db.session.commit()
    return built


def today() -> date:
    return to_local(utcnow()).date()


def assignment_form(**overrides):  # type: ignore[no-untyped-def]
    data = {"title": "2026 Q4 refresher", "quiz_id": REFRESHER, "opens_on": today().isoformat(),
            "due_on": (today() + timedelta(days=14)).isoformat()}
    data.update(overrides)
    return data


def make_assignment(manager, teams, *, opens_days: int = -10, due_days: int = 5, title="2026 Q4 refresher"):  # type: ignore[no-untyped-def]
    item = Assignment(title=title, quiz_id=REFRESHER, created_by_id=manager.id,
                      opens_at=utcnow() + timedelta(days=opens_days), due_at=utcnow() + timedelta(days=due_days))
    item.teams = list(teams)
    db.session.add(item)
    db.session.commit()
    return item


def count_assignments() -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment)) or 0


# --- creating -------------------------------------------------------------------------------------


def test_manager_assigns_a_refresher_to_their_team(client, actions, org):
    actions.login(org["manager"].email)
    html = client.get("/quiz/assignments/new").get_data(as_text=True)
    assert "East" in html and "East North" in html and "West" not in html  # only teams they manage
    response = actions.post("/quiz/assignments/new", {**assignment_form(), "team_ids": [org["east"].id]})
    assert response.status_code == 302
    item = db.session.scalar(select(Assignment))
    assert item.title == "2026 Q4 refresher" and [t.name for t in item.teams] == ["East"]
    assert item.created_by_id == org["manager"].id
    assert to_local(item.due_at).strftime("%H:%M:%S") == "23:59:59"  # due at the end of the local day
    results = client.get(response.headers["Location"]).get_data(as_text=True)
    for name in ("Amy", "Bob", "Cat"):  # Bob is in a team below East
        assert name in results
    assert "Wes" not in results


def test_manager_cannot_assign_to_a_team_that_is_not_theirs(client, actions, org):
    actions.login(org["manager"].email)
    response = actions.post("/quiz/assignments/new", {**assignment_form(), "team_ids": [org["west"].id]},
                            token_from="/quiz/assignments/new")
    assert response.status_code == 403
    assert "You can only assign quizzes to teams you manage." in response.get_data(as_text=True)
    # a mix of own and foreign teams is refused as a whole
    response = actions.post("/quiz/assignments/new",
                            {**assignment_form(), "team_ids": [org["east"].id, org["west"].id]},
                            token_from="/quiz/assignments/new")
    assert response.status_code == 403
    assert count_assignments() == 0


@pytest.mark.parametrize("overrides,message", [
    ({"title": ""}, "Give the assignment a title"),
    ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
    ({"quiz_id": "daily-review"}, "Choose a quiz from the list."),
    ({"quiz_id": "nope"}, "Choose a quiz from the list."),
    ({"due_on": "not a date"}, "Not a valid date value."),
    ({"opens_on": ""}, "Enter the date the assignment opens."),
    ({"due_on": "2020-01-01", "opens_on": "2019-12-01"}, "The due date is in the past."),
    ({"opens_on": "2099-02-01", "due_on": "2099-01-01"}, "The due date cannot be before the open date."),
    ({"opens_on": "2099-01-01", "due_on": "2101-01-01"}, "An assignment can run for at most a year."),
])
def test_assignment_form_refuses_bad_values_next_to_the_field(actions, org, overrides, message):
    actions.login(org["manager"].email)
    response = actions.post("/quiz/assignments/new", {**assignment_form(**overrides), "team_ids": [org["east"].id]},
                            token_from="/quiz/assignments/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'class="error"[^>]*role="alert">[^<]*' + re.escape(message), html), message
    assert count_assignments() == 0


def test_assignment_form_needs_a_team(actions, org):
    actions.login(org["manager"].email)
    response = actions.post("/quiz/assignments/new", assignment_form(), token_from="/quiz/assignments/new")
    assert response.status_code == 400 and "Choose at least one team." in response.get_data(as_text=True)


def test_assignment_form_errors_in_chinese(actions, make_user, make_team):
    team = make_team("华东")
    manager = make_user("manager", language="zh_CN", manages=[team])
    actions.login(manager.email)
    response = actions.post("/quiz/assignments/new", {**assignment_form(title=""), "team_ids": [team.id]},
                            token_from="/quiz/assignments/new")
    assert "请填写任务名称" in response.get_data(as_text=True)


def test_trainees_cannot_reach_the_assignment_pages(client, actions, org):
    actions.login(org["amy"].email)
    assert client.get("/quiz/assignments").status_code == 403
    assert client.get("/quiz/assignments/new").status_code == 403
    response = actions.post("/quiz/assignments/new", {**assignment_form(), "team_ids": [org["east"].id]},
                            token_from="/quiz/")
    assert response.status_code == 403 and count_assignments() == 0


# --- results --------------------------------------------------------------------------------------


def test_results_flag_done_late_and_missing(client, actions, org):
    item = make_assignment(org["manager"], [org["east"]], opens_days=-10, due_days=-1)
    # Amy on time, Bob late, Cat never
    take(org["amy"], REFRESHER, right=True, when=utcnow() - timedelta(days=5))
    take(org["bob"], REFRESHER, right=False, when=utcnow() - timedelta(hours=6))
    actions.login(org["manager"].email)
    html = client.get(f"/quiz/assignments/{item.id}").get_data(as_text=True)

    def status(email: str) -> str:
        row = re.search(rf'data-testid="result-{re.escape(email)}">(.*?)</tr>', html, re.S).group(1)
        return re.search(r'class="badge[^"]*">([^<]+)<', row).group(1)

    assert status("amy@example.com") == "done"
    assert status("bob@example.com") == "late"
    assert status("cat@example.com") == "missing"
    assert "100%" in html
    listing = client.get("/quiz/assignments").get_data(as_text=True)
    assert "1 / 3" in listing  # one done on time out of three


def test_manager_cannot_see_results_of_another_managers_team(client, actions, org):
    item = make_assignment(org["other_manager"], [org["west"]])
    actions.login(org["manager"].email)
    assert client.get(f"/quiz/assignments/{item.id}").status_code == 404
    assert "2026 Q4 refresher" not in client.get("/quiz/assignments").get_data(as_text=True)


def test_admin_sees_every_assignment(client, actions, org, make_user):
    item = make_assignment(org["other_manager"], [org["west"]])
    admin = make_user("admin")
    actions.login(admin.email)
    assert "Wes" in client.get(f"/quiz/assignments/{item.id}").get_data(as_text=True)


# --- trainees -------------------------------------------------------------------------------------


def test_trainee_home_shows_the_assignment_and_its_deadline(client, actions, org):
    make_assignment(org["manager"], [org["east"]], due_days=2)
    actions.login(org["amy"].email)
    html = client.get("/").get_data(as_text=True)
    steps = re.search(r'data-testid="next-steps">(.*?)</ul>', html, re.S).group(1)
    assert "Assignment: 2026 Q4 refresher" in steps and "due " in steps
    assert "step-warning" in steps  # due within three days


def test_an_assignment_reaches_the_members_of_every_team_below_and_no_one_else(org):
    """One recursive query walks up from the person's teams: Bob (East North, below East) gets East's
    assignment, Wes (West) does not; West's reaches Wes only; a team without members reaches no one."""
    east = make_assignment(org["manager"], [org["east"]], title="East's")
    west = make_assignment(org["other_manager"], [org["west"]], title="West's")
    reached = {name: [a.title for a in assignments_for_user(org[name])] for name in ("amy", "bob", "wes", "manager")}
    assert reached == {"amy": ["East's"], "bob": ["East's"], "wes": ["West's"], "manager": []}
    assert [a.id for a in assignments_for_user(org["bob"], REFRESHER)] == [east.id]
    assert [a.id for a in assignments_for_user(org["wes"], REFRESHER)] == [west.id]
    assert assignments_for_user(org["bob"], "m1-basics-quiz") == []


def test_a_loop_in_the_team_tree_still_ends(org):
    """Team edits refuse a loop, but a tree damaged by hand must not hang the home page."""
    org["east"].parent_id = org["east_north"].id  # East North is below East: now each is above the other
    db.session.commit()
    make_assignment(org["manager"], [org["east_north"]], title="Loop")
    assert [a.title for a in assignments_for_user(org["amy"])] == ["Loop"]


def test_overdue_assignment_is_a_danger_step_until_done(client, actions, org):
    make_assignment(org["manager"], [org["east"]], due_days=-1)
    actions.login(org["amy"].email)
    html = client.get("/").get_data(as_text=True)
    assert "step-danger" in html and "overdue since" in html
    take(org["amy"], REFRESHER, right=True)
    html = client.get("/").get_data(as_text=True)
    assert "Assignment: 2026 Q4 refresher" not in html


def test_a_new_hire_gets_the_assignment_span_from_the_day_they_joined(client, actions, org):
    """Due dates count from the later of the assignment and joining: a refresher that opened ten days
    ago and was due two days ago gives someone who joined yesterday the same eight days from then,
    so they are not overdue; taking it within them is on time, not late."""
    item = make_assignment(org["manager"], [org["east"]], opens_days=-10, due_days=-2)
    org["cat"].created_at = utcnow() - timedelta(days=1)
    db.session.commit()
    actions.login(org["cat"].email)
    home = client.get("/").get_data(as_text=True)
    assert "overdue since" not in home and "Assignment: 2026 Q4 refresher" in home
    personal = to_local(org["cat"].created_at + timedelta(days=8))
    assert f"due {personal:%Y-%m-%d}" in home
    actions.logout()
    actions.login(org["manager"].email)
    html = client.get(f"/quiz/assignments/{item.id}").get_data(as_text=True)
    amy = re.search(r'data-testid="result-amy@example.com">(.*?)</tr>', html, re.S).group(1)
    cat = re.search(r'data-testid="result-cat@example.com">(.*?)</tr>', html, re.S).group(1)
    assert ">missing<" in amy and ">not started<" in cat
    take(org["cat"], REFRESHER, right=True)
    html = client.get(f"/quiz/assignments/{item.id}").get_data(as_text=True)
    row = re.search(r'data-testid="result-cat@example.com">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'class="badge[^"]*">([^<]+)<', row).group(1) == "done"


def test_refresher_attempt_counts_for_the_open_assignment(actions, org):
    item = make_assignment(org["manager"], [org["east"]])
    actions.login(org["amy"].email)
    attempt = attempt_from(start(actions, REFRESHER, {"assignment": str(item.id)}))
    assert attempt.assignment_id == item.id and len(attempt.instances) == 15


def test_refresher_needs_an_assignment_for_a_trainee(actions, org):
    actions.login(org["wes"].email)
    response = start(actions, REFRESHER, follow_redirects=True)
    assert "Refresher quizzes open when your manager assigns one to your team." in response.get_data(as_text=True)
    assert attempts_of(org["wes"], REFRESHER) == []


def test_refresher_before_the_open_date_is_refused(actions, org):
    item = make_assignment(org["manager"], [org["east"]], opens_days=3, due_days=10)
    actions.login(org["amy"].email)
    response = start(actions, REFRESHER, {"assignment": str(item.id)}, follow_redirects=True)
    assert "This assignment opens on" in response.get_data(as_text=True)
    assert attempts_of(org["amy"], REFRESHER) == []


def test_someone_elses_assignment_id_is_refused(actions, org):
    item = make_assignment(org["other_manager"], [org["west"]])
    actions.login(org["amy"].email)
    assert start(actions, REFRESHER, {"assignment": str(item.id)}).status_code == 404
    assert attempts_of(org["amy"], REFRESHER) == []


def test_quiz_list_shows_assignments_with_status(client, actions, org):
    make_assignment(org["manager"], [org["east"]], due_days=-1)
    actions.login(org["cat"].email)
    html = client.get("/quiz/").get_data(as_text=True)
    block = re.search(r'data-testid="assigned">(.*?)</ul>', html, re.S).group(1)
    assert "2026 Q4 refresher" in block and "overdue" in block
