"""The manager dashboard: what a manager sees (their teams and those below, nobody else's, however
the URL is edited), the overview's columns and sorting, a member's page, team views, CSV exports
and the print page."""

from __future__ import annotations

import csv
import gc
import io
import re
from datetime import timedelta

import pytest

from tests.web.test_scorecard import add_attempt, questions_tagged, rate_all
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn.models import Certificate, LessonProgress
from trainer.manage.services import overview as overview_service
from trainer.policylab.models import SimRun
from trainer.quiz.models import Assignment
from trainer.roleplay.models import Play
from trainer.scorecard.services import quarters

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def org(make_org):
    """Two regions; east has a nested sub-team. Chen manages east, Liu manages west. Everyone joined
    a year ago (a refresher due before someone joined is not theirs to do)."""
    built = make_org(
        {"east": "East", "east_sub": "East Key Accounts < east", "west": "West"},
        {"chen": "manager of east: 陈静", "liu": "manager of west: Liu Yang", "amy": "trainee in east: 张伟",
         "ben": "trainee in east_sub: Ben Sub", "cat": "trainee in west: Cat West",
         "admin": "admin: Root <root@example.com>"},
    )
    for person in built.people.values():
        person.created_at = utcnow() - timedelta(days=365)
    db.session.commit()
    return built


def overview_names(html: str) -> list[str]:
    return re.findall(r'data-testid="member-link">([^<]+)</a>', html)


def make_assignment(title, teams, due_in_days, opens_days_ago=10, quiz_id="refresher-q4", creator=None):
    now = utcnow()
    assignment = Assignment(title=title, quiz_id=quiz_id, created_by_id=creator.id if creator else None,
                            opens_at=now - timedelta(days=opens_days_ago), due_at=now + timedelta(days=due_in_days))
    assignment.teams = list(teams)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"))))


# --------------------------------------------------------------------------------------------------
# Who sees what
# --------------------------------------------------------------------------------------------------


DASHBOARD_URLS = ["/manage/", "/manage/competencies", "/manage/questions", "/manage/refreshers", "/manage/print",
                  "/manage/export/overview.csv"]


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_a_trainee_cannot_reach_the_dashboard(client, actions, org, url):
    actions.login(org["amy"].email)
    assert client.get(url).status_code == 403


