"""SCORM packages played in a real LMS runtime: scorm-again (npm) in Chromium, SCORM 1.2 and 2004.

Each test builds the package from the real content, unzips it behind a local server, and opens
one SCO in the harness's iframe the way an LMS does. It checks what the runtime received: the
values in its data model and the commits it sent to the server."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.scorm_runtime import running_runtime
from tests.scorm_support import build, unpack
from trainer.quiz.bank.short_match import matches
from trainer.quiz.grading import grade
from trainer.quiz.instances import draw_instance

CASES = [("1.2", "en"), ("2004", "zh")]


@pytest.fixture(params=CASES, ids=[f"scorm{v}-{lang}" for v, lang in CASES])
def played(request, content_registry, tmp_path):
    version, lang = request.param
    package = build(content_registry, version, lang)
    with running_runtime(unpack(package.files, tmp_path / "package")) as runtime:
        yield version, lang, package, runtime


def cmi(page: Any, version: str, key: str) -> Any:
    """A value of the runtime's data model (``core.lesson_status`` style paths below ``cmi``)."""
    api = "API_1484_11" if version == "2004" else "API"
    return page.evaluate(f"() => window.{api}.cmi.{key}.toString()")


def status_key(version: str) -> str:
    return "completion_status" if version == "2004" else "core.lesson_status"


def last_commit(runtime: Any, *path: str, until: Callable[[Any], bool] = lambda value: True) -> Any:
    """The newest commit the runtime received (below ``path``), waiting up to 10 s for one that
    satisfies ``until``: the browser posts commits asynchronously, so the page can be ahead of them."""
    deadline = time.monotonic() + 10
    while True:
        value: Any = runtime.commits[-1] if runtime.commits else None
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None and until(value) or time.monotonic() > deadline:
            assert runtime.commits, "the runtime sent no commit"
            return value
        time.sleep(0.05)


def finish(page: Any) -> list[str]:
    """Take the SCO away as an LMS does when the learner moves on; the events the runtime saw."""
    page.evaluate("() => document.querySelector('iframe').remove()")
    page.wait_for_function("() => window.runtimeEvents.some(e => e === 'LMSFinish' || e === 'Terminate')")
    return page.evaluate("() => window.runtimeEvents")


def test_lesson_is_completed_once_read_to_the_end(page, played):
    version, lang, package, runtime = played
    lesson = next(sco for sco in package.plan.scos if sco.kind == "lesson")
    page.goto(runtime.sco_url(version, lesson.href))
    frame = page.frame_locator("iframe")
    frame.locator("[data-testid=lesson-body]").wait_for()
    page.wait_for_function("() => window.runtimeEvents.length >= 2")  # initialised and committed
    assert cmi(page, version, status_key(version)) == "incomplete"  # the end is not on screen yet
    assert frame.locator("[data-done-note]").is_hidden()

    check = frame.locator("[data-testid=check]")
    check.locator("[data-correct=true] input").check()
    check.locator("[data-testid=check-submit]").click()
    assert check.locator("[data-testid=check-feedback]").inner_text().startswith("Right." if lang == "en" else "正确。")

    frame.locator("[data-lesson-end]").scroll_into_view_if_needed()
    frame.locator("[data-done-note]").wait_for(state="visible")
    assert cmi(page, version, status_key(version)) == "completed"
    committed = last_commit(runtime, "cmi", *(["completion_status"] if version == "2004" else ["core", "lesson_status"]),
                            until=lambda status: status == "completed")
    assert committed == "completed"

    before = len(runtime.commits)
    events = finish(page)
    assert events[0] in ("LMSInitialize", "Initialize") and events[-1] in ("LMSFinish", "Terminate")
    final = last_commit(runtime, "cmi", *([] if version == "2004" else ["core"]),
                        until=lambda _: len(runtime.commits) > before)  # the commit sent on finishing
    assert final["exit"] == ("normal" if version == "2004" else "")  # completed: no suspend
    assert final["session_time"].startswith("PT" if version == "2004" else "00:")


