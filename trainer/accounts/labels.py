"""The names of roles and languages in the reader's language: one home for the admin forms, the
import results and the audit log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {"trainee": _l("Trainee"), "manager": _l("Manager"), "admin": _l("Admin")}
LANGUAGE_LABELS = {"zh_CN": "中文", "en": "English"}
