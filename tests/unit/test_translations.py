"""Every UI string is in the Chinese catalogue: re-extract from the code and templates and compare."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_ui_string_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        extracted = [m for m in read_po(handle) if m.id]
    wanted = {m.id for m in extracted}
    # babel.cfg must reach every template folder: each template that translates something is extracted
    seen = {Path(path).as_posix() for m in extracted for path, _line in m.locations}
    translating = [p.relative_to(ROOT).as_posix() for p in ROOT.glob("**/templates/**/*.html")
                   if ".venv" not in p.parts and "_(" in p.read_text(encoding="utf-8")]
    assert translating and not [p for p in translating if p not in seen], "babel.cfg misses templates"
    with (ROOT / "trainer/translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, "untranslated UI strings (run scripts/i18n.py extract, then fill):\n" + "\n".join(missing)


def test_placeholders_survive_translation():
    with (ROOT / "trainer/translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    import re

    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", ids[0]))
        assert sorted(re.findall(r"%\(\w+\)[sd]", strings[0])) == wanted, message.id
