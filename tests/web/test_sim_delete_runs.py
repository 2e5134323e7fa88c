"""Deleting a policy-lab run: the owner only, after a confirmation page, with the CSRF token; runs
with the same name get distinct names."""

from __future__ import annotations

import pytest

from tests.web.test_sim import form_values, run_policy
from tests.web.test_sim_access import world  # noqa: F401 - the shared fixture
from trainer.extensions import db
from trainer.policylab.models import SimJob, SimRun


def test_owner_deletes_a_run_after_confirming(client, actions, world):  # noqa: F811
    run_id, job_id = world["run"].id, world["job"]
    actions.login(world["owner"].email)
    listing = client.get("/sim/").get_data(as_text=True)
    assert f'href="/sim/runs/{run_id}/delete"' in listing
    confirm = client.get(f"/sim/runs/{run_id}/delete")
    assert confirm.status_code == 200 and "Delete this run?" in confirm.get_data(as_text=True)
    assert db.session.get(SimRun, run_id) is not None  # asking deletes nothing
    assert client.post(f"/sim/runs/{run_id}/delete", data={}).status_code == 400  # no CSRF token
    token = form_values(confirm.get_data(as_text=True), "delete-form")["csrf_token"]
    response = client.post(f"/sim/runs/{run_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sim/")
    db.session.expire_all()
    assert db.session.get(SimRun, run_id) is None
    assert db.session.get(SimJob, job_id).run_id is None
    assert "The run was deleted." in client.get("/sim/").get_data(as_text=True)
    assert client.get(f"/sim/runs/{run_id}").status_code == 404
    assert client.get(f"/sim/runs/{run_id}/delete").status_code == 404


@pytest.mark.parametrize("who", ["other", "boss", "admin"])
def test_nobody_else_deletes_a_run(client, actions, world, who):  # noqa: F811
    run_id = world["run"].id
    actions.login(world[who].email)
    assert client.get(f"/sim/runs/{run_id}/delete").status_code == 404
    token = form_values(client.get("/sim/new").get_data(as_text=True))["csrf_token"]
    assert client.post(f"/sim/runs/{run_id}/delete", data={"csrf_token": token}).status_code == 404
    assert f'/sim/runs/{run_id}/delete"' not in client.get("/sim/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SimRun, run_id) is not None


def test_bad_run_ids_are_not_found(client, actions, world):  # noqa: F811
    actions.login(world["owner"].email)
    for url in ("/sim/runs/999999/delete", "/sim/runs/abc/delete", "/sim/runs/-1/delete"):
        assert client.get(url).status_code == 404


def test_runs_with_the_same_name_get_distinct_names(client, actions, signed_in):
    signed_in(email="nia@example.com", name="Nia")
    names = [run_policy(client, {"name": "Strict C"}).name for _ in range(3)]
    assert names == ["Strict C", "Strict C (2)", "Strict C (3)"]