def test_a_trainee_cannot_reach_member_pages_or_assignment_exports(client, actions, org):
    assignment = make_assignment("Q refresher", [org["east"]], 5)
    actions.login(org["amy"].email)
    assert client.get(f"/manage/members/{org['ben'].id}").status_code == 403
    assert client.get(f"/manage/export/assignments/{assignment.id}.csv").status_code == 403
    assert "My teams" not in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    response = client.get("/manage/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_manager_sees_their_team_and_the_team_below_but_not_others(client, actions, org):
    actions.login(org["chen"].email)
    html = client.get("/manage/").get_data(as_text=True)
    assert overview_names(html) == ["Ben Sub", "张伟"]
    assert "Cat West" not in html and "cat@example.com" not in html
    # the team filter offers only their teams
    options = re.findall(r'<option[^>]*value="(\d+)"', html)
    assert sorted(int(o) for o in options) == sorted([org["east"].id, org["east_sub"].id])


def test_filtering_by_a_nested_team_narrows_the_list(client, actions, org):
    actions.login(org["chen"].email)
    html = client.get(f"/manage/?team={org['east_sub'].id}").get_data(as_text=True)
    assert overview_names(html) == ["Ben Sub"]


@pytest.mark.parametrize("param", ["west", "99999", "abc", "-1", "1 OR 1=1"])
def test_editing_the_team_parameter_cannot_reach_another_team(client, actions, org, param):
    actions.login(org["chen"].email)
    team = str(org["west"].id) if param == "west" else param
    for url in DASHBOARD_URLS:
        response = client.get(f"{url}?team={team}")
        assert response.status_code == 404, url
        assert "Cat West" not in response.get_data(as_text=True)


@pytest.mark.parametrize("quarter", ["2026-Q5", "Q1", "2026-q1", "../etc", "9999999-Q1"])
def test_a_malformed_quarter_is_refused(client, actions, org, quarter):
    actions.login(org["chen"].email)
    assert client.get(f"/manage/?quarter={quarter}").status_code == 404
    assert client.get(f"/manage/members/{org['amy'].id}?quarter={quarter}").status_code == 404


def test_a_manager_cannot_open_another_teams_member_by_id(client, actions, org):
    actions.login(org["chen"].email)
    assert client.get(f"/manage/members/{org['cat'].id}").status_code == 404
    assert client.get(f"/manage/members/{org['cat'].id}?team={org['east'].id}").status_code == 404
    assert client.get(f"/manage/members/{org['liu'].id}").status_code == 404
    assert client.get("/manage/members/999999").status_code == 404
    assert client.get(f"/manage/members/{org['chen'].id}").status_code == 404  # not a member of their teams
    page = client.get(f"/manage/members/{org['ben'].id}")
    assert page.status_code == 200 and "Ben Sub" in page.get_data(as_text=True)


def test_an_admin_sees_every_team(client, actions, org):
    actions.login(org["admin"].email)
    html = client.get("/manage/").get_data(as_text=True)
    assert overview_names(html) == ["Ben Sub", "Cat West", "张伟"]
    assert client.get(f"/manage/members/{org['cat'].id}").status_code == 200
    assert overview_names(client.get(f"/manage/?team={org['west'].id}").get_data(as_text=True)) == ["Cat West"]


def test_a_manager_without_teams_sees_an_explanation(client, actions, make_user, org):
    lonely = make_user("manager", email="lonely@example.com")
    actions.login(lonely.email)
    html = client.get("/manage/").get_data(as_text=True)
    assert "You do not manage any team yet" in html
    assert overview_names(html) == []


# --------------------------------------------------------------------------------------------------
# The overview's columns
# --------------------------------------------------------------------------------------------------


def row_of(html: str, user_id: int) -> str:
    match = re.search(rf'<tr data-member="{user_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {user_id}"
    return match.group(1)


def test_overview_columns_show_progress_refreshers_exam_roleplay_and_scorecard(app, client, actions, org):
    amy, ben = org["amy"], org["ben"]
    course = app.extensions["content"].courses["ar-essentials"]
    now = utcnow()
    for lesson in course.lessons[:5]:
        db.session.add(LessonProgress(user_id=amy.id, course_id=course.id, lesson_id=lesson.id,
                                      opened_at=now - timedelta(days=3), visited_at=now - timedelta(days=3),
                                      completed_at=now - timedelta(days=3)))
    db.session.add(Certificate(code="A" * 16, user_id=ben.id, course_id=course.id, holder_name="Ben",
                               course_title="x", language="en"))
    db.session.commit()
    done = make_assignment("Refresher A", [org["east"]], 20)
    make_assignment("Refresher B", [org["east_sub"]], 3)
    add_attempt(amy, [(q, 1.0, 1.0) for q in questions_tagged(app, "data_analysis")[:4]], now - timedelta(hours=5),
                quiz_id="refresher-q4", percent=88.0, assignment=done)
    add_attempt(amy, [(q, 1.0, 1.0) for q in questions_tagged(app, "data_analysis")[:4]], now - timedelta(hours=4),
                quiz_id="final-exam", percent=82.0)
    scenario = next(iter(app.extensions["content"].scenarios.values()))
    db.session.add(Play(user_id=amy.id, scenario_id=scenario.id, state={}, started_at=now - timedelta(hours=2),
                        finished_at=now - timedelta(hours=1), outcome="paid_in_full", scores={"a": 70, "b": 90}))
    db.session.commit()
    rate_all(amy, app.extensions["content"].framework, lambda d: 5)
    for days, dso in ((3, 55.0), (1, 41.4)):
        db.session.add(SimRun(user_id=amy.id, preset="distributor", engine_version="test", policy={}, result={},
                              summary={"dso": dso}, created_at=now - timedelta(days=days)))
    db.session.commit()
    actions.login(org["chen"].email)
    html = client.get("/manage/").get_data(as_text=True)
    amy_row = row_of(html, amy.id)
    assert "2 runs saved" in amy_row and "latest DSO 41 days" in amy_row
    total = len(course.lessons)
    assert f"5/{total}" in amy_row
    assert 'data-status="done"' in amy_row and "1/1 done" in amy_row and "88%" in amy_row
    assert "82%" in amy_row and "passed" in amy_row
    assert "1 finished · 80%" in amy_row
    assert "Self 5.0" in amy_row
    ben_row = row_of(html, ben.id)
    assert "Certificate" in ben_row
    # Ben is in the nested team: both assignments reach him, the one due in 3 days is "due soon"
    assert 'data-status="due_soon"' in ben_row and "0/2 done" in ben_row and "Refresher B" in ben_row
    assert "not assessed" in ben_row
    assert "—" in re.findall(r"<td[^>]*>(.*?)</td>", row_of(html, ben.id), re.S)[7]  # no runs: the policy-lab cell
    rows = read_csv(client.get("/manage/export/overview.csv").data)
    header = rows[0]
    amy_csv = next(r for r in rows if r[0] == "张伟")
    assert amy_csv[header.index("Policy-lab runs")] == "2"
    assert amy_csv[header.index("Latest policy-lab DSO (days)")] == "41.4"
    timeline = client.get(f"/manage/members/{amy.id}").get_data(as_text=True)
    assert timeline.count("Policy-lab run saved") == 2


def test_overdue_refresher_and_quarter_filter(app, client, actions, org):
    overdue = make_assignment("Old refresher", [org["east"]], -2, opens_days_ago=20)
    actions.login(org["chen"].email)
    html = client.get("/manage/").get_data(as_text=True)
    assert 'data-status="missing"' in row_of(html, org["amy"].id)
    assert "Past due" in row_of(html, org["amy"].id)
    # a quarter in which nothing was due
    quarter = quarters.this_quarter(overdue.due_at)
    earlier = quarters.previous_quarter(quarters.previous_quarter(quarter))
    html = client.get(f"/manage/?quarter={earlier}").get_data(as_text=True)
    assert "none assigned" in row_of(html, org["amy"].id)


def test_a_refresher_due_before_someone_joined_is_not_overdue_for_them(app, client, actions, org, make_user):
    """A new hire is not flagged for a refresher that was due before their account existed: their
    due date counts from the day they joined, so they still have time (and count as reached)."""
    old = make_assignment("Old refresher", [org["east"]], -2, opens_days_ago=20)
    ben = org["ben"]
    ben.created_at = utcnow() - timedelta(days=1)  # joined after the due date
    db.session.commit()
    actions.login(org["chen"].email)
    html = client.get("/manage/").get_data(as_text=True)
    assert 'data-status="missing"' in row_of(html, org["amy"].id)
    assert 'data-status="missing"' not in row_of(html, ben.id) and "Past due" not in row_of(html, ben.id)
    report = client.get("/manage/refreshers").get_data(as_text=True)
    row = re.search(rf'<tr data-assignment="{old.id}">(.*?)</tr>', report, re.S).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    assert cells[0] == "2" and ">1<" in cells[3]  # it reached Amy and Ben; only Amy is missing


def test_server_side_sorting_and_fallback(app, client, actions, org, make_user):
    extra = make_user("trainee", email="dan@example.com", name="Dan", teams=[org["east"]])
    now = utcnow()
    qids = questions_tagged(app, "data_analysis")[:2]
    add_attempt(org["amy"], [(q, 1.0, 1.0) for q in qids], now, quiz_id="final-exam", percent=60.0)
    add_attempt(org["ben"], [(q, 1.0, 1.0) for q in qids], now, quiz_id="final-exam", percent=95.0)
    actions.login(org["chen"].email)
    desc = overview_names(client.get("/manage/?sort=final&dir=desc").get_data(as_text=True))
    assert desc == ["Ben Sub", "张伟", "Dan"]  # no result goes last in either direction
    asc = overview_names(client.get("/manage/?sort=final&dir=asc").get_data(as_text=True))
    assert asc == ["张伟", "Ben Sub", "Dan"]
    assert overview_names(client.get("/manage/?sort=nonsense&dir=sideways").get_data(as_text=True)) == [
        "Ben Sub", "Dan", "张伟"
    ]
    html = client.get("/manage/?sort=final&dir=desc").get_data(as_text=True)
    assert 'data-sort-key="final" aria-sort="descending"' in html
    assert extra.id  # Dan is listed


# --------------------------------------------------------------------------------------------------
# A member's page and the team views
# --------------------------------------------------------------------------------------------------


def test_member_page_has_timeline_scores_over_time_and_radar(app, client, actions, org):
    amy = org["amy"]
    now = utcnow()
    qids = questions_tagged(app, "collection_communication")[:5]
    add_attempt(amy, [(q, 0.0, 1.0) for q in qids], now - timedelta(days=20), quiz_id="m3-collection-quiz", percent=40.0)
    add_attempt(amy, [(q, 1.0, 1.0) for q in qids], now - timedelta(days=2), quiz_id="m3-collection-quiz", percent=90.0)
    rate_all(amy, app.extensions["content"].framework, lambda d: 3)
    actions.login(org["chen"].email)
    html = client.get(f"/manage/members/{amy.id}").get_data(as_text=True)
    assert 'data-testid="member-name">张伟' in html
    assert 'data-testid="member-radar-self"' in html and 'data-testid="member-radar-measured-dots"' in html
    assert 'data-testid="score-chart"' in html and "<polyline" in html
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', html, re.S).group(1)
    assert timeline.count("Quiz submitted") == 2 and "Self-assessment completed" in timeline
    assert timeline.index("90%") < timeline.index("40%")  # newest first
    assert "Module 3 quiz" in html


def test_heatmap_shows_self_and_measured_with_colour_classes(app, client, actions, org):
    amy = org["amy"]
    rate_all(amy, app.extensions["content"].framework, lambda d: 5)
    qids = questions_tagged(app, "data_analysis")[:6]
    add_attempt(amy, [(q, 0.0, 1.0) for q in qids], utcnow())
    actions.login(org["chen"].email)
    html = client.get("/manage/competencies").get_data(as_text=True)
    table = re.search(r'data-testid="heatmap">(.*?)</table>', html, re.S).group(1)
    assert "Data analysis" in table and "Team average" in table
    cell = re.search(r'class="mg-heat heat-1" data-gap="overconfident">(.*?)</td>', table, re.S)
    assert cell and "1.0" in cell.group(1) and "5.0" in cell.group(1) and "▲" in cell.group(1)
    assert "Cat West" not in table


def test_most_missed_questions_rank_by_wrong_rate(app, client, actions, org):
    qids = questions_tagged(app, "data_analysis")[:3]
    now = utcnow()
    for person in (org["amy"], org["ben"]):
        for attempt in range(2):
            add_attempt(person, [(qids[0], 0.0, 1.0), (qids[1], 1.0, 1.0), (qids[2], float(attempt), 1.0)],
                        now - timedelta(hours=attempt + 1))
    # Cat (another team) gets the second question wrong many times: must not count
    for _ in range(4):
        add_attempt(org["cat"], [(qids[1], 0.0, 1.0)], now)
    actions.login(org["chen"].email)
    html = client.get("/manage/questions").get_data(as_text=True)
    listed = re.findall(r'<tr data-question="([^"]+)"', html)
    assert listed == [qids[0], qids[2]]
    assert "100%" in html and "50%" in html


def test_refresher_report_against_due_dates(app, client, actions, org):
    assignment = make_assignment("Quarter refresher", [org["east"]], -1, opens_days_ago=15)
    on_time = assignment.due_at - timedelta(days=2)
    add_attempt(org["amy"], [], on_time, quiz_id="refresher-q4", percent=75.0, assignment=assignment)
    actions.login(org["chen"].email)
    html = client.get("/manage/refreshers").get_data(as_text=True)
    row = re.search(rf'<tr data-assignment="{assignment.id}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    assert cells[0] == "2"  # Amy and Ben
    assert "50%" in cells[1]  # Amy on time
    assert "badge bad" in cells[3] and ">1<" in cells[3]  # Ben overdue
    assert "<polyline" in row and "stroke-dasharray" in row
    assert 'data-testid="export-assignment"' in row


# --------------------------------------------------------------------------------------------------
# Exports and print
# --------------------------------------------------------------------------------------------------


def test_overview_csv_has_a_bom_and_chinese_names_and_only_visible_members(client, actions, org):
    actions.login(org["chen"].email)
    response = client.get("/manage/export/overview.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(BOM)
    rows = read_csv(response.data)
    assert rows[0][:3] == ["Name", "Email", "Teams"]
    names = [r[0] for r in rows[1:]]
    assert names == ["Ben Sub", "张伟"]
    assert "Cat West" not in response.data.decode("utf-8")


def test_csv_headers_follow_the_language_and_formulas_are_neutralised(client, actions, org, make_user):
    make_user("trainee", email="evil@example.com", name="=HYPERLINK(\"http://x\")", teams=[org["east"]])
    actions.login(org["chen"].email)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    db.session.get(type(org["chen"]), org["chen"].id).language = "zh_CN"
    db.session.commit()
    rows = read_csv(client.get("/manage/export/overview.csv").data)
    assert rows[0][0] == "姓名"
    assert ["'=HYPERLINK(\"http://x\")"] == [r[0] for r in rows[1:] if "HYPERLINK" in r[0]]


def test_assignment_csv_is_limited_to_the_viewers_members_and_teams(client, actions, org):
    mine = make_assignment("East refresher", [org["east"]], 20)
    theirs = make_assignment("West refresher", [org["west"]], 5)
    both = make_assignment("Company refresher", [org["east"], org["west"]], 5, creator=org["admin"])
    actions.login(org["chen"].email)
    assert client.get(f"/manage/export/assignments/{theirs.id}.csv").status_code == 404
    assert client.get("/manage/export/assignments/999999.csv").status_code == 404
    assert client.get(f"/manage/export/assignments/{mine.id}.csv?team={org['west'].id}").status_code == 404
    rows = read_csv(client.get(f"/manage/export/assignments/{mine.id}.csv").data)
    assert [r[3] for r in rows[1:]] == ["Ben Sub", "张伟"]
    assert rows[1][0] == "East refresher" and rows[1][6] == "Not started"
    shared = read_csv(client.get(f"/manage/export/assignments/{both.id}.csv").data)
    assert [r[3] for r in shared[1:]] == ["Ben Sub", "张伟"]  # never Cat, though the assignment reaches her
    narrowed = read_csv(client.get(f"/manage/export/assignments/{both.id}.csv?team={org['east_sub'].id}").data)
    assert [r[3] for r in narrowed[1:]] == ["Ben Sub"]


def test_print_page_is_print_friendly(client, actions, org):
    actions.login(org["chen"].email)
    html = client.get("/manage/print").get_data(as_text=True)
    assert 'data-testid="print-overview"' in html
    assert "张伟" in html and "Cat West" not in html
    assert "dashboard.css" in html and "data-print" in html
    css = client.get("/static/css/dashboard.css").get_data(as_text=True)
    assert "@media print" in css and "@page" in css


def test_measured_scores_follow_new_results_between_visits(app, client, actions, org):
    """The overview keeps measured tallies between requests; new results must show at once."""
    amy = org["amy"]
    rate_all(amy, app.extensions["content"].framework, lambda d: 5 if d == "data_analysis" else 3)
    actions.login(org["chen"].email)
    assert "overconfident" not in row_of(client.get("/manage/").get_data(as_text=True), amy.id)
    qids = questions_tagged(app, "data_analysis")[:6]
    add_attempt(amy, [(q, 0.0, 1.0) for q in qids], utcnow() - timedelta(minutes=5))
    row = row_of(client.get("/manage/").get_data(as_text=True), amy.id)
    assert "1 overconfident" in row and "measured 1.0" in row
    add_attempt(amy, [(q, 1.0, 1.0) for q in qids], utcnow())
    row = row_of(client.get("/manage/").get_data(as_text=True), amy.id)
    assert "measured 3.0" in row  # equal weights: half right


def test_the_rows_are_built_with_the_collector_paused_and_it_runs_again_after(client, actions, org, monkeypatch):
    """trainer.core.gcpause: the overview's rows are built with the cyclic collector off (a third of
    the request at 2,000 members), and it is on again for the next request, also after an error."""
    seen = []
    real = overview_service.member_rows

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(overview_service, "member_rows", watching)
    assert gc.isenabled()
    actions.login(org["chen"].email)  # the manager's home page shows a summary of the overview too
    seen.clear()
    html = client.get("/manage/").get_data(as_text=True)
    assert seen == [False] and gc.isenabled()
    assert row_of(html, org["amy"].id)

    def failing(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(overview_service, "member_rows", failing)
    with pytest.raises(RuntimeError):
        overview_service.overview(overview_service.Scope.__new__(overview_service.Scope))
    assert gc.isenabled()
