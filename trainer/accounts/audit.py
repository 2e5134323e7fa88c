"""The audit trail of admin actions. Callers add the entry in the same transaction as the change."""

from __future__ import annotations

import json
from typing import Any

from trainer.accounts.models import AuditLog, User
from trainer.extensions import db


def record(actor: User | None, action: str, target: str = "", **detail: Any) -> AuditLog:
    entry = AuditLog(
        actor_id=actor.id if actor else None,
        action=action,
        target=target[:200],
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else "",
    )
    db.session.add(entry)
    return entry
