"""Who may open which run: a trainee only their own, a manager their team members', an admin all.
Someone else's run, job or export answers 404 (its existence is not revealed)."""

from __future__ import annotations

import pytest

from tests.web.test_sim import form_values, run_policy
from trainer.extensions import db
from trainer.policylab.models import SimJob, SimRun


@pytest.fixture
def world(make_org, actions, client):
    org = make_org(
        {"east": "East", "west": "West"},
        {"owner": "trainee in east", "other": "trainee in east", "boss": "manager of east",
         "stranger": "manager of west", "admin": "admin <root@example.com>"},
    )
    actions.login(org["owner"].email)
    run = run_policy(client, {"name": "Owner's secret"})
    job_id = db.session.query(SimJob.id).filter(SimJob.run_id == run.id).scalar()
    actions.logout()
    return {**org.people, "run": run, "job": job_id}


URLS = ["/sim/runs/{run}", "/sim/runs/{run}/export.csv", "/sim/runs/{run}/aging.csv", "/sim/runs/{run}/policy.yaml",
        "/sim/new?from={run}", "/sim/jobs/{job}.json", "/sim/jobs/{job}?stay=1"]


@pytest.mark.parametrize("who", ["other", "stranger"])
def test_others_cannot_open_a_run_by_editing_urls(client, actions, world, who):
    actions.login(world[who].email)
    for url in URLS:
        response = client.get(url.format(run=world["run"].id, job=world["job"]))
        assert response.status_code == 404, url
    token = form_values(client.get("/sim/new").get_data(as_text=True))["csrf_token"]
    response = client.post(f"/sim/runs/{world['run'].id}/compare", data={"csrf_token": token, "other": "default"})
    assert response.status_code == 404
    response = client.post(f"/sim/runs/{world['run'].id}/replicate", data={"csrf_token": token, "replications": "3"})
    assert response.status_code == 404
    assert "Owner's secret" not in client.get("/sim/").get_data(as_text=True)


@pytest.mark.parametrize("who", ["boss", "admin"])
def test_managers_open_their_team_members_runs(client, actions, world, who):
    actions.login(world[who].email)
    for url in URLS:
        assert client.get(url.format(run=world["run"].id, job=world["job"])).status_code in (200, 302), url
    html = client.get(f"/sim/runs/{world['run'].id}").get_data(as_text=True)
    assert "Owner&#39;s secret" in html and "run by" in html
    listing = client.get("/sim/").get_data(as_text=True)
    assert 'data-testid="team-runs"' in listing and "Owner&#39;s secret" in listing


def test_a_manager_cannot_compare_against_a_run_they_cannot_see(client, actions, world, make_user):
    actions.login(world["other"].email)
    mine = run_policy(client, {"name": "Mine"})
    token = form_values(client.get(f"/sim/runs/{mine.id}").get_data(as_text=True), "compare-form")
    response = client.post(f"/sim/runs/{mine.id}/compare", data=dict(token, other=str(world["run"].id)))
    assert response.status_code == 404
    assert db.session.query(SimRun).count() == 2
