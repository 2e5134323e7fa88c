"""SMTP settings from the app config (TRAINER_MAIL_* variables) and the one function that hands a
message to the server. No host configured: nothing is sent and messages stay in the outbox."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

SECURITY_MODES = ("starttls", "ssl", "none")


class TransportError(RuntimeError):
    """The server refused or could not be reached; the outbox retries later."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    password: str
    sender: str
    timeout: float

    @property
    def configured(self) -> bool:
        return bool(self.host)


def settings_from(config: Mapping[str, Any]) -> SmtpSettings:
    """The settings, refusing a security mode that is not one of SECURITY_MODES."""
    security = str(config.get("MAIL_SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITY_MODES:
        raise ValueError(f"TRAINER_MAIL_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
    return SmtpSettings(
        host=str(config.get("MAIL_SMTP_HOST") or ""),
        port=int(config.get("MAIL_SMTP_PORT") or (465 if security == "ssl" else 587)),
        security=security,
        user=str(config.get("MAIL_SMTP_USER") or ""),
        password=str(config.get("MAIL_SMTP_PASSWORD") or ""),
        sender=str(config.get("MAIL_FROM") or "trainer@localhost.localdomain"),
        timeout=float(config.get("MAIL_SMTP_TIMEOUT") or 30),
    )


def open_connection(settings: SmtpSettings) -> smtplib.SMTP:
    """A connected, authenticated client; STARTTLS and SSL verify the server's certificate."""
    try:
        client: smtplib.SMTP
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password)
        return client
    except (OSError, smtplib.SMTPException) as error:
        raise TransportError(f"cannot connect to {settings.host}:{settings.port}: {error}") from error


def deliver(client: smtplib.SMTP, message: EmailMessage) -> None:
    try:
        refused = client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise TransportError(str(error)) from error
    if refused:
        raise TransportError(f"refused: {', '.join(refused)}")