def test_links_to_other_lessons_open_untracked_reference_copies(page, played):
    version, lang, package, runtime = played
    page.goto(runtime.sco_url(version, "content/m1-lifecycle.html"))
    frame = page.frame_locator("iframe")
    link = frame.locator("[data-reference-link]").first
    assert link.get_attribute("target") == "_blank"
    href = link.get_attribute("href")
    assert href.endswith(".html?reference") and href.removesuffix("?reference") in [
        sco.href.removeprefix("content/") for sco in package.plan.scos]

    page.goto(runtime.sco_url(version, quote(f"content/{href}", safe="/")))
    frame.locator("[data-scorm-reference]").wait_for(state="visible")
    frame.locator("[data-lesson-end]").scroll_into_view_if_needed()
    assert frame.locator("[data-end-note]").is_visible() and frame.locator("[data-done-note]").is_hidden()
    assert page.evaluate("() => window.runtimeEvents") == []  # never initialised a second session

    page.goto(f"{runtime.url}/package/content/m1-lifecycle.html")  # outside any LMS
    page.locator("[data-scorm-offline]").wait_for(state="visible")
    assert page.locator("[data-testid=lesson-body]").is_visible()


def answer(frame: Any, question: dict[str, Any], right: bool) -> None:
    box = frame.locator(f"fieldset[data-question='{question['id']}']")
    if question["type"] in ("single", "multi"):
        picks = [o for o in question["options"] if (o["credit"] > 0) == right]
        if question["type"] == "single":
            picks = picks[:1]
        for option in picks:
            box.locator(f"input[value='{option['id']}']").check()
    elif question["type"] == "truefalse":
        box.locator(f"input[value='{'true' if question['answer'] == right else 'false'}']").check()
    elif question["type"] == "ordering":
        order = [item["id"] for item in question["items"]]
        for position, item_id in enumerate(order if right else order[::-1], start=1):
            box.locator(f"select >> nth={position - 1}").select_option(item_id)
    elif question["type"] == "matching":
        prompts = box.get_attribute("data-prompts").split()
        for index, pair_id in enumerate(prompts):
            box.locator(f"select >> nth={index}").select_option(pair_id if right else prompts[index - 1])
    elif question["type"] == "short":
        texts = [t for a in question["accepted"] if a["credit"] == 1 for t in a["texts"] if "*" not in t]
        box.locator("input[type=text]").fill(texts[0] if right else "zzz-not-an-answer")
    else:
        value = question["answers"][0]["value"]
        box.locator("input[type=text]").fill(repr(value) if right else repr(value * 3 + 1000))


def take_quiz(page: Any, right: bool) -> dict[str, Any]:
    frame = page.frame_locator("iframe")
    data = json.loads(frame.locator("#quiz-data").text_content())
    by_id = {q["id"]: q for q in data["questions"]}
    frame.locator("fieldset.question").first.wait_for()
    shown = frame.locator("fieldset.question").evaluate_all("boxes => boxes.map(b => b.dataset.question)")
    assert len(shown) == data["count"]
    for question_id in shown:
        answer(frame, by_id[question_id], right)
    frame.locator("[data-testid=quiz-submit]").click()
    frame.locator("[data-testid=quiz-result]").wait_for(state="visible")
    return data


