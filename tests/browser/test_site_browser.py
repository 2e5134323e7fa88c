"""A newcomer in real Chromium: sign in as the demo trainee, switch language, see home in both."""

from tests.browser.helpers import sign_in


def test_trainee_signs_in_and_switches_language(live_server, page, screenshots):
    page.goto(live_server.url + "/login")
    assert page.locator("h1").inner_text() == "登录"  # zh-CN browser gets Chinese
    screenshots(page, "site-01-login-zh")
    sign_in(page, live_server.url, "trainee@demo.local")
    assert "你好，张伟" in page.locator("h1").inner_text()
    screenshots(page, "site-02-home-zh")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    assert "Hello, 张伟" in page.locator("h1").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    screenshots(page, "site-03-home-en")
    page.click("[data-testid=lang-zh]")
    page.wait_for_load_state("networkidle")
    assert "你好" in page.locator("h1").inner_text()


def test_phone_layout_has_menu_and_no_horizontal_scroll(live_server, phone, screenshots):
    sign_in(phone, live_server.url, "chen.manager@demo.local")
    assert phone.locator("details.menu summary").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
    phone.click("details.menu summary")
    assert phone.locator("details.menu nav a", has_text="首页").is_visible()
    screenshots(phone, "site-04-phone-manager-menu")


def test_admin_sees_health_and_users(live_server, page, screenshots):
    sign_in(page, live_server.url, "admin@demo.local")
    assert page.locator("[data-testid=health]").is_visible()
    page.goto(live_server.url + "/admin/users")
    rows = page.locator("[data-testid=users] tbody tr")
    assert rows.count() >= 15
    screenshots(page, "site-05-admin-users")


def test_desktop_shows_navigation_without_menu_button(live_server, page):
    sign_in(page, live_server.url, "admin@demo.local")
    assert not page.locator("details.menu summary").is_visible()
    assert page.locator(".desktop-nav a", has_text="测验").is_visible()
    page.click(".desktop-nav .nav-group summary")  # an admin's own pages sit in one "Manage" menu
    page.click(".desktop-nav a:has-text('用户')")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "用户"
    assert page.locator(".desktop-nav .nav-group summary.current").inner_text().strip() == "管理"
