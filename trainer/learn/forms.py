from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class VerifyForm(FlaskForm):
    """Public certificate lookup; a GET form, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Verification code"),
        validators=[DataRequired(message=_l("Enter the code printed on the certificate.")), Length(max=40)],
    )
    submit = SubmitField(_l("Verify"))
