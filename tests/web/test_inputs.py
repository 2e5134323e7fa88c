"""The input layer through the web, one bad input at a time: huge ids in URLs and in query and
form fields, NUL and control characters anywhere, quarters out of range, deep and large JSON
bodies, run names that would inject lines into policy.yaml, and room-code guessing on /join."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import csrf_token
from tests.web.test_quiz_common import M1_QUIZ, read_module, rich_seed
from tests.web.test_sim import SMALL, run_policy
from tests.web.workshop_support import join, open_room, people  # noqa: F401 - the people fixture
from trainer import sim
from trainer.core.inputs import JSON_MAX_BYTES, MAX_ID
from trainer.extensions import db
from trainer.quiz.services import attempts as attempt_service

CONTROL_MESSAGE = "contains a control character"


@pytest.fixture
def admin(signed_in):  # type: ignore[no-untyped-def]
    return signed_in("admin", email="root@example.com")


@pytest.mark.parametrize("url", [
    f"/quiz/attempts/{MAX_ID + 1}", f"/sim/runs/{2**63}", "/admin/users/0", "/admin/users/99999999999999999999",
    f"/sim/compare/1/{MAX_ID + 1}", f"/sim/jobs/{MAX_ID + 1}.json", f"/certificates/{'9' * 5000}",
    f"/manage/members/{MAX_ID}", "/admin/teams/-1",
])
def test_ids_out_of_range_in_a_url_are_not_found(client, admin, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [f"from={MAX_ID + 1}", "from=%C2%B2", "from=-3", f"from={'9' * 500}"])
def test_a_bad_source_run_in_the_policy_form_is_not_found(client, admin, query):
    assert client.get(f"/sim/new?{query}").status_code == 404


@pytest.mark.parametrize("query", [f"page={2**63}", "page=-1", "page=x"])
def test_a_bad_audit_page_number_shows_the_first_page(client, admin, query):
    assert client.get(f"/admin/audit?{query}").status_code == 200


def test_a_bad_team_on_the_dashboard_is_not_found(client, admin):
    assert client.get(f"/manage/?team={MAX_ID + 1}").status_code == 404
    assert client.get("/manage/?team=%C2%B2").status_code == 404


def test_compare_with_a_run_id_out_of_range_is_not_found(client, trainee_run):
    token = csrf_token(client, f"/sim/runs/{trainee_run.id}")
    for other in (str(MAX_ID + 1), "²", "-5"):
        response = client.post(f"/sim/runs/{trainee_run.id}/compare", data={"other": other, "csrf_token": token})
        assert response.status_code in (400, 404), other


@pytest.fixture
def trainee_run(signed_in, client):  # type: ignore[no-untyped-def]
    signed_in("trainee", email="tina@example.com")
    return run_policy(client, dict(SMALL))


@pytest.fixture
def quiz_trainee(app, signed_in):  # type: ignore[no-untyped-def]
    user = signed_in(email="tina@example.com", name="Tina Trainee")
    read_module(user, app, "m1-basics")
    return user


def test_an_assignment_id_out_of_range_is_ignored_on_the_intro_and_not_found_on_start(client, quiz_trainee):
    assert client.get(f"/quiz/{M1_QUIZ}?assignment={2**63}").status_code == 200
    token = csrf_token(client, f"/quiz/{M1_QUIZ}")
    for bad in (str(MAX_ID + 1), "²", "9" * 5000):
        response = client.post(f"/quiz/{M1_QUIZ}/start", data={"assignment": bad, "csrf_token": token})
        assert response.status_code == 404, bad


# --------------------------------------------------------------------------- control characters


def test_nul_in_the_login_email_is_refused_before_the_view(client):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x", "csrf_token": token})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


def test_the_refusal_speaks_chinese(client):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "a\x00b", "password": "x", "csrf_token": token},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)


def test_line_breaks_stay_allowed_in_form_text(client):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "a\r\nb\tc", "password": "x", "csrf_token": token})
    assert response.status_code != 400 or CONTROL_MESSAGE not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/roleplay/room/AB%00CD", "/roleplay/room/AB%1BCD/status.json", "/admin/users?q=%00", "/admin/users?q=a%0Ab",
    "/manage/?quarter=2026-Q4%00", "/scorecard/2026-Q4%0A", "/join?code=%00", "/quiz/m1%7F", "/verify/%00",
])
def test_control_characters_in_the_path_or_the_query_are_refused(client, admin, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)


def test_nul_in_a_join_code_and_in_a_form_field_name_are_refused(client, admin):
    token = csrf_token(client, "/join")
    assert client.post("/join", data={"code": "AB\x00", "csrf_token": token}).status_code == 400
    assert client.post("/join", data={"code": "AB", "x\ny": "1", "csrf_token": token}).status_code == 400


def test_a_query_value_over_the_limit_is_refused(client, admin):
    response = client.get("/admin/users?q=" + "x" * 10_240)
    assert response.status_code == 400 and "too long" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- quarters


@pytest.mark.parametrize("url", ["/manage/?quarter=0000-Q1", "/manage/?quarter=9999-Q4", "/manage/?quarter=1999-Q4",
                                 "/scorecard/9999-Q4", "/scorecard/0000-Q1", "/scorecard/2101-Q1",
                                 "/scorecard/２０２６-Q1"])
def test_quarters_out_of_range_are_not_found(client, admin, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/manage/?quarter=2000-Q1", "/scorecard/2100-Q4", "/scorecard/2000-Q1"])
def test_the_first_and_last_quarters_still_open(client, admin, url):
    assert client.get(url).status_code == 200


# --------------------------------------------------------------------------- JSON bodies


@pytest.fixture
def attempt(app, quiz_trainee):  # type: ignore[no-untyped-def]
    return attempt_service.start_attempt(quiz_trainee, M1_QUIZ, seed=rich_seed(app, M1_QUIZ))


@pytest.mark.parametrize("body", [
    "[" * 3000, "[" * 3000 + "]" * 3000, '{"a":' * 3000 + "1" + "}" * 3000,
    '{"question": "q", "answer": "' + "x" * JSON_MAX_BYTES + '"}',
    '{"question": "q\\u0000", "answer": "o1"}', '{"question": "q", "answer": "\\ud800"}',
])
def test_deep_large_or_control_json_is_a_400_with_a_json_message(client, attempt, body):
    token = csrf_token(client, f"/quiz/attempts/{attempt.id}")
    response = client.post(f"/quiz/attempts/{attempt.id}/answer", data=body, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]


# --------------------------------------------------------------------------- policy.yaml


def test_a_run_name_with_line_breaks_adds_no_lines_to_policy_yaml(client, trainee_run):
    trainee_run.name = "evil\nstart_day: 99\r\ngrades: {}\x85x\u2028y\u2029z"
    db.session.commit()
    text = client.get(f"/sim/runs/{trainee_run.id}/policy.yaml").get_data(as_text=True)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    headline = trainee_run.summary.get("net_value") is not None  # a "net value" line when the run has one
    assert len(comments) == 4 + headline and "evil start_day: 99" in comments[0]
    assert "start_day: 99" not in [line for line in text.splitlines() if not line.startswith("#")]
    assert sim.policy_to_dict(sim.load_policy(text)) == trainee_run.policy
    assert yaml.safe_load(text) == trainee_run.policy


# --------------------------------------------------------------------------- /join


def test_unknown_and_closed_codes_get_one_answer_and_guessing_is_throttled(app, people, as_user):  # noqa: F811
    room = open_room(as_user("fac@example.com"))
    guesser = as_user("t1@example.com")
    for n in range(app.config["JOIN_MAX_GUESSES_PER_USER"]):
        assert join(guesser, f"ZZZZZ{n}").status_code == 404
    response = join(guesser, room.code)
    assert response.status_code == 429
    assert "Too many wrong room codes" in response.get_data(as_text=True)
    assert join(as_user("t2@example.com"), room.code).status_code == 302  # somebody else still joins


def test_the_throttle_message_in_chinese(app, people, as_user):  # noqa: F811
    app.config["JOIN_MAX_GUESSES_PER_USER"] = 1
    guesser = as_user("zh@example.com")
    join(guesser, "ZZZZZZ")
    response = join(guesser, "ZZZZZY")
    assert response.status_code == 429 and "输错房间号的次数太多" in response.get_data(as_text=True)
