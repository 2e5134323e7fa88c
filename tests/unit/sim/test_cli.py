"""The command line: good runs print what they should, bad values exit with status 2 and say why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.sim.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_run_prints_a_summary_and_months(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", "--preset", "distributor", "--customers", "40", "--days", "60")
    assert code == 0
    assert "dso" in out and "Y1-Jan" in out and "Y1-Feb" in out
    assert "40 customers, 60 days" in out


def test_run_json_is_parsable_and_complete(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("collectors: 1\npriority: first_come\n")
    code, out, _ = run_cli(capsys, "run", "--preset", "exporter", "--policy", str(policy), "--customers", "30",
                           "--days", "45", "--seed", "9", "--json", "--daily")
    assert code == 0
    data = json.loads(out)
    assert data["seed"] == 9 and data["days"] == 45 and data["customers"] == 30
    assert data["segments"][0]["policy"]["collectors"] == 1
    assert len(data["daily"]["ar"]) == 45
    assert {"summary", "months", "events"} <= set(data)
    summary = data["summary"]
    for key in ("net_value", "dso", "best_possible_dso", "add", "bad_debt", "lost_sales", "refused_sales",
                "churn_lost_sales", "value"):
        assert key in summary, key
    assert summary["lost_sales"] == pytest.approx(summary["refused_sales"] + summary["churn_lost_sales"])
    assert summary["add"] == pytest.approx(summary["dso"] - summary["best_possible_dso"])
    assert summary["value"]["net_value"] == summary["net_value"]


def test_compare_runs_both_policies_on_one_seed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("collectors: 1\n")
    b.write_text("collectors: 6\nladder: {salesperson: 1, manager: 10, executive: 20, legal: null}\n")
    code, out, _ = run_cli(capsys, "compare", "--preset", "distributor", str(a), str(b), "--seed", "3",
                           "--customers", "50", "--days", "90", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["seed"] == 3
    assert data["a"]["sales"] != data["b"]["sales"] or data["a"]["collected"] != data["b"]["collected"]
    code, out, _ = run_cli(capsys, "compare", "--preset", "distributor", str(a), str(b), "--customers", "20",
                           "--days", "30")
    assert code == 0 and "a.yaml" in out and "b.yaml" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--preset", "distributor", "--customers", "0"], "customers must be between 1 and 20,000"),
        (["run", "--preset", "distributor", "--customers", "20001"], "customers must be between 1 and 20,000"),
        (["run", "--preset", "distributor", "--customers", "lots"], "customers must be a whole number"),
        (["run", "--preset", "distributor", "--days", "1826"], "days must be between 1 and 1,825"),
        (["run", "--preset", "distributor", "--days", "-3"], "days must be between"),
        (["run", "--preset", "distributor", "--seed", "-1"], "seed must be between"),
        (["run", "--preset", "nosuch"], "no preset named 'nosuch'"),
        (["run"], "--preset"),
        (["fly"], "invalid choice"),
        ([], "required"),
        (["compare", "--preset", "distributor", "only_one.yaml"], "policy_b"),
        (["bench", "--customers", "0"], "customers must be between"),
        (["bench", "--repeat", "0"], "repeat must be between"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_invalid_policy_file_lists_every_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("collectors: 0\nladder: {salesperson: 30, manager: 10}\nmood: grumpy\n")
    code, _, err = run_cli(capsys, "run", "--preset", "distributor", "--policy", str(bad))
    assert code == 2
    assert str(bad) in err
    for text in ("collectors: must be greater than zero", "ladder.manager: must come after salesperson",
                 "mood: unknown key"):
        assert text in err


@pytest.mark.parametrize("content", ["collectors: [1, 2", "{{{"])
def test_unparsable_policy_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    code, _, err = run_cli(capsys, "run", "--preset", "distributor", "--policy", str(bad))
    assert code == 2 and "cannot parse" in err


def test_missing_policy_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "run", "--preset", "distributor", "--policy", str(tmp_path / "none.yaml"))
    assert code == 2 and "cannot read" in err


def test_bench_smoke_prints_the_ratio_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "bench", "--customers", "30", "--days", "40", "--big", "40", "--repeat", "1")
    assert code == 0
    ratio = [line for line in out.splitlines() if line.startswith("ratio:")]
    assert ratio and "x" in ratio[0]
    assert float(ratio[0].split()[1].rstrip("x")) > 0
    assert "events:" in out and "bare SimPy:" in out and "40 customers:" in out and "peak memory:" in out


def test_presets_command_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "presets")
    assert code == 0
    for name in ("distributor", "exporter", "manufacturer", "projects"):
        assert name in out


def test_python_dash_m_entry_point() -> None:
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run([sys.executable, "-m", "trainer.sim", "run", "--preset", "distributor", "--days", "0"],
                          capture_output=True, text=True, cwd=root, timeout=120)
    assert proc.returncode == 2
    assert "days must be between 1 and 1,825" in proc.stderr
