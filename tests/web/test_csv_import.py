"""Bulk import of users from CSV: all rows checked first, nothing imported if any row is bad."""

import io

import pytest
from sqlalchemy import func, select

from trainer.accounts.models import AuditLog, User
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
