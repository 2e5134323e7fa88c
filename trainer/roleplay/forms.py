"""Role-play forms. Scores of the observer rubric are read by the service from ``score-<item>``
fields (the rubric is content, so its items are not known here)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (start, next round, reveal, close)."""


class ChoiceForm(FlaskForm):
    # ``choice`` comes from the button pressed; ``step`` says which page the choice was made on.
    choice = IntegerField(validators=[InputRequired(message=_l("Pick one of the replies."))])
    step = IntegerField(validators=[InputRequired()])


class JoinForm(FlaskForm):
    code = StringField(
        _l("Room code"),
        validators=[DataRequired(message=_l("Enter the room code shown on the facilitator's screen.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "inputmode": "text", "maxlength": "20"},
    )
    submit = SubmitField(_l("Join"))


class WorkshopForm(FlaskForm):
    scenario = SelectField(_l("Scenario"), validate_choice=True)
    submit = SubmitField(_l("Open a workshop room"))


class RubricForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=1000)])
    round = HiddenField()
    submit = SubmitField(_l("Save the scores"))
