"""Is the study's deep BP what BP gives? The trainer's ideal-memory BP against torch autograd.

The study's depth series (studies/wolters2023.yaml) finds BP behind DFA at N = 8 in float math.
This script trains the study's network (784-1024x(N-1)-10, ReLU clipped at 1 as WAGE clips activations, squared error, SGD lr 0.1
momentum 0.9, batch 200) twice from the same initial weights on the same batches: once with
simcim's trainer (nonidealities none, the study's "none" points) and once with torch autograd +
torch.optim.SGD. Same numbers per epoch => the accuracy at depth is BP's own, not a bug of ours.

    OMP_NUM_THREADS=1 python benchmarks/bp_depth_vs_torch.py --depth 8 --epochs 3 --dataset fashion-mnist [--init wage]

Prints one line per epoch: test accuracy of both and the largest weight difference.
"""

from __future__ import annotations

import argparse
import json
import time

import torch
import torch.nn.functional as F

from simcim.paths import resolve_architecture, resolve_workload
from simcim.spec import load_architecture, load_workload
from simcim.spec.workload import Workload
from simcim.studies.plan import mlp_layers
from simcim.training.settings import Nonidealities
from simcim.training.trainer import TrainOptions, Trainer, accuracy


def study_workload(depth: int, width: int, init: str = "glorot-half") -> Workload:
    """The study's network at ``depth``: the bundled mlp5-bp built to depth as `simcim study` builds it."""
    base = load_workload(resolve_workload("mlp5-bp"))
    data = base.model_dump(mode="json", exclude_unset=True)
    data["layers"] = mlp_layers(data["layers"], depth, width)
    data["name"] = f"mlp{depth}-w{width}"
    data.setdefault("training", {})["init"] = init
    return Workload.model_validate(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dataset", default="fashion-mnist")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--init", default="glorot-half", choices=["glorot-half", "wage"], help="workload training.init")
    ap.add_argument("--json", help="write the per-epoch figures here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    arch = load_architecture(resolve_architecture("neurosim-fefet-22nm"))
    wl = study_workload(args.depth, args.width, args.init)
    opts = TrainOptions("bp", args.dataset, args.epochs, args.seed, Nonidealities.ideal())
    tr = Trainer(wl, arch, opts)
    assert tr.hw.weight_update == "float" and tr.momentum == 0.9 and tr.lr == 0.1 and tr.loss == "mse"
    w = [v.clone().requires_grad_() for v in tr.net.weights]
    sgd = torch.optim.SGD(w, lr=tr.lr, momentum=tr.momentum)
    x, y = tr.data.x_train, tr.data.y_train
    classes = tr.classes
    rows = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        # The trainer's batch order: one permutation per epoch from its generator. Drawn once here
        # and used by both (the trainer's own run() would draw it itself).
        order = torch.randperm(x.shape[0], generator=tr.generator)
        for b in range(tr.batches_per_epoch):
            idx = order[b * tr.batch_size:(b + 1) * tr.batch_size]
            with torch.no_grad():
                tr.step(x[idx], y[idx])
            h = x[idx]
            for v in w[:-1]:
                h = (h @ v).clamp(0.0, 1.0)  # simcim.training.model.hidden_activate
            loss = (0.5 * ((h @ w[-1] - F.one_hot(y[idx], classes).float()) ** 2).mean(1)).mean()
            sgd.zero_grad()
            loss.backward()
            sgd.step()
        with torch.no_grad():
            ours = accuracy(tr.net, tr.data.x_test, tr.data.y_test, 1000)
            h = tr.data.x_test
            for v in w[:-1]:
                h = (h @ v).clamp(0.0, 1.0)  # simcim.training.model.hidden_activate
            theirs = float(((h @ w[-1]).argmax(1) == tr.data.y_test).float().mean())
            diff = max(float((a - b).abs().max()) for a, b in zip(tr.net.weights, w))
        rows.append({"epoch": epoch, "simcim_test_accuracy": ours, "torch_test_accuracy": theirs,
                     "max_weight_difference": diff, "seconds": round(time.perf_counter() - t0, 1)})
        print(f"epoch {epoch}: simcim {100 * ours:.2f} %  torch {100 * theirs:.2f} %  "
              f"max |w_simcim - w_torch| {diff:.2e}  ({rows[-1]['seconds']} s)", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"depth": args.depth, "width": args.width, "init": args.init, "dataset": args.dataset, "seed": args.seed,
                       "threads": args.threads, "epochs": rows}, f, indent=1)


if __name__ == "__main__":
    main()
