"""Admin: creating and editing users and teams, deactivation, audit log."""

from sqlalchemy import select

from trainer.accounts.models import AuditLog, Team, User
from trainer.extensions import db


def _admin(actions, make_user):
    admin = make_user("admin", email="admin@example.com", name="Ada Admin")
    actions.login("admin@example.com")
    return admin


def test_create_user_issues_temporary_password_and_audits(client, actions, make_user, make_team):
    _admin(actions, make_user)
    team = make_team("East")
    response = actions.post("/admin/users/new", {"name": "Bo Li", "email": "Bo.Li@Example.com", "role": "trainee",
                                                 "language": "zh_CN", "teams": [str(team.id)]})
    page = response.get_data(as_text=True)
    assert 'data-testid="temporary-password"' in page
    user = db.session.scalar(select(User).where(User.email == "bo.li@example.com"))
    assert user is not None and user.must_change_password and [t.name for t in user.teams] == ["East"]
    assert user.password_hash != "" and "Tmp-" not in user.password_hash  # stored hashed
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create"))
    assert entry.target == "bo.li@example.com" and entry.actor.name == "Ada Admin"


def test_create_user_bad_values_are_reported_next_to_fields(actions, make_user):
    _admin(actions, make_user)
    page = actions.post("/admin/users/new", {"name": "", "email": "not-an-email", "role": "trainee",
                                             "language": "en"}).get_data(as_text=True)
    assert "Enter a name." in page and "Enter a valid email address." in page
    page = actions.post("/admin/users/new", {"name": "X", "email": "x@example.com", "role": "overlord",
                                             "language": "en"}).get_data(as_text=True)
    assert "Not a valid choice" in page
    assert db.session.scalar(select(User).where(User.email == "x@example.com")) is None


def test_duplicate_email_is_refused(actions, make_user):
    _admin(actions, make_user)
    make_user("trainee", email="taken@example.com")
    page = actions.post("/admin/users/new", {"name": "Y", "email": "TAKEN@example.com", "role": "trainee",
                                             "language": "en"}).get_data(as_text=True)
    assert "already exists" in page


def test_deactivate_keeps_history(client, actions, make_user):
    _admin(actions, make_user)
    user = make_user("trainee", email="leaver@example.com", name="Leaver")
    response = actions.post(f"/admin/users/{user.id}", {"name": "Leaver", "email": "leaver@example.com",
                                                        "role": "trainee", "language": "en"},
                            follow_redirects=True)
    assert response.status_code == 200
    kept = db.session.get(User, user.id)
    assert kept is not None and kept.active is False  # row kept, only deactivated
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.update"))
    assert '"active": [true, false]' in entry.detail


def test_admin_cannot_deactivate_self(actions, make_user):
    admin = _admin(actions, make_user)
    page = actions.post(f"/admin/users/{admin.id}", {"name": "Ada Admin", "email": "admin@example.com",
                                                     "role": "admin", "language": "en"},
                        follow_redirects=True).get_data(as_text=True)
    assert "cannot deactivate yourself" in page
    assert db.session.get(User, admin.id).active


def test_reset_password_forces_change(actions, make_user):
    _admin(actions, make_user)
    user = make_user("trainee", email="forgot@example.com")
    page = actions.post(f"/admin/users/{user.id}/reset-password", token_from=f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'data-testid="temporary-password"' in page
    assert db.session.get(User, user.id).must_change_password


def test_teams_nest_and_refuse_cycles(actions, make_user, make_team):
    _admin(actions, make_user)
    manager = make_user("manager", email="m@example.com")
    actions.post("/admin/teams/new", {"name": "Region", "parent_id": "0", "managers": [str(manager.id)]})
    region = db.session.scalar(select(Team).where(Team.name == "Region"))
    actions.post("/admin/teams/new", {"name": "East", "parent_id": str(region.id)})
    east = db.session.scalar(select(Team).where(Team.name == "East"))
    assert east.parent_id == region.id and [m.email for m in region.managers] == ["m@example.com"]
    page = actions.post(f"/admin/teams/{region.id}", {"name": "Region", "parent_id": str(east.id)}).get_data(as_text=True)
    assert "cannot be nested inside itself" in page
    db.session.expire_all()
    assert db.session.get(Team, region.id).parent_id is None


def test_duplicate_team_name_is_refused(actions, make_user, make_team):
    _admin(actions, make_user)
    make_team("East")
    page = actions.post("/admin/teams/new", {"name": "East", "parent_id": "0"}).get_data(as_text=True)
    assert "already exists" in page


def test_unknown_user_and_team_are_404(client, actions, make_user):
    _admin(actions, make_user)
    assert client.get("/admin/users/99999").status_code == 404
    assert client.get("/admin/teams/99999").status_code == 404


def test_audit_log_page_lists_actions(client, actions, make_user):
    _admin(actions, make_user)
    actions.post("/admin/teams/new", {"name": "North", "parent_id": "0"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Created a team" in page and "North" in page and "Ada Admin" in page and "team.create" not in page
