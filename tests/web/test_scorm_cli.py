"""``flask course export-scorm``: a package written on good arguments; on a bad one, a single line
saying what is wrong, exit status 2 and no file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.scorm_support import local, manifest_tree


def export(runner, *args: str):
    return runner.invoke(args=["course", "export-scorm", *args])


def test_export_writes_a_package_and_says_what_it_holds(runner, tmp_path):
    output = tmp_path / "ar-2004-en.zip"
    result = export(runner, "ar-essentials", "--version", "2004", "--lang", "en", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert "26 lessons, 5 module quizzes (266 questions; left out, not runnable in a static page: 16 document)" in (
        result.output)
    with zipfile.ZipFile(output) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    root = manifest_tree(files)
    assert [el.text for el in root.iter() if local(el.tag) == "schemaversion"] == ["2004 4th Edition"]
    scos = [el for el in root.iter() if local(el.tag) == "resource" and "sco" in el.attrib.values()]
    assert len(scos) == 31
    assert 'lang="en"' in files["content/m1-lifecycle.html"].decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-course", "--version", "1.2", "--lang", "zh"], "unknown course 'no-such-course' (one of: ar-essentials)"),
        (["ar-essentials", "--version", "3", "--lang", "zh"], "unknown SCORM version '3' (one of: 1.2, 2004)"),
        (["ar-essentials", "--version", "2004", "--lang", "fr"], "unknown language 'fr' (one of: zh, en)"),
        (["ar-essentials", "--version", "", "--lang", "zh"], "unknown SCORM version ''"),
    ],
)
def test_bad_course_version_or_language_is_one_clear_line(runner, tmp_path, args, message):
    output = tmp_path / "out.zip"
    result = export(runner, *args, "--output", str(output))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert result.output.startswith("error: ") and message in result.output
    assert not output.exists()


@pytest.mark.parametrize(
    ("make_output", "message"),
    [
        (lambda tmp: tmp / "missing-folder" / "out.zip", "folder"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: tmp / "a-file.txt" / "out.zip", "does not exist"),
        (lambda tmp: tmp / "package.tar", "must end in .zip"),
    ],
    ids=["missing-folder", "a-folder", "under-a-file", "not-zip"],
)
def test_an_output_path_that_cannot_be_written_is_one_clear_line(runner, tmp_path, make_output, message):
    work = tmp_path / "exports"
    work.mkdir()
    (work / "a-file.txt").write_text("x")
    output: Path = make_output(work)
    result = export(runner, "ar-essentials", "--version", "1.2", "--lang", "zh", "--output", str(output))
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("error: ") and message in result.output
    assert sorted(p.name for p in work.iterdir()) == ["a-file.txt"]


def test_missing_arguments_are_refused(runner, tmp_path):
    result = export(runner, "ar-essentials", "--lang", "zh", "--output", str(tmp_path / "x.zip"))
    assert result.exit_code == 2 and "--version" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_a_failed_write_leaves_no_half_package(runner, tmp_path, monkeypatch):
    output = tmp_path / "exports.zip"

    def refuse(files, target):
        target.write_bytes(b"PK partial")
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("trainer.scorm.cli.write_zip", refuse)
    result = export(runner, "ar-essentials", "--version", "1.2", "--lang", "en", "--output", str(output))
    assert result.exit_code == 2
    assert result.output == f"error: cannot write {output}: Permission denied\n"
    assert not output.exists()
