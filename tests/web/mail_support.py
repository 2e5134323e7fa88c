"""A real SMTP server for the e-mail tests (aiosmtpd on a free local port, started per test) and
helpers to read what it received: parsed messages, their parts, links and calendar attachments."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

BASE_URL = "http://localhost"
LINK_RE = re.compile(r"https?://[^\s<>\"')]+")


@dataclass
class Inbox:
    """What the server accepted, and a switch to make it refuse (temporary failure) for retry tests."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        if self.refuse:
            return self.refuse
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]

    def one(self, address: str, kind_subject: str) -> EmailMessage:
        found = [m for m in self.to(address) if kind_subject in str(m["Subject"])]
        assert len(found) == 1, [str(m["Subject"]) for m in self.to(address)]
        return found[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(name="smtp")
def smtp_server(app) -> Iterator[Inbox]:
    """A running SMTP server the app is configured to send through (plain SMTP on localhost)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port, MAIL_SMTP_SECURITY="none",
                      MAIL_FROM="trainer@example.com", MAIL_BASE_URL=BASE_URL, MAIL_SMTP_TIMEOUT=5)
    try:
        yield inbox
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def links(text: str) -> list[str]:
    return LINK_RE.findall(text)


def path_of(url: str) -> str:
    assert url.startswith(BASE_URL + "/"), url
    return url[len(BASE_URL):]


def attachment(message: EmailMessage, content_type: str) -> tuple[str, str]:
    """(file name, decoded text) of the one attachment of this type."""
    found = [p for p in message.iter_attachments() if p.get_content_type() == content_type]
    assert len(found) == 1
    return found[0].get_filename() or "", found[0].get_payload(decode=True).decode("utf-8")


def parse_ical(raw: str) -> list[tuple[str, dict[str, str], str]]:
    """A strict RFC 5545 reader for what the tests need: CRLF lines of at most 75 octets, unfolded,
    split into (name, parameters, value); BEGIN/END must nest properly."""
    assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "")
    physical = raw[:-2].split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in physical), "a line is longer than 75 octets"
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    result, stack = [], []
    for line in logical:
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        parameters = dict(p.split("=", 1) for p in params)
        if name == "BEGIN":
            stack.append(value)
        elif name == "END":
            assert stack.pop() == value
        result.append((name, parameters, value))
    assert not stack
    return result


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
