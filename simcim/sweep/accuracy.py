"""Accuracy of a sweep point: train its network on its chip's device model for a few epochs.

Calls the trainer in-process (simcim.training, the engine of `simcim train`), with every
nonideality on, so that a point's accuracy reflects the hardware the same point simulates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload
from simcim.sweep.points import PointTask

if TYPE_CHECKING:
    from simcim.training.settings import Nonidealities


def train_accuracy(task: PointTask, arch: Architecture, workload: Workload) -> dict[str, float]:
    """``accuracy`` (final test accuracy, a fraction), ``accuracy_last3`` and ``train_pulses_per_cell`` of
    one point: numbers only, no wall times, so that the same point gives the same metrics anywhere."""
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
    result = train(workload, arch, options, checkpoint=ckpt).to_json()  # a damaged checkpoint: from the start
    if ckpt is not None:
        ckpt.unlink(missing_ok=True)  # done: the store has the point now, or gets it from this result
    if result["final_test_accuracy"] is None:
        raise RuntimeError("training ran no epoch")
    tail = [float(a) for a in result["test_accuracy"][-3:]]
    return {"accuracy": float(result["final_test_accuracy"]),
            "accuracy_last3": sum(tail) / len(tail),
            "train_pulses_per_cell": float(result["pulses_per_cell"])}


def nonidealities(name: str) -> "Nonidealities":
    """"all", "none" or "no-<effect>" (sweep.spec.NONIDEALITY_PATTERN) as the trainer's switches."""
    from dataclasses import replace

    from simcim.training.settings import Nonidealities

    if name == "all":
        return Nonidealities()
    if name == "none":
        return Nonidealities.ideal()
    return replace(Nonidealities(), **{name.removeprefix("no-"): False})
