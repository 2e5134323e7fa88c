"""The platform registration form and the deep-linking picker."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField

from trainer.lti.services.platforms import PlatformInput


class PlatformForm(FlaskForm):
    label = StringField(_l("Name shown here"))
    issuer = StringField(_l("Issuer (platform ID)"))
    client_id = StringField(_l("Client ID"))
    auth_login_url = StringField(_l("Authentication request URL"))
    token_url = StringField(_l("Access token URL"))
    keyset_url = StringField(_l("Public keyset URL"))
    deployment_ids = TextAreaField(_l("Deployment IDs (one per line)"))
    trust_admins = BooleanField(_l("The platform's administrators become administrators here"))
    link_by_email = BooleanField(_l("Link launches to existing accounts with the same e-mail address"))

    def to_input(self) -> PlatformInput:
        def text(field: StringField | TextAreaField) -> str:
            return str(field.data or "")

        return PlatformInput(
            label=text(self.label), issuer=text(self.issuer), client_id=text(self.client_id),
            auth_login_url=text(self.auth_login_url), token_url=text(self.token_url),
            keyset_url=text(self.keyset_url), deployment_ids=text(self.deployment_ids),
            trust_admins=bool(self.trust_admins.data), link_by_email=bool(self.link_by_email.data),
        )


class PickForm(FlaskForm):
    """The items a course designer picks (``kind:id`` values; checked against what exists)."""

    items = SelectMultipleField(_l("Activities"), choices=[], validate_choice=False)


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""
