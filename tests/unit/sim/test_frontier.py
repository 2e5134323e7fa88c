"""The efficient frontier: levers read and set what they say, the search finds policies no other
beats (the same on any number of processes), the file round-trips with its engine stamp, a policy is
placed like for like, and the command refuses bad arguments clearly."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from tests.unit.sim.test_cli import run_cli
from trainer.sim import list_presets, load_preset, policy_from_dict, policy_to_dict
from trainer.sim.frontier import (
    NOT_SHAPING_RESULTS,
    POSITION_SEEDS,
    engine_fingerprint,
    evaluate,
    frontier_path,
    load_frontier,
    place,
    to_document,
    write_frontier,
)
from trainer.sim.frontier_search import dominates, screening_plan, search
from trainer.sim.levers import LEVERS, apply_levels, lever_differences, lever_distance, read_levels
from trainer.sim.params import PolicyError

SMALL = {"customers": 40, "days": 90}


def small_preset_dir(tmp_path: Path) -> Path:
    """The distributor preset cut down to 40 customers, 90 days and one collector (so it earns money),
    in its own presets folder."""
    data = yaml.safe_load((Path(__file__).resolve().parents[3] / "scenarios/presets/distributor.yaml").read_text())
    data.update(SMALL)
    data["policy"]["collectors"] = 1
    folder = tmp_path / "presets"
    folder.mkdir()
    (folder / "distributor.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = small_preset_dir(tmp_path_factory.mktemp("frontier"))
    preset = load_preset("distributor", folder)
    return folder, preset, search(preset, seeds=3, budget=30, workers=2)


# ------------------------------------------------------------------------------------------ levers


@pytest.mark.parametrize("name", ["distributor", "manufacturer", "projects", "exporter"])
def test_every_lever_level_is_read_back_as_set(name: str) -> None:
    preset = load_preset(name)
    assert apply_levels(preset.policy, {}) == preset.policy
    for lever in LEVERS:
        for index in range(len(lever.levels)):
            try:
                policy = apply_levels(preset.policy, {lever.key: index})
            except PolicyError:
                continue  # e.g. a legal step before the executive's
            assert read_levels(policy, all_levers=True)[lever.key] == index, (lever.key, index)


def test_levers_that_cannot_matter_are_left_out() -> None:
    preset = load_preset("distributor")
    cash_d = read_levels(preset.policy)  # grade D pays cash on delivery: no limit, deposit or discount
    assert cash_d["terms.D"] == 2 and cash_d["limit.D"] is None and cash_d["deposit.D"] is None
    everyone_cash = apply_levels(preset.policy, {f"terms.{g}": 1 for g in "ABCD"})
    levels = read_levels(everyone_cash)
    assert levels["ladder"] is None and levels["agency"] is None and levels["collectors"] is not None
    with pytest.raises(PolicyError):
        apply_levels(preset.policy, {"collectors": 99})


def test_differences_name_the_levers_largest_gap_first() -> None:
    preset = load_preset("distributor")
    home = read_levels(preset.policy)
    other = read_levels(apply_levels(preset.policy, {"terms.C": 0, "collectors": 5}))  # refuse C; 5 -> 6 collectors
    diffs = lever_differences(home, other)
    assert [d.key for d in diffs] == ["terms.C", "collectors"]
    assert diffs[0].mine_label == "net30" and diffs[0].theirs_label == "refuse"
    assert lever_distance(home, home) == 0 and lever_distance(home, other) == pytest.approx(4 / 8 + 1 / 10)


# ------------------------------------------------------------------------------------------ search


def test_the_frontier_is_not_dominated_and_beats_or_is_the_default(small) -> None:  # type: ignore[no-untyped-def]
    _folder, preset, result = small
    frontier = [c.outcome for c in result.frontier]
    assert frontier and result.screened <= 30 and result.seeds == (1, 2, 3)
    assert all(not dominates(a, b) for a in frontier for b in frontier)
    assert [o.dso for o in frontier] == sorted(o.dso for o in frontier)
    default = result.default.outcome
    assert any(dominates(o, default) for o in frontier) or result.default in result.frontier
    assert max(o.net_value for o in frontier) >= default.net_value
    for c in result.frontier:
        assert policy_from_dict(policy_to_dict(c.policy)) == c.policy  # valid policies
        assert len(c.outcome.per_seed["net_value"]) == 3


def test_the_search_gives_the_same_frontier_on_one_process(small) -> None:  # type: ignore[no-untyped-def]
    _folder, preset, result = small
    again = search(preset, seeds=3, budget=30, workers=1)
    assert again == result


def test_the_screening_portfolio_is_smaller_and_seeds_scale_with_it() -> None:
    distributor, projects = load_preset("distributor"), load_preset("projects")
    assert screening_plan(distributor) == (250, (101, 102, 103))
    customers, seeds = screening_plan(projects)
    assert customers == projects.customers and 2 <= len(seeds) <= 6


# -------------------------------------------------------------------------------- file and placing


def test_the_file_round_trips_with_its_stamp(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, preset, result = small
    stamp = engine_fingerprint(folder / "distributor.yaml")
    out = tmp_path / "out" / "distributor.yaml"
    write_frontier(out, to_document(preset, result, stamp, 30))
    loaded = load_frontier(out)
    assert loaded.fingerprint == stamp and loaded.seeds == (1, 2, 3)
    assert (loaded.customers, loaded.days) == (40, 90)
    assert len(loaded.points) == len(result.frontier)
    assert loaded.points[0].net_value == pytest.approx(result.frontier[0].outcome.net_value, abs=0.01)
    assert out.read_text().startswith("# The efficient frontier")
    out.write_text("frontier: [")
    with pytest.raises(PolicyError, match="cannot read the frontier"):
        load_frontier(out)


def test_the_stamp_follows_the_preset_and_the_engine_not_the_terminal(tmp_path: Path) -> None:
    folder = small_preset_dir(tmp_path)
    first = engine_fingerprint(folder / "distributor.yaml")
    assert engine_fingerprint(folder / "distributor.yaml") == first
    (folder / "distributor.yaml").write_text((folder / "distributor.yaml").read_text() + "\n# changed\n")
    assert engine_fingerprint(folder / "distributor.yaml") != first
    assert {"cli.py", "bench.py", "parallel.py"} <= NOT_SHAPING_RESULTS
    assert "model.py" not in NOT_SHAPING_RESULTS and "frontier_search.py" not in NOT_SHAPING_RESULTS


def test_a_frontier_policy_is_placed_on_the_frontier_and_the_default_below_it(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, preset, result = small
    out = tmp_path / "f.yaml"
    write_frontier(out, to_document(preset, result, engine_fingerprint(folder / "distributor.yaml"), 30))
    frontier = load_frontier(out)
    best = max(frontier.points, key=lambda p: p.net_value)
    policy = policy_from_dict(dict(best.policy))
    mine = place(frontier, policy, evaluate(preset, policy, frontier, workers=1))
    assert mine["gap"] == 0 and mine["share"] == pytest.approx(1.0)
    assert mine["seeds"] == [1, 2, 3][:POSITION_SEEDS]
    default = place(frontier, preset.policy, evaluate(preset, preset.policy, frontier, workers=2))
    assert default["yours"]["net_value"] == pytest.approx(frontier.default.mean_over(POSITION_SEEDS)["net_value"])
    if default["nearest"] is not None:
        assert 1 <= len(default["levers"]) <= 3
        assert default["points"][default["nearest"]]["net_value"] > default["yours"]["net_value"]
    worse = dataclasses.replace(preset.policy, collectors=1, agency_day=None, reminder_days_before_due=None)
    placed = place(frontier, worse, evaluate(preset, worse, frontier))
    assert placed["share"] is None or placed["share"] <= 1.0 + 1e-9


# ------------------------------------------------------------------------------------------ command


@pytest.mark.parametrize(("args", "message"), [
    (["--preset", "nowhere"], "no preset named 'nowhere'"),
    (["--preset", "distributor", "--seeds", "-1"], "seeds must be between 1 and 100, got -1"),
    (["--preset", "distributor", "--seeds", "two"], "seeds must be a whole number, got 'two'"),
    (["--preset", "distributor", "--budget", "5"], "budget must be between 10 and 10,000, got 5"),
    (["--preset", "distributor", "--processes", "0"], "processes must be between 1 and 1,024, got 0"),
])
def test_bad_arguments_exit_2_and_say_why(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _out, err = run_cli(capsys, "frontier", *args)
    assert code == 2 and message in err


def test_an_unwritable_output_is_refused_before_searching(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _out, err = run_cli(capsys, "frontier", "--preset", "distributor", "--out", str(blocker / "f.yaml"))
    assert code == 2 and f"cannot write {blocker / 'f.yaml'}: {blocker} is a file, not a folder" in err
    code, _out, err = run_cli(capsys, "frontier", "--preset", "distributor", "--out", str(tmp_path))
    assert code == 2 and "it is a folder" in err
    assert "screening" not in err  # refused before any run


def test_the_command_writes_a_current_frontier_beside_the_preset(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    folder = small_preset_dir(tmp_path)
    code, out, _err = run_cli(capsys, "frontier", "--preset", "distributor", "--presets-dir", str(folder),
                              "--seeds", "2", "--budget", "12", "--processes", "1")
    assert code == 0, out
    written = frontier_path("distributor", folder)
    assert str(written) in out and "of the best" in out
    frontier = load_frontier(written)
    assert frontier.fingerprint == engine_fingerprint(folder / "distributor.yaml") and frontier.seeds == (1, 2)


def test_every_preset_has_a_current_frontier() -> None:
    """A stale stamp means the engine or the preset changed after the frontier was searched."""
    stale = []
    for name in list_presets():
        path = frontier_path(name)
        source = path.parent.parent / f"{name}.yaml"
        if not path.is_file():
            stale.append(f"{path} is missing")
        elif load_frontier(path).fingerprint != engine_fingerprint(source):
            stale.append(f"{path} is stale (the engine or {source.name} changed since it was written)")
    assert not stale, ("\n".join(stale) + "\nRegenerate every frontier with `make frontier` (about five minutes; "
                       "or one: `python -m trainer.sim frontier --preset NAME`) and commit scenarios/presets/frontier/.")
