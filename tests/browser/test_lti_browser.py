"""LTI in Chromium: a course page of the test platform shows the tool in an iframe; an instructor's
deep-linking launch opens the picker there and the signed answer goes back to the platform; a
learner's launch opens the quiz in the frame; the admin pages and the refusal page. Chinese and
English, phone and desk (screenshots under test-output/screenshots/lti-*)."""

from __future__ import annotations

import time

import pytest

from tests.browser.test_sso_browser import LOCALES, SIZES, _page, _serve
from tests.conftest import TEST_PASSWORD
from tests.web.lti_platform import INSTRUCTOR, LEARNER, LaunchPlan, Member, Platform, free_port, urlencode
from trainer import create_app
from trainer.accounts.models import Role, User
from trainer.extensions import db
from trainer.lti.services import launch, platforms
from trainer.lti.services.platforms import PlatformInput

ADMINS = {"zh": "lti-zh@example.com", "en": "lti-en@example.com"}


@pytest.fixture(scope="module")
def lti_site(tmp_path_factory, content_registry):
    """The app and the test platform on free ports, the platform registered, two admins."""
    database = tmp_path_factory.mktemp("lti") / "lti.sqlite"
    app = create_app({"SECRET_KEY": "browser-test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "CONTENT_REGISTRY": content_registry})
    fake = Platform()
    tool_port = free_port()
    tool_server = _serve(app, tool_port)
    platform_port = free_port()
    platform_server = _serve(fake, platform_port)
    fake.url, base = f"http://127.0.0.1:{platform_port}", f"http://127.0.0.1:{tool_port}"
    fake.tool_jwks_url = base + "/lti/jwks"
    launch.KEYSETS.clear()
    with app.app_context():
        db.create_all()
        admins = [User(email=email, name=f"Admin {lang}", password_hash="!", role=Role.ADMIN.value,
                       language="en" if lang == "en" else "zh_CN", must_change_password=False)
                  for lang, email in ADMINS.items()]
        for admin in admins:
            admin.set_password(TEST_PASSWORD)
        db.session.add_all(admins)
        db.session.commit()
        platforms.save(admins[0], PlatformInput(
            label="Test LMS", issuer=fake.url, client_id=fake.client_id, auth_login_url=fake.url + "/auth",
            token_url=fake.url + "/token", keyset_url=fake.url + "/jwks", deployment_ids="dep-1"))
    yield {"base": base, "platform": fake, "app": app}
    tool_server.shutdown()
    platform_server.shutdown()


def _fits(page, size: str) -> None:
    """No sideways scrolling on a phone."""
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]


def _course_page(site, plan: LaunchPlan) -> str:
    hint = site["platform"].plan(plan)["lti_message_hint"]
    return f"{site['platform'].url}/course?{urlencode({'hint': hint, 'tool': site['base']})}"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LOCALES)
def test_deep_linking_in_the_platforms_iframe(browser, lti_site, screenshots, lang, size):
    context, page = _page(browser, lang, size)
    teacher = Member(f"teacher-{lang}-{size}", f"Teacher {lang}", f"teacher-{lang}-{size}@lms.example.com", [INSTRUCTOR])
    plan = LaunchPlan(member=teacher, message_type="LtiDeepLinkingRequest", locale=LOCALES[lang],
                      context_title={"zh": "应收账款入门", "en": "Receivables 101"}[lang])
    page.goto(_course_page(lti_site, plan))
    frame = page.frame_locator("#tool")
    frame.locator("[data-testid=lti-picker]").wait_for()
    heading = frame.locator("h1").inner_text()
    assert heading == {"zh": "为课程添加学习活动", "en": "Add an activity to your course"}[lang]
    screenshots(page, f"lti-deep-link-{lang}-{size}")
    answers = len(lti_site["platform"].deep_link_answers)
    frame.locator("input[value='quiz:m1-basics-quiz']").check()
    frame.locator("button[type=submit].primary").click()
    for _ in range(100):
        if len(lti_site["platform"].deep_link_answers) > answers:
            break
        time.sleep(0.05)
    [item] = lti_site["platform"].deep_link_answers[-1]["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["custom"] == {"trainer_item": "quiz:m1-basics-quiz"}
    context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LOCALES)
def test_a_learner_opens_the_quiz_in_the_frame(browser, lti_site, screenshots, lang, size):
    context, page = _page(browser, lang, size)
    learner = Member(f"learner-{lang}-{size}", f"Learner {lang}", f"learner-{lang}-{size}@lms.example.com", [LEARNER])
    plan = LaunchPlan(member=learner, custom={"trainer_item": "quiz:m1-basics-quiz"}, locale=LOCALES[lang])
    page.goto(_course_page(lti_site, plan))
    frame = page.frame_locator("#tool")
    title = {"zh": "模块一测验", "en": "Module 1 quiz"}[lang]
    frame.locator("h1", has_text=title).wait_for()
    screenshots(page, f"lti-quiz-in-frame-{lang}-{size}")
    context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LOCALES)
def test_refusal_and_admin_pages(browser, lti_site, screenshots, lang, size):
    context, page = _page(browser, lang, size)
    page.goto(lti_site["base"] + "/lti/login?" + urlencode({"iss": "https://unknown.example.org", "login_hint": "x"}))
    assert page.locator("h1").inner_text() == {"zh": "启动未成功", "en": "The launch did not work"}[lang]
    _fits(page, size)
    screenshots(page, f"lti-refused-{lang}-{size}")
    page.goto(lti_site["base"] + "/login")
    page.fill("input[name=email]", ADMINS[lang])
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(lti_site["base"] + "/admin/lti/")
    assert page.url.endswith("/admin/lti/"), page.content()[:3000]
    assert "Test LMS" in page.locator("[data-testid=platforms]").inner_text()
    _fits(page, size)
    screenshots(page, f"lti-admin-{lang}-{size}")
    page.goto(lti_site["base"] + "/admin/lti/platforms/new")
    page.fill("input[name=label]", "Canvas")
    page.fill("input[name=issuer]", "http://canvas.example.com")
    page.fill("input[name=client_id]", "10000000000001")
    page.fill("input[name=auth_login_url]", "not a url")
    page.click("[data-testid=platform-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    errors = page.locator("p.error").all_inner_texts()
    assert len(errors) >= 4
    _fits(page, size)
    screenshots(page, f"lti-platform-form-{lang}-{size}")
    context.close()


@pytest.mark.parametrize("lang", LOCALES)
def test_a_refused_launch_shows_its_page_inside_the_frame(browser, lti_site, screenshots, lang):
    context, page = _page(browser, lang, "phone")
    learner = Member(f"late-{lang}", "Late", f"late-{lang}@lms.example.com", [LEARNER])
    page.goto(_course_page(lti_site, LaunchPlan(member=learner, custom={"trainer_item": "quiz:m1-basics-quiz"},
                                                tamper="expired", locale=LOCALES[lang])))
    frame = page.frame_locator("#tool")
    frame.locator("[data-testid=lti-refused][data-reason=expired]").wait_for()
    assert frame.locator("h1").inner_text() == {"zh": "启动未成功", "en": "The launch did not work"}[lang]
    screenshots(page, f"lti-refused-in-frame-{lang}-phone")
    context.close()
