"""Signing in and out, changing the password, choosing the language."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from trainer.accounts import services as accounts
from trainer.accounts.forms import ChangePasswordForm, LanguageForm, LoginForm
from trainer.core.web import client_address, safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


def _limits() -> accounts.ThrottleLimits:
    config = current_app.config
    return accounts.ThrottleLimits(
        per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        window=timedelta(minutes=config["LOGIN_THROTTLE_WINDOW_MINUTES"]),
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, client_address(), _limits())
        except accounts.AccountError as error:
            form.password.errors.append(str(error.message))
        else:
            login_user(user)
            session["lang"] = user.language
            return redirect(safe_next(form.next.data, url_for("main.home")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.new_password.data)
        except accounts.AccountError as error:
            getattr(form, error.field or "new_password").errors.append(str(error.message))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.language.data
        accounts.set_language(current_user if current_user.is_authenticated else None, form.language.data)
    return redirect(safe_next(form.next.data, url_for("main.home")))


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
