"""Response headers and the last-resort error page: HSTS over HTTPS, no-store for signed-in users,
and our own 500 page (both languages) instead of Werkzeug's."""

from __future__ import annotations

import pytest


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_hsts_when_the_request_is_secure(client):
    header = client.get("/login", base_url="https://trainer.example").headers["Strict-Transport-Security"]
    assert "max-age=31536000" in header


def test_hsts_when_the_site_is_configured_for_https(app, client):
    app.config["PREFERRED_URL_SCHEME"] = "https"
    assert "Strict-Transport-Security" in client.get("/login").headers


def test_signed_in_pages_are_not_stored(client, signed_in):
    signed_in("manager")
    for url in ("/", "/account/password", "/scorecard/", "/manage/"):
        response = client.get(url, follow_redirects=True)
        assert response.headers["Cache-Control"] == "no-store", url


def test_signed_in_downloads_are_not_stored(client, signed_in):
    signed_in("manager")
    response = client.get("/manage/export/overview.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_pages_and_static_files_may_be_cached(client, signed_in):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    signed_in("trainee")
    assert "no-store" not in client.get("/static/css/site.css").headers.get("Cache-Control", "")


def test_after_sign_out_the_header_stops(client, actions, signed_in):
    signed_in("trainee")
    response = actions.logout()
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.fixture
def failing_route(app):
    """A page that raises, served as in production (exceptions handled, not propagated to the test)."""

    def boom() -> str:
        raise RuntimeError("SELECT secret FROM internals WHERE id = 42")

    app.add_url_rule("/test-boom", "test_boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return "/test-boom"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Something went wrong"), ("zh-CN", "出错了")],
)
def test_our_500_page_in_both_languages(client, failing_route, language, expected):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.get(failing_route)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert expected in page and "(500)" in page
    assert "SELECT secret" not in page and "Internal Server Error" not in page  # not Werkzeug's, no internals
    assert response.headers["Content-Security-Policy"]


def test_500_page_for_a_signed_in_user(client, signed_in, failing_route):
    signed_in("trainee")
    response = client.get(failing_route)
    assert response.status_code == 500 and "Something went wrong" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_500_page_falls_back_to_plain_text_when_the_template_fails(app, client, failing_route, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr("trainer.core.web.render_template", broken)
    response = client.get(failing_route)
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong" in page and "出错了" in page
