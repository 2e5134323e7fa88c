"""Render checked lesson drafts to HTML and assemble them into Course, Module and Lesson objects."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from trainer.content.markdown import LESSON_SCHEME, render_markdown
from trainer.content.source import LANGUAGES, Problems
from trainer.learn.course.lessons import LessonDraft
from trainer.learn.course.manifest import CourseSpec
from trainer.learn.course.model import (
    Check,
    CheckOption,
    Course,
    Lesson,
    LessonText,
    Module,
    UrlForImage,
    UrlForLesson,
)


def build_course(
    spec: CourseSpec,
    drafts: Mapping[str, Mapping[str, LessonDraft]],
    owner: Mapping[str, str],
    url_for_lesson: UrlForLesson,
    url_for_image: UrlForImage,
    problems: Problems,
) -> Course:
    modules = []
    for module in spec.modules:
        lessons = []
        for lesson_id in module.lesson_ids:
            lesson = _build_lesson(
                spec, module.id, lesson_id, drafts.get(lesson_id, {}), owner,
                url_for_lesson, url_for_image, problems,
            )  # fmt: skip
            if lesson is not None:
                lessons.append(lesson)
        modules.append(
            Module(
                id=module.id,
                course_id=spec.id,
                title=module.title,
                summary=module.summary,
                prerequisites=tuple(module.prerequisites),
                lessons=tuple(lessons),
            )
        )
    return Course(
        id=spec.id,
        title=spec.title,
        description=spec.description,
        modules=tuple(modules),
        source=str(spec.manifest),
    )


def _build_lesson(
    spec: CourseSpec,
    module_id: str,
    lesson_id: str,
    drafts: Mapping[str, LessonDraft],
    owner: Mapping[str, str],
    url_for_lesson: UrlForLesson,
    url_for_image: UrlForImage,
    problems: Problems,
) -> Lesson | None:
    texts: list[LessonText] = []
    for lang in LANGUAGES:
        draft = drafts.get(lang)
        if draft is None:
            continue
        html = _render(draft, spec, owner, url_for_lesson, url_for_image, problems)
        if not draft.usable:
            continue
        meta = draft.meta
        check = meta["check"]
        texts.append(
            LessonText(
                lang=lang,
                title=meta["title"].strip(),
                html=html,
                takeaways=tuple(item.strip() for item in meta["takeaways"]),
                check=Check(
                    question=check["question"].strip(),
                    options=tuple(
                        CheckOption(
                            text=option["text"].strip(),
                            correct=bool(option.get("correct", False)),
                            feedback=option["feedback"].strip(),
                        )
                        for option in check["options"]
                    ),
                ),
                source=str(draft.path),
            )
        )
    if len(texts) != len(LANGUAGES):
        return None  # already reported; a half-built lesson is not worth showing
    meta = drafts[LANGUAGES[0]].meta
    return Lesson(
        id=lesson_id,
        course_id=spec.id,
        module_id=module_id,
        minutes=int(meta["minutes"]),
        competencies=tuple(meta["competencies"]),
        texts=tuple(texts),
    )


def _render(
    draft: LessonDraft,
    spec: CourseSpec,
    owner: Mapping[str, str],
    url_for_lesson: UrlForLesson,
    url_for_image: UrlForImage,
    problems: Problems,
) -> str:
    def resolve_link(target: str) -> str | None:
        if target in owner:
            return url_for_lesson(owner[target], target)
        problems.add(
            draft.path,
            _line_in_body(draft, f"{LESSON_SCHEME}{target}"),
            f"broken link: no lesson with id '{target}'",
        )
        return None

    def resolve_image(src: str) -> str | None:
        name = _image_name(src)
        if name is None:
            problems.add(
                draft.path,
                _line_in_body(draft, src),
                f"image '{src}': use a file in this course's images/ folder (images/<name>)",
            )
            return None
        if not (spec.folder / "images" / name).is_file():
            problems.add(
                draft.path, _line_in_body(draft, src), f"image not found: {spec.folder / 'images' / name}"
            )
            return None
        return url_for_image(spec.id, name)

    return render_markdown(draft.body, resolve_link=resolve_link, resolve_image=resolve_image)


def _image_name(src: str) -> str | None:
    """``images/a.svg`` -> ``a.svg``; None for anything outside images/ (URLs, ``..``, absolute)."""
    if not src or ":" in src or src.startswith(("/", "\\")) or "\\" in src:
        return None
    parts = PurePosixPath(src).parts
    if len(parts) < 2 or parts[0] != "images" or any(part in ("..", ".") for part in parts):
        return None
    return "/".join(parts[1:])


def _line_in_body(draft: LessonDraft, needle: str) -> int:
    for offset, text in enumerate(draft.body.splitlines()):
        if needle in text:
            return draft.body_line + offset
    return draft.body_line
