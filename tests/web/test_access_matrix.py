"""A generated access matrix: every URL that carries an id of somebody's object (a trainee's quiz
attempt, role-play, simulation run and job, certificate, written submission and member page; a manager's workshops and
assignments; an account), tried by every role and person. Only the owner, their managers (for a
member's data), the facilitator (for workshops) and admins get through; everybody else gets a 403
or a 404, and anonymous visitors are sent to sign in. POSTs are tried by those refused only, so the
matrix changes nothing.

The test also checks that it covers the URL map: every rule with an ``<int:...>`` id appears here,
so a new URL that carries an id has to be added to the matrix."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import COURSE, csrf_token
from tests.web.test_quiz_assignments import make_assignment
from tests.web.test_quiz_common import M1_QUIZ, rich_seed
from tests.web.test_sim import SMALL, form_values, run_policy
from tests.web.workshop_support import SCENARIO, open_room
from trainer.extensions import db
from trainer.learn.services import recording
from trainer.lti.services import people as lti_people
from trainer.lti.services import platforms as lti_platforms
from trainer.lti.services.platforms import PlatformInput
from trainer.notify.models import OutboxMessage
from trainer.policylab.models import SimJob
from trainer.quiz.services import attempts as attempt_service
from trainer.roleplay.services import practice
from trainer.writing.services import drafts as writing_drafts
from trainer.writing.services.common import task_of as writing_task

pytestmark = pytest.mark.usefixtures("no_quiz_gates")

PEOPLE = {
    "owner": "trainee in east: Olive Owner <owner@example.com>",
    "peer": "trainee in east: Pat Peer <peer@example.com>",
    "outsider": "trainee in south: Sid South <sid@example.com>",
    "boss": "manager of east: Bea Boss <boss@example.com>",
    "stranger": "manager of south: Stan Stranger <stan@example.com>",
    "admin": "admin: Ada Admin <root@example.com>",
}
EVERYONE = ("anonymous", *PEOPLE)
MEMBER = {"owner", "boss", "admin"}  # a trainee's own data: the owner, their managers, admins
FACILITATOR = {"boss", "admin"}  # a workshop or an assignment the boss made for the east team
SIM_ROOM = {"boss", "admin", "owner", "peer"}  # the boss's policy workshop seats owner and peer
ADMIN = {"admin"}
OWNER = {"owner"}  # answering someone else's attempt or play is nobody's business but theirs

# (method, url template, who may pass). Templates name the objects the world fixture makes.
MATRIX: list[tuple[str, str, set[str]]] = [
    ("GET", "/sim/runs/{run}", MEMBER),
    ("GET", "/sim/runs/{run}/export.csv", MEMBER),
    ("GET", "/sim/runs/{run}/aging.csv", MEMBER),
    ("GET", "/sim/runs/{run}/policy.yaml", MEMBER),
    ("GET", "/sim/new?from={run}", MEMBER),
    ("GET", "/sim/compare/{run}/{run}", MEMBER),
    ("GET", "/sim/jobs/{job}?stay=1", MEMBER),
    ("GET", "/sim/jobs/{job}.json", MEMBER),
    ("POST", "/sim/jobs/{job}/retry", OWNER),
    ("POST", "/sim/runs/{run}/compare", MEMBER),
    ("POST", "/sim/runs/{run}/replicate", MEMBER),
    ("GET", "/sim/runs/{run}/delete", OWNER),  # managers may open a member's run, only its owner deletes it
    ("POST", "/sim/runs/{run}/delete", OWNER),
    ("GET", "/quiz/attempts/{attempt}", OWNER),
    ("POST", "/quiz/attempts/{attempt}", OWNER),
    ("POST", "/quiz/attempts/{attempt}/answer", OWNER),
    ("GET", "/quiz/attempts/{attempt}/result", MEMBER),
    ("GET", "/roleplay/plays/{play}", MEMBER),
    ("POST", "/roleplay/plays/{play}/choose", OWNER),
    ("GET", "/certificates/{certificate}", MEMBER),
    ("GET", "/manage/members/{owner}", MEMBER - OWNER),
    ("GET", "/quiz/assignments/{assignment}", FACILITATOR),
    ("GET", "/quiz/assignments/{assignment}/edit", FACILITATOR),
    ("POST", "/quiz/assignments/{assignment}/edit", FACILITATOR),
    ("POST", "/quiz/assignments/{assignment}/cancel", FACILITATOR),
    ("GET", "/admin/outbox/{message}", ADMIN),
    ("GET", "/admin/outbox/{message}/html", ADMIN),
    ("GET", "/manage/export/assignments/{assignment}.csv", FACILITATOR),
    ("GET", "/roleplay/workshops/{room}", FACILITATOR),
    ("GET", "/roleplay/workshops/{room}/board.json", FACILITATOR),
    ("POST", "/roleplay/workshops/{room}/close", FACILITATOR),
    ("POST", "/roleplay/workshops/{room}/next-round", FACILITATOR),
    ("POST", "/roleplay/workshops/{room}/reveal", FACILITATOR),
    ("GET", "/sim/workshops/{lab}", SIM_ROOM),
    ("GET", "/sim/workshops/{lab}/status.json", SIM_ROOM),
    ("GET", "/sim/workshops/{lab}/screen", FACILITATOR),
    ("POST", "/sim/workshops/{lab}/close", FACILITATOR),
    ("POST", "/sim/workshops/{lab}/submit", SIM_ROOM - FACILITATOR),
    ("GET", "/writing/submissions/{writing}", MEMBER),
    ("GET", "/writing/submissions/{writing}.txt", MEMBER),
    ("GET", "/writing/submissions/{writing}/print", MEMBER),
    ("GET", "/writing/submissions/{writing}/review", MEMBER - OWNER),  # managers review; never the author
    ("POST", "/writing/submissions/{writing}/review", MEMBER - OWNER),
    ("POST", "/writing/submissions/{writing}/comment", MEMBER - OWNER),
    ("POST", "/writing/submissions/{writing}/ask", OWNER),
    ("GET", "/admin/users/{owner}", ADMIN),
    ("POST", "/admin/users/{owner}", ADMIN),
    ("POST", "/admin/users/{owner}/reset-password", ADMIN),
    ("GET", "/admin/teams/{east}", ADMIN),
    ("POST", "/admin/teams/{east}", ADMIN),
    ("GET", "/admin/lti/platforms/{platform}", ADMIN),
    ("POST", "/admin/lti/platforms/{platform}", ADMIN),
    ("POST", "/admin/lti/platforms/{platform}/enable", ADMIN),
    ("POST", "/admin/lti/platforms/{platform}/disable", ADMIN),
    ("POST", "/admin/lti/contexts/{context}/sync", ADMIN),
]

# Well-formed bodies where a view checks the shape before the owner, so the owner check is what answers.
POST_BODIES: dict[str, dict[str, Any]] = {
    "/quiz/attempts/{attempt}/answer": {"json": {"question": "m1-q001", "answer": "o1"}},
    "/roleplay/plays/{play}/choose": {"data": {"choice": "0", "step": "0"}},
}


def _create_lab(client: FlaskClient, owner_id: int, peer_id: int) -> int:
    values = form_values(client.get("/sim/workshops/new").get_data(as_text=True), "workshop-form")
    values.update({"title": "Matrix workshop", "preset": "distributor", "seed": "4", "customers": "40",
                   "rounds": "2", "round_days": "30", "team_1": "Red", "team_2": "Blue",
                   f"member_{owner_id}": "1", f"member_{peer_id}": "2"})
    response = client.post("/sim/workshops/new", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.fixture
def world(app: Flask, make_org: Any, as_user: Any, course: Any) -> dict[str, Any]:
    """The people, a signed-in client each, and one object of every kind."""
    org = make_org({"east": "East", "south": "South"}, PEOPLE)
    clients = {key: as_user(person.email) for key, person in org.people.items()}
    owner = org["owner"]
    run = run_policy(clients["owner"].client, dict(SMALL))
    for lesson in course.lessons:
        recording.complete_lesson(owner.id, course.id, lesson.id, "en")
    scenario = practice.get_scenario(SCENARIO)
    assert scenario is not None
    ids = {
        "owner": owner.id,
        "east": org["east"].id,
        "run": run.id,
        "job": _job_of(run.id),
        "attempt": attempt_service.start_attempt(owner, M1_QUIZ, seed=rich_seed(app, M1_QUIZ)).id,
        "play": practice.start_play(owner, scenario).id,
        "certificate": recording.issue_certificate(owner, COURSE, "en").id,
        "assignment": make_assignment(org["boss"], [org["east"]]).id,
        "room": open_room(clients["boss"]).id,
        "lab": _create_lab(clients["boss"].client, owner.id, org["peer"].id),
        "writing": writing_drafts.submit(owner, writing_task("huarui-first-overdue"), "合计 386,000.00 元").id,
    }
    ids["message"] = db.session.scalar(select(func.max(OutboxMessage.id)))  # the certificate's e-mail
    ids["platform"], ids["context"] = _lti_platform_and_course(org["admin"])
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return {"ids": ids, "clients": {"anonymous": anonymous, **{k: a.client for k, a in clients.items()}}}


def _lti_platform_and_course(admin: Any) -> tuple[int, int]:
    platform = lti_platforms.save(admin, PlatformInput(
        label="Matrix LMS", issuer="https://lms.example.com", client_id="c1",
        auth_login_url="https://lms.example.com/auth", token_url="https://lms.example.com/token",
        keyset_url="https://lms.example.com/jwks", deployment_ids="d1"))
    context = lti_people.context_team(platform, "course-1", "Course", "https://lms.example.com/members")
    db.session.commit()
    return platform.id, context.id


def _job_of(run_id: int) -> int:
    job_id = db.session.query(SimJob.id).filter(SimJob.run_id == run_id).scalar()
    assert job_id is not None
    return int(job_id)


def _refused(status: int, location: str, who: str) -> bool:
    if who == "anonymous":
        return status in (401, 403, 404) or (status == 302 and "/login" in location)
    return status in (403, 404)


def test_every_object_url_lets_only_its_people_through(world: dict[str, Any]) -> None:
    ids, clients = world["ids"], world["clients"]
    tokens = {who: csrf_token(c, "/login" if who == "anonymous" else "/") for who, c in clients.items()}
    wrong: list[str] = []
    tried = 0
    for method, template, allowed in MATRIX:
        url = template.format(**ids)
        for who in EVERYONE:
            if method == "POST" and who in allowed:
                continue  # a POST by someone allowed would change the world; their pages are tested elsewhere
            client = clients[who]
            if method == "GET":
                response = client.get(url)
            else:
                body = POST_BODIES.get(template, {"data": {}})
                if "data" in body:
                    body = {"data": {**body["data"], "csrf_token": tokens[who]}}
                response = client.post(url, headers={"X-CSRFToken": tokens[who]}, **body)
            tried += 1
            status, location = response.status_code, response.headers.get("Location", "")
            if who in allowed and status not in (200, 302):
                wrong.append(f"{who} {method} {url}: {status}, should get through")
            if who not in allowed and not _refused(status, location, who):
                wrong.append(f"{who} {method} {url}: {status}, should be refused")
    print(f"access matrix: {tried} requests")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_covers_every_url_that_carries_an_id(app: Flask) -> None:
    covered = {template.split("?")[0].replace("{", "<").replace("}", ">") for _, template, _ in MATRIX}
    covered_shapes = {_shape(url) for url in covered}
    missing = [rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule and _shape(rule.rule) not in covered_shapes]
    assert not missing, f"add these to MATRIX: {missing}"


def _shape(rule: str) -> str:
    """A rule with every parameter replaced by one placeholder, to compare templates with rules."""
    return re.sub(r"<[^>]+>", "<>", rule)
