"""The crawler's plumbing: which people it signs in as, the journeys it starts, how it names a URL's
pattern, what counts as people's own content, and the catalogue's English strings.

The checks themselves run in the page (``crawl_checks.js``); ``test_crawl_browser.py`` drives them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.messages.pofile import read_po
from sqlalchemy import delete, func, select

from trainer.accounts.models import AuditLog, Team, User
from trainer.core.time import site_timezone
from trainer.extensions import db
from trainer.policylab.models import SimRun, SimWorkshop, SimWorkshopTeam
from trainer.quiz.models import Assignment, Attempt, AttemptAnswer
from trainer.roleplay.models import Participant, Play, PlayChoice, RubricScore, WorkshopSession

ROOT = Path(__file__).resolve().parents[2]
# The file opens with comments; Playwright wants the function itself.
CHECKS_JS = (Path(__file__).parent / "crawl_checks.js").read_text(encoding="utf-8").split("\n(args) =>", 1)[1]
CHECKS_JS = "(args) =>" + CHECKS_JS
AXE_JS = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CATALOGUE = ROOT / "trainer" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

# Links the crawler never follows: not pages (downloads, JSON the pages poll, the raw HTML of an
# e-mail shown in a frame), or away from the site. Every GET is safe to follow: a GET never commits
# (trainer.core.readonly), and sign-out and deletes are POST forms, which the crawler does not send.
NOT_PAGES = re.compile(r"\.(csv|json|yaml|png|svg|ics)$|/html$|^/static/|^/login/sso")

# A URL's pattern: ids and per-item slugs replaced, so each kind of page is visited once.
PATTERNS = [
    (re.compile(r"/\d+(?=/|$|\.)"), "/<id>"),
    (re.compile(r"^/learn/[^/]+/images/.*"), "/learn/<course>/images/<name>"),
    (re.compile(r"^/learn/[^/]+/[^/]+$"), "/learn/<course>/<lesson>"),
    (re.compile(r"^/learn/(?!$)[^/]+$"), "/learn/<course>"),
    (re.compile(r"^/quiz/(?!review$|assignments$|<id>)[^/]+$"), "/quiz/<quiz>"),
    (re.compile(r"^/roleplay/scenarios/[^/]+/graph$"), "/roleplay/scenarios/<scenario>/graph"),
    (re.compile(r"^/roleplay/room/[^/]+$"), "/roleplay/room/<code>"),
    (re.compile(r"^/scorecard/\d{4}-Q\d$"), "/scorecard/<quarter>"),
    (re.compile(r"^/verify/.+$"), "/verify/<code>"),
]


def pattern_of(path: str) -> str:
    for regex, replacement in PATTERNS:
        path = regex.sub(replacement, path)
    return path


def page_path(url: str, base: str) -> str | None:
    """The site path of a link (query kept, fragment dropped), or None for a link away from the site."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != base:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Journey:
    """A step the navigation does not link to by a plain GET: returns the page it ends on."""

    name: str
    run: Callable[[Any, str], str]


def start_quiz(page: Any, base: str) -> str:
    """The first quiz on the quiz page the person may start."""
    page.goto(base + "/quiz/")
    links = page.eval_on_selector_all("main a[href^='/quiz/']", "links => links.map(a => a.getAttribute('href'))")
    for href in links:
        if re.fullmatch(r"/quiz/[\w-]+(\?.*)?", href) and not re.match(r"/quiz/(review|assignments)", href):
            page.goto(base + href)
            start = page.locator("main form[action$='/start'] [type=submit]")
            if start.count():
                start.first.click()
                page.wait_for_load_state("load")
                return str(page.url)
    raise AssertionError("no quiz the trainee may start on /quiz/")


def start_roleplay(page: Any, base: str) -> str:
    page.goto(base + "/roleplay/")
    page.locator("main form[action*='/start'] [type=submit]").first.click()
    page.wait_for_load_state("load")
    return str(page.url)


def open_workshop(page: Any, base: str) -> str:
    """The facilitator opens a role-play workshop room: its live board."""
    page.goto(base + "/roleplay/workshops")
    page.locator("main form[action$='/roleplay/workshops'] [type=submit]").first.click()
    page.wait_for_load_state("load")
    return str(page.url)


@dataclass
class Person:
    role: str
    email: str
    saved_language: str  # put back after the crawl
    seeds: list[str] = field(default_factory=list)  # pages the navigation leads to in more than one step
    journeys: list[Journey] = field(default_factory=list)


PEOPLE = [
    # the trainee is also a workshop participant (role-play and policy-lab workshops in the demo data)
    Person("trainee", "trainee@demo.local", "zh_CN", ["/quiz/review", "/verify", "/roleplay/history"],
           [Journey("start a quiz", start_quiz), Journey("start a role-play", start_roleplay)]),
    # the manager is the demo workshops' facilitator
    Person("manager", "chen.manager@demo.local", "zh_CN", ["/roleplay/workshops", "/sim/workshops/",
                                                           "/quiz/assignments"],
           [Journey("open a role-play workshop", open_workshop)]),
    Person("admin", "admin@demo.local", "zh_CN", ["/admin/import", "/admin/content/items", "/admin/sso"]),
]


def english_msgids() -> list[str]:
    """The catalogue's English UI strings that read differently in Chinese, without placeholders."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    found = set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            text = " ".join(msgid.split())
            if text and re.search(r"[A-Za-z]{2}", text) and "%" not in text and text not in strings:
                found.add(text)
    return sorted(found)


def user_content() -> list[str]:
    """What people typed or were named (names, teams, runs, workshops, comments): in whatever language
    they wrote it, so the language check leaves it out. Longest first, so a name inside a team's
    name does not leave half of it behind."""
    columns = [User.name, User.email, Team.name, SimRun.name, SimWorkshop.title, SimWorkshopTeam.name,
               Assignment.title, RubricScore.comment]
    found: set[str] = set()
    for column in columns:
        found.update(" ".join(str(v).split()) for v in db.session.scalars(select(column)) if v)
    return sorted(found, key=len, reverse=True)


def zone_label(moment: datetime | None = None) -> tuple[str, str]:
    """The site zone's offset as <time datetime> ends ('+08:00') and as the label people read ('UTC+8')."""
    offset = (moment or datetime.now(site_timezone())).astimezone(site_timezone()).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    label = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return f"{sign}{hours:02d}:{rest:02d}", label


@dataclass
class Marks:
    """The highest ids before the crawl's journeys, so what they create can be taken away again."""

    attempt: int
    play: int
    workshop: int
    audit: int


def marks() -> Marks:
    return Marks(*(db.session.scalar(select(func.max(column))) or 0
                   for column in (Attempt.id, Play.id, WorkshopSession.id, AuditLog.id)))


def undo_journeys(before: Marks) -> None:
    """Remove the attempts, plays and workshops (and their audit entries) the journeys started (later browser tests expect the demo data)."""
    db.session.execute(delete(AttemptAnswer).where(AttemptAnswer.attempt_id > before.attempt))
    db.session.execute(delete(Attempt).where(Attempt.id > before.attempt))
    db.session.execute(delete(PlayChoice).where(PlayChoice.play_id > before.play))
    db.session.execute(delete(Play).where(Play.id > before.play))
    db.session.execute(delete(Participant).where(Participant.session_id > before.workshop))
    db.session.execute(delete(WorkshopSession).where(WorkshopSession.id > before.workshop))
    db.session.execute(delete(AuditLog).where(AuditLog.id > before.audit))
    db.session.commit()
