"""``load_courses``: every course folder read, cross-checked (ids, links) and assembled."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from trainer.content.source import Problem, Problems
from trainer.learn.course.assembly import build_course
from trainer.learn.course.lessons import read_lessons
from trainer.learn.course.manifest import CourseSpec, read_manifest
from trainer.learn.course.model import Course, UrlForImage, UrlForLesson
from trainer.learn.course.svg import check_svgs


def load_courses(
    courses_dir: Path,
    *,
    competency_ids: Iterable[str],
    url_for_lesson: UrlForLesson,
    url_for_image: UrlForImage,
) -> tuple[dict[str, Course], list[Problem]]:
    """Load and validate every course folder under ``courses_dir``.

    Returns the courses by id (best effort: what could be built) and every problem found, sorted.
    Content is valid exactly when the problem list is empty.
    """
    problems = Problems()
    known_competencies = set(competency_ids)
    if not courses_dir.is_dir():
        problems.add(courses_dir, 1, "courses folder not found")
        return {}, list(problems)

    specs: list[CourseSpec] = []
    for folder in sorted(p for p in courses_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        spec = read_manifest(folder, problems)
        if spec is not None:
            specs.append(spec)

    seen_course: dict[str, Path] = {}
    for spec in specs:
        if spec.id in seen_course:
            problems.add(spec.manifest, 1, f"duplicate course id '{spec.id}' (also {seen_course[spec.id]})")
        seen_course.setdefault(spec.id, spec.manifest)

    # Lesson ids are global, so links can be checked across courses.
    owner: dict[str, str] = {}
    for spec in specs:
        for lesson_id, line in spec.listed_at.items():
            if lesson_id in owner and owner[lesson_id] != spec.id:
                problems.add(
                    spec.manifest,
                    line,
                    f"lesson id '{lesson_id}' is also used by course '{owner[lesson_id]}'",
                )
            owner.setdefault(lesson_id, spec.id)

    drafts = {spec.id: read_lessons(spec, known_competencies, problems) for spec in specs}

    courses: dict[str, Course] = {}
    for spec in specs:
        if spec.id in courses:
            continue
        courses[spec.id] = build_course(spec, drafts[spec.id], owner, url_for_lesson, url_for_image, problems)
        check_svgs(spec.folder / "images", problems)
    return courses, list(problems)
