"""`simcim train ARCH WORKLOAD`: train the workload's network with the chip's device model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simcim.atomic import check_output_folder
from simcim.commands.common import add_spec_arguments, load_specs
from simcim.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train the network on the chip's device model: accuracy per epoch",
        description="Train the workload's network with its learning rule on the architecture's "
                    "device model (WAGE quantization, nonlinear conductance updates, variation, "
                    "ADC, read noise), and report train/test accuracy per epoch. Writes "
                    "metrics.json, metrics.csv and accuracy.png to --out.")
    add_spec_arguments(p)
    p.add_argument("--dataset", choices=["digits", "mnist", "fashion-mnist", "cifar10", "synthetic"],
                   help="default: the workload's training.dataset (digits is bundled)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="folder with the IDX files for mnist / fashion-mnist, or CIFAR-10's python batches "
                        "(cifar-10-batches-py) for cifar10 (default ~/data/DATASET)")
    p.add_argument("--epochs", type=int, metavar="N",
                   help="default: the workload's epochs, at most 50 on digits/synthetic")
    p.add_argument("--seed", type=int, help="default: the workload's seed")
    p.add_argument("--batch-size", type=int, metavar="N", help="default: training.batch_size or batch_size")
    p.add_argument("--lr", type=float, help="default: the workload's training.lr")
    p.add_argument("--weight-update", choices=["proportional", "neurosim"],
                   help="how updates become write pulses in hardware-aware runs: the SGD step as "
                        "stochastically rounded pulses, or DNN+NeuroSim V2.1's normalized QG step "
                        "(default: the workload's training.weight_update; with --ideal plain float SGD unless "
                        "given, and given, the same step in float math)")
    p.add_argument("--out", metavar="DIR", help="output folder (default runs/train-WORKLOAD-RULE)")
    p.add_argument("--ideal", action="store_true", help="ideal devices and float math (all effects off)")
    for flag, effect in (("quant", "WAGE quantization"), ("nonlinearity", "nonlinear pulse updates"),
                         ("variation", "c2c/d2d variation"), ("adc", "ADC on partial sums"),
                         ("read-noise", "read noise")):
        p.add_argument(f"--no-{flag}", action="store_true", help=f"switch off {effect}")
    p.add_argument("--threads", type=int, metavar="N",
                   help="torch CPU threads (default: 1 on up to 3 usable cores, else half of them, at most 8)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or per-epoch lines")
    p.set_defaults(func=train_command)


CHECKPOINT_NAME = "checkpoint.pt"


def _positive(name: str, value: Any) -> None:
    if value is not None and value < 1:
        raise UserError(f"{name} must be at least 1, got {value}")


def train_command(args: argparse.Namespace) -> int:
    arch, workload = load_specs(args)
    try:  # torch and scikit-learn are the 'train' extra
        import torch

        from simcim.training.datasets import DatasetError
        from simcim.training.outputs import write_outputs
        from simcim.training.progress import ConsoleProgress
        from simcim.training.settings import Nonidealities
        from simcim.training.trainer import TrainOptions, default_epochs, train
    except ImportError as exc:
        raise UserError(f"train needs the training extra ({exc.name} is missing): pip install 'simcim[train]'") from None
    _positive("--epochs", args.epochs)
    _positive("--batch-size", args.batch_size)
    _positive("--threads", args.threads)
    if args.lr is not None and not args.lr > 0:
        raise UserError(f"--lr must be positive, got {args.lr}")
    if args.ideal:
        on = Nonidealities.ideal()
    else:
        on = Nonidealities(quantization=not args.no_quant, nonlinearity=not args.no_nonlinearity,
                           variation=not args.no_variation, adc=not args.no_adc,
                           read_noise=not args.no_read_noise)
    dataset = args.dataset or workload.training.dataset
    options = TrainOptions(
        rule=workload.rule, dataset=dataset,
        epochs=args.epochs or default_epochs(workload, dataset),
        seed=workload.seed if args.seed is None else args.seed, nonidealities=on,
        data_dir=Path(args.data_dir).expanduser() if args.data_dir else None,
        batch_size=args.batch_size, lr=args.lr, weight_update=args.weight_update)
    out = Path(args.out) if args.out else Path("runs") / f"train-{workload.name}-{workload.rule}"
    check_output_folder(out, "--out")  # before training, not after
    progress = ConsoleProgress(quiet=args.quiet)
    # The CPU kernels used are deterministic for a given thread count: same seed and threads, same
    # metrics. The default keeps a small or shared machine from being oversubscribed (threads.py).
    from simcim.training.threads import default_threads, usable_cores

    threads = args.threads if args.threads is not None else default_threads()
    torch.set_num_threads(threads)
    if not args.quiet:
        how = "--threads" if args.threads is not None else f"default for {usable_cores()} usable cores; --threads N to change"
        print(f"torch threads: {threads} ({how})")
    from simcim.training.checkpoint import run_identity

    # After each epoch the run's state goes to out/checkpoint.pt; the same command run again (same
    # specs, options and threads) resumes after the last saved epoch with the same numbers.
    ckpt = out / CHECKPOINT_NAME
    try:
        result = train(workload, arch, options, progress, checkpoint=ckpt,
                       identity=run_identity(workload, arch, options, threads))
    except DatasetError as exc:
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        where = f"; the same command resumes after the last saved epoch ({ckpt})" if ckpt.is_file() else ""
        raise UserError(f"interrupted{where}") from None
    ckpt.unlink(missing_ok=True)
    if result.checkpoint_discarded:  # other specs, options, threads or version, or a damaged file
        print(f"{result.checkpoint_discarded}: trained from the start")
    from simcim.network import classes as network_classes

    paths = write_outputs(result, out, network_classes(workload))  # classes: the chance line
    if not args.quiet:
        if result.resumed_after_epoch:
            print(f"resumed after epoch {result.resumed_after_epoch} from {ckpt}")
        final = result.history[-1]
        print(f"{workload.name} {result.rule} on {result.dataset}: final test accuracy "
              f"{100 * final.test_accuracy:.2f} % (train {100 * final.train_accuracy:.2f} %), "
              f"{result.pulses_per_cell:.4g} write pulses per cell per batch "
              f"({result.weight_update} update)")
        if result.alignment_deg:
            angles = ", ".join(f"{k} {v:.1f}°" for k, v in result.alignment_deg.items())
            print(f"angle to the BP gradient: {angles} (per layer, between this rule's weight update and "
                  "backpropagation's on the same batch: 0° = same direction, below 90° = still descends the "
                  "loss, 90° = unrelated, above 90° = uphill)")
        print("wrote " + ", ".join(str(p) for p in paths))
    return 0


