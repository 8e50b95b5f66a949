"""Accuracy of a sweep point: train its network on its chip's device model for a few epochs.

Calls the trainer in-process (simcim.training, the engine of `simcim train`), with every
nonideality on, so that a point's accuracy reflects the hardware the same point simulates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload
from simcim.sweep.points import PointTask

if TYPE_CHECKING:
    from simcim.training.settings import Nonidealities


class Trained(NamedTuple):
    metrics: dict[str, float]
    resumed_epochs: int  # restored from the point's checkpoint, not trained in this call


def train_accuracy(task: PointTask, arch: Architecture, workload: Workload) -> Trained:
    """``accuracy`` (final test accuracy, a fraction), ``accuracy_last3`` and ``train_pulses_per_cell`` of
    one point: numbers only, no wall times, so that the same point gives the same metrics anywhere;
    beside them, how many epochs came from a checkpoint (not a metric: a resumed run's numbers are
    the uninterrupted run's)."""
    import torch

    from simcim.training.trainer import TrainOptions, train

    assert task.train is not None
    # Points already run in parallel, one per worker: one torch thread each avoids oversubscribing
    # the cores (the workers already use them all: simcim.training.threads), and keeps a point's
    # numbers independent of how many cores its worker has.
    torch.set_num_threads(1)
    options = TrainOptions(
        rule=workload.rule,
        dataset=task.train.dataset or workload.training.dataset,
        epochs=task.train.epochs,
        seed=workload.seed,  # the point's seed, as validated by the workload spec
        nonidealities=nonidealities(task.train.nonidealities),
        data_dir=Path(task.data_dir) if task.data_dir else None,
    )
    ckpt = Path(task.checkpoint) if task.checkpoint else None
    trained = train(workload, arch, options, checkpoint=ckpt)  # a damaged checkpoint: from the start
    result = trained.to_json()
    if ckpt is not None:
        ckpt.unlink(missing_ok=True)  # done: the store has the point now, or gets it from this result
    if result["final_test_accuracy"] is None:
        raise RuntimeError("training ran no epoch")
    tail = [float(a) for a in result["test_accuracy"][-3:]]
    return Trained({"accuracy": float(result["final_test_accuracy"]),
                    "accuracy_last3": sum(tail) / len(tail),
                    "train_pulses_per_cell": float(result["pulses_per_cell"])}, trained.resumed_after_epoch)


def nonidealities(name: str) -> "Nonidealities":
    """"all", "none" or "no-<effect>" (sweep.spec.NONIDEALITY_PATTERN) as the trainer's switches."""
    from dataclasses import replace

    from simcim.training.settings import Nonidealities

    if name == "all":
        return Nonidealities()
    if name == "none":
        return Nonidealities.ideal()
    return replace(Nonidealities(), **{name.removeprefix("no-"): False})
