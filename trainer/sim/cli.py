"""``python -m trainer.sim run|compare|bench|frontier|presets``: the engine from a terminal.

Bad arguments and invalid policies exit with status 2 and say what is wrong, like argparse does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trainer.sim.bench import bench, print_bench
from trainer.sim.bench_replications import bench_replications, print_replication_bench
from trainer.sim.cli_frontier import add_frontier_parser, run_frontier
from trainer.sim.model import run
from trainer.sim.params import MAX_CUSTOMERS, MAX_DAYS, PolicyError
from trainer.sim.policy import load_policy
from trainer.sim.presets import list_presets, load_preset
from trainer.sim.results import SimResult, Summary

__all__ = ["main"]


def _bounded_int(name: str, low: int, high: int | None) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            upper = f" and {high:,}" if high is not None else ""
            raise argparse.ArgumentTypeError(f"{name} must be between {low:,}{upper}, got {value:,}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m trainer.sim", description="Receivables portfolio simulation")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--preset", required=True, help="preset name (see 'presets') or a YAML file")
        sp.add_argument("--presets-dir", type=Path, default=None, help="folder of presets (default: scenarios/presets)")
        sp.add_argument("--seed", type=_bounded_int("seed", 0, 2**63 - 1), default=0)
        sp.add_argument("--customers", type=_bounded_int("customers", 1, MAX_CUSTOMERS), default=None)
        sp.add_argument("--days", type=_bounded_int("days", 1, MAX_DAYS), default=None)
        sp.add_argument("--json", action="store_true", help="print JSON instead of a table")

    r = sub.add_parser("run", help="run one preset under a policy")
    common(r)
    r.add_argument("--policy", type=Path, default=None, help="policy YAML/JSON file (default: the preset's)")
    r.add_argument("--daily", action="store_true", help="with --json: include the daily series")
    c = sub.add_parser("compare", help="run two policies on the same seed")
    common(c)
    c.add_argument("policy_a", type=Path)
    c.add_argument("policy_b", type=Path)
    b = sub.add_parser("bench", help="time the model against a bare SimPy loop")
    b.add_argument("--preset", default="distributor")
    b.add_argument("--presets-dir", type=Path, default=None)
    b.add_argument("--customers", type=_bounded_int("customers", 1, MAX_CUSTOMERS), default=1000)
    b.add_argument("--days", type=_bounded_int("days", 1, MAX_DAYS), default=365)
    b.add_argument("--big", type=_bounded_int("big", 0, MAX_CUSTOMERS), default=10_000,
                   help="customers in the large run (0 to skip)")
    b.add_argument("--repeat", type=_bounded_int("repeat", 1, 20), default=3)
    b.add_argument("--replications", type=_bounded_int("replications", 0, 100), default=10,
                   help="seeds of each of two policies run in parallel (0 to skip)")
    b.add_argument("--processes", type=_bounded_int("processes", 1, 1024), default=None,
                   help="processes for the replications (default: every core)")
    add_frontier_parser(sub, _bounded_int)
    sub.add_parser("presets", help="list the presets")
    return p


_ROWS: tuple[tuple[str, str], ...] = (
    ("sales", "{:,.0f}"), ("credit_sales", "{:,.0f}"), ("collected", "{:,.0f}"), ("bad_debt", "{:,.0f}"),
    ("ar_end", "{:,.0f}"), ("dso", "{:.1f}"), ("dso_countback_end", "{:.1f}"), ("best_possible_dso", "{:.1f}"),
    ("add", "{:.1f}"), ("cei_average", "{:.1f}"), ("overdue_pct_end", "{:.1f}"),
    ("bad_debt_rate", "{:.2f}"), ("turnover", "{:.2f}"), ("lost_sales", "{:,.0f}"), ("refused_sales", "{:,.0f}"),
    ("churn_lost_sales", "{:,.0f}"), ("collection_cost", "{:,.0f}"), ("carrying_cost", "{:,.0f}"),
    ("fx_result", "{:,.0f}"), ("expected_open_loss", "{:,.0f}"), ("net_value", "{:,.0f}"), ("churned", "{}"),
    ("defaults", "{}"), ("holds", "{}"), ("write_offs", "{}"), ("utilisation", "{:.2f}"), ("mean_wait", "{:.2f}"),
)


def _fmt(fmt: str, v: Any) -> str:
    return "-" if v is None else fmt.format(v)


def _print_result(res: SimResult) -> None:
    out = sys.stdout.write
    out(f"preset {res.preset}, seed {res.seed}, {res.customers} customers, {res.days} days\n")
    for key, fmt in _ROWS:
        out(f"  {key:<30}{_fmt(fmt, getattr(res.summary, key)):>18}\n")
    out("\n  month       sales      collected    AR end      DSO  countback  CEI   overdue%\n")
    for m in res.months:
        out(f"  {m.label:<9}{m.sales:>12,.0f}{m.collections:>13,.0f}{m.ar:>12,.0f}{_fmt('{:>8.1f}', m.dso)}"
            f"{_fmt('{:>9.1f}', m.dso_countback)}{_fmt('{:>7.1f}', m.cei)}{_fmt('{:>9.1f}', m.overdue_pct)}\n")


def _print_compare(a: Summary, b: Summary, names: tuple[str, str]) -> None:
    out = sys.stdout.write
    out(f"  {'':<30}{names[0][:16]:>18}{names[1][:16]:>18}\n")
    for key, fmt in _ROWS:
        out(f"  {key:<30}{_fmt(fmt, getattr(a, key)):>18}{_fmt(fmt, getattr(b, key)):>18}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "presets":
            for name in list_presets():
                preset = load_preset(name)
                sys.stdout.write(f"{name:<14}{preset.customers:>7} customers {preset.days:>5} days  "
                                 f"{preset.title.get('en', '')}\n")
            return 0
        preset = load_preset(args.preset, args.presets_dir)
        if args.command == "frontier":
            return run_frontier(args, preset, parser)
        if args.command == "bench":
            print_bench(bench(preset, args.customers, args.days, args.big, args.repeat))
            if args.replications:
                print_replication_bench(bench_replications(preset, args.customers, args.days, args.replications,
                                                           args.processes))
            return 0
        if args.command == "run":
            policy = load_policy(args.policy, base=preset.policy) if args.policy else None
            res = run(preset, policy, seed=args.seed, customers=args.customers, days=args.days)
            if args.json:
                json.dump(res.to_dict(daily=args.daily), sys.stdout, ensure_ascii=False, indent=1)
                sys.stdout.write("\n")
            else:
                _print_result(res)
            return 0
        pa = load_policy(args.policy_a, base=preset.policy)
        pb = load_policy(args.policy_b, base=preset.policy)
        ra = run(preset, pa, seed=args.seed, customers=args.customers, days=args.days)
        rb = run(preset, pb, seed=args.seed, customers=args.customers, days=args.days)
        if args.json:
            json.dump({"seed": args.seed, "a": ra.summary.to_dict(), "b": rb.summary.to_dict()}, sys.stdout, indent=1)
            sys.stdout.write("\n")
        else:
            _print_compare(ra.summary, rb.summary, (args.policy_a.name, args.policy_b.name))
        return 0
    except PolicyError as exc:
        lines = "\n".join(f"  {p.field or '(file)'}: {p.message}" for p in exc.problems)
        where = f" in {exc.source}" if exc.source else ""
        parser.exit(2, f"{parser.prog}: error: invalid input{where}:\n{lines}\n")
    return 0  # pragma: no cover - parser.exit does not return
