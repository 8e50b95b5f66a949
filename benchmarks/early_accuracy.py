"""Test accuracy after a few batches of the study's network, for one rule and one set of effects.

A quick probe of where training breaks (docs/training.md, "FA fades with depth"): it trains
784-1024x(N-1)-10 (the study's network, `init: wage` by default) for ``--batches`` batches of 200
and prints the test accuracy on the first 2,000 test images.

    OMP_NUM_THREADS=1 python benchmarks/early_accuracy.py --rule fa --depth 8 --batches 100 \
        [--effects all|none|no-adc|...] [--weight-update neurosim|proportional] [--dfa-derivative unclipped]
"""

from __future__ import annotations

import argparse

import torch

from bp_depth_vs_torch import study_workload  # benchmarks/ is on the path when run as a script
from simcim.paths import resolve_architecture
from simcim.spec import load_architecture
from simcim.sweep.accuracy import nonidealities
from simcim.training.trainer import TrainOptions, Trainer, accuracy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rule", default="fa")
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--batches", type=int, default=100)
    ap.add_argument("--effects", default="all", help="all, none or no-<effect> (as a study's nonidealities)")
    ap.add_argument("--weight-update", choices=["neurosim", "proportional"], help="default: the workload's; "
                    "with --effects none, neurosim runs its step in float math")
    ap.add_argument("--init", default="wage", choices=["glorot-half", "wage"])
    ap.add_argument("--dfa-derivative", default="clipped", choices=["clipped", "unclipped"],
                    help="workload training.dfa_derivative")
    ap.add_argument("--dataset", default="fashion-mnist")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    arch = load_architecture(resolve_architecture("neurosim-fefet-22nm"))
    wl = study_workload(args.depth, args.width, args.init)
    wl = wl.model_copy(update={"training": wl.training.model_copy(update={"dfa_derivative": args.dfa_derivative})})
    opts = TrainOptions(args.rule, args.dataset, 1, args.seed, nonidealities(args.effects),
                        weight_update=args.weight_update)
    tr = Trainer(wl, arch, opts)
    x, y = tr.data.x_train, tr.data.y_train
    order = torch.randperm(x.shape[0], generator=tr.generator)
    with torch.no_grad():
        for b in range(args.batches):
            idx = order[b * tr.batch_size:(b + 1) * tr.batch_size]
            tr.step(x[idx], y[idx])
        acc = accuracy(tr.net, tr.data.x_test[:2000], tr.data.y_test[:2000], 1000)
        # Hidden units held by the clip at 1 (pre-activation >= 1) on 1,000 training images.
        _, records = tr.net.forward(x[:1000])
        clipped = ", ".join(f"{100 * float((r.pre >= 1).float().mean()):.0f}" for r in records[:-1])
    print(f"{args.rule} N={args.depth} effects={args.effects} update={tr.hw.weight_update} init={args.init} "
          f"dfa_derivative={args.dfa_derivative} "
          f"after {args.batches} batches: {100 * acc:.1f} % (2,000 test images); "
          f"pre-activations at the clip per hidden layer: {clipped} %")


if __name__ == "__main__":
    main()
