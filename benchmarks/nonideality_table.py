"""Test accuracy as nonidealities are switched on one after another, per rule and depth.

Rows: float math with plain SGD (the software baseline) -> float math with the hardware rows'
update rule (for `neurosim`: its normalized step without roundings; the row the others are
compared with) -> quantization only -> + nonlinearity -> + variation -> + ADC (= all of the study's
defaults; the FeFET chip has no read noise). Columns: BP, DFA, FA at depth 3 and 5 (workloads
mlp3-*, mlp5-*; FA runs the bp workload with rule fa). Every run of a seed starts from the same
weights, so a row differs from the one above only in the effect it adds. With several seeds a cell
reads mean +- standard deviation over seeds. A run's number is its test accuracy averaged over its
last three epochs (fewer if it ran fewer).

    python benchmarks/nonideality_table.py --epochs 40 --jobs 2                       # digits, ~10-15 min
    python benchmarks/nonideality_table.py --epochs 40 --seeds 0 1 2 --json t.json    # three seeds
    python benchmarks/nonideality_table.py --dataset fashion-mnist --epochs 10        # the study's set, ~65 min
      (IDX files in ~/data/fashion-mnist or /usr/share/datasets/fashion-mnist: apt install dataset-fashion-mnist)

Prints a Markdown table (the ones in docs/training.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"
# (row name, switches quantization/nonlinearity/variation/adc/read noise, name the update rule?)
STEPS = [
    ("float, plain SGD", (False, False, False, False, False), False),
    ("float, same update", (False, False, False, False, False), True),
    ("quantization only", (True, False, False, False, False), True),
    ("+ nonlinearity", (True, True, False, False, False), True),
    ("+ variation", (True, True, True, False, False), True),
    ("+ ADC (all on)", (True, True, True, True, True), True),
]
RULES = ("bp", "dfa", "fa")
LAST_EPOCHS = 3
DEPTHS = (3, 5)

Job = tuple[int, str, int, int, int, str, str, str | None]


def workload_path(rule: str, depth: int) -> Path:
    return ROOT / "workloads" / f"mlp{depth}-{'dfa' if rule == 'dfa' else 'bp'}.yaml"


def run_one(job: Job) -> tuple[Job, list[float], float, dict[str, float] | None]:
    step, rule, depth, epochs, seed, update, dataset, data_dir = job
    import torch

    torch.set_num_threads(1)  # one process per core
    from simcim.spec import load_architecture, load_workload
    from simcim.training.settings import Nonidealities
    from simcim.training.trainer import TrainOptions, train

    _, switches, named = STEPS[step]
    t0 = time.perf_counter()
    result = train(load_workload(workload_path(rule, depth)), load_architecture(ARCH),
                   TrainOptions(rule, dataset, epochs, seed, Nonidealities(*switches),
                                data_dir=Path(data_dir) if data_dir else None,
                                weight_update=update if named else None))
    # The mean of the last LAST_EPOCHS epochs: one epoch's test accuracy swings by a point or more
    # under one-LSB steps, more than the effects being measured.
    return job, [m.test_accuracy for m in result.history], time.perf_counter() - t0, result.alignment_deg


def cell(values: list[float]) -> str:
    pct = [100 * v for v in values]
    if len(pct) == 1:
        return f"{pct[0]:.1f}"
    return f"{statistics.mean(pct):.1f} ± {statistics.stdev(pct):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--data-dir", help="folder of the IDX files (mnist / fashion-mnist)")
    parser.add_argument("--depths", type=int, nargs="+", default=list(DEPTHS))
    parser.add_argument("--rules", nargs="+", default=list(RULES), choices=RULES)
    parser.add_argument("--weight-update", choices=["proportional", "neurosim"],
                        help="the hardware rows' update (default: the workload's training.weight_update)")
    parser.add_argument("--rows", type=int, nargs="+", help="only these rows (0 = the first), e.g. to rerun one")
    parser.add_argument("--json", type=Path, help="also write every run's number here")
    args = parser.parse_args()
    from simcim.spec import load_workload

    update = args.weight_update or load_workload(workload_path("bp", args.depths[0])).training.weight_update
    # With `proportional` an ideal memory's update is plain SGD: the second row would repeat the first.
    steps = [s for s in (args.rows or range(len(STEPS))) if not (s == 1 and update == "proportional")]
    jobs: list[Job] = [(s, r, d, args.epochs, seed, update, args.dataset, args.data_dir)
                       for seed in args.seeds for d in args.depths for r in args.rules for s in steps]
    acc: dict[tuple[int, str, int], list[float]] = {}
    runs = []
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for (s, r, d, _, seed, *_), curve, secs, angles in pool.map(run_one, jobs):
            a = statistics.mean(curve[-LAST_EPOCHS:])
            acc.setdefault((s, r, d), []).append(a)
            runs.append({"nonidealities": STEPS[s][0], "rule": r, "depth": d, "seed": seed,
                         "test_accuracy": a, "test_accuracy_per_epoch": curve, "alignment_deg": angles, "seconds": round(secs, 1)})
            print(f"# {STEPS[s][0]:<18} {r:<3} depth {d} seed {seed}: {100 * a:.2f} % ({secs:.0f} s)", flush=True)
    cols = [(r, d) for d in args.depths for r in args.rules]
    print(f"\nTest accuracy (%, mean of the last {min(LAST_EPOCHS, args.epochs)} epochs) on {args.dataset} "
          f"after {args.epochs} epochs, seeds "
          f"{' '.join(map(str, args.seeds))}, {ARCH.name}, weight_update {update}; "
          f"{time.perf_counter() - t0:.0f} s in all\n")
    print("| nonidealities | " + " | ".join(f"{r.upper()} mlp{d}" for r, d in cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for s in steps:
        print(f"| {STEPS[s][0]} | " + " | ".join(cell(acc[(s, r, d)]) for r, d in cols) + " |")
    if args.json:
        args.json.write_text(json.dumps({"dataset": args.dataset, "epochs": args.epochs, "seeds": args.seeds,
                                         "weight_update": update, "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
