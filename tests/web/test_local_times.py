"""Every stored time is shown in the site's time zone (Asia/Shanghai in tests, UTC+8), never as the
stored UTC: policy-lab runs, role-play lists and workshops, the admin's recent actions and audit log,
and the dates on lessons and certificates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from tests.web import workshop_support as support
from tests.web.workshop_support import SCENARIO, open_room
from trainer.accounts.models import AuditLog, User
from trainer.core.time import local_stamp, local_time_html, zone_label
from trainer.extensions import db
from trainer.learn.models import LessonProgress
from trainer.policylab.models import SimRun
from trainer.roleplay.models import Play, WorkshopSession

people = support.people

STORED = datetime(2026, 3, 1, 20, 30)  # naive UTC, as stored
LOCAL, UTC_TEXT = "2026-03-02 04:30", "2026-03-01 20:30"


def test_policy_lab_runs_show_the_site_time(app, people, as_user):
    trainee = as_user("t1@example.com")
    user_id = db.session.scalar(select(User.id).where(User.email == "t1@example.com"))
    db.session.add(SimRun(user_id=user_id, preset="distributor", engine_version="test", policy={}, result={},
                          summary={"dso": 40.0}, created_at=STORED))
    db.session.commit()
    page = trainee.client.get("/sim/").get_data(as_text=True)
    assert LOCAL in page and UTC_TEXT not in page
    # labelled with the zone, and machine-readable with the offset
    assert f'<time datetime="2026-03-02T04:30:00+08:00">{LOCAL} UTC+8</time>' in page


def test_role_play_history_team_and_workshop_lists_show_the_site_time(app, people, as_user):
    fay = as_user("fac@example.com")
    session = open_room(fay, SCENARIO)
    db.session.execute(update(WorkshopSession).where(WorkshopSession.id == session.id).values(created_at=STORED))
    db.session.commit()
    trainee = as_user("t1@example.com")
    support.join(trainee, session.code)
    db.session.add(Play(user_id=support.seat(session, "t1@example.com").user_id, scenario_id=SCENARIO,
                        state={}, started_at=STORED))
    db.session.commit()
    workshops = fay.client.get("/roleplay/workshops").get_data(as_text=True)
    assert LOCAL in workshops and UTC_TEXT not in workshops
    history = trainee.client.get("/roleplay/history").get_data(as_text=True)
    assert LOCAL in history and UTC_TEXT not in history
    assert "2026-03-02" in history and "2026-03-01" not in history  # the workshop's day, too
    team = fay.client.get("/roleplay/team").get_data(as_text=True)
    assert LOCAL in team and UTC_TEXT not in team


def test_admin_recent_actions_and_audit_log_show_the_site_time(app, people, as_user):
    ada = as_user("admin@example.com")
    db.session.add(AuditLog(action="team.create", target="North", created_at=STORED))
    db.session.commit()
    home = ada.client.get("/").get_data(as_text=True)
    assert LOCAL in home and UTC_TEXT not in home
    audit = ada.client.get("/admin/audit").get_data(as_text=True)
    assert f"{LOCAL}:00" in audit and UTC_TEXT not in audit


def test_a_lesson_completed_late_in_the_utc_evening_shows_the_local_day(app, people, as_user):
    trainee = as_user("t1@example.com")
    user_id = db.session.scalar(select(User.id).where(User.email == "t1@example.com"))
    course = app.extensions["content"].courses["ar-essentials"]
    lesson = course.lessons[0]
    db.session.add(LessonProgress(user_id=user_id, course_id=course.id, lesson_id=lesson.id, opened_at=STORED,
                                  visited_at=STORED, completed_at=STORED))
    db.session.commit()
    page = trainee.client.get(f"/learn/{course.id}/{lesson.id}").get_data(as_text=True)
    assert "You completed this lesson on March 2, 2026." in page


def test_the_zone_label_follows_the_site_zone(app):
    assert zone_label(STORED) == "UTC+8" and local_stamp(STORED) == f"{LOCAL} UTC+8"
    assert local_stamp(STORED, "%Y-%m-%d") == "2026-03-02"  # a day needs no zone
    assert str(local_time_html(None, empty="—")) == "—"
    app.config["QUIZ_TIMEZONE"] = "Asia/Kolkata"
    assert local_stamp(STORED) == "2026-03-02 02:00 UTC+5:30"
    app.config["QUIZ_TIMEZONE"] = "America/Sao_Paulo"
    assert zone_label(STORED) == "UTC-3"
