"""The efficient frontier in the lab: a run is placed against its preset's frontier in its job, the
results page shows the chart, the share and the levers, a stale frontier is ignored, and facilitators
(only) see each team's distance on the workshop page.

A small distributor (40 customers, 90 days) gets its own frontier, searched once for the module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.unit.sim.test_frontier import small_preset_dir
from tests.web.test_sim import run_policy
from tests.web.test_sim_workshop import close, create, room, submit  # noqa: F401  (room is a fixture)
from trainer import sim
from trainer.extensions import db
from trainer.policylab.models import SimRoundResult, SimWorkshop
from trainer.sim.frontier import engine_fingerprint, frontier_path, to_document, write_frontier
from trainer.sim.frontier_search import search
from trainer.sim.parallel import submit_summaries

RUN = {"customers": "40", "days": "90", "seed": "1"}


@pytest.fixture(scope="module")
def frontier_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = small_preset_dir(tmp_path_factory.mktemp("lab-frontier"))
    preset = sim.load_preset("distributor", folder)
    result = search(preset, seeds=3, budget=25, workers=2)
    write_frontier(frontier_path("distributor", folder),
                   to_document(preset, result, engine_fingerprint(folder / "distributor.yaml"), 25))
    return folder


@pytest.fixture
def lab(app, frontier_dir, signed_in):  # type: ignore[no-untyped-def]
    app.config.update(SIM_PRESETS_DIR=str(frontier_dir), SIM_FRONTIER=True)
    return signed_in(email="frontier.trainee@example.com")


def test_a_run_is_placed_against_the_frontier_and_the_page_explains_it(client, lab) -> None:  # type: ignore[no-untyped-def]
    run = run_policy(client, {"name": "Loose", "collectors": "3", "C_net_days": "60"}, run=RUN)
    place = run.result["frontier"]
    assert place["seeds"] == [1, 2, 3] and (place["customers"], place["days"]) == (40, 90)
    assert len(place["points"]) >= 1 and 0 <= place["best"] < len(place["points"])
    html = client.get(f"/sim/runs/{run.id}").get_data(as_text=True)
    assert 'data-testid="frontier"' in html
    share = re.search(r'data-testid="frontier-share">([^<]+)<', html)
    if place["share"] is not None:
        assert share and f"{100 * place['share']:,.0f} %" in share.group(1)
    gap = re.search(r'data-testid="frontier-gap">([^<]+)<', html).group(1)
    assert ("earns" in gap) == (place["gap"] > 0)
    if place["levers"]:
        table = html[html.index('data-testid="frontier-levers"'):]
        table = table[:table.index("</table>")]
        assert table.count("<tr>") == len(place["levers"]) + 1
    chart = html[html.index('id="chart-frontier"'):]
    assert chart.count('class="marker"') == len(place["points"]) + 2  # the frontier, the default, yours
    assert "Your policy" in chart and "Preset default" in chart


def test_the_run_on_a_frontier_seed_at_its_size_is_reused(client, lab, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[list[int]] = []
    plain = submit_summaries

    def counting(preset, specs, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append([s.seed for s in specs])
        return plain(preset, specs, *args, **kwargs)

    monkeypatch.setattr("trainer.sim.frontier.submit_summaries", counting)
    run = run_policy(client, {"name": "Default"}, run=RUN)
    assert seen == [[2, 3]]  # seed 1 is the run itself
    default = run.result["frontier"]["default"]
    assert run.result["frontier"]["yours"]["net_value"] == pytest.approx(default["net_value"], abs=0.02)


def test_a_stale_frontier_is_ignored(client, lab, frontier_dir) -> None:  # type: ignore[no-untyped-def]
    preset_file = frontier_dir / "distributor.yaml"
    original = preset_file.read_text()
    preset_file.write_text(original + "\n# edited after the frontier was searched\n")
    try:
        run = run_policy(client, {"name": "After an edit"}, run=RUN)
        assert run.result["frontier"] is None
        assert 'data-testid="frontier"' not in client.get(f"/sim/runs/{run.id}").get_data(as_text=True)
    finally:
        preset_file.write_text(original)


def test_facilitators_see_each_teams_distance_to_the_frontier(client, actions, room, app, frontier_dir) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    app.config.update(SIM_PRESETS_DIR=str(frontier_dir), SIM_FRONTIER=True)
    create(client, actions, room, customers="40", rounds="1", round_days="90", seed="1")
    wid = db.session.scalar(select(SimWorkshop)).id
    actions.logout()
    actions.login(room["ann"].email)
    assert submit(client, wid, {"collectors": "4"}).status_code == 302
    actions.logout()
    actions.login(room["boss"].email)
    close(client, wid)
    results = db.session.scalars(select(SimRoundResult)).all()
    assert len(results) == 2 and all(r.period["frontier"] for r in results)
    page = client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
    board = page[page.index('data-testid="frontier-board"'):]
    board = board[:board.index("</section>")]
    assert "Red" in board and "Blue" in board and "Distance to the efficient frontier" in board
    actions.logout()
    actions.login(room["ann"].email)
    assert 'data-testid="frontier-board"' not in client.get(f"/sim/workshops/{wid}").get_data(as_text=True)
