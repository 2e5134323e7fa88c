"""Writing practice on the web: drafts (autosave and the plain Save), submissions with history,
exports, peer and manager reviews, the dashboard's list, the scorecard's evidence, and refusals:
outsiders, the author as reviewer, bad values in every form and URL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.conftest import csrf_token
from trainer.scorecard.services.evidence import evidence_for
from trainer.writing.services import drafts

TASK = "huarui-first-overdue"
GOOD_TEXT = (
    "周经理您好：\n\n合同 HR-2026-0715 的发票 04418821 和 04418822 已于 11 月 29 日到期，合计 386,000.00 元。"
    "\n\n请在 2099 年 1 月 5 日前告知付款日期。收款账户 1219 0852 6610 608。谢谢！"
)


@pytest.fixture
def org(make_org):
    return make_org(
        {"east": "East", "south": "South"},
        {
            "boss": "manager of east: Boss",
            "other_boss": "manager of south: Other Boss",
            "amy": "trainee in east: Amy",
            "ben": "trainee in east: Ben",
            "sam": "trainee in south: Sam",
        },
    )


def _submit(as_user, email: str, text: str = GOOD_TEXT):
    me = as_user(email)
    response = me.post(f"/writing/tasks/{TASK}/submit", {"text": text}, token_from=f"/writing/tasks/{TASK}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return me, int(response.headers["Location"].rsplit("/", 1)[1])


def test_editor_shows_case_file_checklist_and_honest_note(org, as_user):
    me = as_user("amy@example.com")
    html = me.client.get(f"/writing/tasks/{TASK}").get_data(as_text=True)
    assert "HR-2026-0715" in html and "04418821" in html and "1219 0852 6610 608" in html
    assert "not a grade of your style" in html
    assert "Model answer" not in html.split("The model answer appears here")[0].split("wr-col-editor")[1]


def test_autosave_returns_json_with_fresh_checklist(org, as_user):
    me = as_user("amy@example.com")
    token = csrf_token(me.client, f"/writing/tasks/{TASK}")
    response = me.client.post(
        f"/writing/tasks/{TASK}/save", data={"text": GOOD_TEXT}, headers={"Accept": "application/json", "X-CSRFToken": token}
    )
    body = response.get_json()
    assert response.status_code == 200 and body["ok"] is True
    assert "7/7" in body["feedback"] and "<mark" in body["feedback"]
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2} UTC\+8", body["saved_at"])  # the site's zone, labelled
    page = me.client.get(f"/writing/tasks/{TASK}").get_data(as_text=True)
    assert GOOD_TEXT.split("\n")[0] in page
    assert re.search(r"Saved at \d{2}:\d{2} UTC\+8", page)


def test_autosave_without_csrf_is_refused(org, as_user):
    me = as_user("amy@example.com")
    response = me.client.post(f"/writing/tasks/{TASK}/save", data={"text": "x"}, headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_plain_save_and_too_long_text(org, as_user):
    me = as_user("amy@example.com")
    ok = me.post(f"/writing/tasks/{TASK}/save", {"text": "草稿"}, token_from=f"/writing/tasks/{TASK}", follow_redirects=True)
    assert "Draft saved." in ok.get_data(as_text=True)
    long = me.post(f"/writing/tasks/{TASK}/save", {"text": "长" * 8001}, token_from=f"/writing/tasks/{TASK}")
    assert long.status_code == 400 and "the limit is 8000" in long.get_data(as_text=True)
    json_long = me.client.post(f"/writing/tasks/{TASK}/save", data={"text": "x" * 9000},
                               headers={"Accept": "application/json", "X-CSRFToken": csrf_token(me.client, f"/writing/tasks/{TASK}")})
    assert json_long.status_code == 400 and "limit" in json_long.get_json()["error"]
    assert "草稿" in me.client.get(f"/writing/tasks/{TASK}").get_data(as_text=True)


def test_zh_user_gets_messages_in_chinese(make_org, as_user):
    make_org({"east": "East"}, {"wei": "trainee in east: 魏 [zh_CN]"})
    me = as_user("wei@example.com")
    long = me.post(f"/writing/tasks/{TASK}/save", {"text": "长" * 8001}, token_from=f"/writing/tasks/{TASK}")
    assert long.status_code == 400 and "8000" in long.get_data(as_text=True) and "the limit" not in long.get_data(as_text=True)


def test_submit_empty_is_refused_and_resubmission_keeps_history(org, as_user):
    me = as_user("amy@example.com")
    empty = me.post(f"/writing/tasks/{TASK}/submit", {"text": "   "}, token_from=f"/writing/tasks/{TASK}", follow_redirects=True)
    assert "Write your text before submitting it." in empty.get_data(as_text=True)
    me, first = _submit(as_user, "amy@example.com", "第一版 386,000 元")
    me, second = _submit(as_user, "amy@example.com", GOOD_TEXT)
    page = me.client.get(f"/writing/submissions/{second}").get_data(as_text=True)
    assert "Version 2" in page and f"/writing/submissions/{first}" in page and "Model answer" in page
    assert "第一版" in me.client.get(f"/writing/submissions/{first}").get_data(as_text=True)
    editor = me.client.get(f"/writing/tasks/{TASK}").get_data(as_text=True)
    assert 'data-testid="model-answer"' in editor and "Version 1" in editor and "Version 2" in editor


def test_exports_text_and_print(org, as_user):
    me, sid = _submit(as_user, "amy@example.com")
    text = me.client.get(f"/writing/submissions/{sid}.txt")
    assert text.status_code == 200 and "attachment" in text.headers["Content-Disposition"]
    assert "386,000.00" in text.get_data(as_text=True) and "\r\n" in text.get_data(as_text=True)
    printed = me.client.get(f"/writing/submissions/{sid}/print").get_data(as_text=True)
    assert "writing-print.css" in printed and "04418821" in printed


def test_user_text_is_escaped(org, as_user):
    me, sid = _submit(as_user, "amy@example.com", "<script>alert(1)</script> 386,000 元 <b>x</b>")
    html = me.client.get(f"/writing/submissions/{sid}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html


def test_outsiders_cannot_see_or_review(org, as_user):
    _, sid = _submit(as_user, "amy@example.com")
    for email in ("ben@example.com", "sam@example.com", "other.boss@example.com"):
        other = as_user(email)
        for url in (f"/writing/submissions/{sid}", f"/writing/submissions/{sid}.txt",
                    f"/writing/submissions/{sid}/print", f"/writing/submissions/{sid}/review"):
            assert other.client.get(url).status_code == 404, (email, url)
        token = csrf_token(other.client, "/writing/")
        for url in (f"/writing/submissions/{sid}/review", f"/writing/submissions/{sid}/comment", f"/writing/submissions/{sid}/ask"):
            assert other.client.post(url, data={"csrf_token": token, "body": "x", "paragraph": "1"}).status_code == 404


def test_author_cannot_review_own_work(org, as_user):
    me, sid = _submit(as_user, "amy@example.com")
    assert me.client.get(f"/writing/submissions/{sid}/review").status_code == 403
    token = csrf_token(me.client, "/writing/")
    assert me.client.post(f"/writing/submissions/{sid}/review", data={"csrf_token": token}).status_code == 403


def test_manager_sees_pending_and_reviews_with_inline_comment(org, as_user):
    _, sid = _submit(as_user, "amy@example.com")
    boss = as_user("boss@example.com")
    pending = boss.client.get("/manage/writing").get_data(as_text=True)
    assert 'data-testid="writing-pending"' in pending and "Amy" in pending and f"/writing/submissions/{sid}/review" in pending
    review_url = f"/writing/submissions/{sid}/review"
    assert boss.client.get(review_url).status_code == 200
    added = boss.post(f"/writing/submissions/{sid}/comment", {"body": "金额写得清楚", "start": "0", "end": "4"}, token_from=review_url)
    assert added.status_code == 302
    per_paragraph = boss.post(f"/writing/submissions/{sid}/comment", {"body": "加一句感谢", "paragraph": "2"}, token_from=review_url)
    assert per_paragraph.status_code == 302
    scores = {"score-facts": "3", "score-clear_ask": "2", "score-tone": "3", "score-structure": "2", "comment": "好"}
    saved = boss.post(review_url, scores, token_from=review_url)
    assert saved.status_code == 302
    author_view = as_user("amy@example.com").client.get(f"/writing/submissions/{sid}").get_data(as_text=True)
    assert "10/12" in author_view and "金额写得清楚" in author_view and "加一句感谢" in author_view
    after = boss.client.get("/manage/writing").get_data(as_text=True)
    assert 'data-testid="writing-none-pending"' in after and "10/12" in after


def test_review_bad_values(org, as_user):
    _, sid = _submit(as_user, "amy@example.com")
    boss = as_user("boss@example.com")
    url = f"/writing/submissions/{sid}/review"
    for data in ({"score-facts": "4", "score-clear_ask": "2", "score-tone": "3", "score-structure": "2"},
                 {"score-facts": "-1", "score-clear_ask": "2", "score-tone": "3", "score-structure": "2"},
                 {"score-facts": "x"}, {}):
        page = boss.post(url, data, token_from=url, follow_redirects=True).get_data(as_text=True)
        assert "Give every rubric item a score from 0 to 3." in page
    too_long = {"score-facts": "1", "score-clear_ask": "1", "score-tone": "1", "score-structure": "1", "comment": "x" * 3001}
    assert "at most 3000" in boss.post(url, too_long, token_from=url, follow_redirects=True).get_data(as_text=True)
    comment = f"/writing/submissions/{sid}/comment"
    for data, message in (({"body": ""}, "Write the comment first."), ({"body": "x" * 1001, "paragraph": "1"}, "at most 1000"),
                          ({"body": "x", "paragraph": "99"}, "Choose the paragraph"),
                          ({"body": "x", "paragraph": "abc"}, "Choose the paragraph"),
                          ({"body": "x", "start": "5", "end": "999999"}, "Choose the paragraph")):
        page = boss.post(comment, data, token_from=url, follow_redirects=True).get_data(as_text=True)
        assert message in page, data


def test_peer_review_on_request_only(org, as_user):
    me, sid = _submit(as_user, "amy@example.com")
    ben = as_user("ben@example.com")
    assert ben.client.get(f"/writing/submissions/{sid}").status_code == 404
    page = f"/writing/submissions/{sid}"
    for bad in ("abc", "0", "99999999999", str(org["sam"].id), str(org["amy"].id)):
        refused = me.post(f"/writing/submissions/{sid}/ask", {"peer": bad}, token_from=page, follow_redirects=True)
        assert "Choose a colleague from your own team." in refused.get_data(as_text=True), bad
    asked = me.post(f"/writing/submissions/{sid}/ask", {"peer": str(org["ben"].id)}, token_from=page, follow_redirects=True)
    assert "Ben has been asked" in asked.get_data(as_text=True)
    assert "review-requests" in ben.client.get("/writing/").get_data(as_text=True)
    url = f"/writing/submissions/{sid}/review"
    saved = ben.post(url, {"score-facts": "2", "score-clear_ask": "2", "score-tone": "2", "score-structure": "2"}, token_from=url)
    assert saved.status_code == 302
    assert "8/12" in me.client.get(page).get_data(as_text=True)
    # asking only reaches this version: a resubmission is not visible to the peer
    me, newer = _submit(as_user, "amy@example.com")
    assert ben.client.get(f"/writing/submissions/{newer}").status_code == 404


def test_bad_url_values(org, as_user):
    me = as_user("amy@example.com")
    for url in ("/writing/tasks/nope", "/writing/tasks/..%2F..", "/writing/tasks/" + "a" * 300,
                "/writing/submissions/0", "/writing/submissions/99999999999", "/writing/submissions/abc",
                "/writing/submissions/2147483647", "/writing/submissions/2147483647.txt"):
        assert me.client.get(url).status_code == 404, url
    token = csrf_token(me.client, "/writing/")
    assert me.client.post("/writing/tasks/nope/save", data={"csrf_token": token, "text": "x"}).status_code == 404
    assert me.client.post(f"/writing/tasks/{TASK}/save", data={"csrf_token": token, "text": "a\x00b"}).status_code == 400


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get("/writing/").status_code in (302, 401)


def test_reviews_count_on_the_scorecard(org, as_user, app):
    _, sid = _submit(as_user, "amy@example.com")
    boss = as_user("boss@example.com")
    url = f"/writing/submissions/{sid}/review"
    boss.post(url, {"score-facts": "3", "score-clear_ask": "3", "score-tone": "3", "score-structure": "3"}, token_from=url)
    with app.app_context():
        groups = evidence_for([org["amy"].id], datetime.now() + timedelta(days=1))[org["amy"].id].groups
    assert any(g.competencies == ("collection_communication",) and g.total == 1.0 and g.weight == 3.0 for g in groups)


def test_two_first_saves_at_once_do_not_fail(org, as_user, app, monkeypatch):
    me = as_user("amy@example.com")
    me.post(f"/writing/tasks/{TASK}/save", {"text": "first"}, token_from=f"/writing/tasks/{TASK}")
    calls = {"n": 0}
    real = drafts.draft_of

    def racing(user, task):  # the first look misses the row another request has just written
        calls["n"] += 1
        return None if calls["n"] == 1 else real(user, task)

    monkeypatch.setattr(drafts, "draft_of", racing)
    ok = me.post(f"/writing/tasks/{TASK}/save", {"text": "second"}, token_from=f"/writing/tasks/{TASK}")
    assert ok.status_code == 302 and calls["n"] == 2
    monkeypatch.undo()
    assert "second" in me.client.get(f"/writing/tasks/{TASK}").get_data(as_text=True)


def test_every_post_needs_the_csrf_token(org, as_user):
    _, sid = _submit(as_user, "amy@example.com")
    boss = as_user("boss@example.com")
    for url in (f"/writing/tasks/{TASK}/save", f"/writing/tasks/{TASK}/submit", f"/writing/submissions/{sid}/ask",
                f"/writing/submissions/{sid}/comment", f"/writing/submissions/{sid}/review"):
        assert boss.client.post(url, data={"text": "x", "body": "x", "paragraph": "1"}).status_code == 400, url


def test_submit_too_long_and_dashboard_bad_parameters(org, as_user):
    me = as_user("amy@example.com")
    page = me.post(f"/writing/tasks/{TASK}/submit", {"text": "x" * 8001}, token_from=f"/writing/tasks/{TASK}",
                   follow_redirects=True).get_data(as_text=True)
    assert "the limit is 8000" in page
    assert me.client.get("/manage/writing").status_code == 403  # a trainee has no dashboard
    boss = as_user("boss@example.com")
    for query in ("team=abc", "team=99999", "team=" + str(org["south"].id), "quarter=2026-Q9", "quarter=x" * 50, "team=-1&quarter="):
        status = boss.client.get(f"/manage/writing?{query}").status_code
        assert status in (200, 404), (query, status)
