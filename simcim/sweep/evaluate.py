"""The point function: one sweep point in, its metrics out. Runs in a worker process (local or Dask).

It is a top-level function of plain picklable data so any ``concurrent.futures`` executor can run
it, and it never raises for a problem of the point itself: the error comes back as data, so
that one bad point is recorded and the sweep goes on.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from simcim import model_version
from simcim.spec.errors import SpecError
from simcim.spec.loader import load_architecture, load_workload
from simcim.sweep.metrics import simulation_metrics
from simcim.sweep.points import PointTask, SpecSource

if TYPE_CHECKING:
    from simcim.sweep.accuracy import Trained

# Test-only knob (docs/sweeps.md): seconds each point sleeps before it runs, so that a test can kill a
# sweep half-way through. Read in the worker, so it must be in the workers' environment.
SLEEP_ENV = "SIMCIM_SWEEP_TEST_SLEEP_S"

T = TypeVar("T")


@dataclass
class PointOutcome:
    status: str  # "ok" or "error"
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    wall_s: float = 0.0
    host: str = ""
    # The cost model that simulated the point, as the worker has it (a Dask worker may run another
    # install): the store keeps it, so a rerun with a newer model simulates the point again.
    simulation_model: int = model_version.SIMULATION
    # Epochs of a training point restored from its checkpoint (a killed run resumed), not trained
    # in this call: its wall_s covers the other epochs only (progress estimates need to know).
    resumed_epochs: int = 0


def _load(source: SpecSource, overrides: dict[str, Any], loader: Callable[[Path, dict[str, Any]], T],
          scratch: Path, renames: dict[str, str]) -> T:
    """Load a spec from its path when the worker sees the same file, else from the text that came along.

    A copy's path goes into ``renames`` so that errors (also those raised later, by the simulator)
    can name the user's file instead of the copy.
    """
    path = Path(source.path)
    try:
        same = path.read_text(encoding="utf-8") == source.text
    except OSError:
        same = False
    if same:
        return loader(path, overrides)
    copy = scratch / f"{len(renames)}-{path.name}"
    copy.write_text(source.text, encoding="utf-8")
    renames[str(copy)] = source.path
    return loader(copy, overrides)


def _train(task: PointTask, arch: Any, workload: Any) -> "Trained":
    from simcim.sweep.accuracy import train_accuracy  # torch is heavy: import only when training

    return train_accuracy(task, arch, workload)


def evaluate_point(task: PointTask) -> PointOutcome:
    """Simulate (and, if asked, train) one point; errors of the point come back as an outcome."""
    # Imported here so that the forkserver's preload and a Dask worker pay for it once, not the CLI.
    from simcim.api import simulate

    host = socket.gethostname()
    t0 = time.perf_counter()
    sleep_s = float(os.environ.get(SLEEP_ENV, "0") or 0)
    if sleep_s > 0:
        time.sleep(sleep_s)
    renames: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="simcim-point-") as tmp:
            arch = _load(task.arch, task.arch_overrides, load_architecture, Path(tmp), renames)
            workload = _load(task.workload, task.workload_overrides, load_workload, Path(tmp), renames)
            metrics = simulation_metrics(simulate(arch, workload))
            resumed = 0
            if task.train is not None:
                trained = _train(task, arch, workload)
                metrics.update(trained.metrics)
                resumed = trained.resumed_epochs
        return PointOutcome("ok", metrics, wall_s=time.perf_counter() - t0, host=host,
                            simulation_model=model_version.SIMULATION, resumed_epochs=resumed)
    except Exception as exc:  # noqa: BLE001 - any failure of one point is that point's result
        if isinstance(exc, SpecError) and exc.path in renames:
            exc = SpecError(renames[exc.path], exc.line, exc.key, exc.message)
        message = str(exc) if isinstance(exc, SpecError) else f"{type(exc).__name__}: {exc}"
        tb = None if isinstance(exc, SpecError) else traceback.format_exc(limit=-8)
        return PointOutcome("error", error=" ".join(message.split()), traceback=tb,
                            wall_s=time.perf_counter() - t0, host=host)
