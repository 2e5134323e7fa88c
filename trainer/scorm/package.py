"""Build a course's SCORM package: pages, styles, scripts, images, the manifest and its XSDs.

``course_for_package`` loads the course again through the course loader with package-relative
URLs (lesson links to the other pages, images beside them) and marks glossary terms as the site
does; ``build_package`` turns it into ``{path: bytes}``; ``write_zip`` writes the archive.

Layout of the package::

    imsmanifest.xml, *.xsd          the manifest and the schemas it names (at the root, as LMSs expect)
    content/<lesson-id>.html        one SCO per lesson
    content/<module-id>-quiz.html   one SCO per module quiz
    content/css/ js/ img/ images/   the site's styles, the SCO scripts, the logo, the course's diagrams

Pure Python: no Flask.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from trainer.content.source import LANGUAGES, pick
from trainer.learn.course import Course, load_courses
from trainer.learn.glossary import Glossary
from trainer.learn.glossary.marking import mark_courses
from trainer.quiz.bank.model import Question, QuizDefinition
from trainer.scorm.labels import labels
from trainer.scorm.manifest import SCHEMA_FOLDERS, VERSIONS, ModulePlan, PackagePlan, Sco, build_manifest
from trainer.scorm.quizdata import QuizData, module_quiz, quiz_data

HERE = Path(__file__).resolve().parent
SITE_STATIC = HERE.parent / "static"
CONTENT = "content"
SITE_CSS = ("site.css", "learn.css", "glossary.css", "quiz.css")
SITE_JS = ("glossary.js",)
SCO_STATIC = ("scorm.css", "scorm-api.js", "lesson.js", "quiz.js")


class PackageError(ValueError):
    """A package cannot be built with these arguments (the message says why, in one line)."""


@dataclass(frozen=True)
class BuiltPackage:
    files: dict[str, bytes]
    plan: PackagePlan
    quizzes: tuple[QuizData, ...]


def course_for_package(courses_dir: Path, course_id: str, competency_ids: Iterable[str],
                       glossary: Glossary) -> Course:
    """The course rendered for a package: ``lesson:`` links point at the lesson's page in the
    package and images at ``images/``. Raises PackageError for an unknown or invalid course."""
    courses, problems = load_courses(
        courses_dir,
        competency_ids=competency_ids,
        url_for_lesson=lambda _course, lesson: f"{lesson}.html",
        url_for_image=lambda _course, name: f"images/{name}",
    )
    if course_id not in courses:
        known = ", ".join(sorted(courses)) or "none"
        raise PackageError(f"unknown course {course_id!r} (one of: {known})")
    if problems:
        raise PackageError(f"the content has problems; run `flask content check` (first: {problems[0]})")
    return mark_courses({course_id: courses[course_id]}, glossary)[course_id]


def check_arguments(version: str, lang: str) -> None:
    if version not in VERSIONS:
        raise PackageError(f"unknown SCORM version {version!r} (one of: {', '.join(VERSIONS)})")
    if lang not in LANGUAGES:
        raise PackageError(f"unknown language {lang!r} (one of: {', '.join(LANGUAGES)})")


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                       keep_trailing_newline=True)


def build_package(course: Course, *, version: str, lang: str, definitions: Iterable[QuizDefinition],
                  questions: Sequence[Question], images_dir: Path) -> BuiltPackage:
    """Every file of the package, by its path in the archive."""
    check_arguments(version, lang)
    t = labels(lang)
    env = _environment()
    definitions = list(definitions)
    files: dict[str, bytes] = {}
    modules: list[ModulePlan] = []
    built_quizzes: list[QuizData] = []
    common = {"lang": lang, "version": version, "t": t}
    for number, module in enumerate(course.modules, start=1):
        module_label = t["module"].format(n=number)
        module_title = pick(module.title, lang)
        scos: list[Sco] = []
        for position, lesson in enumerate(module.lessons, start=1):
            text = lesson.text(lang)
            href = f"{CONTENT}/{lesson.id}.html"
            files[href] = env.get_template("lesson.html").render(
                common, sco_kind="lesson", title=text.title, lesson=lesson, text=text, module_label=module_label,
                module_title=module_title, minutes=t["minutes"].format(n=lesson.minutes),
                lesson_of=t["lesson_of"].format(position=position, count=len(module.lessons)),
            ).encode()
            scos.append(Sco(lesson.id, "lesson", text.title, href))
        definition = module_quiz(definitions, module.id)
        if definition is not None:
            data = quiz_data(definition, questions, lang)
            if not data.questions:
                raise PackageError(f"module quiz {definition.id!r} has no question that runs in a static page in {lang}")
            href = f"{CONTENT}/{module.id}-quiz.html"
            pass_mark = round(definition.pass_mark)
            files[href] = env.get_template("quiz.html").render(
                common, sco_kind="quiz", title=data.title, quiz=data, module_label=module_label,
                module_title=module_title, quiz_json=data.to_json(), labels_json=t,
                rules=t["quiz_rules"].format(count=data.count, pass_mark=_number(definition.pass_mark)),
            ).encode()
            scos.append(Sco(f"{module.id}-quiz", "quiz", data.title, href, pass_mark=pass_mark))
            built_quizzes.append(data)
        modules.append(ModulePlan(module.id, f"{module_label} · {module_title}", tuple(scos)))

    files.update(_static_files(images_dir))
    shared = tuple(sorted(path for path in files if not path.endswith(".html")))
    plan = PackagePlan(course.id, pick(course.title, lang), version, lang, tuple(modules), shared)
    files["imsmanifest.xml"] = build_manifest(plan)
    for schema in sorted((HERE / "schemas" / SCHEMA_FOLDERS[version]).iterdir()):
        files[schema.name] = schema.read_bytes()
    return BuiltPackage(files, plan, tuple(built_quizzes))


def _number(value: float) -> str:
    return f"{value:g}"


def _static_files(images_dir: Path) -> dict[str, bytes]:
    files = {f"{CONTENT}/css/{name}": (SITE_STATIC / "css" / name).read_bytes() for name in SITE_CSS}
    files.update({f"{CONTENT}/js/{name}": (SITE_STATIC / "js" / name).read_bytes() for name in SITE_JS})
    for name in SCO_STATIC:
        folder = "css" if name.endswith(".css") else "js"
        files[f"{CONTENT}/{folder}/{name}"] = (HERE / "static" / name).read_bytes()
    files[f"{CONTENT}/img/logo.svg"] = (SITE_STATIC / "img" / "logo.svg").read_bytes()
    if images_dir.is_dir():
        for image in sorted(images_dir.iterdir()):
            if image.is_file() and not image.name.startswith("."):
                files[f"{CONTENT}/images/{image.name}"] = image.read_bytes()
    return files


def write_zip(files: Mapping[str, bytes], output: Path) -> None:
    """Write the archive (the manifest first); raises OSError when ``output`` cannot be written."""
    ordered = sorted(files, key=lambda path: (path != "imsmanifest.xml", path))
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in ordered:
            archive.writestr(zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0)), files[path],
                             compress_type=zipfile.ZIP_DEFLATED)


def summary(package: BuiltPackage) -> dict[str, Any]:
    """What the command prints: counts and the question types left out."""
    left_out: dict[str, int] = {}
    for data in package.quizzes:
        for qtype, count in data.left_out.items():
            left_out[qtype] = left_out.get(qtype, 0) + count
    return {
        "lessons": sum(1 for sco in package.plan.scos if sco.kind == "lesson"),
        "quizzes": len(package.quizzes),
        "questions": sum(len(data.questions) for data in package.quizzes),
        "left_out": dict(sorted(left_out.items())),
        "files": len(package.files),
    }

