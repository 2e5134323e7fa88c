"""Document questions through the attempt form: the document is on the page as a document, the
answer is saved in canonical form, graded with partial credit and reviewed line by line; bad and
tampered values are refused with a clear message and store nothing (never a 500)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.answers import SHOWN, document_name
from trainer.quiz.instances import draw_quiz
from trainer.quiz.models import Attempt
from trainer.quiz.services import cards
from trainer.quiz.services.attempts import new_attempt, saved_answers
from trainer.quiz.services.common import banks, quizzes
from trainer.quiz.services.stats import item_rows
from trainer.scorecard.services.evidence import quiz_evidence

AGING = "doc-aging-east"  # m3: call first hongda (executive), boyu (legal), lvye (manager),
# anke (agency), xinyuan (salesperson); rows l1 ruifeng, l2 hongda, l3 xinyuan, l4 boyu, l5 lvye, l6 anke
STEP = {"reminder": "k1", "salesperson": "k2", "manager": "k3", "executive": "k4", "legal": "k5", "agency": "k6"}
REMIT = "doc-remit-wrong-account"  # m3: only the payee account (l3) differs; option d1 is right
CONTRACT = "doc-contract-cnc"  # m2: clauses 3-7 are risky, fixes k1..k5 in that order (c3 k1, c4 k2, c5 k5, c6 k4, c7 k3)


def _attempt(user_id: int, quiz_id: str, question_id: str, lang: str = "en") -> Attempt:
    definition = quizzes()[quiz_id]
    seed = next(s for s in range(5000)
                if question_id in [i.question_id for i in draw_quiz(definition, banks(), random.Random(s), lang=lang)])
    started = new_attempt(user_id, definition, moment=utcnow(), seed=seed, lang=lang)
    db.session.commit()
    return started


@pytest.fixture
def trainee(app, signed_in):  # type: ignore[no-untyped-def]
    return signed_in(email="dana@example.com", name="Dana")


@pytest.fixture
def aging(trainee) -> Attempt:  # type: ignore[no-untyped-def]
    return _attempt(trainee.id, "m3-collection-quiz", AGING)


def post(actions, attempt: Attempt, qid: str, fields: dict[str, str], action: str = "save"):  # type: ignore[no-untyped-def]
    url = f"/quiz/attempts/{attempt.id}"
    data = {SHOWN: qid, "action": action, **{document_name(qid, key): value for key, value in fields.items()}}
    return actions.post(url, data, token_from=url)


def review_of(client, attempt: Attempt, qid: str) -> str:  # type: ignore[no-untyped-def]
    """The review of one question on the result page (the document has sections of its own)."""
    html = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    return html.split(f'data-question="{qid}"', 1)[1].split('data-testid="review-question"', 1)[0]


def calls(*picks: tuple[str, str]) -> dict[str, str]:
    fields = {}
    for slot, (line, step) in enumerate(picks, start=1):
        fields[f"s{slot}"] = line
        fields[f"s{slot}k"] = STEP[step] if step else ""
    return fields


def test_the_aging_report_is_on_the_page_as_a_table_with_five_call_slots(client, aging):
    html = client.get(f"/quiz/attempts/{aging.id}").get_data(as_text=True)
    assert 'data-testid="document"' in html and '<table class="doc-table aging">' in html
    assert "Hongda Mechanical &amp; Electrical" in html and "620,000.00" not in html
    assert "310,000.00" in html and "2026-09-19" in html  # hongda's 61-90 amount and oldest due date
    assert html.count(f'name="{document_name(AGING, "s5")}"') == 1
    assert f'name="{document_name(AGING, "s6")}"' not in html
    # positional keys only: no line or step id reaches the page
    assert 'value="hongda"' not in html and 'value="executive"' not in html


def test_five_right_calls_with_the_right_steps_earn_the_full_mark(client, actions, aging):
    right = calls(("l2", "executive"), ("l4", "legal"), ("l5", "manager"), ("l6", "agency"), ("l3", "salesperson"))
    assert post(actions, aging, AGING, right).status_code == 302
    assert saved_answers(aging)[AGING].answer == {
        "lines": {"hongda": "executive", "xinyuan": "salesperson", "boyu": "legal", "lvye": "manager", "anke": "agency"},
        "decision": None,
    }
    assert post(actions, aging, AGING, right, action="submit").status_code == 302
    row = saved_answers(aging)[AGING]
    assert (row.score, row.max_score, row.correct) == (2.0, 2.0, True)


def test_partial_credit_and_the_per_line_review(client, actions, aging):
    # hongda right; boyu picked with the wrong step; ruifeng (all current) is a wrong pick
    picks = calls(("l2", "executive"), ("l4", "agency"), ("l1", "reminder"))
    assert post(actions, aging, AGING, picks, action="submit").status_code == 302
    row = saved_answers(aging)[AGING]
    assert row.score == pytest.approx(2.0 * (0.2 + 0.1))
    section = review_of(client, aging, AGING)
    assert "Partly right" in section and 'data-testid="document-review"' in section
    assert "You found 2 of 5 lines; 1 marked that should not have been." in section
    assert "Overdue 310,000.00 × 72 days past due: number 1 by amount × age." in section
    assert "right line, wrong choice" in section and "should not be marked" in section and "missed" in section
    assert "Show the document" in section  # the document can be opened again in review


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (calls(("l2", "executive"), ("l2", "manager")), "Each choice can be used only once."),
        ({"s1": "l99", "s1k": "k1"}, "names a choice that is not in the question"),
        ({"s1": "l2", "s1k": "k9"}, "names a choice that is not in the question"),
        ({"s6": "l2", "s6k": "k1"}, "You marked more lines than the question allows."),
        ({"l2": "k1"}, "names a choice that is not in the question"),
        ({"zz": "l1"}, "names a choice that is not in the question"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(client, actions, aging, fields, message):
    response = post(actions, aging, AGING, fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert AGING not in saved_answers(aging)


@pytest.mark.parametrize(
    "answer",
    [["l1"], "l1", {"s1": ["l1"]}, {"s1": {"x": 1}}, {"s1": 7}, {"d": "d9"}, {"s1": "l1", "s1k": "executive"}],
)
def test_autosave_refuses_tampered_shapes_with_a_clear_error(client, aging, answer):
    url = f"/quiz/attempts/{aging.id}"
    token = client.get(url).get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(f"{url}/answer", json={"question": AGING, "answer": answer}, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.get_json()["ok"] is False
    assert AGING not in saved_answers(aging)


def test_autosave_keeps_a_call_whose_step_is_not_chosen_yet(client, aging):
    url = f"/quiz/attempts/{aging.id}"
    token = client.get(url).get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(f"{url}/answer", json={"question": AGING, "answer": {"s1": "l2", "s1k": ""}},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert saved_answers(aging)[AGING].answer == {"lines": {"hongda": ""}, "decision": None}
    html = client.get(url).get_data(as_text=True)  # shown again in the form
    assert 'value="l2" selected' in html


def test_a_remittance_check_with_ticks_and_a_next_step(client, actions, trainee):
    attempt = _attempt(trainee.id, "m3-collection-quiz", REMIT)
    html = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    assert "6222 0210 0088 1357" in html and "6222 0210 0088 1537" in html and "INV-2618" in html
    # the account (right) and the amount (wrong) ticked, the right next step
    response = post(actions, attempt, REMIT, {"l3": "on", "l4": "on", "d": "d1"}, action="submit")
    assert response.status_code == 302
    row = saved_answers(attempt)[REMIT]
    assert row.answer == {"lines": {"account": "", "amount": ""}, "decision": "trace"}
    assert row.score == pytest.approx(2.0 * (0.6 * 0.5 + 0.4))  # one found, one false tick costs half
    section = review_of(client, attempt, REMIT)
    assert "two digits swapped" in section and "should not be marked" in section


def test_a_contract_markup_in_chinese(client, actions, app, signed_in):
    user = signed_in(email="li@example.com", name="李", language="zh_CN")
    attempt = _attempt(user.id, "m2-risk-quiz", CONTRACT, lang="zh")
    html = client.get(f"/quiz/attempts/{attempt.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "设备采购合同（买方草拟稿）" in html and "第4条 付款" in html
    section = html.split(f'data-question="{CONTRACT}"', 1)[1].split("</fieldset>", 1)[0]
    assert section.count("<select") == 9 and 'type="checkbox"' not in section  # one fix select per clause
    fields = {"l3": "k1", "l4": "k2", "l5": "k5", "l6": "k4", "l7": "k3"}
    assert post(actions, attempt, CONTRACT, fields, action="submit").status_code == 302
    assert saved_answers(attempt)[CONTRACT].score == 2.0


def test_a_graded_document_counts_for_the_scorecard_and_item_statistics(client, actions, aging, trainee):
    right = calls(("l2", "executive"), ("l4", "legal"), ("l5", "manager"), ("l6", "agency"), ("l3", "salesperson"))
    assert post(actions, aging, AGING, right, action="submit").status_code == 302
    groups = quiz_evidence([trainee.id], utcnow())[trainee.id]
    by_dimension = {group.competencies[0]: group for group in groups}
    # the other questions of the attempt were left blank: only the document earned anything
    assert by_dimension["data_analysis"].total == pytest.approx(1.0)
    assert by_dimension["teamwork_escalation"].total == pytest.approx(1.0)
    row = next(r for r in item_rows("en") if r.question.id == AGING)
    assert row.stats is not None and (row.stats.attempts, row.stats.facility) == (1, 1.0)
    # the lines marked, with the key marked: what content owners read to find a misleading line
    assert {(o.label, o.count, o.correct) for o in row.options} == {
        ("Hongda Mechanical & Electrical", 1, True), ("Xinyuan Chemicals", 1, True), ("Boyu Technology", 1, True),
        ("Lvye Agricultural Supplies", 1, True), ("Anke Logistics", 1, True)}


def test_a_missed_document_comes_back_in_the_daily_review_with_instant_feedback(client, actions, aging, trainee):
    assert post(actions, aging, AGING, calls(("l1", "reminder")), action="submit").status_code == 302
    later = utcnow() + timedelta(days=2)
    assert AGING in cards.due_question_ids(trainee.id, later, 10)
    review = new_attempt(trainee.id, quizzes()["daily-review"], moment=later, seed=1, lang="en")
    db.session.commit()
    assert AGING in [item["question_id"] for item in review.instances]
    url = f"/quiz/attempts/{review.id}"
    data = {SHOWN: AGING, "check": AGING, **{document_name(AGING, k): v for k, v in calls(("l2", "executive")).items()}}
    response = actions.post(url, data, token_from=url)
    html = client.get(response.headers.get("Location", url)).get_data(as_text=True) if response.status_code == 302 \
        else response.get_data(as_text=True)
    assert 'data-testid="document-review"' in html and "You found 1 of 5 lines" in html
