"""Content health and item statistics: admins only; facility, discrimination, option counts and
flags computed from graded answers (daily reviews left out)."""

from __future__ import annotations

import re

import pytest

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.quiz.models import Attempt, AttemptAnswer


@pytest.fixture
def admin(signed_in):
    return signed_in("admin", email="ada@example.com")


def single_questions(app, module: str = "m1-basics", count: int = 3):  # type: ignore[no-untyped-def]
    bank_set = app.extensions["content"].banks
    return [q for q in bank_set if q.module == module and q.type == "single"][:count]


def graded_attempt(user_id: int, quiz_id: str, number: int, results) -> None:  # type: ignore[no-untyped-def]
    """An attempt with (question, option id, correct) answers, graded 1 or 0 each."""
    attempt = Attempt(user_id=user_id, quiz_id=quiz_id, number=number, seed=number, submitted_at=utcnow(),
                      instances=[{"question_id": q.id, "type": q.type, "order": [o.id for o in q.options]}
                                 for q, _, _ in results])
    db.session.add(attempt)
    db.session.flush()
    for question, option, correct in results:
        db.session.add(AttemptAnswer(attempt_id=attempt.id, question_id=question.id, answer=option,
                                     score=1.0 if correct else 0.0, max_score=1.0, correct=correct))
    db.session.commit()


def row_of(html: str, question_id: str) -> str:
    return re.search(rf'<tr data-question="{re.escape(question_id)}">(.*?)</tr>', html, re.S).group(1)


def test_content_page_shows_counts_and_links_item_statistics(client, admin, app):
    html = client.get("/admin/content").get_data(as_text=True)
    counts = re.search(r'data-testid="content-counts">(.*?)</div>\s*\n\s*<h2', html, re.S).group(1)
    questions = len(app.extensions["content"].banks)
    assert f'<span class="figure">{questions}</span><span>questions</span>' in counts
    assert 'href="/admin/content/items"' in html
    assert "m1-basics" in re.search(r'data-testid="bank-table">(.*?)</table>', html, re.S).group(1)
    assert "final-exam" in html


@pytest.mark.parametrize("role", ["trainee", "manager"])
def test_content_pages_are_for_admins_only(client, actions, make_user, role):
    user = make_user(role)
    actions.login(user.email)
    assert client.get("/admin/content").status_code == 403
    assert client.get("/admin/content/items").status_code == 403


def test_item_statistics_compute_facility_discrimination_and_flags(app, client, admin, make_user):
    easy, hard, good = single_questions(app)
    right = {q.id: next(o.id for o in q.options if o.correct) for q in (easy, hard, good)}
    wrong = {q.id: next(o.id for o in q.options if not o.correct) for q in (easy, hard, good)}
    trainee = make_user("trainee")
    for n in range(10):
        strong = n >= 5
        graded_attempt(trainee.id, "m1-basics-quiz", n + 1, [
            (easy, right[easy.id], True),
            (hard, right[hard.id] if n == 9 else wrong[hard.id], n == 9),
            (good, right[good.id] if strong else wrong[good.id], strong),
        ])
    # a daily review answering everything wrong must not move the numbers
    graded_attempt(trainee.id, "daily-review", 1, [(easy, wrong[easy.id], False)])
    html = client.get("/admin/content/items?module=m1-basics").get_data(as_text=True)
    easy_row, hard_row, good_row = row_of(html, easy.id), row_of(html, hard.id), row_of(html, good.id)
    assert re.search(r'<td class="num">10</td>\s*<td class="num">100%</td>', easy_row)
    assert "too easy" in easy_row
    assert re.search(r'<td class="num">10%</td>', hard_row) and "too hard" in hard_row
    assert re.search(r'<td class="num">50%</td>\s*<td class="num">0\.\d\d</td>', good_row)
    assert "too easy" not in good_row and "too hard" not in good_row and "does not discriminate" not in good_row
    # how often each option was picked, with the key marked
    assert re.search(r"10 \(100%\)</span> <span class=\"badge good\">key</span>", easy_row)
    flagged = client.get("/admin/content/items?flagged=1").get_data(as_text=True)
    assert f'data-question="{easy.id}"' in flagged and f'data-question="{good.id}"' not in flagged
    assert "2 questions are flagged" in client.get("/admin/content").get_data(as_text=True)


def test_item_statistics_filter_by_module(app, client, admin):
    html = client.get("/admin/content/items?module=m2-risk").get_data(as_text=True)
    ids = re.findall(r'data-question="([^"]+)"', html)
    questions = app.extensions["content"].banks
    assert ids and all(questions[i].module == "m2-risk" for i in ids)  # ids need not carry the module
    assert "doc-contract-cnc" in ids
    everything = client.get("/admin/content/items?module=bogus").get_data(as_text=True)
    assert len(re.findall(r"data-question=", everything)) == len(app.extensions["content"].banks)
