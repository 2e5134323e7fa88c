from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class NewPasswordForm(FlaskForm):
    """A new password typed twice: the first one, chosen through a one-time set-password link."""

    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(message=_l("Enter a new password.")), Length(max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The two new passwords do not match."))],
    )
    submit = SubmitField(_l("Save password"))


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(message=_l("Enter your current password."))]
    )


class LanguageForm(FlaskForm):
    language = SelectField(choices=[("zh_CN", "中文"), ("en", "English")], validate_choice=True)
    next = HiddenField()

