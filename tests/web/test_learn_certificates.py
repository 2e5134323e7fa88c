"""Certificates: issued only for a finished path (and final exam), printable in the trainee's
language, verifiable by anyone by code; nobody else's certificate page opens by URL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import COURSE
from trainer.extensions import db
from trainer.learn.models import Certificate
from trainer.learn.services import certificates, gates, recording
from trainer.learn.services.gates import GateStatus

pytestmark = pytest.mark.usefixtures("no_quiz_gates")


STATUS_URL = f"/learn/{COURSE}/certificate"


def finish_course(user, course) -> None:
    for lesson in course.lessons:
        recording.complete_lesson(user.id, course.id, lesson.id, "en")


def issue(actions):
    return actions.post(STATUS_URL, token_from=f"/learn/{COURSE}")


@pytest.fixture
def graduate(make_user, actions, course):
    user = make_user("trainee", email="amy@example.com", name="Amy Graduate", language="en")
    finish_course(user, course)
    actions.login(user.email)
    return user


def certificate_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate)) or 0


def test_no_certificate_before_the_path_is_done(client, actions, make_user, course):
    user = make_user("trainee", email="new@example.com")
    recording.complete_lesson(user.id, COURSE, course.lessons[0].id, "en")
    actions.login(user.email)
    html = client.get(STATUS_URL).get_data(as_text=True)
    assert "Still to do" in html and course.modules[0].title["en"] in html
    assert 'data-testid="issue-certificate"' not in html
    response = issue(actions)
    assert response.status_code == 302
    assert "Finish every module of the course first." in client.get(response.location).get_data(as_text=True)
    assert certificate_count() == 0


def test_final_exam_gate_holds_the_certificate(app, client, actions, graduate, course):
    passed = {"yes": False}
    gates.register_final_gate(
        app, lambda user_id, course_id: GateStatus(passed=passed["yes"], title="Final exam", url="/quiz/final")
    )
    assert not gates.final_exam_passed(graduate.id, COURSE)
    html = client.get(f"/learn/{COURSE}").get_data(as_text=True)
    assert 'href="/quiz/final"' in html and "Pass the final exam" in html
    home = client.get("/").get_data(as_text=True)
    assert "Final exam" in home and "/quiz/final" in home
    response = issue(actions)
    assert "Pass the final exam first." in client.get(response.location).get_data(as_text=True)
    assert certificate_count() == 0
    passed["yes"] = True
    assert "Get your certificate" in client.get("/").get_data(as_text=True)
    issue(actions)
    assert certificate_count() == 1


def test_issue_and_print_the_certificate(client, actions, graduate, course):
    home = client.get("/").get_data(as_text=True)
    assert "Get your certificate" in home and STATUS_URL in home
    response = issue(actions)
    certificate = db.session.scalar(select(Certificate))
    assert response.status_code == 302 and response.location.endswith(f"/certificates/{certificate.id}")
    assert re.fullmatch(r"[A-Z2-7]{16}", certificate.code)
    assert certificate.holder_name == "Amy Graduate" and certificate.course_title == course.title["en"]
    assert certificate.language == "en"
    html = client.get(response.location).get_data(as_text=True)
    code = certificates.format_code(certificate.code)
    assert "Certificate of completion" in html and "Amy Graduate" in html and course.title["en"] in html
    assert code in html
    assert f"http://localhost/verify/{code}" in html
    assert str(certificate.issued_at.year) in html
    # The course page and home now point at it; issuing again changes nothing.
    assert "View your certificate" in client.get(f"/learn/{COURSE}").get_data(as_text=True)
    assert "Your certificate" in client.get("/").get_data(as_text=True)
    again = issue(actions)
    assert again.location == response.location and certificate_count() == 1
    assert client.get(STATUS_URL).location.endswith(f"/certificates/{certificate.id}")


def test_certificate_is_printed_in_the_language_it_was_issued_in(client, actions, make_user, course):
    user = make_user("trainee", email="wei@example.com", name="张伟", language="zh_CN")
    finish_course(user, course)
    actions.login(user.email)
    response = issue(actions)
    certificate = db.session.scalar(select(Certificate))
    assert certificate.language == "zh" and certificate.course_title == course.title["zh"]
    html = client.get(response.location).get_data(as_text=True)
    assert "结业证书" in html and "兹证明" in html and "张伟" in html and course.title["zh"] in html
    assert f"{certificate.issued_at.year}年" in html
    # Renaming the account later does not change the certificate (a snapshot).
    user.name = "Zhang Wei"
    db.session.commit()
    assert "张伟" in client.get(response.location).get_data(as_text=True)


def test_verify_a_valid_code_without_logging_in(client, actions, graduate):
    issue(actions)
    code = db.session.scalar(select(Certificate.code))
    actions.logout()
    for written in (certificates.format_code(code), code, code.lower(), certificates.format_code(code).lower()):
        response = client.get(f"/verify/{written}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200, written
        assert "Valid certificate" in html and "Amy Graduate" in html and "AR essentials for sales" in html
        assert "amy@example.com" not in html


def test_verify_form_redirects_to_the_code_page(client, actions, graduate):
    issue(actions)
    code = db.session.scalar(select(Certificate.code))
    actions.logout()
    response = client.get("/verify", query_string={"code": f"  {code[:8].lower()} {code[8:]} "})
    assert response.status_code == 302 and response.location.endswith(f"/verify/{certificates.format_code(code)}")
    assert "Valid certificate" in client.get(response.location).get_data(as_text=True)


def test_verify_an_unknown_code_is_a_clear_404(client):
    response = client.get("/verify/ABCD-EFGH-JKLM-NPQR")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No certificate has this code." in html and "Valid certificate" not in html
    garbage = client.get("/verify/<script>alert(1)</script>")
    assert garbage.status_code == 404 and "<script>alert(1)" not in garbage.get_data(as_text=True)


def test_verify_form_with_bad_input_explains(client):
    html = client.get("/verify", query_string={"code": "not-a-code"}).get_data(as_text=True)
    assert "A code has 16 letters and digits" in html
    html = client.get("/verify", query_string={"code": ""}).get_data(as_text=True)
    assert "Enter the code printed on the certificate." in html
    page = client.get("/verify")
    assert page.status_code == 200 and "Verify a certificate" in page.get_data(as_text=True)


def test_another_users_certificate_page_is_404(client, actions, graduate, make_user, make_team, course):
    issue(actions)
    certificate = db.session.scalar(select(Certificate))
    actions.logout()
    make_user("trainee", email="other@example.com")
    actions.login("other@example.com")
    assert client.get(f"/certificates/{certificate.id}").status_code == 404
    assert client.get(f"/certificates/{certificate.id + 1}").status_code == 404
    assert client.get("/certificates/abc").status_code == 404
    actions.logout()
    # A manager of another team cannot see it either; the trainee's own manager can.
    east, south = make_team("East"), make_team("South")
    graduate.teams = [east]
    db.session.commit()
    make_user("manager", email="south.boss@example.com", manages=[south])
    make_user("manager", email="east.boss@example.com", manages=[east])
    actions.login("south.boss@example.com")
    assert client.get(f"/certificates/{certificate.id}").status_code == 404
    actions.logout()
    actions.login("east.boss@example.com")
    assert "Amy Graduate" in client.get(f"/certificates/{certificate.id}").get_data(as_text=True)


def test_certificate_pages_need_login(client):
    assert "/login" in client.get(STATUS_URL).location
    assert "/login" in client.get("/certificates/1").location


def test_issue_needs_csrf(client, graduate):
    assert client.post(STATUS_URL).status_code == 400
    assert certificate_count() == 0


def test_codes_are_unguessable_and_normalised():
    codes = {certificates.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(re.fullmatch(r"[A-Z2-7]{16}", c) for c in codes)
    code = next(iter(codes))
    assert certificates.normalize_code(certificates.format_code(code).lower()) == code
    assert certificates.normalize_code("ABCD") is None
    assert certificates.normalize_code("ABCD-EFGH-JKLM-NPQ8") is None  # 8 is not base32
    assert certificates.normalize_code("abcd efgh 1jkl m0pq") == "ABCDEFGHIJKLMOPQ"  # 1 and 0 read as I and O
    assert certificates.normalize_code(None) is None


def test_certificate_reads_in_both_languages_with_a_local_qr_code(client, actions, make_user, course):
    user = make_user("trainee", email="wen@example.com", name="王文", language="zh_CN")
    finish_course(user, course)
    actions.login(user.email)
    html = client.get(issue(actions).location).get_data(as_text=True)
    body = html.split('data-testid="certificate"')[1]
    # Chinese first (the issue language), every line again in English
    assert body.index("结业证书") < body.index("Certificate of completion")
    assert course.title["zh"] in body and course.title["en"] in body
    assert "This certifies that" in body and "Verification code" in body
    # the QR code is an inline SVG drawn on the server: no image from elsewhere
    qr = body.split('data-testid="certificate-qr"')[1].split("</figure>")[0]
    assert "<svg" in qr and 'viewBox="0 0' in qr and "<path" in qr and "http" not in qr.split("<title>")[0]
    assert "certificate.css" in html  # the A4 landscape print sheet


def test_the_english_verify_page_names_the_course_in_english(app, client, actions, make_user, course):
    user = make_user("trainee", email="li@example.com", name="李雷", language="zh_CN")
    finish_course(user, course)
    actions.login(user.email)
    issue(actions)
    code = certificates.format_code(db.session.scalar(select(Certificate.code)))
    for accept, lang, other in (("en", "en", "zh"), ("zh-CN", "zh", "en")):  # a visitor, not signed in
        visitor = app.test_client()
        visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
        html = visitor.get(f"/verify/{code}").get_data(as_text=True)
        assert f'data-testid="verify-course">{course.title[lang]}<' in html and course.title[other] not in html
