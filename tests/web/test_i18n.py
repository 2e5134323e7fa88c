"""Language: browser default, zh_CN fallback, switcher, per-user preference."""

from trainer.accounts.models import User
from trainer.extensions import db


def test_default_language_is_chinese_without_accept_language(client):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "登录" in page


def test_browser_english_gets_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page


def test_unsupported_browser_language_falls_back_to_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert "登录" in page


def test_switcher_sets_session_language(client, actions):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "登录" in client.get("/login").get_data(as_text=True)
    actions.post("/language", {"language": "en", "next": "/login"}, token_from="/login")
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_switcher_saves_user_preference(client, actions, signed_in):
    user = signed_in(email="amy@example.com", language="en")
    actions.post("/language", {"language": "zh_CN", "next": "/"}, token_from="/")
    assert db.session.get(User, user.id).language == "zh_CN"
    assert "你好" in client.get("/").get_data(as_text=True)


def test_switcher_rejects_unknown_language(client, actions, signed_in):
    user = signed_in(email="amy@example.com", language="en")
    actions.post("/language", {"language": "fr", "next": "/"}, token_from="/")
    assert db.session.get(User, user.id).language == "en"


def test_user_preference_beats_browser(client, actions, make_user):
    make_user("trainee", email="amy@example.com", language="zh_CN")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    actions.login("amy@example.com")
    assert "你好" in client.get("/").get_data(as_text=True)
