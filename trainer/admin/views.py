"""Admin pages: users, teams, bulk import, audit log. Admins only."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from trainer.accounts import audit_view, csv_import, password_links, sso, sso_accounts
from trainer.accounts import services as accounts
from trainer.accounts.models import AuditLog, Team, User
from trainer.admin.forms import ROLE_CHOICES, ConfirmForm, ImportForm, TeamForm, UserForm
from trainer.core.csv import csv_bytes, csv_text
from trainer.core.downloads import attachment
from trainer.core.inputs import bounded_int
from trainer.core.time import to_local
from trainer.core.web import role_required
from trainer.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
@role_required("admin")
def admins_only() -> None:
    return None


def _team_choices() -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name)).all()]


def _user_choices(*roles: str) -> list[tuple[int, str]]:
    query = select(User).where(User.active.is_(True)).order_by(User.name)
    if roles:
        query = query.where(User.role.in_(roles))
    return [(u.id, f"{u.name} <{u.email}>") for u in db.session.scalars(query).all()]


@bp.route("/users")
def users() -> ResponseReturnValue:
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    query = select(User).order_by(User.active.desc(), User.name)
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.name.ilike(like), User.email.ilike(like)))
    if role in ("trainee", "manager", "admin"):
        query = query.where(User.role == role)
    return render_template("admin/users.html", users=db.session.scalars(query).all(), q=q, role=role,
                           role_labels=dict(ROLE_CHOICES))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> ResponseReturnValue:
    form = UserForm()
    form.teams.choices = _team_choices()
    if form.validate_on_submit():
        try:
            user, password = accounts.create_user(
                current_user,
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                language=form.language.data,
                team_ids=form.teams.data or [],
            )
        except accounts.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error.message))
        else:
            return render_template("admin/password_issued.html", user=user, password=password)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    form.teams.choices = _team_choices()
    if request.method == "GET":
        form.teams.data = [t.id for t in user.teams]
    if form.validate_on_submit():
        try:
            accounts.update_user(
                current_user,
                user,
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                language=form.language.data,
                team_ids=form.teams.data or [],
                active=form.active.data,
            )
        except accounts.AccountError as error:
            db.session.rollback()
            target = getattr(form, error.field, None) if error.field else None
            if target is not None:
                target.errors.append(str(error.message))
            else:
                flash(str(error.message), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, reset_form=ConfirmForm())


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    password = accounts.reset_password(current_user, user)
    return render_template("admin/password_issued.html", user=user, password=password)


@bp.route("/teams")
def teams() -> ResponseReturnValue:
    all_teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    return render_template("admin/teams.html", teams=all_teams)


@bp.route("/teams/new", methods=["GET", "POST"])
@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id: int | None = None) -> ResponseReturnValue:
    team = (db.session.get(Team, team_id) or abort(404)) if team_id else None
    form = TeamForm(obj=team)
    form.parent_id.choices = [(0, _("— none —"))] + [c for c in _team_choices() if not team or c[0] != team.id]
    form.managers.choices = _user_choices("manager", "admin")
    form.members.choices = _user_choices()
    if request.method == "GET" and team is not None:
        form.parent_id.data = team.parent_id or 0
        form.managers.data = [u.id for u in team.managers]
        form.members.data = [u.id for u in team.members]
    if form.validate_on_submit():
        try:
            accounts.save_team(
                current_user,
                team,
                name=form.name.data,
                parent_id=form.parent_id.data or None,
                manager_ids=form.managers.data or [],
                member_ids=form.members.data or [],
            )
        except accounts.AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(str(error.message))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=team)


@bp.route("/import", methods=["GET", "POST"])
def import_users() -> ResponseReturnValue:
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        limit = current_app.config["CSV_IMPORT_MAX_BYTES"]
        data = form.file.data.read(limit + 1)  # never more than one byte past the limit
        report = csv_import.import_users(
            current_user, data, max_bytes=limit,
            link_lifetime=timedelta(days=current_app.config["SET_PASSWORD_LINK_DAYS"]),
        )
        if report.ok:
            return render_template("admin/import_done.html", links=report.created, download_form=ConfirmForm(),
                                   role_labels=dict(ROLE_CHOICES),
                                   expires=report.created[0].expires_at if report.created else None)
    status = 413 if report is not None and report.too_large else 200
    return render_template("admin/import.html", form=form, report=report, example=_import_example()), status


def _import_example() -> str:
    """The example file, naming a team that exists here (the first by name), so it can be copied."""
    team = db.session.scalar(select(Team.name).order_by(Team.name).limit(1)) or _("East Sales 1")
    rows = [("王芳", "wang.fang@example.com", "trainee", team, "zh_CN"),
            ("Li Lei", "li.lei@example.com", "manager", team, "en")]
    return csv_text(("name", "email", "role", "team", "language"), rows).replace("\r\n", "\n").strip()


@bp.route("/import/links.csv", methods=["POST"])
def import_links() -> ResponseReturnValue:
    """The links just shown, as a CSV for a mail merge; only links that still work are listed, so the
    posted tokens cannot smuggle anything else into the file."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    links = password_links.unused_links(request.form.get("tokens", "").split())
    rows = [(link.name, link.email, link.role, url_for("auth.set_password", token=link.token, _external=True),
             f"{to_local(link.expires_at):%Y-%m-%d %H:%M}") for link in links]
    header = (_("Name"), _("Email"), _("Role"), _("Set-password link"), _("Valid until"))
    return attachment(csv_bytes(header, rows), "set-password-links.csv", "text/csv")


@bp.route("/audit")
def audit_log() -> ResponseReturnValue:
    page = bounded_int(request.args.get("page"), high=1_000_000) or 1
    entries = db.paginate(select(AuditLog).order_by(AuditLog.created_at.desc()), page=page, per_page=50)
    return render_template("admin/audit.html", entries=entries, rows=audit_view.describe(entries.items))


@bp.route("/sso")
def sso_settings() -> ResponseReturnValue:
    """The single sign-on settings in force and the group mapping, as the app read them (no secret)."""
    return render_template("admin/sso.html", overview=sso_accounts.overview(sso.current_settings()))


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
