"""All content, loaded and validated once at start-up. An invalid file stops the app with every
problem listed as ``path:line: message``; ``flask content check`` runs the same loading."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.content.cache import content_key, read_cache, write_cache
from trainer.content.source import ContentError, Problem, Problems
from trainer.learn.course import Competency, Course, Lesson, lesson_index, load_courses
from trainer.learn.glossary import Glossary, load_glossary
from trainer.learn.glossary.marking import mark_courses
from trainer.quiz.bank.definitions import load_quiz_definitions
from trainer.quiz.bank.loader import load_banks
from trainer.quiz.bank.model import QuestionBankSet, QuizDefinition
from trainer.roleplay.rubric import Rubric, load_rubric
from trainer.roleplay.scenarios import Scenario, is_warning, load_scenarios
from trainer.scorecard.framework import Framework, load_framework
from trainer.writing.tasks import WritingContent, load_writing

if TYPE_CHECKING:  # only the app's type: loading content needs no Flask (the engine's CLI and tools load it too)
    from flask import Flask

# Where lessons and their images are served. The learn blueprint registers exactly these routes;
# content is rendered once at load time, outside any request, so it cannot call url_for.
LESSON_URL = "/learn/{course}/{lesson}"
IMAGE_URL = "/learn/{course}/images/{name}"


@dataclass
class ContentRegistry:
    """Everything under courses/, quizzes/ and scenarios/, validated; treated as read-only."""

    root: Path
    competencies: dict[str, Competency] = field(default_factory=dict)
    framework: Framework | None = None
    courses: dict[str, Course] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    banks: QuestionBankSet | None = None
    quizzes: dict[str, QuizDefinition] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    rubric: Rubric | None = None
    writing: WritingContent = field(default_factory=WritingContent)
    glossary: Glossary = field(default_factory=lambda: Glossary(()))
    warnings: list[Problem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def module_ids(self) -> set[str]:
        return {m.id for course in self.courses.values() for m in course.modules}

    def counts(self) -> dict[str, int]:
        return {
            "courses": len(self.courses),
            "lessons": len(self.lessons),
            "questions": len(self.banks) if self.banks is not None else 0,
            "quizzes": len(self.quizzes),
            "scenarios": len(self.scenarios),
        }


def load_content(root: Path) -> tuple[ContentRegistry, list[Problem]]:
    """Load every kind of content below ``root``; returns the registry and all blocking problems."""
    problems = Problems()
    registry = ContentRegistry(root=root)
    framework, framework_problems = load_framework(root / "courses" / "competencies.yaml")
    problems.extend(framework_problems)
    registry.framework = framework
    registry.competencies = dict(framework.competencies)
    competency_ids = set(registry.competencies)

    courses, course_problems = load_courses(
        root / "courses",
        competency_ids=competency_ids,
        url_for_lesson=lambda course, lesson: LESSON_URL.format(course=course, lesson=lesson),
        url_for_image=lambda course, name: IMAGE_URL.format(course=course, name=name),
    )
    problems.extend(course_problems)
    registry.courses = courses
    registry.lessons = lesson_index(courses)
    module_ids = registry.module_ids()
    registry.glossary, found = load_glossary(root / "courses" / "glossary.yaml", registry.lessons)
    problems.extend(found)
    registry.courses = mark_courses(courses, registry.glossary)
    registry.lessons = lesson_index(registry.courses)

    banks, found = load_banks(root / "quizzes" / "banks", module_ids=module_ids, competency_ids=competency_ids)
    problems.extend(found)
    registry.banks = banks
    quizzes, found = load_quiz_definitions(root / "quizzes" / "quizzes.yaml", banks, module_ids, competency_ids)
    problems.extend(found)
    registry.quizzes = quizzes

    scenarios, found = load_scenarios(root / "scenarios" / "roleplay", competency_ids=competency_ids)
    for problem in found:
        (registry.warnings.append(problem) if is_warning(problem) else problems.extend([problem]))
    registry.scenarios = scenarios
    rubric_problems = Problems()
    registry.rubric = load_rubric(root / "scenarios" / "rubric.yaml", rubric_problems)
    problems.extend(rubric_problems)
    registry.writing, found = load_writing(root / "writing", competency_ids)
    problems.extend(found)
    return registry, list(problems)


def install_content(app: Flask) -> None:
    """Load content into ``app.extensions['content']``; refuse to start on any problem."""
    preloaded = app.config.get("CONTENT_REGISTRY")
    if preloaded is not None:  # tests load content once per session and hand it in
        app.extensions["content"] = preloaded
        return
    root = Path(app.config["CONTENT_ROOT"])
    cache_dir = None
    if app.config.get("CONTENT_CACHE", True):
        cache_dir = Path(app.config.get("CONTENT_CACHE_DIR") or app.instance_path)
    app.extensions["content"] = load_validated(root, cache_dir, str(app.config["SECRET_KEY"]).encode())


def load_validated(root: Path, cache_dir: Path | None, secret: bytes) -> ContentRegistry:
    """The validated content, from the disk cache when its key (content files and code) still
    matches; otherwise loaded, validated and then cached. Raises ContentError on any problem, so
    only content that passed validation is ever written to the cache."""
    if cache_dir is None:
        registry, problems = load_content(root)
        if problems:
            raise ContentError(problems)
        return registry
    key = content_key(root)
    cached = read_cache(cache_dir, key, secret)
    if isinstance(cached, ContentRegistry):
        return cached
    registry = load_validated(root, None, secret)
    write_cache(cache_dir, key, secret, registry)
    return registry
