"""Import and simulate a large imported graph, run by hand: `python benchmarks/import_graph.py [--repeats 3]`.

Whole commands in child processes, alternated, median of the repeats:
- `simcim import torchvision:resnet50 --input-shape 3,224,224` (goal: under 5 s), beside the floor
  every import pays, `python -c "import torch, torchvision"`;
- `simcim run neurosim-fefet-22nm RESNET50 --set workload.batch_size=256` (one iteration; goal: under
  30 s), beside the bundled VGG-8 BP iteration (batch 200) in the same run.
Wall and CPU seconds (user + system) and peak memory; ratios against the baselines. Figures go to
benchmarks/results/import_graph.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from child_stats import CHILD  # benchmarks/ is on the path when run as a script

ROOT = Path(__file__).resolve().parent.parent

FLOOR = ("import resource, sys\n"
         "from simcim.importers.torch_graph import import_torchvision\n"
         "import_torchvision()\n"
         "u = resource.getrusage(resource.RUSAGE_SELF)\n"
         "print('STATS', u.ru_utime + u.ru_stime, u.ru_maxrss, file=sys.stderr)\n")


def run(code: str, args: list[str]) -> dict[str, float]:
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    _, cpu, rss_kb = next(ln for ln in p.stderr.splitlines() if ln.startswith("STATS")).split()
    return {"wall_s": wall, "cpu_s": float(cpu), "peak_mb": float(rss_kb) / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r50 = f"{tmp}/resnet50.yaml"
        cases = {
            "import_resnet50": (CHILD, ["import", "torchvision:resnet50", "--input-shape", "3,224,224", "-o", r50]),
            "floor_import_torch_torchvision": (FLOOR, []),
            "simulate_resnet50_batch256": (CHILD, ["run", "neurosim-fefet-22nm", r50, "--set", "workload.batch_size=256",
                                                   "--quiet", "--json", f"{tmp}/r50.json"]),
            "simulate_vgg8_batch200": (CHILD, ["run", "neurosim-fefet-22nm", "vgg8-cifar10-bp", "--quiet"]),
        }
        samples: dict[str, list[dict[str, float]]] = {k: [] for k in cases}
        for _ in range(args.repeats):
            for name, (code, argv) in cases.items():
                samples[name].append(run(code, argv))
                print(name, samples[name][-1], flush=True)
        result = json.loads(Path(f"{tmp}/r50.json").read_text())
    out: dict[str, object] = {"repeats": args.repeats, "statistic": "median", "python": sys.version.split()[0]}
    for name, runs in samples.items():
        out[name] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    med = {k: v for k, v in out.items() if isinstance(v, dict)}
    out["resnet50_tasks"] = result["simulation"]["tasks"]
    out["ratios"] = {
        "import_over_floor_wall": med["import_resnet50"]["wall_s"] / med["floor_import_torch_torchvision"]["wall_s"],
        "resnet50_b256_over_vgg8_b200_wall": med["simulate_resnet50_batch256"]["wall_s"] / med["simulate_vgg8_batch200"]["wall_s"],
    }
    out["goals"] = {"import_resnet50_wall_s_under_5": med["import_resnet50"]["wall_s"] < 5,
                    "simulate_resnet50_b256_wall_s_under_30": med["simulate_resnet50_batch256"]["wall_s"] < 30}
    path = ROOT / "benchmarks" / "results" / "import_graph.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