def test_quiz_score_and_pass_or_fail_reach_the_runtime(page, played):
    version, lang, package, runtime = played
    quiz = next(sco for sco in package.plan.scos if sco.kind == "quiz")
    assert quiz.pass_mark == 70
    page.goto(runtime.sco_url(version, quiz.href))
    frame = page.frame_locator("iframe")

    assert take_quiz(page, right=False)["count"] == 10
    assert frame.locator("[data-testid=quiz-result]").get_attribute("data-passed") == "false"
    if version == "2004":
        assert cmi(page, version, "success_status") == "failed"
        assert float(cmi(page, version, "score.scaled")) < 0.7
        assert last_commit(runtime, "cmi", "success_status", until=lambda s: s == "failed") == "failed"
    else:
        assert cmi(page, version, "core.lesson_status") == "failed"
        assert float(cmi(page, version, "core.score.raw")) < 70
        assert last_commit(runtime, "cmi", "core", "lesson_status", until=lambda s: s == "failed") == "failed"

    frame.locator("[data-testid=quiz-retry]").click()
    take_quiz(page, right=True)
    result = frame.locator("[data-testid=quiz-result]")
    assert result.get_attribute("data-passed") == "true"
    assert result.get_attribute("data-percent") == "100"
    if version == "2004":
        assert cmi(page, version, "success_status") == "passed"
        assert cmi(page, version, "completion_status") == "completed"
        assert (cmi(page, version, "score.raw"), cmi(page, version, "score.min"), cmi(page, version, "score.max")) == (
            "100", "0", "100")
        assert float(cmi(page, version, "score.scaled")) == 1.0
        committed = last_commit(runtime, "cmi", until=lambda cmi: cmi.get("success_status") == "passed")
        assert committed["success_status"] == "passed" and float(committed["score"]["scaled"]) == 1.0
    else:
        assert cmi(page, version, "core.lesson_status") == "passed"
        assert (cmi(page, version, "core.score.raw"), cmi(page, version, "core.score.max")) == ("100", "100")
        committed = last_commit(runtime, "cmi", "core", until=lambda core: core.get("lesson_status") == "passed")
        assert committed["lesson_status"] == "passed" and float(committed["score"]["raw"]) == 100

    frame.locator("[data-testid=quiz-retry]").click()
    take_quiz(page, right=False)  # a worse try after passing: the best one stays, as the site grades
    assert result.get_attribute("data-recorded") == "false"
    assert cmi(page, version, "success_status" if version == "2004" else "core.lesson_status") == "passed"
    assert cmi(page, version, "score.raw" if version == "2004" else "core.score.raw") == "100"
    finish(page)


def _shoot_sco(page: Any, screenshots: Any, name: str) -> None:
    """The whole SCO page inside the harness: the frame grows to its content first."""
    page.evaluate("""() => { const frame = document.querySelector('iframe');
        frame.style.height = frame.contentDocument.documentElement.scrollHeight + 'px'; }""")
    screenshots(page, name)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_of_a_lesson_and_a_quiz(browser, content_registry, tmp_path, screenshots, lang):
    package = build(content_registry, "2004", lang)
    lesson = next(sco for sco in package.plan.scos if sco.kind == "lesson" and sco.key == "m1-lifecycle")
    quiz = next(sco for sco in package.plan.scos if sco.kind == "quiz")
    with running_runtime(unpack(package.files, tmp_path / "package")) as runtime:
        for width, height in ((375, 740), (1280, 900)):
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = context.new_page()
            page.goto(runtime.sco_url("2004", lesson.href))
            frame = page.frame_locator("iframe")
            frame.locator("img").first.wait_for()  # the lifecycle diagram loads from the package
            assert frame.locator("img").first.evaluate("img => img.complete && img.naturalWidth > 0")
            assert frame.locator("html").evaluate("el => el.scrollWidth <= window.innerWidth")
            frame.locator("[data-lesson-end]").scroll_into_view_if_needed()
            frame.locator("[data-done-note]").wait_for(state="visible")
            _shoot_sco(page, screenshots, f"scorm-lesson-{lang}-{width}")
            page.goto(runtime.sco_url("2004", quiz.href))
            take_quiz(page, right=True)
            assert frame.locator("html").evaluate("el => el.scrollWidth <= window.innerWidth")
            _shoot_sco(page, screenshots, f"scorm-quiz-{lang}-{width}")
            context.close()


def _variants(text: str) -> list[str]:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    return [text, text.upper(), f"  {text}  ", " ".join(text), text.replace(" ", "   "), fullwidth,
            text + "x", text[:-1], ""]


