"""The notify feature's forms: preferences, the forgotten-password request, workshop invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

ON_OFF = [("on", _l("Yes")), ("off", _l("No"))]
CHOICE_MESSAGE = _l("Choose yes or no.")


def _switch(label: str) -> RadioField:
    return RadioField(label, choices=ON_OFF, validate_choice=True,
                      validators=[InputRequired(message=CHOICE_MESSAGE)])


class PreferencesForm(FlaskForm):
    assignments = _switch(_l("An assignment is set, changed or cancelled for me"))
    reminders = _switch(_l("A reminder a few days before a due date"))
    overdue = _switch(_l("A notice when something is overdue"))
    digest = _switch(_l("Managers: a weekly digest of overdue people in my teams"))
    submit = SubmitField(_l("Save"))


class UnsubscribeForm(FlaskForm):
    """One button; the signed token in the URL says whose switch and which (no sign-in needed)."""

    class Meta:
        csrf = False  # RFC 8058: mail programs POST here without a form token; the signed URL is the proof

    submit = SubmitField(_l("Unsubscribe"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email.")), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the workshop a title.")), Length(max=120)])
    starts_at = DateTimeLocalField(_l("Starts at (site time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(message=_l("Enter the start date and time."))])
    minutes = IntegerField(_l("Length in minutes"), default=120,
                           validators=[InputRequired(message=_l("Enter the length in minutes.")),
                                       NumberRange(min=15, max=12 * 60, message=_l("Between 15 minutes and 12 hours."))])
    location = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    team_ids = CheckboxListField(_l("Teams to invite"), coerce=int, validate_choice=False, validators=[Optional()])
    submit = SubmitField(_l("Send the invitations"))
