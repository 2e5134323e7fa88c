"""The SCORM manifest builder on a small plan: valid against the vendored XSDs in both versions,
the pass mark where each version keeps it, lessons out of the satisfaction rollup, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.scorm_support import local, manifest_schema
from trainer.scorm.manifest import SCHEMA_FOLDERS, VERSIONS, ModulePlan, PackagePlan, Sco, build_manifest

SCHEMAS = Path(__file__).resolve().parents[2] / "trainer" / "scorm" / "schemas"


def plan(version: str) -> PackagePlan:
    lessons = (Sco("m1-a", "lesson", "A & B <first>", "content/m1-a.html"),
               Sco("m1-b", "lesson", "应收账款", "content/m1-b.html"))
    quiz = Sco("m1-quiz", "quiz", "Quiz", "content/m1-quiz.html", pass_mark=75)
    return PackagePlan("demo", "Demo \"course\"", version, "en", (ModulePlan("m1", "Module 1", (*lessons, quiz)),),
                       ("content/css/site.css", "content/js/scorm-api.js"))


@pytest.mark.parametrize("version", VERSIONS)
def test_a_small_manifest_is_valid_and_keeps_its_texts(version):
    xml = build_manifest(plan(version))
    schema = manifest_schema(SCHEMAS / SCHEMA_FOLDERS[version], version)
    schema.validate(xml.decode())
    root = ET.fromstring(xml)
    titles = [el.text for el in root.iter() if local(el.tag) == "title"]
    assert titles == ['Demo "course"', "Module 1", "A & B <first>", "应收账款", "Quiz"]
    shared = next(el for el in root.iter() if el.get("identifier") == "RES-shared")
    assert [f.get("href") for f in shared] == ["content/css/site.css", "content/js/scorm-api.js"]


def test_scorm12_keeps_the_pass_mark_as_mastery_score():
    root = ET.fromstring(build_manifest(plan("1.2")))
    assert [el.text for el in root.iter() if local(el.tag) == "schemaversion"] == ["1.2"]
    quiz = next(el for el in root.iter() if el.get("identifier") == "ITEM-m1-quiz")
    assert [(local(el.tag), el.text) for el in quiz if local(el.tag) != "title"] == [("masteryscore", "75")]
    assert not [el for el in root.iter() if local(el.tag) == "sequencing"]


def test_scorm2004_quiz_is_satisfied_by_its_score_and_lessons_only_count_for_completion():
    root = ET.fromstring(build_manifest(plan("2004")))
    quiz = next(el for el in root.iter() if el.get("identifier") == "ITEM-m1-quiz")
    primary = next(el for el in quiz.iter() if local(el.tag) == "primaryObjective")
    assert primary.get("satisfiedByMeasure") == "true"
    assert [el.text for el in primary] == ["0.75"]
    lesson = next(el for el in root.iter() if el.get("identifier") == "ITEM-m1-a")
    rollup = next(el for el in lesson.iter() if local(el.tag) == "rollupRules")
    assert rollup.get("rollupObjectiveSatisfied") == "false"
    modes = [el for el in root.iter() if local(el.tag) == "controlMode"]
    assert len(modes) == 2 and all(m.get("choice") == m.get("flow") == "true" for m in modes)


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="unknown SCORM version '3'"):
        build_manifest(PackagePlan("demo", "Demo", "3", "en", (), ()))
