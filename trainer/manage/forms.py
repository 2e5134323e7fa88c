"""The dashboard's filter: a GET form (no CSRF token: it changes nothing). The team and quarter
choices come from the viewer's scope; the service checks the values again, so an edited URL
cannot widen what a manager sees."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField

from trainer.manage.services.scope import Scope, quarter_choices


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    team = SelectField(_l("Team"), choices=[], validate_choice=False)
    quarter = SelectField(_l("Quarter"), choices=[], validate_choice=False)
    sort = HiddenField()
    dir = HiddenField()
    show = SubmitField(_l("Show"))  # not "submit": that name would shadow form.submit() in scripts


def filter_form(scope: Scope, args: Mapping[str, str]) -> FilterForm:
    """The form filled from the scope, with the viewer's teams and recent quarters as choices."""
    form = FilterForm(formdata=None)
    form.team.choices = [("", str(_l("All my teams")))] + [(str(t.id), t.name) for t in scope.teams]
    form.team.data = str(scope.team.id) if scope.team else ""
    form.quarter.choices = [(q, q) for q in quarter_choices(scope)]
    form.quarter.data = scope.quarter
    form.sort.data = args.get("sort", "")
    form.dir.data = args.get("dir", "")
    return form
