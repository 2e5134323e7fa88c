"""Deterministic demo progress for the demo trainees."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.learn.course import Course
from trainer.learn.models import LessonProgress
from trainer.learn.services.lookups import content_lang, onboarding_course

# Per demo trainee, in DemoPeople order: how far along the path they are. "m2" = modules 1-2 read,
# "+2" = two more lessons, "all-1" = every lesson but the last, ">" = the next lesson opened too.
DEMO_PLAN = ("2>", "m2+2", "m2", "m2>", "all-1>", "0>", "m1+2>", "1", "0", "m3", "0>", "m1>")


def demo_lessons_done(spec: str, course: Course) -> tuple[int, bool]:
    """(lessons completed along the path, next lesson opened) for one DEMO_PLAN entry."""
    opened_next = spec.endswith(">")
    spec = spec.rstrip(">")
    last = len(course.lessons) - 1
    if spec == "all-1":
        return last, opened_next
    base, _, extra = spec.partition("+")
    if base.startswith("m"):
        count = sum(len(m.lessons) for m in course.modules[: int(base[1:])]) + int(extra or 0)
    else:
        count = int(base)
    return min(count, last), opened_next


def seed_demo_progress(people: Any, rng: random.Random) -> None:
    """Varied, deterministic progress for the demo trainees (seed_demo commits)."""
    course = onboarding_course()
    if course is None:
        return
    lessons = course.lessons
    now = utcnow()
    for trainee, spec in zip(people.trainees, DEMO_PLAN, strict=False):
        count, opened_next = demo_lessons_done(spec, course)
        lang = content_lang(trainee.language)
        when = trainee.created_at + timedelta(days=1, hours=rng.randint(8, 11))
        for index, lesson in enumerate(lessons[: count + (1 if opened_next else 0)]):
            when = min(when + timedelta(hours=rng.randint(3, 40)), now - timedelta(hours=2))
            seen = when + timedelta(minutes=lesson.minutes)
            done = index < count
            row = LessonProgress(
                user_id=trainee.id,
                course_id=course.id,
                lesson_id=lesson.id,
                opened_at=when,
                visited_at=seen,
                completed_at=seen if done else None,
            )
            if done and rng.random() < 0.85:
                check = lesson.text(lang).check
                right = rng.random() < 0.75
                wrong = [i for i, option in enumerate(check.options) if not option.correct]
                row.check_option = check.correct_index if right else rng.choice(wrong)
                row.check_correct = right
                row.check_answered_at = seen
            db.session.add(row)
