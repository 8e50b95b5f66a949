"""The metrics a sweep point yields: names, units, which way is better, and how to read them off a result.

Names end in their unit (``_s``, ``_j``, ``_mm2``) so a column says what it holds. ``latency_s`` and
``energy_j`` are per epoch (the cost of training that the study compares); the ``iteration_``
versions are one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from simcim.hardware.costs import COMPONENTS

if TYPE_CHECKING:
    from simcim.result import Result

Direction = Literal["min", "max"]


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str  # for axis labels and tables ("" for a plain count)
    direction: Direction  # which way is better, for Pareto fronts
    doc: str


_BASE = [
    Metric("latency_s", "s", "min", "training latency of one epoch"),
    Metric("energy_j", "J", "min", "training energy of one epoch"),
    Metric("iteration_latency_s", "s", "min", "latency of one iteration (one batch)"),
    Metric("iteration_energy_j", "J", "min", "energy of one iteration (one batch)"),
    Metric("area_mm2", "mm²", "min", "chip area"),
    Metric("tops", "TOPS", "max", "throughput, tera-operations per second"),
    Metric("tops_per_w", "TOPS/W", "max", "energy efficiency"),
    Metric("images_per_s", "images/s", "max", "training speed: batch size / iteration latency"),
    Metric("tiles_used", "tiles", "min", "tiles holding weights"),
]
_COMPONENT = [Metric(f"{c}_energy_j", "J", "min", f"per-epoch energy of {c}") for c in COMPONENTS]
_TRAINING = [
    Metric("accuracy", "", "max", "final test accuracy after the sweep's training epochs"),
    Metric("accuracy_last3", "", "max", "test accuracy averaged over the last three training epochs"),
    Metric("train_pulses_per_cell", "pulses", "min", "mean write pulses per cell per batch, measured in training"),
]

METRICS: dict[str, Metric] = {m.name: m for m in _BASE + _COMPONENT + _TRAINING}
SIMULATION_METRICS: tuple[str, ...] = tuple(m.name for m in _BASE + _COMPONENT)
TRAINING_METRICS: tuple[str, ...] = tuple(m.name for m in _TRAINING)
# What `simcim results` shows when not told which metrics to show.
DEFAULT_SHOWN = ("latency_s", "energy_j", "area_mm2", "tops_per_w", "images_per_s", "accuracy")


def simulation_metrics(result: Result) -> dict[str, float]:
    """Flatten a simulation's :class:`simcim.result.Result` into the sweep's simulation metrics."""
    it, ep = result.per_iteration, result.per_epoch
    out: dict[str, float] = {
        "latency_s": ep.latency_s,
        "energy_j": ep.energy_j,
        "iteration_latency_s": it.latency_s,
        "iteration_energy_j": it.energy_j,
        "area_mm2": result.area.total_mm2,
        "tops": result.tops,
        "tops_per_w": result.tops_per_w,
        "images_per_s": result.batch_size / it.latency_s if it.latency_s else 0.0,
        "tiles_used": result.mapping.tiles_used,
    }
    for comp, joules in ep.energy_j_by_component.items():
        out[f"{comp}_energy_j"] = joules
    return out


def axis_label(name: str) -> str:
    """``energy_j`` -> ``energy per epoch [J]``: for plot axes."""
    metric = METRICS.get(name)
    if metric is None:
        return name
    unit = metric.unit or ("fraction" if name.startswith("accuracy") else "")
    return f"{metric.doc} [{unit}]" if unit else metric.doc
