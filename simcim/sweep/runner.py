"""Run a sweep: skip the points the store already has, submit the rest, record each as it finishes."""

from __future__ import annotations

import json
import sys
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from simcim import model_version
from simcim.sweep.evaluate import PointOutcome, evaluate_point
from simcim.sweep.executors import Pool
from simcim.sweep.metrics import TRAINING_METRICS
from simcim.sweep.points import Point
from simcim.sweep.spec import Sweep
from simcim.sweep.store import Store


@dataclass
class RunSummary:
    points: int  # in the sweep
    skipped: int  # already in the store
    ok: int = 0
    errors: int = 0
    lost: int = 0  # the executor failed to run them (worker died); not recorded, a rerun retries them
    lost_reason: str | None = None
    resimulated: int = 0  # training points re-simulated with a newer cost model, training kept
    error_samples: list[str] = field(default_factory=list)

    def counts(self) -> str:
        """"N ok, M failed, K already done" (and the training points re-simulated, if any)."""
        again = (f" ({self.resimulated} of them training points re-simulated with cost model "
                 f"{model_version.SIMULATION}, their training kept)") if self.resimulated else ""
        return f"{self.ok} ok{again}, {self.errors} failed, {self.skipped} already done"


def split_pending(points: list[Point], store: Store, retry_errors: bool) -> tuple[list[Point], list[Point]]:
    """(points to run, finished training points to simulate again). To run: not recorded (or failed,
    with ``retry_errors``), and simulation points simulated with an older cost model. To simulate
    again: training points of an older cost model -- their training is kept (hours of it, for a
    change of the chip's cost model, which does not touch the training)."""
    done = store.finished(include_errors=not retry_errors)
    stale = store.stale_simulation(model_version.SIMULATION)
    todo = [p for p in points if p.key not in done or (p.key in stale and p.task.train is None)]
    again = [p for p in points if p.key in stale and p.task.train is not None]
    return todo, again


def _resimulated(outcome: PointOutcome, old: tuple[dict[str, float], float | None, str | None]) -> PointOutcome:
    """A training point's new simulated metrics beside its recorded training metrics (wall time and
    host stay the training's)."""
    metrics, wall_s, host = old
    kept = {k: v for k, v in metrics.items() if k in TRAINING_METRICS}
    return PointOutcome("ok", {**outcome.metrics, **kept}, wall_s=wall_s or 0.0, host=host or outcome.host,
                        simulation_model=outcome.simulation_model)


def checkpoint_dir(db: Path) -> Path:
    """Where a store's training points keep their per-epoch checkpoints: ``<db>.checkpoints`` beside it
    (absolute: a worker may run in another folder)."""
    db = db.resolve()
    return db.with_name(db.name + ".checkpoints")


def run_sweep(sweep: Sweep, points: list[Point], store: Store, pool: Pool, *,
              retry_errors: bool = False, progress: bool | None = None,
              on_done: Callable[[Point, PointOutcome], None] | None = None,
              checkpoints: Path | None = None) -> RunSummary:
    """Evaluate the points the store lacks on ``pool``; every finished point is committed at once.

    Submits at most a few points per worker ahead: a sweep of a million points does not become a
    million futures, and the order of completion stays close to the sweep's order. ``checkpoints``:
    a training point saves its state there between epochs (``<key>.pt``), so one killed half-way
    resumes at its last saved epoch when the sweep runs again; the file goes when the point ends.
    Finished training points simulated with an older cost model are simulated again first (their
    training kept), simulation points of an older cost model run again.
    """
    store.claim(sweep.name, {"sweep_file": str(sweep.path), "axes": json.dumps(list(sweep.axes)),
                             "metrics": json.dumps(list(sweep.metrics) if sweep.metrics else None)})
    store.renumber(points)
    todo, refresh = split_pending(points, store, retry_errors)  # refresh: quick, so first
    resimulate = {p.key for p in refresh}
    summary = RunSummary(points=len(points), skipped=len(points) - len(todo) - len(refresh))
    window = max(2 * pool.workers, pool.workers + 2)
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(todo) + len(refresh), desc=sweep.name, unit="pt", disable=not show, dynamic_ncols=True)
    queue = iter(refresh + todo)
    running: dict[Future[PointOutcome], Point] = {}
    try:
        while True:
            while len(running) < window:
                point = next(queue, None)
                if point is None:
                    break
                task = point.task
                if point.key in resimulate:
                    task = replace(task, train=None)  # simulation only
                elif checkpoints is not None and task.train is not None:
                    task = replace(task, checkpoint=str(checkpoints / f"{point.key}.pt"))
                try:
                    running[pool.executor.submit(evaluate_point, task)] = point
                except Exception as exc:  # noqa: BLE001 - a broken pool refuses new work
                    rest = 1 + sum(1 for _ in queue)
                    summary.lost += rest
                    summary.lost_reason = summary.lost_reason or f"{type(exc).__name__}: {exc}".strip()
                    bar.update(rest)
                    break
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                point = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - the executor's failure, not the point's
                    summary.lost += 1
                    summary.lost_reason = summary.lost_reason or f"{type(exc).__name__}: {exc}".strip()
                else:
                    again = point.key in resimulate
                    if again and outcome.status == "ok":
                        outcome = _resimulated(outcome, store.metrics_of(point.key))
                        summary.resimulated += 1
                    if not again or outcome.status == "ok":  # a failed re-simulation keeps the training
                        store.record(point, outcome, sweep.metrics)
                        if on_done is not None:
                            on_done(point, outcome)
                    if outcome.status == "ok":
                        summary.ok += 1
                    else:
                        summary.errors += 1
                        if len(summary.error_samples) < 3:
                            what = " (re-simulating; its training stays recorded)" if again else ""
                            summary.error_samples.append(f"{point.label()}{what}: {outcome.error}")
                bar.update(1)
                bar.set_postfix(ok=summary.ok, errors=summary.errors, refresh=False)
    finally:
        for future in running:
            future.cancel()
        bar.close()
        if checkpoints is not None and checkpoints.is_dir() and not any(checkpoints.iterdir()):
            checkpoints.rmdir()  # every training point ended: nothing to resume
    return summary
