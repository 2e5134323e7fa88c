"""Turn an outbox row's parts into a MIME message: multipart/alternative (plain text, then HTML),
wrapped in multipart/mixed when there is an attachment. Pure: the standard library's email package."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any


class AddressError(ValueError):
    """An address the message cannot be sent to (no @, a line break, too long)."""


def check_address(raw: str) -> str:
    """The address if it is one a mail server will take, else :class:`AddressError`."""
    value = (raw or "").strip()
    if not value or len(value) > 254 or any(c in value for c in "\r\n\0<>,; \t") or value.count("@") != 1:
        raise AddressError(f"not an e-mail address: {value[:80]!r}")
    local, domain = value.split("@")
    if (not local or not domain or "." not in domain or domain.startswith(".") or domain.endswith(".")
            or ".." in domain or not value.isprintable()):
        raise AddressError(f"not an e-mail address: {value[:80]!r}")
    return value


def build(*, sender: str, to: str, subject: str, text: str, html: str, headers: Mapping[str, str],
          attachments: Sequence[Mapping[str, Any]], sent_at: datetime, message_id_domain: str) -> EmailMessage:
    """The message as it goes over SMTP. Attachments are {filename, content_type, content, method?}."""
    message = EmailMessage()
    message["From"] = check_address(sender)
    message["To"] = check_address(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=message_id_domain)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in headers.items():
        message[name] = value
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    for item in attachments:
        maintype, subtype = str(item["content_type"]).split("/", 1)
        params = {"method": str(item["method"])} if item.get("method") else {}
        message.add_attachment(str(item["content"]).encode("utf-8"), maintype=maintype, subtype=subtype,
                               filename=str(item["filename"]), params=params)
    return message
