from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from trainer.accounts.labels import LANGUAGE_LABELS, ROLE_LABELS
from trainer.accounts.services import EMAIL_RE

ROLE_CHOICES = list(ROLE_LABELS.items())
LANGUAGE_CHOICES = list(LANGUAGE_LABELS.items())


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter an email address.")),
            Regexp(EMAIL_RE, message=_l("Enter a valid email address.")),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    teams = SelectMultipleField(_l("Member of teams"), coerce=int, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(message=_l("Enter a team name.")), Length(max=120)])
    parent_id = SelectField(_l("Part of team"), coerce=int)
    managers = SelectMultipleField(_l("Managers"), coerce=int, validators=[Optional()])
    members = SelectMultipleField(_l("Members"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file to upload."))])
    submit = SubmitField(_l("Check and import"))


class ConfirmForm(FlaskForm):
    """An empty form: a POST button that carries only the CSRF token."""

    submit = SubmitField(_l("Confirm"))
