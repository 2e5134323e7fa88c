"""Command-line: demo data and content check."""

import pytest
from sqlalchemy import func, select

from trainer.accounts.models import Team, User
from trainer.extensions import db


def test_seed_demo_fills_empty_database_and_prints_logins(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "trainee@demo.local" in result.output and "admin@demo.local" in result.output
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles["admin"] == 1 and roles["manager"] == 2 and roles["trainee"] >= 12
    assert db.session.scalar(select(func.count()).select_from(Team)) == 2


def _demo_fingerprint():
    """Row counts of every table plus each user's activity offsets (independent of the wall clock)."""
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
    offsets = db.session.execute(select(User.email, User.created_at, User.last_seen_at).order_by(User.email)).all()
    return counts, [(email, (seen - created) if seen else None) for email, created, seen in offsets]


@pytest.mark.slow  # seeds the whole demo organisation (twice to compare)
def test_seed_demo_is_deterministic(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = _demo_fingerprint()
    assert len(first[1]) > 10
    db.session.remove()
    db.drop_all()
    db.create_all()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert _demo_fingerprint() == first


def test_seed_demo_refuses_non_empty_database(runner, make_user):
    make_user("trainee")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "already has users" in result.output
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0


def test_content_check_passes_on_real_content(runner):
    result = runner.invoke(args=["content", "check", "--no-lint"])
    assert result.exit_code == 0, result.output
    assert "content ok" in result.output and "content lint" not in result.output


def test_content_check_runs_the_lint_and_fails_with_it(runner):
    """The lint's verdict decides the exit code (the real content may pass or fail it today)."""
    result = runner.invoke(args=["content", "check"])
    assert "content ok" in result.output and "content lint:" in result.output
    for statistic in ("correct option the longest (zh)", "longest reply is a good one (en)", "by type:",
                      "by kind:", "true/false items:", "near-duplicate items sharing a draw pool:", "terminology:"):
        assert statistic in result.output
    passed = "content lint passed" in result.output
    assert result.exit_code == (0 if passed else 1), result.output


def test_content_lint_report_mode_never_fails(runner, monkeypatch):
    monkeypatch.setenv("CONTENT_LINT", "report")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "content lint:" in result.output


def test_content_check_reports_bad_file_with_line(runner, tmp_path):
    (tmp_path / "courses").mkdir()
    (tmp_path / "courses" / "competencies.yaml").write_text("dimensions:\n  - id: x\n    titel: {zh: a, en: b}\n")
    result = runner.invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "competencies.yaml:2:" in result.output and "missing key 'title'" in result.output


def test_content_check_rejects_missing_root(runner, tmp_path):
    result = runner.invoke(args=["content", "check", "--root", str(tmp_path / "nope")])
    assert result.exit_code != 0
