"""A failed quiz points at the lessons behind the missed questions; a passed one does not."""

from __future__ import annotations

import re

from tests.web.test_quiz_common import M1_QUIZ, read_module, take


def review_links(html: str) -> list[str]:
    section = re.search(r'data-testid="lessons-to-review">(.*?)</section>', html, re.S)
    return re.findall(r'href="(/learn/[^"]+)"', section.group(1)) if section else []


def test_failed_quiz_links_the_lessons_of_its_module(app, client, signed_in):
    trainee = signed_in(email="fay@example.com", name="Fay")
    read_module(trainee, app, "m1-basics")
    failed = take(trainee, M1_QUIZ, right=False)
    assert not failed.passed
    html = client.get(f"/quiz/attempts/{failed.id}/result").get_data(as_text=True)
    links = review_links(html)
    course = next(iter(app.extensions["content"].courses.values()))
    module_lessons = {f"/learn/{course.id}/{lesson.id}" for lesson in course.module("m1-basics").lessons}
    assert links and set(links) <= module_lessons, links
    assert "Lessons to review" in html
    for link in links:  # every pointer opens
        assert client.get(link).status_code == 200

    passed = take(trainee, M1_QUIZ, right=True)
    assert passed.passed
    assert review_links(client.get(f"/quiz/attempts/{passed.id}/result").get_data(as_text=True)) == []
