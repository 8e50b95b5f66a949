"""Hardware-aware training step time / ideal float step time on the same MLP, in one run.

Both trainers take the same batches of the same network (mlp3: 784-1024-1024-10, batch 200, DFA or
BP); the hardware one has every nonideality of the study's chip on (WAGE quantization, nonlinear
pulse updates with c2c noise, 5-bit ADC on every 128-row partial sum). Steps are interleaved so that
load from other processes hits both alike; the ratio of medians is reported. Goal: <= 2x (issue 11).

    python benchmarks/train_step.py [--rule bp] [--steps 20] [--threads 2] [--weight-update neurosim]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from simcim.spec import load_architecture, load_workload
from simcim.training.settings import Nonidealities
from simcim.training.trainer import TrainOptions, Trainer

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", default="dfa", choices=["bp", "fa", "dfa", "drtp", "shallow"])
    parser.add_argument("--workload", default=str(ROOT / "workloads" / "mlp3-dfa.yaml"))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None, help="default: simcim train's default")
    parser.add_argument("--weight-update", choices=["proportional", "neurosim"],
                        help="the hardware run's update (default: the workload's)")
    args = parser.parse_args()
    from simcim.training.threads import default_threads, usable_cores

    torch.set_num_threads(args.threads or default_threads())
    print(f"threads: {torch.get_num_threads()} ({'--threads' if args.threads else 'default'}; "
          f"{usable_cores()} usable cores)")
    arch = load_architecture(ROOT / "architectures" / "neurosim-fefet-22nm.yaml")
    wl = load_workload(args.workload)
    ideal = Trainer(wl, arch, TrainOptions(args.rule, "digits", 1, 0, Nonidealities.ideal()))
    hw = Trainer(wl, arch, TrainOptions(args.rule, "digits", 1, 0, Nonidealities(),
                                        weight_update=args.weight_update), ideal.data)
    x, y = ideal.data.x_train, ideal.data.y_train
    b = ideal.batch_size
    times: dict[str, list[float]] = {"ideal": [], "hardware": []}
    with torch.no_grad():
        for i in range(args.steps + 2):  # the first two are warm-up
            lo = (i * b) % (x.shape[0] - b)
            for name, tr in (("ideal", ideal), ("hardware", hw)):
                t0 = time.perf_counter()
                tr.step(x[lo:lo + b], y[lo:lo + b])
                if i >= 2:
                    times[name].append(time.perf_counter() - t0)
    t_ideal = statistics.median(times["ideal"])
    t_hw = statistics.median(times["hardware"])
    print(f"{wl.name} ({args.rule}, {hw.hw.weight_update} update), batch {b}, "
          f"{torch.get_num_threads()} thread(s), {args.steps} steps each")
    print(f"ideal float step:    {1e3 * t_ideal:8.1f} ms (median)")
    print(f"hardware-aware step: {1e3 * t_hw:8.1f} ms (median)")
    print(f"ratio: {t_hw / t_ideal:.2f}x  (goal <= 2x, issue 11)")


if __name__ == "__main__":
    main()
