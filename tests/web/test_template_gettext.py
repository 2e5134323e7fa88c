"""Templates translate through the request's catalogue, looked up once per request and locale
(trainer.core.i18n): the same strings as Flask-Babel's own lookup, and ``force_locale`` still switches
(the certificate is rendered in the language it was issued in)."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale, gettext


def test_template_strings_follow_the_request_language_and_force_locale(app):
    template = "{{ _('Sign out') }}|{{ ngettext('%(num)d attempt left', '%(num)d attempts left', 2) }}"
    # Each with its own application context, as every real request has (``g`` lives there).
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(template) == "Sign out|2 attempts left"
        with force_locale("zh_CN"):
            chinese = render_template_string(template)
            assert chinese.split("|")[0] == gettext("Sign out") != "Sign out"
        assert render_template_string(template) == "Sign out|2 attempts left"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert render_template_string(template) == chinese
