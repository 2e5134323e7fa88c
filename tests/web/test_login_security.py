"""Sign-in under attack: the throttle holds under concurrent guesses, the answers (and their cost)
are the same for real, unknown and deactivated accounts, and weak passwords are refused."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from werkzeug import security

from tests.conftest import TEST_PASSWORD, Actions, FreshContextClient, csrf_token
from trainer.accounts import models, signin
from trainer.accounts.passwords import common_passwords, password_problem
from trainer.accounts.services import AccountError
from trainer.extensions import db

WRONG = "Email or password is incorrect."
THROTTLED = "Too many failed sign-in attempts"


@pytest.fixture
def hash_checks(monkeypatch) -> Counter:
    """Counts every password hash the sign-in computes (real or dummy), thread-safely."""
    counts: Counter = Counter()
    lock = threading.Lock()
    real = signin.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        with lock:
            counts["checks"] += 1
        return real(pwhash, password)

    monkeypatch.setattr(signin, "check_password_hash", counting)
    return counts


def concurrent_logins(app, email: str, password: str, attempts: int, addresses: list[str]) -> Counter:
    """``attempts`` browsers post the sign-in form at the same moment; returns what they were told."""
    app.test_client_class = FreshContextClient  # each request its own context (and CSRF token), as live
    clients = []
    for n in range(attempts):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.environ_base["REMOTE_ADDR"] = addresses[n % len(addresses)]
        clients.append((client, csrf_token(client)))
    barrier = threading.Barrier(attempts)
    answers: Counter = Counter()
    lock = threading.Lock()

    def attempt(client, token) -> None:
        with app.app_context():
            barrier.wait()
            page = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
            text = page.get_data(as_text=True)
        outcome = "throttled" if THROTTLED in text else "wrong" if WRONG in text else f"status {page.status_code}"
        with lock:
            answers[outcome] += 1

    threads = [threading.Thread(target=attempt, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_thirty_concurrent_wrong_passwords_get_exactly_five_checks(app, make_user, hash_checks):
    make_user("trainee", email="amy@example.com")
    answers = concurrent_logins(app, "amy@example.com", "wrong-password", 30, ["203.0.113.7"])
    print(f"\n[{app.config['DB_BACKEND']}] 30 concurrent wrong passwords, limit 5: "
          f"{hash_checks['checks']} password checks, answers {dict(answers)}")
    assert hash_checks["checks"] == 5
    assert answers == Counter({"wrong": 5, "throttled": 25})


def test_concurrent_guesses_from_many_addresses_stop_at_the_account_limit(app, make_user, hash_checks):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 8
    make_user("trainee", email="amy@example.com")
    addresses = [f"198.51.100.{n}" for n in range(1, 31)]
    answers = concurrent_logins(app, "amy@example.com", "wrong-password", 30, addresses)
    print(f"\n[{app.config['DB_BACKEND']}] 30 concurrent wrong passwords from 30 addresses, account limit 8: "
          f"{hash_checks['checks']} password checks, answers {dict(answers)}")
    assert hash_checks["checks"] == 8
    assert answers == Counter({"wrong": 8, "throttled": 22})


def test_success_clears_the_count(app, actions, make_user):
    make_user("trainee", email="amy@example.com")
    for _ in range(4):
        actions.login("amy@example.com", "nope")
    assert "Sign out" in actions.login("amy@example.com").get_data(as_text=True)
    actions.logout()
    for _ in range(4):
        assert WRONG in actions.login("amy@example.com", "nope").get_data(as_text=True)


def test_throttle_message_in_chinese(client, actions, make_user):
    make_user("trainee", email="amy@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    for _ in range(6):
        page = actions.login("amy@example.com", "nope").get_data(as_text=True)
    assert "登录失败次数过多" in page


@pytest.mark.parametrize("email", ["nobody@example.com", "gone@example.com", "amy@example.com"])
def test_every_wrong_password_costs_one_hash_and_gets_one_answer(actions, make_user, hash_checks, email):
    make_user("trainee", email="amy@example.com")
    make_user("trainee", email="gone@example.com", active=False)
    page = actions.login(email, "wrong-password").get_data(as_text=True)
    assert WRONG in page and "deactivated" not in page
    assert hash_checks["checks"] == 1


def test_deactivated_account_with_the_right_password_is_told(actions, make_user):
    make_user("trainee", email="gone@example.com", active=False)
    assert "deactivated" in actions.login("gone@example.com").get_data(as_text=True)


def test_unknown_account_costs_the_same_hash_as_a_real_one(app, monkeypatch, make_user):
    """With the production hash (scrypt), a wrong password costs the same whoever the account is:
    every path checks exactly one hash made with the same method and cost. (Counted, not timed: the
    machine is shared, so a wall-clock ratio would be noise.)"""
    monkeypatch.setattr(models, "generate_password_hash", security.generate_password_hash)
    real = make_user("trainee", email="amy@example.com")
    gone = make_user("trainee", email="gone@example.com", active=False)
    assert real.password_hash.startswith("scrypt") and gone.password_hash.startswith("scrypt")
    limits = signin.ThrottleLimits(per_account_address=100, per_account=100, window=timedelta(minutes=15))
    checked: list[str] = []

    def counting_check(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$", 1)[0])  # the method and its cost, e.g. scrypt:32768:8:1
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(signin, "check_password_hash", counting_check)
    methods = {}
    for email in ("amy@example.com", "nobody@example.com", "gone@example.com"):
        checked.clear()
        with pytest.raises(AccountError):
            signin.authenticate(email, "wrong-password", "192.0.2.1", limits)
        methods[email] = list(checked)
    assert methods["amy@example.com"] == [real.password_hash.split("$", 1)[0]]
    assert methods["nobody@example.com"] == methods["amy@example.com"] == methods["gone@example.com"]


def test_throttle_counts_hashed_keys_not_emails(app, actions, make_user):
    actions.login("secret-person@example.com", "nope")
    rows = db.session.query(models.LoginThrottle).all()
    assert len(rows) == 2 and all("secret" not in row.key and len(row.key) == 64 for row in rows)


@pytest.mark.parametrize(
    "email",
    ["", " ", "a" * 300 + "@example.com", "amy@example.com\x00", "' OR 1=1 --", "ａｍｙ@example.com"],
    ids=["empty", "blank", "too-long", "nul", "sql", "fullwidth"],
)
def test_bad_emails_get_a_form_answer(client, make_user, email):
    make_user("trainee", email="amy@example.com")
    token = csrf_token(client)
    response = client.post("/login", data={"email": email, "password": "x", "csrf_token": token})
    assert response.status_code in (200, 400)
    assert "Sign out" not in response.get_data(as_text=True)


# --- the password policy ------------------------------------------------------------------------


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "at least 10 characters"),
        ("", "at least 10 characters"),
        ("onlyletters-here", "both letters and digits"),
        ("1234567890123", "both letters and digits"),
        ("aaaaaaaaa1", "different characters"),
        ("ab12ab12ab12", "different characters"),
        ("password12", "most common passwords"),
        ("Password123!", "most common passwords"),
        ("2024summer2024", "most common passwords"),
        ("qwertyuiop1", "most common passwords"),
        ("!!iloveyou99", "most common passwords"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(english, password, reason):
    problem = password_problem(password)
    assert problem is not None and reason in problem


@pytest.mark.parametrize("password", ["Better-pass-2026", TEST_PASSWORD, "ledger 7 tulip harbour", "收款-Report-2026"])
def test_good_passwords_pass(english, password):
    assert password_problem(password) is None


def test_the_shipped_list_is_a_few_thousand_lower_case_entries(app):
    listed = common_passwords()
    assert 4000 <= len(listed) <= 10000
    assert {"password", "123456", "qwerty", "iloveyou"} <= listed
    assert all(entry == entry.lower() for entry in listed)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "most common passwords"), ("zh-CN", "最常见的密码")],
)
def test_common_password_refused_on_the_form_in_both_languages(client, make_user, language, expected):
    make_user("trainee", email="amy@example.com", language="zh_CN" if language == "zh-CN" else "en")
    actions = Actions(client)
    actions.login("amy@example.com")
    form = {"current_password": TEST_PASSWORD, "new_password": "password12", "confirm": "password12"}
    page = actions.post("/account/password", form).get_data(as_text=True)
    assert expected in page
    assert db.session.get(models.User, 1).check_password(TEST_PASSWORD)
