"""The password policy: long enough, not a repeated character, not a common password.

The common passwords ship with the code (``common_passwords.txt``, from the zxcvbn package's
frequency list), so the check needs no network and no extra dependency. A password is also refused
when it is a common one with digits or symbols put around it (``password12``, ``!summer2024``).
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from trainer.accounts.models import User

MIN_PASSWORD_LENGTH = 10
MIN_DISTINCT_CHARACTERS = 5
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
DECORATION = string.digits + string.punctuation + string.whitespace


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case (read once per process)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """A listed password, or one with only digits and symbols added before or after it."""
    lowered = password.lower()
    variants = {lowered, lowered.strip(DECORATION), lowered.rstrip(DECORATION), lowered.lstrip(DECORATION)}
    listed = common_passwords()
    return any(variant in listed for variant in variants if variant)


def password_problem(password: str, user: User | None = None) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return str(_l("Use both letters and digits."))
    if len(set(password.lower())) < MIN_DISTINCT_CHARACTERS:
        return str(
            _l("Use at least %(n)d different characters; repeating one is easy to guess.", n=MIN_DISTINCT_CHARACTERS)
        )
    if is_common(password):
        return str(
            _l(
                "This is one of the most common passwords (or one with digits added), which attackers try "
                "first. Choose something less predictable, for example three unrelated words and a number."
            )
        )
    if user is not None and password.lower() == user.email.lower():
        return str(_l("The password must not be your email address."))
    if user is not None and user.password_hash and user.check_password(password):
        return str(_l("Choose a password different from the current one."))
    return None
