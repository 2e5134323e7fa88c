"""What a course designer can embed (lessons, module quizzes, scenarios, policy-lab presets), their
titles in either language, and the signed deep-linking answer for the ones picked."""

from __future__ import annotations

import time
from dataclasses import dataclass

from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.lti import rules
from trainer.lti.models import LtiPlatform
from trainer.lti.services import keys
from trainer.policylab.services import presets

EMBEDDABLE_QUIZ_KINDS = ("module", "final")


@dataclass(frozen=True)
class Choice:
    item: rules.Item
    title: str
    group: str  # the module or course it belongs to, for the picker's headings


def choices(lang: str) -> dict[str, list[Choice]]:
    """Every embeddable item by kind, in content order."""
    registry = catalog()
    lessons = [
        Choice(rules.Item("lesson", f"{course.id}/{lesson.id}"), lesson.title(lang), pick(module.title, lang))
        for course in registry.courses.values() for module in course.modules for lesson in module.lessons
    ]
    quizzes = [
        Choice(rules.Item("quiz", quiz.id), pick(quiz.title, lang), quiz.kind)
        for quiz in registry.quizzes.values() if quiz.kind in EMBEDDABLE_QUIZ_KINDS
    ]
    scenarios = [Choice(rules.Item("scenario", s.id), pick(s.title, lang), "") for s in registry.scenarios.values()]
    lab = [Choice(rules.Item("preset", p.name), pick(p.title, lang) or p.name, "") for p in presets.presets()]
    return {"lesson": lessons, "quiz": quizzes, "scenario": scenarios, "preset": lab}


def find(item: rules.Item, lang: str) -> Choice | None:
    """The item when it (still) exists."""
    return next((choice for choice in choices(lang)[item.kind] if choice.item == item), None)


@dataclass(frozen=True)
class DeepLinkAnswer:
    return_url: str
    jwt: str


def answer(platform: LtiPlatform, *, deployment_id: str, return_url: str, data: str | None,
           picked: list[tuple[Choice, str]], with_lineitem: bool) -> DeepLinkAnswer:
    """The signed LtiDeepLinkingResponse for the picked items (choice, launch URL)."""
    items = [rules.content_item(choice.item, title=choice.title, url=url, with_lineitem=with_lineitem)
             for choice, url in picked]
    token = rules.deep_linking_response(
        client_id=platform.client_id, issuer=platform.issuer, deployment_id=deployment_id, data=data,
        items=items, now=int(time.time()), key=keys.signing_key(), nonce=rules.new_token(),
    )
    return DeepLinkAnswer(return_url=return_url, jwt=token)
