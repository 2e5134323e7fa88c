"""Keep the message catalogues in step with the code.

    python scripts/i18n.py extract            # refresh messages.pot and merge it into every .po
    python scripts/i18n.py fill FILE.json     # add zh_CN translations from a {msgid: text} file
    python scripts/i18n.py missing            # list msgids with no zh_CN translation (exit 1 if any)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "trainer" / "translations"
POT = TRANSLATIONS / "messages.pot"
ZH = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
BIN = Path(sys.executable).parent


def extract() -> None:
    subprocess.run(
        [str(BIN / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "--no-location", "--sort-output", "-o", str(POT), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    subprocess.run(
        [str(BIN / "pybabel"), "update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
         "--ignore-obsolete"],
        cwd=ROOT, check=True, capture_output=True,
    )


def missing() -> list[str]:
    with ZH.open("rb") as handle:
        catalog = read_po(handle)
    # a plural message is missing while its (only, for zh) form is empty; it is listed by its singular
    return [
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and (not (all(m.string) if isinstance(m.string, tuple) else m.string) or m.fuzzy)
    ]  # type: ignore[misc]


def fill(path: Path) -> None:
    mapping = json.loads(path.read_text(encoding="utf-8"))
    with ZH.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in mapping:
            # Chinese has one plural form: the JSON gives it under the singular msgid
            message.string = (mapping[key],) if isinstance(message.id, tuple) else mapping[key]
            message.flags.discard("fuzzy")
    with ZH.open("wb") as handle:
        write_po(handle, catalog, no_location=True, sort_output=True, width=100)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "extract":
        extract()
    elif command == "fill" and len(sys.argv) == 3:
        fill(Path(sys.argv[2]))
    elif command == "missing":
        ids = missing()
        print("\n".join(ids))
        sys.exit(1 if ids else 0)
    else:
        print(__doc__)
        sys.exit(2)
