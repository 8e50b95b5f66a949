"""What `--trace` costs, run by hand: `python benchmarks/trace_cost.py [--batches 800 3200] [--repeats 5]`.

For each batch size, `simcim run ARCH vgg8-cifar10-bp --set workload.batch_size=N --quiet` runs in a
child process without and with `--trace` (plain and .gz), alternated, ``--repeats`` times each:
median CPU time (user + system) of the whole command, the child's peak resident memory, and the
trace file's size. The trace's cost is the ratio of the medians; "memory independent of trace size"
means the peak with a trace stays near the peak without one while the file grows.
Figures go to benchmarks/results/trace_cost.json.

``--instructions`` counts the instructions each command executes instead (valgrind's callgrind, one
run per mode: the count barely moves between runs, so a change of a few percent shows even while
other work shares the machine); figures go to benchmarks/results/trace_instructions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path

from child_stats import instructions_cli, run_cli  # benchmarks/ is on the path when run as a script

ROOT = Path(__file__).resolve().parent.parent


def _commands(arch: str, batch: int, tmp: str) -> tuple[list[str], dict[str, list[str]]]:
    """The `simcim run` arguments of one batch size and the extra ones of each mode."""
    base = ["run", arch, "vgg8-cifar10-bp", "--set", f"workload.batch_size={batch}", "--quiet"]
    return base, {"none": [], "json": ["--trace", f"{tmp}/t.json"], "gz": ["--trace", f"{tmp}/t.json.gz"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="neurosim-fefet-22nm")
    ap.add_argument("--batches", type=int, nargs="+", default=[800, 3200])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--instructions", action="store_true", help="count instructions (valgrind) instead of timing")
    args = ap.parse_args()
    if args.instructions:
        count_instructions(args)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for batch in args.batches:
            base, modes = _commands(args.arch, batch, tmp)
            samples: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
            size: dict[str, int] = {}
            for _ in range(args.repeats):
                for mode, extra in modes.items():
                    samples[mode].append(run_cli(base + extra))
                    if extra:
                        size[mode] = os.path.getsize(extra[1])
            row = {"batch_size": batch}
            for mode in modes:
                row[f"cpu_s_{mode}"] = statistics.median(c for c, _ in samples[mode])
                row[f"peak_mb_{mode}"] = statistics.median(m for _, m in samples[mode])
            for mode in ("json", "gz"):
                row[f"trace_mb_{mode}"] = size[mode] / 2 ** 20
                row[f"cpu_ratio_{mode}"] = row[f"cpu_s_{mode}"] / row["cpu_s_none"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    out = ROOT / "benchmarks" / "results" / "trace_cost.json"
    out.write_text(json.dumps({"architecture": args.arch, "repeats": args.repeats, "statistic": "median",
                               "rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


def count_instructions(args: argparse.Namespace) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for batch in args.batches:
            base, modes = _commands(args.arch, batch, tmp)
            row: dict[str, float] = {"batch_size": batch}
            for mode, extra in modes.items():
                row[f"instructions_{mode}"] = instructions_cli(base + extra)
            for mode in ("json", "gz"):
                row[f"ratio_{mode}"] = row[f"instructions_{mode}"] / row["instructions_none"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    out = ROOT / "benchmarks" / "results" / "trace_instructions.json"
    out.write_text(json.dumps({"architecture": args.arch, "tool": "valgrind --tool=callgrind", "rows": rows},
                              indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
