"""The lesson's inline "check yourself" question, lesson images, and lessons in the user's language."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from tests.web import learn_support as support
from tests.web.learn_support import COURSE_URL, answer, lesson_url, progress

pytestmark = pytest.mark.usefixtures("no_quiz_gates")

trainee = support.trainee  # the shared fixture, found by pytest under this name


# --------------------------------------------------------------------------------------------------
# The inline check
# --------------------------------------------------------------------------------------------------


def test_check_answers_instantly_with_json(actions, trainee, course):
    lesson = course.lessons[0]
    check = lesson.text("en").check
    right = check.correct_index
    wrong = next(i for i, option in enumerate(check.options) if not option.correct)
    response = answer(actions, lesson.id, str(wrong), json=True)
    assert response.status_code == 200
    assert response.json == {
        "correct": False, "option": wrong, "feedback": check.options[wrong].feedback, "verdict": "Not quite.",
    }
    response = answer(actions, lesson.id, str(right), json=True)
    assert response.json["correct"] is True and response.json["feedback"] == check.options[right].feedback
    row = progress(trainee.id, lesson.id)
    assert row.check_option == right and row.check_correct is True and row.completed_at is None


def test_check_without_javascript_posts_and_shows_the_feedback(client, actions, trainee, course):
    lesson = course.lessons[1]
    check = lesson.text("en").check
    wrong = next(i for i, option in enumerate(check.options) if not option.correct)
    response = answer(actions, lesson.id, str(wrong))
    assert response.status_code == 303 and response.location.endswith(lesson_url(lesson.id) + "#check")
    html = client.get(lesson_url(lesson.id)).get_data(as_text=True)
    assert "Not quite." in html and escape(check.options[wrong].feedback) in html
    assert re.search(rf'value="{wrong}" required checked', html)
    assert escape(check.options[check.correct_index].feedback) not in html


def test_check_without_a_choice_asks_for_one(client, actions, trainee, course):
    lesson = course.lessons[0]
    response = answer(actions, lesson.id, None)
    assert response.status_code == 303
    assert "Choose an answer first." in client.get(response.location).get_data(as_text=True)
    row = progress(trainee.id, lesson.id)
    assert row is None or row.check_option is None


@pytest.mark.parametrize("bad", ["7", "99", "-1", "one", "1.5", "", " ", "0x1", "1e0", "１"])
def test_check_rejects_bad_option_values(actions, trainee, course, bad):
    lesson = course.lessons[0]
    response = answer(actions, lesson.id, bad, json=True)
    assert response.status_code == 400
    assert "not one of the options" in response.json["error"]
    row = progress(trainee.id, lesson.id)
    assert row is None or row.check_option is None


def test_check_bad_value_without_javascript_is_a_clear_400(actions, trainee, course):
    response = answer(actions, course.lessons[0].id, "42")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Answer not accepted" in html and "choose 1 to" in html


def test_check_on_an_unknown_lesson_is_404(actions, trainee):
    assert answer(actions, "no-such-lesson", "0", json=True, token_from=COURSE_URL).status_code == 404
    assert answer(actions, "no-such-lesson", "0", token_from=COURSE_URL).status_code == 404


def test_check_needs_csrf(client, trainee, course):
    response = client.post(lesson_url(course.lessons[0].id) + "/check", data={"option": "0"})
    assert response.status_code == 400


# --------------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------------


def test_image_route_serves_svg_from_the_course_folder(client, trainee):
    response = client.get(f"{COURSE_URL}/images/lifecycle.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "images/missing.svg",
        "images/../course.yaml",
        "images/%2e%2e/course.yaml",
        "images/..%2fcourse.yaml",
        "images/..%2f..%2f..%2fpyproject.toml",
        "images/%2e%2e/%2e%2e/%2e%2e/trainer/static/img/logo.svg",
        "images//etc/passwd",
        "images/lifecycle.svg.bak",
    ],
)
def test_image_route_refuses_anything_else(client, trainee, path):
    response = client.get(f"{COURSE_URL}/{path}", follow_redirects=True)  # // is merged by a 308 first
    assert response.status_code == 404, path
    assert b"modules:" not in response.data and b"<svg" not in response.data


def test_image_of_an_unknown_course_is_404(client, trainee):
    assert client.get("/learn/nope/images/lifecycle.svg").status_code == 404


# --------------------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------------------


def test_lesson_in_chinese_for_a_chinese_user(client, actions, make_user, course):
    make_user("trainee", email="wei@example.com", language="zh_CN")
    actions.login("wei@example.com")
    lesson = course.lessons[0]
    html = client.get(lesson_url(lesson.id)).get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    assert escape(lesson.text("zh").title) in html and escape(lesson.text("zh").check.question) in html
    assert "标记为已完成" in html and "自测" in html and "要点" in html
    assert lesson.text("en").title not in html
    course_html = client.get(COURSE_URL).get_data(as_text=True)
    assert course.title["zh"] in course_html and "模块 1" in course_html


def test_lesson_in_english_for_an_english_user(client, trainee, course):
    lesson = course.lessons[0]
    html = client.get(lesson_url(lesson.id)).get_data(as_text=True)
    assert 'lang="en"' in html and escape(lesson.text("en").title) in html
    assert lesson.text("zh").title not in html


def test_check_feedback_comes_in_the_users_language(actions, make_user, course):
    make_user("trainee", email="wei@example.com", language="zh_CN")
    actions.login("wei@example.com")
    lesson = course.lessons[0]
    check = lesson.text("zh").check
    response = answer(actions, lesson.id, str(check.correct_index), json=True)
    assert response.json["feedback"] == check.options[check.correct_index].feedback
    assert response.json["verdict"] == "答对了。"
