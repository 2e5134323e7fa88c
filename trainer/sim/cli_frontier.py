"""``python -m trainer.sim frontier --preset NAME``: search a preset's efficient frontier and write it
(``scenarios/presets/frontier/NAME.yaml`` unless ``--out``), stamped with the engine's fingerprint.

The output place is checked before the search starts, so a typo costs seconds, not minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from trainer.sim.frontier import engine_fingerprint, frontier_path, preset_path, to_document, write_frontier
from trainer.sim.frontier_search import DEFAULT_BUDGET, DEFAULT_SEEDS, search
from trainer.sim.presets import Preset

__all__ = ["add_frontier_parser", "run_frontier", "unwritable"]


def add_frontier_parser(sub: Any, bounded: Any) -> None:
    f = sub.add_parser("frontier", help="search a preset's efficient frontier and write it to a YAML file")
    f.add_argument("--preset", required=True, help="preset name (see 'presets') or a preset YAML file")
    f.add_argument("--presets-dir", type=Path, default=None, help="folder of presets (default: scenarios/presets)")
    f.add_argument("--out", type=Path, default=None,
                   help="file to write (default: scenarios/presets/frontier/NAME.yaml beside the preset)")
    f.add_argument("--seeds", type=bounded("seeds", 1, 100), default=DEFAULT_SEEDS,
                   help=f"replications of each frontier candidate (default {DEFAULT_SEEDS})")
    f.add_argument("--budget", type=bounded("budget", 10, 10_000), default=DEFAULT_BUDGET,
                   help=f"policies screened (default {DEFAULT_BUDGET})")
    f.add_argument("--processes", type=bounded("processes", 1, 1024), default=None,
                   help="processes to run on (default: every core)")


def unwritable(path: Path) -> str | None:
    """Why ``path`` cannot be written (None when it can), found by making its folder and a scratch
    file beside it: permissions alone do not tell (a read-only or virtual file system)."""
    if path.is_dir():
        return "it is a folder"
    above = path.parent
    while not above.exists() and above != above.parent:
        above = above.parent
    if not above.is_dir():
        return f"{above} is a file, not a folder"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".frontier-", suffix=".tmp"):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            return "no permission to write it"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _source(preset: Preset, name: str, presets_dir: Path | None) -> Path:
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    return preset_path(preset.name, presets_dir)


def run_frontier(args: argparse.Namespace, preset: Preset, parser: argparse.ArgumentParser) -> int:
    source = _source(preset, args.preset, args.presets_dir)
    out: Path = args.out or frontier_path(preset.name, source.parent)
    reason = unwritable(out)
    if reason:
        parser.exit(2, f"{parser.prog}: error: cannot write {out}: {reason}\n")
    started = time.perf_counter()
    shown = [""]

    def progress(stage: str, fraction: float) -> None:
        line = f"{preset.name}: {stage} {fraction:4.0%}"
        if line != shown[0]:
            shown[0] = line
            sys.stderr.write(f"\r{line}  {time.perf_counter() - started:5.1f} s")
            sys.stderr.flush()

    result = search(preset, args.seeds, args.budget, args.processes, progress)
    sys.stderr.write("\n")
    document = to_document(preset, result, engine_fingerprint(source), args.budget)
    try:
        write_frontier(out, document)
    except OSError as exc:
        parser.exit(2, f"{parser.prog}: error: cannot write {out}: {exc.strerror or exc}\n")
    best = max(result.frontier, key=lambda c: c.outcome.net_value).outcome
    default = result.default.outcome
    share = default.net_value / best.net_value if best.net_value > 0 else float("nan")
    sys.stdout.write(f"{out}: {len(result.frontier)} frontier policies from {result.screened} screened, "
                     f"{time.perf_counter() - started:.0f} s; default value {default.net_value:,.0f} "
                     f"= {share:.0%} of the best {best.net_value:,.0f}\n")
    return 0
