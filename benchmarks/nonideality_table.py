"""Test accuracy on digits as nonidealities are switched on one after another, per rule and depth.

Rows: ideal (float math) -> quantization only -> + nonlinearity -> + variation -> + ADC (= all of
the study's defaults; the FeFET chip has no read noise). Columns: BP, DFA, FA at depth 3 and 5
(workloads mlp3-*, mlp5-*; FA runs the bp workload with rule fa). Each run trains from the same
seed, so a row differs from the one above only in the effect it adds.

    python benchmarks/nonideality_table.py --epochs 40 --jobs 2 --json table.json   # ~8 min on 2 cores
    python benchmarks/nonideality_table.py --epochs 40 --jobs 2 --weight-update neurosim

Prints a Markdown table (the one in docs/training.md).
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"
STEPS = [
    ("ideal (float)", (False, False, False, False, False)),
    ("quantization only", (True, False, False, False, False)),
    ("+ nonlinearity", (True, True, False, False, False)),
    ("+ variation", (True, True, True, False, False)),
    ("+ ADC (all on)", (True, True, True, True, True)),
]
RULES = ("bp", "dfa", "fa")
DEPTHS = (3, 5)


def run_one(job: tuple[int, str, int, int, int, str | None]) -> tuple[int, str, int, float, float]:
    step, rule, depth, epochs, seed, weight_update = job
    import torch

    torch.set_num_threads(1)  # one process per core
    from simcim.spec import load_architecture, load_workload
    from simcim.training.settings import Nonidealities
    from simcim.training.trainer import TrainOptions, train

    workload = load_workload(ROOT / "workloads" / f"mlp{depth}-{'dfa' if rule == 'dfa' else 'bp'}.yaml")
    on = Nonidealities(*STEPS[step][1])
    t0 = time.perf_counter()
    result = train(workload, load_architecture(ARCH), TrainOptions(rule, "digits", epochs, seed, on,
                                                                weight_update=weight_update))
    return step, rule, depth, result.history[-1].test_accuracy, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weight-update", choices=["proportional", "neurosim"],
                        help="how hardware-aware rows turn updates into pulses (default: the workload's)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    jobs = [(s, r, d, args.epochs, args.seed, args.weight_update)
            for d in DEPTHS for r in RULES for s in range(len(STEPS))]
    acc: dict[tuple[int, str, int], float] = {}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for step, rule, depth, a, secs in pool.map(run_one, jobs):
            acc[(step, rule, depth)] = a
            print(f"# {STEPS[step][0]:<18} {rule:<3} depth {depth}: {100 * a:.2f} % ({secs:.0f} s)", flush=True)
    cols = [(r, d) for d in DEPTHS for r in RULES]
    print(f"\nTest accuracy (%) on digits after {args.epochs} epochs, seed {args.seed}, "
          f"{ARCH.name}, weight_update {args.weight_update or 'workload default'}; "
          f"{time.perf_counter() - t0:.0f} s in all\n")
    print("| nonidealities | " + " | ".join(f"{r.upper()} mlp{d}" for r, d in cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for s, (name, _) in enumerate(STEPS):
        print(f"| {name} | " + " | ".join(f"{100 * acc[(s, r, d)]:.1f}" for r, d in cols) + " |")
    if args.json:
        args.json.write_text(json.dumps({"epochs": args.epochs, "seed": args.seed,
                                         "weight_update": args.weight_update, "rows": [
            {"nonidealities": STEPS[s][0], "rule": r, "depth": d, "test_accuracy": acc[(s, r, d)]}
            for s in range(len(STEPS)) for r, d in cols]}, indent=2) + "\n")


if __name__ == "__main__":
    main()
