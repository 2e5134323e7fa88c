"""The LTI tables: registered platforms, our signing keys, login nonces, the links a launch makes
(person + resource link -> item and gradebook column), course rosters and the score outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.time import utcnow
from trainer.extensions import db


class LtiPlatform(db.Model):  # type: ignore[name-defined]
    """A platform registered by an admin: everything its launches are checked against."""

    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platform_issuer_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(500))
    token_url: Mapped[str] = mapped_column(String(500))
    keyset_url: Mapped[str] = mapped_column(String(500))
    deployment_ids: Mapped[str] = mapped_column(Text, default="")  # one per line
    trust_admins: Mapped[bool] = mapped_column(default=False)
    link_by_email: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def deployments(self) -> list[str]:
        return [line for line in self.deployment_ids.splitlines() if line]


class LtiKey(db.Model):  # type: ignore[name-defined]
    """One of our RSA signing keys. The newest unretired key signs; every unretired key is published
    at the JWKS endpoint, so platforms can still check what an older key signed until it retires."""

    __tablename__ = "lti_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)  # encrypted (Fernet, a key derived from SECRET_KEY)
    public_jwk: Mapped[str] = mapped_column(Text)  # what /lti/jwks publishes (JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)  # a newer key signs since
    retired_at: Mapped[datetime | None] = mapped_column(default=None)  # no longer published


class LtiNonce(db.Model):  # type: ignore[name-defined]
    """A login initiation: the nonce the platform must put in its id_token, bound to the browser by
    the state cookie (its hash here); used once."""

    __tablename__ = "lti_nonce"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    state_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class LtiContext(db.Model):  # type: ignore[name-defined]
    """A platform course: the team its members join here, and where its roster is read."""

    __tablename__ = "lti_context"
    __table_args__ = (UniqueConstraint("platform_id", "context_id", name="uq_lti_context_platform_context"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(120), default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    memberships_url: Mapped[str] = mapped_column(String(1000), default="")
    last_synced_at: Mapped[datetime | None] = mapped_column(default=None)

    platform: Mapped[LtiPlatform] = relationship()


class LtiGradeLink(db.Model):  # type: ignore[name-defined]
    """A person's launch of one resource link: which item it opens and the gradebook column (line
    item) their results for it go to."""

    __tablename__ = "lti_grade_link"
    __table_args__ = (
        UniqueConstraint("platform_id", "resource_link_id", "user_id", name="uq_lti_grade_link_link_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    item: Mapped[str] = mapped_column(String(200))  # kind:id
    lineitem_url: Mapped[str] = mapped_column(String(1000), default="")
    scopes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()


class LtiScore(db.Model):  # type: ignore[name-defined]
    """A result waiting to reach (or sent to) a platform's gradebook: the outbox row, retried with
    back-off until it is sent or gives up."""

    __tablename__ = "lti_score"
    __table_args__ = (UniqueConstraint("grade_link_id", "source", name="uq_lti_score_link_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_link_id: Mapped[int] = mapped_column(ForeignKey("lti_grade_link.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64))  # attempt:12 or play:7
    score_given: Mapped[float] = mapped_column()
    score_maximum: Mapped[float] = mapped_column()
    finished_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|sent|failed
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    grade_link: Mapped[LtiGradeLink] = relationship()
