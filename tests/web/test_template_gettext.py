"""The templates' gettext family (trainer.core.i18n) is one call deep but must give exactly what
Jinja's own "newstyle" gettext gives: the translation, marked safe under autoescape, always
%-formatted with the keyword arguments (escaped), ``num`` and ``context`` filled in."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import get_translations
from jinja2.ext import _make_new_gettext, _make_new_ngettext, _make_new_npgettext, _make_new_pgettext

from trainer.core import i18n

TEMPLATES = [
    '{{ _("Sign out") }}',
    '{{ gettext("Sign out") }}',
    '{{ _("Lesson %(position)d of %(count)d", position=2, count=5) }}',
    '{{ _("not in the catalogue: %(who)s", who="<script>alert(1)</script>") }}',
    '{{ _("100%% sure") }}',
    '{{ ngettext("%(num)d question is due for review.", "%(num)d questions are due for review.", 1) }}',
    '{{ ngettext("%(num)d question is due for review.", "%(num)d questions are due for review.", 7) }}',
    '{{ pgettext("menu", "Home") }}',
    '{{ npgettext("x", "%(num)d file", "%(num)d files", 3) }}',
    '{% trans %}Skip to content{% endtrans %}',
    '{% trans n=4 %}{{ n }} item{% pluralize %}{{ n }} items{% endtrans %}',
    '{% trans who="<b>" %}Hello {{ who }}{% endtrans %}',
]


def jinja_newstyle() -> dict[str, object]:
    """Jinja's own wrappers around the request's catalogue: the reference."""
    catalogue = get_translations()
    gettext = _make_new_gettext(catalogue.ugettext)
    return {"_": gettext, "gettext": gettext, "ngettext": _make_new_ngettext(catalogue.ungettext),
            "pgettext": _make_new_pgettext(catalogue.upgettext), "npgettext": _make_new_npgettext(catalogue.unpgettext)}


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_the_template_gettext_gives_what_jinjas_newstyle_gives(app, source, language):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        ours = render_template_string(source)
        reference = render_template_string(source, **jinja_newstyle())  # context names win over globals
    assert ours == reference
    assert "<script>" not in ours and "<b>" not in ours


def test_the_app_uses_the_one_call_deep_functions_and_chinese_pages_read_chinese(app):
    assert app.jinja_env.globals["_"] is i18n._gettext and app.jinja_env.globals["ngettext"] is i18n._ngettext
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert render_template_string('{{ _("Sign out") }}') == "退出登录"
        assert render_template_string('{{ _("Lesson %(position)d of %(count)d", position=2, count=5) }}') == "第 2 课，共 5 课"
