"""The real ``courses/`` folder passes validation and has the volume the onboarding path needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.content.source import LANGUAGES
from trainer.learn.course import Course, load_competencies, load_courses

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "courses"


@pytest.fixture(scope="module")
def courses() -> dict[str, Course]:
    competencies, problems = load_competencies(COURSES / "competencies.yaml")
    assert not problems, "\n".join(map(str, problems))
    loaded, problems = load_courses(
        COURSES,
        competency_ids=set(competencies),
        url_for_lesson=lambda course_id, lesson_id: f"/learn/{course_id}/{lesson_id}",
        url_for_image=lambda course_id, name: f"/learn/{course_id}/images/{name}",
    )
    assert not problems, "\n".join(map(str, problems))
    return loaded


def test_onboarding_course_volume(courses: dict[str, Course]) -> None:
    course = courses["ar-essentials"]
    assert len(course.modules) == 5
    assert len(course.lessons) >= 20
    assert all(module.lessons for module in course.modules)


def test_every_lesson_exists_in_both_languages(courses: dict[str, Course]) -> None:
    for course in courses.values():
        for lesson in course.lessons:
            assert tuple(text.lang for text in lesson.texts) == LANGUAGES, lesson.id
            for text in lesson.texts:
                assert text.html.strip(), f"{lesson.id} ({text.lang}) has an empty body"


def test_path_prerequisites_follow_module_order(courses: dict[str, Course]) -> None:
    course = courses["ar-essentials"]
    seen: set[str] = set()
    for module in course.modules:
        assert set(module.prerequisites) <= seen, module.id
        seen.add(module.id)


def test_diagrams_are_in_the_repo_and_used(courses: dict[str, Course]) -> None:
    images = COURSES / "ar-essentials" / "images"
    html = "".join(text.html for lesson in courses["ar-essentials"].lessons for text in lesson.texts)
    for name in ("lifecycle.svg", "escalation-ladder.svg", "aging-report.svg"):
        assert (images / name).is_file(), name
        assert f"/images/{name}" in html, f"no lesson shows {name}"
