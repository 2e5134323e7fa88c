"""Company sign-in in Chromium through the real OpenID provider (oidc-provider on Node.js): the
button on the sign-in page, the provider's own page, back home signed in; the refusal page for an
unverified e-mail; the sign-in page with passwords turned off. Chinese and English, phone and desk."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.web.sso_support import free_port, running_provider
from trainer import create_app
from trainer.accounts.models import IdentityLink, User
from trainer.extensions import db

SIZES = {"phone": {"width": 375, "height": 740}, "desk": {"width": 1280, "height": 900}}
LOCALES = {"zh": "zh-CN", "en": "en-US"}


def _serve(app, port: int):
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def sso_site(tmp_path_factory, content_registry):
    """The app on a free port with single sign-on through a provider started for it; a second app
    on the same database with local passwords off (only the break-glass admin keeps one)."""
    ports = free_port(), free_port()
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    database = tmp_path_factory.mktemp("sso") / "sso.sqlite"
    with running_provider([f"{base}/login/sso/callback" for base in bases]) as provider:
        common = {"SECRET_KEY": "browser-test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                  "CONTENT_REGISTRY": content_registry, **provider.settings()}
        app = create_app(common)
        with app.app_context():
            db.create_all()
        strict = create_app({**common, "LOCAL_PASSWORDS": False, "BREAK_GLASS_ADMIN": "root@corp.example"})
        servers = [_serve(app, ports[0]), _serve(strict, ports[1])]
        yield {"base": bases[0], "strict": bases[1], "app": app}
        for server in servers:
            server.shutdown()


def _page(browser, lang: str, size: str):
    context = browser.new_context(locale=LOCALES[lang], viewport=SIZES[size],
                                  **({"device_scale_factor": 2, "is_mobile": True, "has_touch": True}
                                     if size == "phone" else {}))
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _through_provider(page, base: str, login: str) -> None:
    page.goto(base + "/login")
    page.click("[data-testid=sso-button]")
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LOCALES)
def test_sign_in_through_the_company_provider(browser, sso_site, screenshots, lang, size):
    context, page = _page(browser, lang, size)
    login = {"zh": "bob", "en": "alice"}[lang]
    page.goto(sso_site["base"] + "/login")
    button = page.locator("[data-testid=sso-button]")
    assert button.inner_text() == {"zh": "使用Corp ID登录", "en": "Sign in with your Corp ID"}[lang]
    assert button.bounding_box()["width"] <= SIZES[size]["width"]
    screenshots(page, f"sso-login-{lang}-{size}")
    _through_provider(page, sso_site["base"], login)
    assert page.url == sso_site["base"] + "/"
    name = {"zh": "王博", "en": "Alice Wang"}[lang]
    assert name in page.inner_text("body")
    screenshots(page, f"sso-home-{lang}-{size}")
    with sso_site["app"].app_context():
        user = db.session.scalar(select(User).where(User.email == f"{login}@corp.example"))
        assert user is not None and db.session.scalar(select(IdentityLink).where(IdentityLink.user_id == user.id))
    context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LOCALES)
def test_an_unverified_email_gets_a_clear_page(browser, sso_site, screenshots, lang, size):
    context, page = _page(browser, lang, size)
    _through_provider(page, sso_site["base"], "dave")
    card = page.locator("[data-testid=sso-refused]")
    assert card.get_attribute("data-reason") == "UNVERIFIED_EMAIL"
    expected = {"zh": "邮箱未经验证", "en": "email address is not verified"}[lang]
    assert expected in card.inner_text()
    assert page.locator("h1").inner_text() == {"zh": "企业账号登录未成功", "en": "Company sign-in did not work"}[lang]
    screenshots(page, f"sso-refused-unverified-{lang}-{size}")
    page.goto(sso_site["base"] + "/login/sso/callback?code=replayed&state=not-this-browsers")
    assert page.locator("[data-testid=sso-refused]").get_attribute("data-reason") == "STATE"
    expected = {"zh": "该登录链接已被使用或已过期", "en": "already been used or has expired"}[lang]
    assert expected in page.locator("[data-testid=sso-refused]").inner_text()
    screenshots(page, f"sso-refused-replayed-{lang}-{size}")
    context.close()


@pytest.mark.parametrize("lang", LOCALES)
def test_passwords_off_leaves_only_the_button_and_the_emergency_form(browser, sso_site, screenshots, lang):
    context, page = _page(browser, lang, "phone")
    page.goto(sso_site["strict"] + "/login")
    assert page.locator("input[name=password]").is_hidden()  # folded inside the emergency section
    screenshots(page, f"sso-login-passwords-off-folded-{lang}-phone")
    page.click("details.break-glass summary")
    page.fill("input[name=email]", "alice@corp.example")
    page.fill("input[name=password]", "whatever-it-is")
    page.click("input[type=submit]")
    errors = page.locator(".error, .field-error, [role=alert]").all_inner_texts()
    expected = {"zh": "本站已关闭密码登录", "en": "Password sign-in is turned off here"}[lang]
    assert any(expected in text for text in errors) or expected in page.inner_text("body")
    assert page.locator("details.break-glass[open] input[name=password]").is_visible()
    screenshots(page, f"sso-login-passwords-off-{lang}-phone")
    context.close()


def test_an_admin_from_the_mapping_sees_the_effective_settings(browser, sso_site, screenshots):
    context, page = _page(browser, "zh", "desk")  # a Chinese browser...
    _through_provider(page, sso_site["base"], "carol")  # trainer-admins -> admin
    page.goto(sso_site["base"] + "/admin/sso")
    mapping = page.locator("[data-testid=sso-mapping]").inner_text()
    assert "trainer-admins\trole: admin" in mapping  # ...but carol's provider locale is "en"
    assert "trainer-secret" not in page.content()
    screenshots(page, "sso-admin-settings-en-desk")
    context.close()
