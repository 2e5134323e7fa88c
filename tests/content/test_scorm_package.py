"""The SCORM packages of the real course: manifests valid against the XSDs they carry, every file
named and present, one SCO per lesson and module quiz in the course's order, pages in the chosen
language with only local assets, quiz data that marks as the site's grading does."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest
from markupsafe import escape

from tests.scorm_support import COURSE, build, local, manifest_schema, manifest_tree, unpack
from trainer.content.markdown import render_text_markdown
from trainer.quiz.bank.short_match import best_match
from trainer.quiz.grading import grade
from trainer.quiz.instances import draw_instance
from trainer.scorm.labels import LABELS
from trainer.scorm.manifest import VERSIONS
from trainer.scorm.package import write_zip
from trainer.scorm.quizdata import PLAYABLE, render_text

CASES = [(version, lang) for version in VERSIONS for lang in ("zh", "en")]


@pytest.fixture(scope="module")
def packages(content_registry):
    return {case: build(content_registry, *case) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[f"{v}-{lang}" for v, lang in CASES])
def test_manifest_is_valid_against_the_xsds_in_the_package(packages, tmp_path, case):
    version = case[0]
    package = packages[case]
    folder = unpack(package.files, tmp_path)
    schema = manifest_schema(folder, version)
    schema.validate(str(folder / "imsmanifest.xml"))
    text = package.files["imsmanifest.xml"].decode()
    # the check can fail: an item without its identifier, a resource of an unknown SCORM type
    assert not schema.is_valid(text.replace('<item identifier="ITEM-', '<item name="ITEM-', 1))
    scorm_type = "scormtype" if version == "1.2" else "scormType"
    assert not schema.is_valid(text.replace(f'adlcp:{scorm_type}="sco"', f'adlcp:{scorm_type}="page"', 1))
    expected_xsds = {"1.2": "imscp_rootv1p1p2.xsd", "2004": "imsss_v1p0.xsd"}[version]
    assert expected_xsds in package.files


@pytest.mark.parametrize("case", CASES, ids=[f"{v}-{lang}" for v, lang in CASES])
def test_every_file_in_the_manifest_is_in_the_package_and_ids_are_unique(packages, case):
    package = packages[case]
    root = manifest_tree(package.files)
    named = {el.get("href") for el in root.iter() if local(el.tag) == "file"}
    assert named and all(path in package.files for path in named)
    unnamed = {p for p in package.files if p not in named and p != "imsmanifest.xml" and not p.endswith((".xsd", ".dtd"))}
    assert not unnamed, f"files the manifest does not name: {sorted(unnamed)[:5]}"
    identifiers = [el.get("identifier") for el in root.iter() if el.get("identifier")]
    assert len(identifiers) == len(set(identifiers))
    references = {el.get("identifierref") for el in root.iter() if el.get("identifierref")}
    assert references <= set(identifiers)
    for resource in (el for el in root.iter() if local(el.tag) == "resource" and el.get("href")):
        assert resource.get("href") in package.files


@pytest.mark.parametrize("version", VERSIONS)
def test_one_sco_per_lesson_and_module_quiz_in_the_course_order(packages, content_registry, version):
    package = packages[(version, "zh")]
    course = content_registry.courses[COURSE]
    expected = [key for m in course.modules for key in [*m.lesson_ids, f"{m.id}-quiz"]]
    root = manifest_tree(package.files)
    organization = next(el for el in root.iter() if local(el.tag) == "organization")
    modules = [el for el in organization if local(el.tag) == "item"]
    assert [m.get("identifier") for m in modules] == [f"MODULE-{m.id}" for m in course.modules]
    items = [el.get("identifierref") for m in modules for el in m if local(el.tag) == "item"]
    assert items == [f"RES-{key}" for key in expected]
    if version == "1.2":
        assert [el.text for el in root.iter() if local(el.tag) == "masteryscore"] == ["70"] * 5
    else:
        measures = [el.text for el in root.iter() if local(el.tag) == "minNormalizedMeasure"]
        assert measures == ["0.70"] * 5
        lessons_out_of_rollup = [el for el in root.iter() if local(el.tag) == "rollupRules"]
        assert len(lessons_out_of_rollup) == len(course.lessons)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_are_in_the_chosen_language_and_load_only_from_the_package(packages, content_registry, lang):
    package = packages[("2004", lang)]
    other = "en" if lang == "zh" else "zh"
    for lesson in content_registry.courses[COURSE].lessons:
        page = package.files[f"content/{lesson.id}.html"].decode()
        assert f"<h1>{str(escape(lesson.text(lang).title))}</h1>" in page
        assert str(escape(lesson.text(other).title)) not in page
        assert 'data-scorm-version="2004"' in page
    for path, data in package.files.items():
        if not path.endswith(".html"):
            continue
        page = data.decode()
        assert "/learn/" not in page, path  # site URLs rewritten to the package's pages
        for ref in re.findall(r'(?:src|href)="([^"#]+)"', page):
            if ref.startswith(("http://", "https://", "mailto:")):
                assert not re.search(rf'(?:src|<link[^>]*href)="{re.escape(ref)}"', page), f"remote asset {ref}"
                continue
            target = str(Path(path).parent / ref)
            assert target in package.files, f"{path} refers to {ref}, not in the package"


def test_quiz_data_marks_as_the_site_grading_does(packages, content_registry):
    package = packages[("1.2", "en")]
    by_id = {q.id: q for q in content_registry.banks}
    assert len(package.quizzes) == 5
    for data in package.quizzes:
        assert data.count == 10 and len(data.questions) >= 10
        assert set(data.left_out) <= {"document"}  # every other type of the banks runs in the page
        for item in data.questions:
            question = by_id[item["id"]]
            assert item["type"] in PLAYABLE and question.module == data.quiz_id.removesuffix("-quiz")
            assert not question.retired and "en" in question.languages
            if item["type"] == "multi":
                assert sum(o["credit"] for o in item["options"] if o["credit"] > 0) == pytest.approx(1.0)
            if item["type"] in ("numeric", "calculated"):
                instance = draw_instance(question, random.Random(question.id))
                assert grade(question, instance, repr(item["answers"][0]["value"])).fraction == pytest.approx(1.0)
                assert "{" not in item["text"]  # every placeholder filled
            if item["type"] == "short":
                full = next(a for a in item["accepted"] if a["credit"] == 1)
                assert best_match(question, full["texts"][0]).credit == 100
                assert item["shown"] and all(t for a in item["accepted"] for t in a["texts"])
    drawn = {item["type"] for data in package.quizzes for item in data.questions}
    assert drawn == set(PLAYABLE)
    live_en = [q for q in content_registry.banks if not q.retired and "en" in q.languages]
    runnable = [q for q in live_en if q.type != "document"]
    assert sum(len(data.questions) for data in package.quizzes) == len(runnable)
    assert sum(sum(data.left_out.values()) for data in package.quizzes) == len(live_en) - len(runnable)


def test_the_same_package_twice_is_the_same_file(content_registry, tmp_path):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    write_zip(build(content_registry, "1.2", "zh").files, first)
    write_zip(build(content_registry, "1.2", "zh").files, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist()[0] == "imsmanifest.xml"
        assert archive.testzip() is None


def test_labels_exist_in_both_languages_with_the_same_placeholders():
    for key, texts in LABELS.items():
        assert set(texts) == {"zh", "en"} and all(texts.values()), key
        assert sorted(re.findall(r"\{\w+\}", texts["zh"])) == sorted(re.findall(r"\{\w+\}", texts["en"])), key


def test_plain_question_texts_skip_the_markdown_parser_with_the_same_result(content_registry):
    texts = sorted({text for q in content_registry.banks for texts in q.all_texts() for text in texts.values() if text})
    sample = texts[::7]
    assert len(sample) > 300
    assert sum(1 for text in sample if render_text(text) is text) > len(sample) // 2  # the fast path is taken
    for text in sample:
        assert render_text(text) == render_text_markdown(text), text
    for tricky in ("1. first", "- item", "A *b* c", "x & y", "a  ", "__init__", "a\u00a0b", "> quote", "#1 rule"):
        assert render_text(tricky) == render_text_markdown(tricky)
