"""Certificate codes (what is printed and typed back) and certificate lookups; issuing is in ``recording``."""

from __future__ import annotations

import base64
import random
import re
import secrets

from sqlalchemy import select

from trainer.extensions import db
from trainer.learn.models import Certificate

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
