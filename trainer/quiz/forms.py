from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class StartForm(FlaskForm):
    """Start or resume an attempt (a POST: it draws questions and uses up an attempt)."""

    assignment = HiddenField()
    submit = SubmitField(_l("Start"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Start the review"))


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignmentForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Give the assignment a title, e.g. 2026 Q4 refresher.")), Length(max=200)],
    )
    quiz_id = SelectField(_l("Quiz"), validate_choice=False)
    # Choices are the viewer's teams; the service refuses any other id with a clear message.
    team_ids = CheckboxListField(_l("Teams"), coerce=int, validate_choice=False, validators=[Optional()])
    opens_on = DateField(_l("Opens on"), validators=[InputRequired(message=_l("Enter the date the assignment opens."))])
    due_on = DateField(_l("Due on"), validators=[InputRequired(message=_l("Enter the due date."))])
    submit = SubmitField(_l("Assign"))


class CancelAssignmentForm(FlaskForm):
    submit = SubmitField(_l("Cancel this assignment"))
