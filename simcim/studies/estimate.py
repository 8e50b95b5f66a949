"""The total training time of a study, estimated before it starts from one measured first epoch.

The largest pending training point trains one epoch here, in this process, on one torch thread
(as a worker does); every other point's epoch is that time scaled by its weight count (an MLP
epoch's work is proportional to its weights), times its epochs, spread over the workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from simcim.spec.loader import load_architecture, load_workload
from simcim.studies.plan import StudyPlan, describe
from simcim.sweep.evaluate import PointOutcome
from simcim.sweep.points import Point


@dataclass(frozen=True)
class Estimate:
    measured: str  # the point whose first epoch was timed
    epoch_s: float  # its first epoch
    total_s: float  # every pending training point, serially
    workers: int

    @property
    def wall_s(self) -> float:
        return self.total_s / max(1, self.workers)

    def text(self, points: int) -> str:
        return (f"estimate: {points} training points, about {_duration(self.total_s)} of training in all, "
                f"{_duration(self.wall_s)} on {self.workers} worker{'s' if self.workers != 1 else ''} "
                f"(first epoch of {self.measured} measured here: {self.epoch_s:.1f} s; the others scaled by "
                "their weight count)")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def measure_first_epoch(point: Point) -> float:
    """Seconds of one training epoch of ``point`` (its settings, one epoch, one torch thread)."""
    import torch

    from simcim.sweep.accuracy import nonidealities
    from simcim.training.trainer import TrainOptions, train

    task = point.task
    assert task.train is not None
    arch = load_architecture(Path(task.arch.path), task.arch_overrides)
    workload = load_workload(Path(task.workload.path), task.workload_overrides)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        t0 = time.perf_counter()
        options = TrainOptions(rule=workload.rule, dataset=task.train.dataset or workload.training.dataset,
                               epochs=1, seed=workload.seed, nonidealities=nonidealities(task.train.nonidealities),
                               data_dir=Path(task.data_dir) if task.data_dir else None)
        result = train(workload, arch, options)
        return result.history[0].seconds if result.history else time.perf_counter() - t0
    finally:
        torch.set_num_threads(threads)


def estimate(plan: StudyPlan, pending: list[Point], workers: int,
             measure: Callable[[Point], float] = measure_first_epoch) -> Estimate | None:
    """Time the first epoch of the largest pending training point and scale it to the rest."""
    training = [p for p in pending if p.task.train is not None]
    if not training:
        return None
    ref = max(training, key=plan.weights)
    epoch_s = measure(ref)
    total = sum(epoch_s * plan.weights(p) / plan.weights(ref) * p.task.train.epochs  # type: ignore[union-attr]
                for p in training)
    return Estimate(describe(ref.params), epoch_s, total, min(workers, len(training)))


class TrainingLog:
    """One line per finished training point, with the training time left: a long study writing to a
    log file (no progress bar there) still says where it is. Time left = the pending points' weights
    times the worker-seconds per weight measured so far in this run, spread over the workers. A point
    resumed from its checkpoint counts only the epochs it trained here: its seconds cover no more
    (counting all its epochs made one resumed point promise a 7 h study done in an hour)."""

    def __init__(self, plan: StudyPlan, pending: list[Point], workers: int, write: Callable[[str], None]) -> None:
        training = [p for p in pending if p.task.train is not None]
        self.epochs = {p.key: p.task.train.epochs for p in training}  # type: ignore[union-attr]
        self.weights = {p.key: plan.weights(p) * self.epochs[p.key] for p in training}
        self.total = len(self.weights)
        self.left = sum(self.weights.values())
        self.workers = max(1, min(workers, self.total))
        self.write = write
        self.done = 0
        self.done_weight = 0.0  # weight-epochs trained in this run (not restored from checkpoints)
        self.worker_s = 0.0

    def __call__(self, point: Point, outcome: PointOutcome) -> None:
        weight = self.weights.get(point.key)
        if weight is None:  # a simulation point: seconds, not worth a line
            return
        self.done += 1
        self.left -= weight
        epochs = self.epochs[point.key]
        resumed = min(outcome.resumed_epochs, epochs)
        self.done_weight += weight * (epochs - resumed) / epochs  # what outcome.wall_s paid for
        self.worker_s += outcome.wall_s
        if outcome.status == "ok":
            acc = outcome.metrics.get("accuracy_last3")
            status = "ok" if acc is None else f"accuracy {100 * acc:.1f} %"
        else:
            status = f"failed: {outcome.error}"
        if resumed:
            status += f", resumed after epoch {resumed}"
        if self.done == self.total:
            tail = "training done"
        elif not self.done_weight:  # only checkpoints' last epochs so far: nothing to scale from
            tail = "time left not known yet"
        else:
            left_s = self.left * self.worker_s / self.done_weight / self.workers
            tail = (f"about {_duration(left_s)} of training left on {self.workers} "
                    f"worker{'s' if self.workers != 1 else ''}")
        self.write(f"[{self.done}/{self.total}] {describe(point.params)}: {status} ({outcome.wall_s:.0f} s); {tail}")
