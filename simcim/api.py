"""The public Python API (``import simcim``): load specs, simulate, train. The CLI is built on it.

    import simcim
    arch = simcim.load_architecture("neurosim-fefet-22nm", subarray__adc__bits=6)
    wl = simcim.load_workload("mlp5-dfa", batch_size=50)
    result = simcim.simulate(arch, wl)
    result.per_epoch.latency_s, result.phase_records()

See docs/api.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from simcim.paths import resolve_architecture, resolve_workload
from simcim.result import Result, summarize
from simcim.simulation import run_simulation
from simcim.spec import Architecture, Workload
from simcim.spec import load_architecture as _load_architecture
from simcim.spec import load_workload as _load_workload

if TYPE_CHECKING:
    from simcim.training.trainer import TrainResult


def _overrides(overrides: Mapping[str, Any] | None, keywords: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys from the mapping, plus keyword arguments with ``__`` for each dot."""
    out = dict(overrides or {})
    out.update({key.replace("__", "."): value for key, value in keywords.items()})
    return out


def load_architecture(source: str | Path, overrides: Mapping[str, Any] | None = None, **keys: Any) -> Architecture:
    """An architecture from a YAML path or a bundled name (``neurosim-fefet-22nm``), with overrides
    as dotted keys (``{"subarray.adc.bits": 6}``) or keywords (``subarray__adc__bits=6``).

    Bad input raises :class:`simcim.SpecError` naming file, line and key.
    """
    return _load_architecture(resolve_architecture(source), _overrides(overrides, keys))


def load_workload(source: str | Path, overrides: Mapping[str, Any] | None = None, **keys: Any) -> Workload:
    """A workload from a YAML path or a bundled name (``mlp5-dfa``); overrides as for
    :func:`load_architecture` (``rule="bp"``, ``batch_size=50``)."""
    return _load_workload(resolve_workload(source), _overrides(overrides, keys))


def simulate(arch: Architecture, workload: Workload, *, trace_queues: bool = False, iterations: int = 1,
             exact: bool = False) -> Result:
    """Simulate one training iteration of ``workload`` on ``arch`` event by event; the Result scales
    it to an epoch. ``trace_queues`` keeps queue-depth samples for :meth:`Result.write_trace`.
    ``iterations`` > 1: that many back to back (``workload.epoch_iterations`` for a whole epoch),
    fast-forwarding over repeats unless ``exact`` (``Result.epoch`` says what was done)."""
    return summarize(run_simulation(arch, workload, trace_queues=trace_queues, iterations=iterations, exact=exact))


def train(arch: Architecture, workload: Workload, *, rule: str | None = None, dataset: str | None = None,
          epochs: int | None = None, seed: int | None = None, ideal: bool = False,
          data_dir: str | Path | None = None, weight_update: str | None = None) -> "TrainResult":
    """Train ``workload``'s network on ``arch``'s device model (``simcim train``); needs the ``train``
    extra (torch). ``ideal``: float math and ideal devices. Defaults come from the workload."""
    from simcim.training.settings import Nonidealities
    from simcim.training.trainer import TrainOptions, default_epochs
    from simcim.training.trainer import train as run_training

    dataset = dataset or workload.training.dataset
    options = TrainOptions(
        rule=rule or workload.rule, dataset=dataset,
        epochs=epochs if epochs is not None else default_epochs(workload, dataset),
        seed=workload.seed if seed is None else seed,
        nonidealities=Nonidealities.ideal() if ideal else Nonidealities(),
        data_dir=Path(data_dir).expanduser() if data_dir else None, weight_update=weight_update)
    return run_training(workload, arch, options)
