"""The audit log records what managers and admins change (refresher assignments, workshops, role
changes, imports) and shows it in words, in the reader's language: no raw keys, no JSON."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trainer.accounts import services as accounts
from trainer.accounts.models import AuditLog
from trainer.extensions import db
from trainer.policylab.services import workshops as sim_workshops
from trainer.quiz.services.assignments import (
    AssignmentInput,
    cancel_assignment,
    create_assignment,
    update_assignment,
)
from trainer.quiz.services.common import quizzes
from trainer.roleplay.services import workshop as roleplay_workshop
from trainer.roleplay.services.practice import scenarios

RAW = ("quiz.assignment.create", "quiz.assignment.update", "quiz.assignment.cancel", "user.update", "user.import_csv", "roleplay.workshop.open",
       "sim.workshop.create", "{", "}")


@pytest.fixture
def history(make_org):
    """A manager assigns a refresher and opens two workshops; the admin makes a trainee a manager."""
    org = make_org({"east": "East"}, {"boss": "manager of east", "amy": "trainee in east",
                                      "admin": "admin <root@example.com>"})
    refresher = next(q for q in quizzes().values() if q.kind == "refresher")
    today = date.today()
    spring = AssignmentInput("Spring refresher", refresher.id, [org["east"].id], today, today + timedelta(days=7))
    create_assignment(org["boss"], spring, today)
    extra = create_assignment(org["boss"], AssignmentInput("Extra refresher", refresher.id, [org["east"].id],
                                                           today, today + timedelta(days=7)), today)
    update_assignment(org["boss"], extra, AssignmentInput("Extra refresher", refresher.id, [org["east"].id],
                                                          today, today + timedelta(days=14)), today)
    cancel_assignment(org["boss"], extra)
    roleplay_workshop.open_session(org["boss"], next(iter(scenarios().values())))
    sim_workshops.create_workshop(org["boss"], "Cash game", "distributor", 7, 50, 2, 30,
                                  [sim_workshops.TeamSpec("Red", [org["amy"].id])])
    amy = org["amy"]
    accounts.update_user(org["admin"], amy, name=amy.name, email=amy.email, role="manager", language=amy.language,
                         team_ids=[org["east"].id], active=True)
    db.session.add(AuditLog(actor_id=org["admin"].id, action="user.import_csv", target="2 users",
                            detail='{"emails": ["a@example.com", "b@example.com"]}'))
    db.session.commit()
    return org


def test_manager_and_admin_changes_read_as_words(history, as_user):
    html = as_user("root@example.com").client.get("/admin/audit").get_data(as_text=True)
    rows = html.split('data-testid="audit"')[1].split("</table>")[0]
    for words in ("Assigned a refresher", "Changed a refresher assignment", "Cancelled a refresher assignment",
                  "Extra refresher", "Spring refresher", "East", "Opened a role-play workshop",
                  "Created a simulation workshop", "Cash game", "Changed a user", "Trainee → Manager",
                  "Imported users from CSV", "2 users", "a@example.com"):
        assert words in rows, words
    for raw in RAW:
        assert raw not in rows, raw
    assert history["boss"].name in rows
    # content is named by its title in the reader's language, never by its id
    refresher = next(q for q in quizzes().values() if q.kind == "refresher")
    scenario = next(iter(scenarios().values()))
    assert refresher.title["en"] in rows and scenario.title["en"] in rows
    assert f">{refresher.id}<" not in rows and f">{scenario.id}<" not in rows


def test_the_chinese_audit_page_is_chinese(history, as_user):
    admin = history["admin"]
    admin.language = "zh_CN"
    db.session.commit()
    html = as_user("root@example.com").client.get("/admin/audit").get_data(as_text=True)
    rows = html.split('data-testid="audit"')[1].split("</table>")[0]
    for words in ("布置了复训", "角色", "学员 → 经理", "从 CSV 导入了用户", "2 位用户", "开设了角色演练工作坊"):
        assert words in rows, words
    for english in ("users", "Assigned", "Role", "Trainee →"):
        assert english not in rows, english
    home = as_user("root@example.com").client.get("/").get_data(as_text=True)
    assert "布置了复训" in home and "quiz.assignment" not in home


def test_a_broken_detail_does_not_break_the_page(history, as_user):
    db.session.add(AuditLog(actor_id=None, action="something.new", target="x", detail="{not json"))
    db.session.commit()
    response = as_user("root@example.com").client.get("/admin/audit")
    assert response.status_code == 200 and "something.new" in response.get_data(as_text=True)
    assert as_user("root@example.com").client.get("/admin/audit?page=abc").status_code == 200
