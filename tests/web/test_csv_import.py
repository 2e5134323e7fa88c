"""Bulk import of users from CSV: all rows checked first, nothing imported if any row is bad."""

import hashlib
import html
import io
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from trainer.accounts import csv_import
from trainer.accounts.models import AuditLog, SetPasswordToken, Team, User
from trainer.core.time import utcnow
from trainer.extensions import db

HEADER = "name,email,role,team,language\n"


@pytest.fixture
def admin_session(actions, make_user, make_team):
    make_user("admin", email="admin@example.com")
    make_team("East")
    actions.login("admin@example.com")
    return actions


def upload(actions, content: bytes, filename: str = "users.csv"):
    return actions.post(
        "/admin/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    ).get_data(as_text=True)


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_good_file_imports_everyone(admin_session):
    content = (HEADER + "王芳,wang.fang@example.com,trainee,East,zh_CN\n"
               "Li Lei,li.lei@example.com,manager,East,en\n"
               "Zhou,zhou@example.com,trainee,,zh\n").encode("utf-8-sig")  # Excel's BOM is fine
    page = upload(admin_session, content)
    assert "3 users imported" in page
    wang = db.session.scalar(select(User).where(User.email == "wang.fang@example.com"))
    assert wang.name == "王芳" and wang.must_change_password and [t.name for t in wang.teams] == ["East"]
    li = db.session.scalar(select(User).where(User.email == "li.lei@example.com"))
    assert [t.name for t in li.managed_teams] == ["East"]
    assert db.session.scalar(select(User.language).where(User.email == "zhou@example.com")) == "zh_CN"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "user.import_csv")) is not None


def test_bad_rows_are_all_reported_and_nothing_imported(admin_session):
    before = user_count()
    content = (HEADER + "Good One,good@example.com,trainee,East,en\n"
               ",noname@example.com,trainee,East,en\n"
               "Bad Mail,not-an-email,trainee,East,en\n"
               "Bad Role,role@example.com,boss,East,en\n"
               "Bad Team,team@example.com,trainee,Atlantis,en\n"
               "Bad Lang,lang@example.com,trainee,East,fr\n").encode()
    page = upload(admin_session, content)
    assert "Nothing was imported" in page
    for line, reason in [(3, "name is empty"), (4, "not a valid email address"), (5, "is not one of trainee"),
                         (6, "does not exist"), (7, "is not zh_CN or en")]:
        assert f"Line {line}" in page and reason in page
    assert user_count() == before


def test_duplicate_emails_in_file_and_in_database(admin_session):
    before = user_count()
    content = (HEADER + "A,dup@example.com,trainee,East,en\n"
               "B,DUP@example.com,trainee,East,en\n"
               "C,admin@example.com,trainee,East,en\n").encode()
    page = upload(admin_session, content)
    assert "also appears on line 2" in page
    assert "admin@example.com already has an account" in page
    assert user_count() == before


def test_wrong_encoding_is_refused_with_advice(admin_session):
    content = (HEADER + "王芳,wang.fang@example.com,trainee,East,zh_CN\n").encode("gbk")
    page = upload(admin_session, content)
    assert "not UTF-8" in page and "CSV UTF-8" in page


def test_empty_file_and_header_only(admin_session):
    assert "The file is empty." in upload(admin_session, b"")
    assert "header but no users" in upload(admin_session, HEADER.encode())


def test_missing_columns_named(admin_session):
    page = upload(admin_session, b"name,email\nA,a@example.com\n")
    assert "missing: role, team, language" in page


def test_short_row(admin_session):
    page = upload(admin_session, (HEADER + "A,a@example.com\n").encode())
    assert "fewer columns than the header" in page


