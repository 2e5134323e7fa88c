"""Certificate codes (what is printed and typed back) and certificate lookups; issuing is in ``recording``."""

from __future__ import annotations

import base64
import random
import re
import secrets
from collections.abc import Mapping

import segno
from sqlalchemy import select

from trainer.extensions import db
from trainer.learn.models import Certificate
from trainer.learn.services.lookups import courses

CODE_BYTES = 10  # 80 random bits -> 16 base32 characters
CODE_LENGTH = 16
_CODE_RE = re.compile(r"^[A-Z2-7]{16}$")
_LOOKALIKES = str.maketrans({"0": "O", "1": "I"})  # base32 has no 0 or 1: read them as O and I


def new_code(rng: random.Random | None = None) -> str:
    """16 base32 characters (80 random bits). Pass ``rng`` only for deterministic demo data."""
    raw = rng.randbytes(CODE_BYTES) if rng is not None else secrets.token_bytes(CODE_BYTES)
    return base64.b32encode(raw).decode("ascii")


def normalize_code(raw: str | None) -> str | None:
    """Accept codes as printed (groups, spaces, lower case, 0/1 for O/I); None if it cannot be a code."""
    if not raw:
        return None
    code = re.sub(r"[\s\-]", "", raw).upper().translate(_LOOKALIKES)
    return code if _CODE_RE.match(code) else None


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def certificate_of(user_id: int, course_id: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.course_id == course_id)
    )


def get_certificate(certificate_id: int) -> Certificate | None:
    return db.session.get(Certificate, certificate_id)


def find_certificate(raw_code: str | None) -> Certificate | None:
    code = normalize_code(raw_code)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


# --------------------------------------------------------------------------------------------------


def course_titles(certificate: Certificate) -> Mapping[str, str]:
    """The course's title in both languages ('zh', 'en'), from the catalogue; the title copied at
    issue time stands in for a course that has since left it."""
    course = courses().get(certificate.course_id)
    if course is None:
        return {"zh": certificate.course_title, "en": certificate.course_title}
    return {"zh": course.title.get("zh") or certificate.course_title, "en": course.title.get("en") or certificate.course_title}


def verification_qr_svg(url: str, title: str) -> str:
    """An inline SVG QR code of the verification address, drawn here (no outside service); it
    scales with its box (no fixed size) and ``title`` is its accessible name."""
    code = segno.make(url, error="m")
    return str(code.svg_inline(scale=1, border=2, dark="#1d2a30", omitsize=True, title=title, svgclass="cert-qr-code"))
