"""Behind a proxy (TRAINER_PROXY_HOPS): the person's address comes from X-Forwarded-For, so the
throttles count people, not the proxy; without the setting the header is ignored (it could be forged)."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from trainer import create_app
from trainer.accounts.models import LoginAttempt
from trainer.config import ConfigError, build_config
from trainer.extensions import db


@pytest.fixture
def proxied_app(tmp_path, content_registry, _sqlite_schema):
    database = tmp_path / "proxied.sqlite"
    shutil.copyfile(_sqlite_schema, database)
    application = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                              "CONTENT_REGISTRY": content_registry, "SIM_FRONTIER": False, "PROXY_HOPS": 1})
    with application.app_context():
        yield application
        db.session.remove()


def _failed_sign_in(client, forwarded_for: str) -> None:
    token = csrf_token(client)
    client.post("/login", data={"csrf_token": token, "email": "nobody@example.com", "password": "wrong"},
                headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": "10.9.9.9"})


def test_behind_one_proxy_the_forwarded_address_is_the_persons(proxied_app):
    client = proxied_app.test_client()
    _failed_sign_in(client, "203.0.113.7")
    _failed_sign_in(client, "198.51.100.1, 203.0.113.8")  # a client-supplied first entry is not trusted
    assert list(db.session.scalars(select(LoginAttempt.address).order_by(LoginAttempt.id))) == [
        "203.0.113.7", "203.0.113.8"]


def test_without_the_setting_the_header_is_ignored(app, client):
    _failed_sign_in(client, "203.0.113.7")
    assert db.session.scalars(select(LoginAttempt.address)).all() == ["10.9.9.9"]


@pytest.mark.parametrize("value", ["-1", "6", "abc", "1.5", ""])
def test_bad_proxy_hops_refuse_to_start(monkeypatch, tmp_path, value):
    monkeypatch.setenv("TRAINER_PROXY_HOPS", value)
    with pytest.raises(ConfigError, match="TRAINER_PROXY_HOPS"):
        build_config(str(tmp_path))


def test_proxy_hops_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAINER_PROXY_HOPS", "2")
    assert build_config(str(tmp_path))["PROXY_HOPS"] == 2