def test_no_file_chosen(admin_session):
    page = admin_session.post("/admin/import", {}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose a CSV file to upload." in page


def test_bad_import_in_chinese(client, admin_session):
    admin_session.post("/language", {"language": "zh_CN", "next": "/"}, token_from="/")
    page = upload(admin_session, b"")
    assert "文件是空的" in page


# --- set-password links instead of passwords ---------------------------------------------------

TOKEN_RE = re.compile(r"/set-password/([A-Za-z0-9_-]+)</code>")


def test_imported_people_get_one_time_links_not_passwords(admin_session):
    page = upload(admin_session, (HEADER + "Wang,wang@example.com,trainee,East,zh_CN\n"
                                  "Li,li@example.com,manager,,en\n").encode())
    assert "2 users imported" in page and "Temporary password" not in page
    tokens = TOKEN_RE.findall(page)
    assert len(tokens) == 2 and len(set(tokens)) == 2 and "http://localhost/set-password/" in page
    stored = db.session.scalars(select(SetPasswordToken)).all()
    assert len(stored) == 2 and all(t.used_at is None and t.expires_at > utcnow() + timedelta(days=13) for t in stored)
    assert {t.token_hash for t in stored} == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not any(token in t.token_hash for t in stored for token in tokens)  # only the hash is kept
    wang = db.session.scalar(select(User).where(User.email == "wang@example.com"))
    assert not wang.has_password and not wang.check_password("")
    admin_session.logout()
    assert "Email or password is incorrect." in admin_session.login("wang@example.com", "!").get_data(as_text=True)


def test_links_download_as_csv_with_only_genuine_links(admin_session):
    page = upload(admin_session, (HEADER + "王芳,wang@example.com,trainee,East,zh_CN\n"
                                  "=cmd,eq@example.com,trainee,,en\n").encode())
    tokens = TOKEN_RE.findall(page)
    refused = admin_session.post("/admin/import/links.csv", {"tokens": " ".join([*tokens, "\x00"])},
                                 token_from="/admin/import")
    assert refused.status_code == 400  # the input layer refuses a control character before the view
    response = admin_session.post("/admin/import/links.csv",
                                  {"tokens": " ".join(tokens + ["forged-token", "x" * 5000])},
                                  token_from="/admin/import")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "set-password-links.csv" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8-sig")
    lines = body.strip().split("\r\n")
    assert lines[0] == "Name,Email,Role,Set-password link,Valid until" and len(lines) == 3
    assert lines[1].startswith(f"王芳,wang@example.com,trainee,http://localhost/set-password/{tokens[0]},")
    assert lines[2].startswith("'=cmd,")  # formula cells defused by the one CSV writer
    db.session.execute(update(SetPasswordToken).values(used_at=utcnow()))
    db.session.commit()
    response = admin_session.post("/admin/import/links.csv", {"tokens": " ".join(tokens)}, token_from="/admin/import")
    assert response.get_data().decode("utf-8-sig").strip().count("\r\n") == 0  # used links are left out


def test_links_download_needs_csrf_and_an_admin(admin_session, as_user, make_user):
    assert admin_session.client.post("/admin/import/links.csv", data={"tokens": "x"}).status_code == 400
    make_user("trainee", email="t@example.com")
    trainee = as_user("t@example.com")
    assert trainee.post("/admin/import/links.csv", {"tokens": "x"}, token_from="/").status_code == 403


# --- limits and bad values ----------------------------------------------------------------------

BAD_VALUES = [
    # (row, reason on the page)
    (f"{'N' * 121},long.name@example.com,trainee,East,en", "name is longer than 120 characters"),
    (f"Long Mail,{'a' * 243}@example.com,trainee,East,en", "email is longer than 254 characters"),
    (f"Long Team,team@example.com,trainee,{'T' * 121},en", "team is longer than 120 characters"),
    (f"Long Role,role@example.com,{'boss' * 100},East,en", "role &#39;" + "boss" * 10 + "…&#39; is not one of"),
    (f"Long Lang,lang@example.com,trainee,East,{'x' * 300}", "language &#39;" + "x" * 40 + "…&#39; is not zh_CN or en"),
    (f"Long Bad Mail,{'b' * 200},trainee,East,en", "&#39;" + "b" * 40 + "…&#39; is not a valid email address"),
    ("Nul\x00Name,nul@example.com,trainee,East,en", "name contains a control character"),
    ("Tab,tab\t@example.com,trainee,East,en", "email contains a control character"),
    ('"Two\nLines",lines@example.com,trainee,East,en', "name contains a control character"),
    ("Esc,esc@example.com,trainee,East\x1b,en", "team contains a control character"),
    ("Del,del@example.com,train\x7fee,East,en", "role contains a control character"),
    ("C1,c1@example.com,trainee,East,e\x85n", "language contains a control character"),
    ("Sep,sep\u2028x@example.com,trainee,East,en", "email contains a control character"),
]


def test_every_field_with_bad_values_is_a_row_error(admin_session):
    before = user_count()
    good = "Good,good@example.com,trainee,East,en"
    content = HEADER + good + "\n" + "\n".join(row for row, _ in BAD_VALUES) + "\n"
    response = admin_session.post("/admin/import", {"file": (io.BytesIO(content.encode()), "users.csv")},
                                  content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported" in page
    for row, reason in BAD_VALUES:
        assert reason in page, (row[:60], reason)
    assert page.count("<li>Line ") == len(BAD_VALUES) and "Line 2:" not in page  # the good row passed
    assert "N" * 121 not in page and "x" * 41 not in page  # long values are not echoed whole
    assert user_count() == before and db.session.scalar(select(func.count(SetPasswordToken.id))) == 0


def test_several_problems_on_one_row_are_all_named(admin_session):
    page = upload(admin_session, (HEADER + f"{'N' * 121},bad,boss,Atlantis,fr\n").encode())
    for reason in ("name is longer than 120", "&#39;bad&#39; is not a valid email", "role &#39;boss&#39;",
                   "team &#39;Atlantis&#39; does not exist", "language &#39;fr&#39;"):
        assert reason in page


def test_files_over_the_size_limit_are_refused_before_parsing(app, admin_session, monkeypatch):
    app.config["CSV_IMPORT_MAX_BYTES"] = 2000
    parsed = []
    monkeypatch.setattr(csv_import, "_row_problems", lambda *a: parsed.append(a) or [])
    content = (HEADER + "".join(f"U{i},u{i}@example.com,trainee,East,en\n" for i in range(80))).encode()
    assert len(content) > 2000
    response = admin_session.post("/admin/import", {"file": (io.BytesIO(content), "users.csv")},
                                  content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "at most 2 KB can be imported at once" in page
    assert "Split it into smaller files." in page and not parsed and user_count() == 1


def test_a_file_at_the_size_limit_is_accepted(app, admin_session):
    content = (HEADER + "Exact,exact@example.com,trainee,East,en\n").encode()
    app.config["CSV_IMPORT_MAX_BYTES"] = len(content)
    assert "1 users imported" in upload(admin_session, content)


def test_size_limit_message_in_chinese(app, admin_session):
    app.config["CSV_IMPORT_MAX_BYTES"] = 10
    admin_session.post("/language", {"language": "zh_CN", "next": "/"}, token_from="/")
    page = upload(admin_session, (HEADER + "A,a@example.com,trainee,East,en\n").encode())
    assert "一次最多只能导入 0 KB" in page and "请拆分成几个较小的文件" in page


def test_more_rows_than_allowed(admin_session):
    rows = "".join(f"U{i},u{i}@example.com,trainee,,en\n" for i in range(csv_import.MAX_IMPORT_ROWS + 1))
    assert "At most 5000 users can be imported at once." in upload(admin_session, (HEADER + rows).encode())
    assert user_count() == 1


def test_a_clash_during_the_insert_imports_nothing(admin_session, monkeypatch):
    real = csv_import.parse_user_csv

    def parse_then_someone_else_creates(data, max_bytes):
        rows, errors = real(data, max_bytes)
        db.session.add(User(name="Late", email="b@example.com", password_hash="x"))
        db.session.commit()
        return rows, errors

    monkeypatch.setattr(csv_import, "parse_user_csv", parse_then_someone_else_creates)
    page = upload(admin_session, (HEADER + "A,a@example.com,trainee,East,en\nB,b@example.com,trainee,,en\n").encode())
    assert "nothing was imported" in page
    assert db.session.scalar(select(User).where(User.email == "a@example.com")) is None


def test_five_thousand_users_import_in_one_go(admin_session):
    rows = "".join(f"学员 {i:04d},u{i:04d}@example.com,{'manager' if i % 100 == 0 else 'trainee'},"
                   f"{'East' if i % 2 else ''},{'en' if i % 3 else 'zh_CN'}\n" for i in range(5000))
    started = time.perf_counter()
    page = upload(admin_session, (HEADER + rows).encode())
    seconds = time.perf_counter() - started
    assert "5000 users imported" in page and len(TOKEN_RE.findall(page)) == 5000
    assert user_count() == 5001 and db.session.scalar(select(func.count(SetPasswordToken.id))) == 5000
    east = db.session.scalar(select(Team).where(Team.name == "East"))
    assert len(east.members) == 2500 and not east.managers  # managers (even lines) have no team here
    assert seconds < 10, f"{seconds:.1f} s"
    download = admin_session.post("/admin/import/links.csv", {"tokens": " ".join(TOKEN_RE.findall(page))},
                                  token_from="/admin/import")
    assert download.status_code == 200 and download.get_data().count(b"/set-password/") == 5000


def test_import_result_names_roles_in_the_admins_language(admin_session):
    content = (HEADER + "王芳,wang.fang@example.com,trainee,East,zh_CN\n"
               "Li Lei,li.lei@example.com,manager,East,en\n").encode()
    page = upload(admin_session, content)
    assert "<td>Trainee</td>" in page and "<td>Manager</td>" in page
    db.session.execute(update(User).where(User.email == "admin@example.com").values(language="zh_CN"))
    db.session.commit()
    page = upload(admin_session, (HEADER + "赵磊,zhao.lei@example.com,trainee,East,zh_CN\n").encode())
    assert "<td>学员</td>" in page and "<td>trainee</td>" not in page


def test_the_example_on_the_page_names_a_real_team_and_imports_as_shown(client, admin_session, make_team):
    make_team("华东销售一组 East Sales 1")
    page = client.get("/admin/import").get_data(as_text=True)
    example = html.unescape(page.split('data-testid="import-example">')[1].split("</pre>")[0])
    assert example.splitlines()[0] == "name,email,role,team,language"
    assert ",East," in example  # the first team by name
    before = user_count()
    upload(admin_session, example.encode())
    assert user_count() == before + 2
