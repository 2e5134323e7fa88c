"""Course loader and validator on the small fixture course in ``fixtures/courses/mini``.

Each error test copies the valid fixture into ``tmp_path``, breaks one thing, and checks that the
problem is reported with the right file, line and message — and that nothing else is.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from trainer.content.source import ContentError, Problem
from trainer.learn.course import Course, load_competencies, load_courses

FIXTURES = Path(__file__).parent / "fixtures"
COMPETENCIES = {"credit_assessment", "data_analysis"}


def url_for_lesson(course_id: str, lesson_id: str) -> str:
    return f"/learn/{course_id}/{lesson_id}"


def url_for_image(course_id: str, name: str) -> str:
    return f"/learn/{course_id}/images/{name}"


@dataclass
class Tree:
    """A writable copy of the fixture courses folder."""

    root: Path

    @property
    def course(self) -> Path:
        return self.root / "mini"

    def path(self, relative: str) -> Path:
        return self.course / relative

    def edit(self, relative: str, old: str, new: str, count: int = 1) -> None:
        path = self.path(relative)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture {relative} has no {old!r}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    def write(self, relative: str, text: str) -> None:
        self.path(relative).write_text(text, encoding="utf-8")

    def load(self) -> tuple[dict[str, Course], list[Problem]]:
        return load_courses(
            self.root,
            competency_ids=COMPETENCIES,
            url_for_lesson=url_for_lesson,
            url_for_image=url_for_image,
        )

    def problems(self) -> list[str]:
        """Problems as ``relative/path:line: message`` strings."""
        _, problems = self.load()
        return [str(p).replace(f"{self.root}/", "") for p in problems]


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    shutil.copytree(FIXTURES / "courses", tmp_path / "courses")
    return Tree(tmp_path / "courses")


def only(problems: list[str]) -> str:
    assert len(problems) == 1, "\n".join(problems)
    return problems[0]


# --------------------------------------------------------------------------------------------------
# The valid fixture
# --------------------------------------------------------------------------------------------------


def test_fixture_course_is_valid_and_fully_built(tree: Tree) -> None:
    courses, problems = tree.load()
    assert problems == []
    course = courses["mini"]
    assert course.title["en"] == "Mini course"
    assert [m.id for m in course.modules] == ["basics", "practice"]
    assert course.modules[1].prerequisites == ("basics",)
    assert [lesson.id for lesson in course.lessons] == ["a-one", "a-two", "b-one"]
    assert course.minutes == 6 + 8 + 10
    assert course.modules[0].minutes == 14

    lesson = course.lesson("a-two")
    assert lesson is not None
    assert lesson.module_id == "basics" and lesson.course_id == "mini"
    assert lesson.minutes == 8
    assert lesson.competencies == ("credit_assessment", "data_analysis")
    assert lesson.title("zh") == "第二课"
    assert lesson.text("en-US").title == "Lesson two"
    assert lesson.text("fr").lang == "zh"  # unknown languages fall back to Chinese
    en = lesson.text("en")
    assert len(en.takeaways) == 3
    assert en.check.question == "Which one is right?"
    assert en.check.correct_index == 0
    assert en.check.options[1].feedback == "No."
    assert en.source.endswith("lessons/a-two.en.md")
    assert "<h2>Worked example</h2>" in en.html


def test_links_and_images_are_resolved_through_the_callbacks(tree: Tree) -> None:
    courses, _ = tree.load()
    lesson = courses["mini"].lesson("b-one")
    assert lesson is not None
    html = lesson.text("zh").html
    assert '<a href="/learn/mini/a-one"' in html
    assert 'src="/learn/mini/images/chart.svg"' in html
    assert "lesson:" not in html


def test_navigation_helpers(tree: Tree) -> None:
    course = tree.load()[0]["mini"]
    before, after = course.neighbours("a-two")
    assert before is not None and before.id == "a-one"
    assert after is not None and after.id == "b-one"  # crosses the module boundary
    assert course.neighbours("a-one")[0] is None
    assert course.neighbours("b-one")[1] is None
    with pytest.raises(KeyError):
        course.neighbours("nope")
    assert course.module("practice") is not None and course.module("nope") is None


def test_domain_objects_are_immutable_and_hashable(tree: Tree) -> None:
    course = tree.load()[0]["mini"]
    lesson = course.lessons[0]
    with pytest.raises(AttributeError):
        lesson.minutes = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        course.title["en"] = "changed"  # type: ignore[index]
    assert len({lesson, *course.lessons}) == 3


# --------------------------------------------------------------------------------------------------
# One broken thing at a time
# --------------------------------------------------------------------------------------------------

Breaker = Callable[[Tree], None]


def _bad_yaml(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "title: Lesson one", "title: [Lesson one")


def _no_front_matter(t: Tree) -> None:
    t.write("lessons/a-one.en.md", "# Lesson one\n\n## Worked example\n\n1 + 1 = 2\n")


def _unterminated_front_matter(t: Tree) -> None:
    t.write("lessons/a-one.en.md", "---\nid: a-one\ntitle: Lesson one\n")


def _unknown_key(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "minutes: 6", "minutes: 6\nauthor: somebody")


def _missing_key(t: Tree) -> None:
    t.edit("lessons/a-one.zh.md", "title: 第一课\n", "")


def _missing_language(t: Tree) -> None:
    t.path("lessons/a-two.en.md").unlink()


def _listed_without_file(t: Tree) -> None:
    t.edit("course.yaml", "lessons: [a-one, a-two]", "lessons: [a-one, a-two, ghost]")


def _file_not_listed(t: Tree) -> None:
    shutil.copy(t.path("lessons/a-one.zh.md"), t.path("lessons/stray.zh.md"))


def _bad_file_name(t: Tree) -> None:
    shutil.copy(t.path("lessons/a-one.en.md"), t.path("lessons/a-one.fr.md"))


def _duplicate_lesson(t: Tree) -> None:
    t.edit("course.yaml", "      - b-one", "      - b-one\n      - a-one")


def _duplicate_module(t: Tree) -> None:
    t.edit("course.yaml", "id: practice", "id: basics")


def _id_not_file_name(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "id: a-one", "id: a-1")


def _minutes_low(t: Tree) -> None:
    for lang in ("zh", "en"):
        t.edit(f"lessons/a-one.{lang}.md", "minutes: 6", "minutes: 4")


def _minutes_high(t: Tree) -> None:
    for lang in ("zh", "en"):
        t.edit(f"lessons/a-one.{lang}.md", "minutes: 6", "minutes: 13")


def _minutes_text(t: Tree) -> None:
    for lang in ("zh", "en"):
        t.edit(f"lessons/a-one.{lang}.md", "minutes: 6", "minutes: six")


def _unknown_competency(t: Tree) -> None:
    for lang in ("zh", "en"):
        t.edit(f"lessons/a-one.{lang}.md", "[credit_assessment]", "[credit_assessment, mind_reading]")


def _no_correct_option(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "      correct: true\n", "")


def _two_correct_options(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "feedback: No.", "correct: true\n      feedback: No.")


def _one_option(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "    - text: A wrong one\n      feedback: No.\n", "")


def _option_without_feedback(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "      feedback: No.\n", "")


def _two_takeaways(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "  - Lesson one point three\n", "")


def _no_worked_example(t: Tree) -> None:
    t.edit("lessons/a-one.zh.md", "## 算例", "## 例子")


def _broken_link(t: Tree) -> None:
    t.edit("lessons/b-one.en.md", "lesson:a-one", "lesson:a-three")


def _missing_image(t: Tree) -> None:
    t.edit("lessons/b-one.en.md", "images/chart.svg", "images/pie.svg")


def _remote_image(t: Tree) -> None:
    t.edit("lessons/b-one.en.md", "images/chart.svg", "https://cdn.example.com/chart.svg")


def _image_escaping_folder(t: Tree) -> None:
    t.edit("lessons/b-one.en.md", "images/chart.svg", "images/../course.yaml")


def _unknown_prerequisite(t: Tree) -> None:
    t.edit("course.yaml", "prerequisites: [basics]", "prerequisites: [basic]")


def _prerequisite_cycle(t: Tree) -> None:
    t.edit("course.yaml", "prerequisites: []", "prerequisites: [practice]")


def _self_prerequisite(t: Tree) -> None:
    t.edit("course.yaml", "prerequisites: []", "prerequisites: [basics]")


def _minutes_disagree(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "minutes: 6", "minutes: 7")


def _competencies_disagree(t: Tree) -> None:
    t.edit("lessons/a-one.en.md", "[credit_assessment]", "[data_analysis]")


def _unknown_course_key(t: Tree) -> None:
    t.edit("course.yaml", "id: mini", "id: mini\nversion: 2")


def _unknown_module_key(t: Tree) -> None:
    t.edit("course.yaml", "    summary: {zh: 一节实战课。", "    color: red\n    summary: {zh: 一节实战课。")


def _missing_module_key(t: Tree) -> None:
    t.edit("course.yaml", "    summary: {zh: 两节基础课。, en: Two basic lessons.}\n", "")


def _course_id_not_folder(t: Tree) -> None:
    t.edit("course.yaml", "id: mini", "id: maxi")


def _module_title_one_language(t: Tree) -> None:
    t.edit("course.yaml", "{zh: 实战, en: Practice}", "{zh: 实战}")


def _unreadable_manifest(t: Tree) -> None:
    t.edit("course.yaml", "modules:", "modules: [")


def _svg_with_script(t: Tree) -> None:
    t.write(
        "images/chart.svg",
        '<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script>\n</svg>\n',
    )


def _svg_with_handler_and_remote(t: Tree) -> None:
    t.write(
        "images/chart.svg",
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        '<rect onload="x()" width="1" height="1"/>\n'
        '<image xlink:href="https://example.com/a.png"/>\n</svg>\n',
    )


def _svg_malformed(t: Tree) -> None:
    t.write("images/chart.svg", "<svg><rect></svg>")


CASES: list[tuple[str, Breaker, list[tuple[str, str]]]] = [
    # (id, breaker, [(location "path:line", message fragment), ...]) — exactly these problems.
    # YAML notices the unclosed flow list on the next line, where it expected "," or "]".
    ("bad-yaml", _bad_yaml, [("lessons/a-one.en.md:4", "unreadable YAML")]),
    ("no-front-matter", _no_front_matter, [("lessons/a-one.en.md:1", "missing front matter")]),
    ("unterminated", _unterminated_front_matter, [("lessons/a-one.en.md:1", "unterminated front matter")]),
    ("unknown-key", _unknown_key, [("lessons/a-one.en.md:5", "unknown key 'author'")]),
    ("missing-key", _missing_key, [("lessons/a-one.zh.md:2", "missing key 'title'")]),
    ("missing-language", _missing_language, [("course.yaml:10", "lesson 'a-two' has no English version")]),
    ("listed-no-file", _listed_without_file, [("course.yaml:10", "lesson 'ghost' is listed but has no file")]),
    ("not-listed", _file_not_listed, [("lessons/stray.zh.md:1", "lesson 'stray' is not listed in any module")]),
    ("bad-file-name", _bad_file_name, [("lessons/a-one.fr.md:1", "unexpected file in lessons/")]),
    ("duplicate-lesson", _duplicate_lesson, [("course.yaml:17", "duplicate lesson id 'a-one' (already listed on line 10)")]),
    ("duplicate-module", _duplicate_module, [("course.yaml:11", "duplicate module id 'basics'")]),
    ("id-not-file-name", _id_not_file_name, [("lessons/a-one.en.md:2", "id 'a-1' does not match the file name 'a-one.en.md'")]),
    (
        "minutes-low",
        _minutes_low,
        [("lessons/a-one.en.md:4", "minutes: 4 is outside 5..12"), ("lessons/a-one.zh.md:4", "minutes: 4 is outside 5..12")],
    ),
    (
        "minutes-high",
        _minutes_high,
        [("lessons/a-one.en.md:4", "minutes: 13 is outside"), ("lessons/a-one.zh.md:4", "minutes: 13 is outside")],
    ),
    (
        "minutes-text",
        _minutes_text,
        [("lessons/a-one.en.md:4", "expected a whole number"), ("lessons/a-one.zh.md:4", "expected a whole number")],
    ),
    (
        "unknown-competency",
        _unknown_competency,
        [
            ("lessons/a-one.en.md:5", "unknown competency 'mind_reading'"),
            ("lessons/a-one.zh.md:5", "unknown competency 'mind_reading'"),
        ],
    ),
    ("no-correct", _no_correct_option, [("lessons/a-one.en.md:12", "exactly one option must be correct, found 0")]),
    ("two-correct", _two_correct_options, [("lessons/a-one.en.md:12", "exactly one option must be correct, found 2")]),
    ("one-option", _one_option, [("lessons/a-one.en.md:12", "expected 2 to 5 options")]),
    ("option-no-feedback", _option_without_feedback, [("lessons/a-one.en.md:16", "check option 2: missing key 'feedback'")]),
    ("two-takeaways", _two_takeaways, [("lessons/a-one.en.md:6", "takeaways: 2 items, expected 3 to 5")]),
    ("no-worked-example", _no_worked_example, [("lessons/a-one.zh.md:19", "no '## 算例' section")]),
    ("broken-link", _broken_link, [("lessons/b-one.en.md:25", "broken link: no lesson with id 'a-three'")]),
    ("missing-image", _missing_image, [("lessons/b-one.en.md:27", "image not found")]),
    ("remote-image", _remote_image, [("lessons/b-one.en.md:27", "use a file in this course's images/ folder")]),
    ("image-escape", _image_escaping_folder, [("lessons/b-one.en.md:27", "use a file in this course's images/ folder")]),
    ("unknown-prerequisite", _unknown_prerequisite, [("course.yaml:11", "prerequisite 'basic' names no module")]),
    ("prerequisite-cycle", _prerequisite_cycle, [("course.yaml:6", "cycle: basics -> practice -> basics")]),
    ("self-prerequisite", _self_prerequisite, [("course.yaml:6", "cycle: basics -> basics")]),
    ("minutes-disagree", _minutes_disagree, [("lessons/a-one.en.md:4", "minutes (7) differ from the zh version (6)")]),
    (
        "competencies-disagree",
        _competencies_disagree,
        [("lessons/a-one.en.md:5", "competencies (data_analysis) differ from the zh version (credit_assessment)")],
    ),
    ("unknown-course-key", _unknown_course_key, [("course.yaml:3", "course: unknown key 'version'")]),
    ("unknown-module-key", _unknown_module_key, [("course.yaml:13", "module 2: unknown key 'color'")]),
    ("missing-module-key", _missing_module_key, [("course.yaml:6", "module 1: missing key 'summary'")]),
    ("course-id-not-folder", _course_id_not_folder, [("course.yaml:2", "course id 'maxi' does not match its folder 'mini'")]),
    ("title-one-language", _module_title_one_language, [("course.yaml:12", "module 'practice' title: missing en text")]),
    ("unreadable-manifest", _unreadable_manifest, [("course.yaml:", "unreadable YAML")]),
    ("svg-script", _svg_with_script, [("images/chart.svg:2", "must not contain <script>")]),
    (
        "svg-handler-remote",
        _svg_with_handler_and_remote,
        [("images/chart.svg:2", "event handler 'onload'"), ("images/chart.svg:3", "must not reference outside itself")],
    ),
    ("svg-malformed", _svg_malformed, [("images/chart.svg:1", "not a well-formed SVG")]),
]  # fmt: skip


@pytest.mark.parametrize(("breaker", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_each_error_is_reported_where_it_is(
    tree: Tree, breaker: Breaker, expected: list[tuple[str, str]]
) -> None:
    breaker(tree)
    problems = tree.problems()
    assert len(problems) == len(expected), "\n".join(problems)
    for (location, fragment), problem in zip(sorted(expected), problems, strict=True):
        assert problem.startswith(f"mini/{location}"), problem
        assert fragment in problem, problem


def test_every_problem_is_collected_not_just_the_first(tree: Tree) -> None:
    _unknown_key(tree)
    _missing_language(tree)
    _broken_link(tree)
    _prerequisite_cycle(tree)
    problems = tree.problems()
    assert len(problems) == 4, "\n".join(problems)
    error = ContentError(tree.load()[1])
    assert str(error).count("\n") == 3
    assert all(":" in line for line in str(error).splitlines())


def test_an_invalid_lesson_is_left_out_but_the_rest_is_built(tree: Tree) -> None:
    _no_correct_option(tree)
    courses, problems = tree.load()
    assert len(problems) == 1
    assert [lesson.id for lesson in courses["mini"].lessons] == ["a-two", "b-one"]


def test_lesson_ids_are_unique_across_courses_and_links_cross_courses(tree: Tree) -> None:
    other = tree.root / "other"
    shutil.copytree(tree.course, other)
    (other / "course.yaml").write_text(
        (other / "course.yaml").read_text(encoding="utf-8").replace("id: mini", "id: other"), encoding="utf-8"
    )
    problems = tree.problems()
    assert len(problems) == 3, "\n".join(problems)
    assert all(p.startswith("other/course.yaml:") and "also used by course 'mini'" in p for p in problems)


def test_folder_without_manifest_is_reported(tree: Tree) -> None:
    (tree.root / "draft").mkdir()
    assert tree.problems() == ["draft:1: course folder without a course.yaml manifest"]


def test_missing_courses_folder(tmp_path: Path) -> None:
    courses, problems = load_courses(
        tmp_path / "nowhere",
        competency_ids=COMPETENCIES,
        url_for_lesson=url_for_lesson,
        url_for_image=url_for_image,
    )
    assert courses == {}
    assert [p.message for p in problems] == ["courses folder not found"]


# --------------------------------------------------------------------------------------------------
# Competencies
# --------------------------------------------------------------------------------------------------


def test_load_competencies_fixture() -> None:
    competencies, problems = load_competencies(FIXTURES / "competencies.yaml")
    assert problems == []
    assert set(competencies) == COMPETENCIES
    assert competencies["data_analysis"].title["zh"] == "数据分析"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("dimensions:\n  - id: a\n    title: {zh: 甲, en: A}\n  - id: a\n    title: {zh: 乙, en: B}\n", 4, "duplicate competency id 'a'"),
        ("dimensions:\n  - id: a\n    title: {zh: 甲}\n", 3, "missing en text"),
        ("dimensions:\n  - id: a\n    title: {zh: 甲, en: A}\n    colour: red\n", 4, "unknown key 'colour'"),
        ("dimensions: []\n", 1, "expected a non-empty list"),
        ("levels: 5\n", 1, "missing key 'dimensions'"),
        ("", 1, "empty file"),
    ],
)  # fmt: skip
def test_load_competencies_errors(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = tmp_path / "competencies.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = load_competencies(path)
    assert problems, "expected a problem"
    assert problems[0].line == line and fragment in problems[0].message, problems
