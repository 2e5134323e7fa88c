"""After a checked launch: the person's account (linked, placed in the course's team), the grade
link for graded items, and where the browser goes next (the linked item)."""

from __future__ import annotations

from flask import url_for

from trainer.accounts import audit
from trainer.accounts.models import User
from trainer.extensions import db
from trainer.lti import rules
from trainer.lti.models import LtiPlatform
from trainer.lti.rules import LaunchRefused, Reason
from trainer.lti.services import grades, items, people
from trainer.roleplay.services import practice


def enter(platform: LtiPlatform, launch: rules.Launch) -> User:
    """The launched person's account, in step with the launch; committed. Raises LaunchRefused."""
    if launch.message_type == rules.RESOURCE_LINK_REQUEST:
        if launch.item is None or items.find(launch.item, "en") is None:
            raise LaunchRefused(Reason.UNKNOWN_ITEM)
    user = people.account_for(platform, people.person_of(launch))
    if launch.context_id:
        context = people.context_team(platform, launch.context_id, launch.context_title, launch.memberships_url)
        team = people.team_of(context)
        if team is not None:
            people.place(user, team, launch.roles)
    grades.remember(user, platform, launch)
    audit.record(user, "lti.sign_in", user.email, issuer=platform.issuer, message=launch.message_type,
                 item=launch.item.key if launch.item else "", context=launch.context_id)
    db.session.commit()
    return user


def target_url(user: User, launch: rules.Launch) -> str:
    """Where a resource-link launch opens: the lesson, the quiz's start page, a new play of the
    scenario (a launch is a POST, so it may start one), the policy lab on the preset."""
    item = launch.item
    if item is None:
        return url_for("main.home")
    if item.kind == "lesson":
        course_id, _sep, lesson_id = item.ident.partition("/")
        return url_for("learn.lesson", course_id=course_id, lesson_id=lesson_id)
    if item.kind == "quiz":
        return url_for("quiz.intro", quiz_id=item.ident)
    if item.kind == "scenario":
        scenario = practice.get_scenario(item.ident)
        if scenario is None:
            return url_for("roleplay.index")
        return url_for("roleplay.play", play_id=practice.start_play(user, scenario).id)
    return url_for("sim.new", preset=item.ident)
