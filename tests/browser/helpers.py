"""Small actions shared by the browser tests."""

from trainer.accounts import demo


def sign_in(page, base_url: str, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]:has-text('登录'), button[type=submit]:has-text('Sign in')")
    page.wait_for_load_state("networkidle")
