"""Registering a platform: every field checked (URLs, ids, duplicates) with a message per field."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from trainer.accounts import audit
from trainer.accounts.models import User
from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.lti import rules
from trainer.lti.models import LtiContext, LtiPlatform
from trainer.lti.services import keys

ISSUER_MAX = 240  # identity links store "lti:" + the issuer in 255 characters
URL_FIELDS = ("auth_login_url", "token_url", "keyset_url")


@dataclass(frozen=True)
class PlatformInput:
    label: str
    issuer: str
    client_id: str
    auth_login_url: str
    token_url: str
    keyset_url: str
    deployment_ids: str
    trust_admins: bool = False
    link_by_email: bool = False


class PlatformInvalid(Exception):
    def __init__(self, problems: dict[str, str]):
        super().__init__(", ".join(problems))
        self.problems = problems


def _url_message(problem: str) -> str:
    if problem == "https":
        return str(_l("Use an https:// address (plain http is accepted only for a platform on this machine)."))
    return str(_l("Enter a full web address such as https://lms.example.com/mod/lti/auth.php, without spaces."))


def problems_of(data: PlatformInput, platform_id: int | None = None) -> dict[str, str]:
    """Field name -> what is wrong with it (empty when the registration can be saved)."""
    problems: dict[str, str] = {}
    if not data.label.strip() or len(data.label.strip()) > 120:
        problems["label"] = str(_l("Give the platform a name of 1 to 120 characters."))
    issuer_problem = rules.url_problem(data.issuer)
    if issuer_problem or len(data.issuer.strip()) > ISSUER_MAX:
        problems["issuer"] = _url_message(issuer_problem or "shape")
    client_id = data.client_id.strip()
    if not client_id or len(client_id) > 255 or any(ch.isspace() or ord(ch) < 32 for ch in client_id):
        problems["client_id"] = str(_l("Enter the client ID the platform gave this tool (no spaces, at most 255 characters)."))
    for name in URL_FIELDS:
        problem = rules.url_problem(getattr(data, name))
        if problem:
            problems[name] = _url_message(problem)
    ids, bad = rules.parse_deployment_ids(data.deployment_ids)
    if bad:
        problems["deployment_ids"] = str(_l("These deployment IDs are too long or contain control characters: %(ids)s", ids=", ".join(bad)))
    elif not ids:
        problems["deployment_ids"] = str(_l("Enter at least one deployment ID (the platform shows it after you add the tool)."))
    if "issuer" not in problems and "client_id" not in problems:
        query = select(LtiPlatform.id).where(
            LtiPlatform.issuer == data.issuer.strip(), LtiPlatform.client_id == client_id
        )
        if platform_id is not None:
            query = query.where(LtiPlatform.id != platform_id)
        if db.session.scalar(query) is not None:
            problems["client_id"] = str(_l("A platform with this issuer and client ID is already registered."))
    return problems


def save(actor: User, data: PlatformInput, platform_id: int | None = None) -> LtiPlatform:
    """Create or update a registration; raises PlatformInvalid. Committed."""
    problems = problems_of(data, platform_id)
    if problems:
        raise PlatformInvalid(problems)
    platform = db.session.get(LtiPlatform, platform_id) if platform_id is not None else LtiPlatform()
    if platform is None:
        raise PlatformInvalid({"label": str(_l("This platform no longer exists."))})
    platform.label = data.label.strip()
    platform.issuer = data.issuer.strip()
    platform.client_id = data.client_id.strip()
    for name in URL_FIELDS:
        setattr(platform, name, getattr(data, name).strip())
    platform.deployment_ids = "\n".join(rules.parse_deployment_ids(data.deployment_ids)[0])
    platform.trust_admins, platform.link_by_email = data.trust_admins, data.link_by_email
    platform.updated_at = utcnow()
    if platform_id is None:
        db.session.add(platform)
    keys.ensure_key()
    db.session.flush()
    audit.record(actor, "lti.platform_saved" if platform_id else "lti.platform_added", platform.issuer,
                 client_id=platform.client_id, deployments=platform.deployments)
    db.session.commit()
    return platform


def set_active(actor: User, platform_id: int, active: bool) -> LtiPlatform | None:
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        return None
    platform.active = active
    platform.updated_at = utcnow()
    audit.record(actor, "lti.platform_enabled" if active else "lti.platform_disabled", platform.issuer,
                 client_id=platform.client_id)
    db.session.commit()
    return platform


def get(platform_id: int) -> LtiPlatform | None:
    return db.session.get(LtiPlatform, platform_id)


def all_platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.label, LtiPlatform.id)).all())


def for_issuer(issuer: str, client_id: str | None = None) -> list[LtiPlatform]:
    """The registrations with this issuer (and client id, when the platform named one)."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    return list(db.session.scalars(query.order_by(LtiPlatform.id)).all())


def registered_origins() -> tuple[str, ...]:
    """The origins of every enabled platform (issuer and authentication URL): who may frame a page
    that does not know which platform launched it (the refusal page)."""
    rows = db.session.execute(select(LtiPlatform.issuer, LtiPlatform.auth_login_url).where(LtiPlatform.active)).all()
    return tuple(sorted({rules.origin(url) for row in rows for url in row}))


def contexts(platform_id: int | None = None) -> list[LtiContext]:
    query = select(LtiContext).order_by(LtiContext.platform_id, LtiContext.title, LtiContext.id)
    if platform_id is not None:
        query = query.where(LtiContext.platform_id == platform_id)
    return list(db.session.scalars(query).all())


def context_counts() -> dict[int, int]:
    rows = db.session.execute(select(LtiContext.platform_id, func.count()).group_by(LtiContext.platform_id)).all()
    return {int(platform_id): int(count) for platform_id, count in rows}
