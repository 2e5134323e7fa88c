"""People, roles and teams, plus the security records around them (audit log, login attempts and
throttles, server-side sessions)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from trainer.core.time import utcnow
from trainer.extensions import db

NO_PASSWORD = "!"  # matches no password: check_password_hash refuses a hash without a method


class Role(enum.StrEnum):
    TRAINEE = "trainee"
    MANAGER = "manager"
    ADMIN = "admin"


team_members = Table(
    "team_member",
    db.metadata,
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)

team_managers = Table(
    "team_manager",
    db.metadata,
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.TRAINEE.value)
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)

    teams: Mapped[list[Team]] = relationship(secondary=team_members, back_populates="members")
    managed_teams: Mapped[list[Team]] = relationship(secondary=team_managers, back_populates="managers")

    # Flask-Login protocol (written out rather than UserMixin so "active" is a real column).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    @property
    def has_password(self) -> bool:
        """False for an imported account whose owner has not used their set-password link yet."""
        return self.password_hash != NO_PASSWORD

    def check_password(self, password: str) -> bool:
        if not self.has_password:
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER.value

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Team(db.Model):  # type: ignore[name-defined]
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Team | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Team]] = relationship(back_populates="parent")
    members: Mapped[list[User]] = relationship(
        secondary=team_members, back_populates="teams", order_by="User.name"
    )
    managers: Mapped[list[User]] = relationship(
        secondary=team_managers, back_populates="managed_teams", order_by="User.name"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class AuditLog(db.Model):  # type: ignore[name-defined]
    """Who did what to whom, for admin actions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(db.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class LoginAttempt(db.Model):  # type: ignore[name-defined]
    """Failed and successful logins, the evidence the throttle counts."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_created", "email", "created_at"),
        Index("ix_login_attempt_address_created", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(db.Model):  # type: ignore[name-defined]
    """Failed sign-ins per key (an account, or an account from one address) in the current window.

    One row per key, counted with a single atomic upsert, so concurrent requests each get their own
    number and no more than the limit ever reach a password check. The key is a hash, so the table
    holds no email addresses.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)


class UserSession(db.Model):  # type: ignore[name-defined]
    """One sign-in. The browser's signed cookie holds a random token; this row holds its hash, so
    signing out, a password change or deactivation can end the session for every copy of the cookie."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class SetPasswordToken(db.Model):  # type: ignore[name-defined]
    """A one-time link that lets an imported person choose their first password. Only the SHA-256
    of the random token is stored, so a copy of the database opens no account."""

    __tablename__ = "set_password_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class IdentityLink(db.Model):  # type: ignore[name-defined]
    """A person's account at the corporate OpenID provider: the provider's (issuer, subject) pair
    names the same person for ever, so later sign-ins find them even after an e-mail change."""

    __tablename__ = "identity_link"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_identity_link_issuer_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    email_at_link: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()
