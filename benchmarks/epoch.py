"""A whole epoch, run by hand: `python benchmarks/epoch.py [--repeats 5]`.

VGG-8 BP on the default chip, 50,000 images (250 iterations of 200), as whole commands in child
processes: event by event (`--iterations all --exact`) and with steady-state fast-forward
(`--iterations all`), alternated. Reports the median CPU time (user + system) and peak resident
memory of each, and the largest relative difference between their results' numbers. Figures go to
benchmarks/results/epoch.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from child_stats import run_cli  # benchmarks/ is on the path when run as a script

ROOT = Path(__file__).resolve().parent.parent


def leaves(x, path=""):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from leaves(v, f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, x


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="neurosim-fefet-22nm")
    ap.add_argument("--workload", default="vgg8-cifar10-bp")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = ["run", args.arch, args.workload, "--iterations", "all", "--quiet"]
        modes = {"exact": ["--exact", "--json", f"{tmp}/exact.json"], "fast_forward": ["--json", f"{tmp}/ff.json"]}
        samples: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
        for _ in range(args.repeats):
            for mode, extra in modes.items():
                samples[mode].append(run_cli(base + extra))
                print(mode, samples[mode][-1], flush=True)
        exact = dict(leaves(json.loads(Path(f"{tmp}/exact.json").read_text())))
        ff = dict(leaves(json.loads(Path(f"{tmp}/ff.json").read_text())))
    worst = max((abs(ff[k] / v - 1) for k, v in exact.items() if not k.startswith(".epoch")
                 and isinstance(v, (int, float)) and not isinstance(v, bool) and v), default=0.0)
    out = {"architecture": args.arch, "workload": args.workload, "images": exact[".epoch.images"],
           "iterations": exact[".epoch.iterations"], "repeats": args.repeats, "statistic": "median",
           "fast_forwarded_iterations": ff[".epoch.fast_forwarded_iterations"],
           "pattern_start_iteration": ff[".epoch.pattern_start_iteration"],
           "largest_relative_difference": worst,
           "epoch_latency_s": {"exact": exact[".per_epoch.latency_s"], "fast_forward": ff[".per_epoch.latency_s"]}}
    for mode in modes:
        out[f"cpu_s_{mode}"] = statistics.median(c for c, _ in samples[mode])
        out[f"peak_mb_{mode}"] = statistics.median(m for _, m in samples[mode])
    path = ROOT / "benchmarks" / "results" / "epoch.json"
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