def test_short_answers_match_in_the_page_as_on_the_site(page, content_registry, tmp_path):
    """The quiz page's port of short_match against the site's rules, on every short question's
    accepted texts and typed variants of them (case, spaces, full width, one letter more or less)."""
    package = build(content_registry, "2004", "en")
    quiz = next(sco for sco in package.plan.scos if sco.kind == "quiz")
    by_id = {q.id: q for q in content_registry.banks}
    cases = []
    for data in package.quizzes:
        for item in data.questions:
            if item["type"] != "short":
                continue
            question = by_id[item["id"]]
            for accepted in (t for a in question.accepted for t in a.text.values()):
                for other in (t for a in question.accepted for t in a.text.values()):
                    for typed in _variants(other):
                        cases.append([accepted, typed, question.case_sensitive,
                                      matches(accepted, typed, case_sensitive=question.case_sensitive)])
    assert len(cases) > 100 and any(c[3] for c in cases) and not all(c[3] for c in cases)
    with running_runtime(unpack(package.files, tmp_path / "package")) as runtime:
        page.goto(runtime.sco_url("2004", quiz.href))
        frame = page.frame(name="sco")
        frame.wait_for_function("() => window.TrainerQuiz !== undefined")
        in_page = frame.evaluate("cases => cases.map(c => window.TrainerQuiz.matchesShort(c[0], c[1], c[2]))", cases)
    differ = [(c[0], c[1], c[3]) for c, js in zip(cases, in_page, strict=True) if js != c[3]]
    assert not differ, differ[:5]


def test_ordering_and_matching_mark_as_on_the_site(page, content_registry, tmp_path):
    """The page's ordering credit (longest run in the right order) against the site's grading on
    every ordering question and several permutations; and a matching and an ordering question
    answered through the page's selects."""
    package = build(content_registry, "1.2", "en")
    by_id = {q.id: q for q in content_registry.banks}
    ordering = [item for data in package.quizzes for item in data.questions if item["type"] == "ordering"]
    assert ordering and any(item["type"] == "matching" for data in package.quizzes for item in data.questions)
    rng = random.Random(7)
    cases = []
    for item in ordering:
        question = by_id[item["id"]]
        ids = [i["id"] for i in item["items"]]
        for _ in range(6):
            given = rng.sample(ids, len(ids))
            expected = grade(question, draw_instance(question, random.Random(1)), given).fraction
            cases.append([[ids.index(i) for i in given], expected])
    quiz = next(sco for sco in package.plan.scos if sco.kind == "quiz")
    folder = unpack(package.files, tmp_path / "package")
    only_these = folder / "content" / "only-ordering-and-matching.html"
    only_these.write_text(_keep_types(package.files[quiz.href].decode(), {"ordering", "matching"}))
    with running_runtime(folder) as runtime:
        page.goto(runtime.sco_url("1.2", quiz.href))
        frame = page.frame(name="sco")
        frame.wait_for_function("() => window.TrainerQuiz !== undefined")
        in_page = frame.evaluate("cases => cases.map(c => window.TrainerQuiz.orderFraction(c[0]))", cases)
        assert in_page == pytest.approx([c[1] for c in cases])

        page.goto(runtime.sco_url("1.2", "content/only-ordering-and-matching.html"))
        data = take_quiz(page, right=False)
        assert {q["type"] for q in data["questions"]} == {"ordering", "matching"}
        result = page.frame_locator("iframe").locator("[data-testid=quiz-result]")
        assert float(result.get_attribute("data-percent")) < 100
        page.frame_locator("iframe").locator("[data-testid=quiz-retry]").click()
        take_quiz(page, right=True)
        assert result.get_attribute("data-percent") == "100"
        assert cmi(page, "1.2", "core.score.raw") == "100"


def _keep_types(page_html: str, types: set[str]) -> str:
    """A quiz page whose pool holds only questions of ``types`` (all of them drawn)."""
    match = re.search(r'<script type="application/json" id="quiz-data">(.*?)</script>', page_html, re.S)
    assert match
    data = json.loads(match.group(1))
    data["questions"] = [q for q in data["questions"] if q["type"] in types]
    data["count"] = len(data["questions"])
    return page_html[:match.start(1)] + json.dumps(data).replace("<", "\\u003c") + page_html[match.end(1):]
