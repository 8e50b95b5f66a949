"""The result a researcher reads, as typed values: per iteration and epoch, per layer and phase, per
component, area, utilization. One JSON writer (:meth:`Result.to_json`); tables as records.

Built from a simulation's records alone: every task record carries its energy by component, so
nothing is planned or costed again here.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simcim.closed_form import closed_form
from simcim.hardware.chip import COMPONENTS
from simcim.rules import PHASES

if TYPE_CHECKING:
    from simcim.simulation import Simulation

PS = 1e-12
PJ = 1e-12


@dataclass(frozen=True)
class Totals:
    latency_s: float
    energy_j: float


@dataclass(frozen=True)
class EpochTotals:
    """One epoch: simulated, or ``iterations_per_epoch`` times the mean simulated iteration (EpochInfo says which)."""

    latency_s: float
    energy_j: float
    energy_j_by_component: dict[str, float]


@dataclass(frozen=True)
class EpochInfo:
    """What an epoch is, and how the run covered it.

    ``images`` = ``iterations`` batches of ``batch_size``. The run simulated ``iterations_run``
    iterations back to back (``--iterations``); ``per_epoch`` is ``"simulated"`` when they are the
    whole epoch, else ``"scaled"`` (their mean iteration times ``iterations``). With fast-forward,
    iterations from ``pattern_start_iteration`` on repeated the same pattern of ``period_s``, and
    ``fast_forwarded_iterations`` of them were advanced without events (the rest event by event)."""

    images: int
    iterations: int
    iterations_run: int
    per_epoch: str  # simulated | scaled
    fast_forwarded_iterations: int = 0
    pattern_start_iteration: int | None = None
    period_s: float | None = None


@dataclass(frozen=True)
class PhaseResult:
    """All tasks of one (layer, phase) in the iteration. ``latency_s`` is their summed run time (tasks
    of different layers overlap, so phases do not add up to the latency); ``wait_s`` is the time they
    queued: for their unit after their inputs existed, and for their transfers' paths (a transfer
    waiting behind another on a DRAM channel is wait, not run time). With several iterations
    simulated, the mean per iteration."""

    latency_s: float
    wait_s: float
    energy_j: float
    tasks: int
    transfer_wait_s: float = 0.0  # the part of wait_s spent waiting for transfers' paths


@dataclass(frozen=True)
class LayerResult:
    name: str
    index: int  # 1-based among weight layers
    kind: str  # linear | conv2d
    shape: tuple[int, int]  # (rows K, columns M) of its matrix
    mvms_per_image: int
    tiles: int
    subarrays: int  # holding one copy of the weights
    copies: int  # weight copies working in parallel (duplication)
    feedback_tiles: int
    utilization: float  # used cells / cells of its tiles
    phases: dict[str, PhaseResult]


@dataclass(frozen=True)
class Area:
    total_mm2: float
    by_component_mm2: dict[str, float]


@dataclass(frozen=True)
class Utilization:
    """Busy time / iteration latency: per resource, and averaged per kind over physical components
    (a group of n tiles counts n times)."""

    by_kind: dict[str, float]
    by_resource: dict[str, float]


@dataclass(frozen=True)
class MappingSummary:
    tiles_used: int
    tiles_total: int
    wg_units: int
    memory_utilization: float


@dataclass(frozen=True)
class SimulationStats:
    tasks: int
    events: int


@dataclass(frozen=True)
class ClosedFormSummary:
    """What an analytic tool would say from the same costs (simcim.closed_form), and the gap."""

    latency_s: float  # one iteration
    method: str
    gap: float  # simulated / closed form - 1


@dataclass(frozen=True)
class Result:
    """One simulated iteration of a workload on a chip, scaled to an epoch."""

    architecture: str
    workload: str
    rule: str
    schedule: str
    batch_size: int
    iterations_per_epoch: int
    per_iteration: Totals
    per_epoch: EpochTotals
    energy_j_by_component: dict[str, float]  # one iteration
    area: Area
    layers: list[LayerResult]
    tops: float  # 2 x the MACs this rule performs per iteration / latency: rules differ in MACs (docs)
    tops_per_w: float
    ops_per_iteration: int
    utilization: Utilization
    mapping: MappingSummary
    simulation: SimulationStats
    closed_form: ClosedFormSummary
    epoch: EpochInfo | None = None
    # The run behind it (for traces); not part of the result's value.
    source: "Simulation | None" = field(default=None, repr=False, compare=False)

    @property
    def macs_per_iteration(self) -> int:
        """Multiply-accumulates the rule performs in one iteration (FW, AG/PROJ, WG of every image)."""
        return self.ops_per_iteration // 2

    @property
    def energy_per_image_j(self) -> float:
        """Energy of one iteration / its batch: comparable across rules, unlike TOPS/W."""
        return self.per_iteration.energy_j / self.batch_size

    @property
    def energy_per_mac_j(self) -> float:
        return self.per_iteration.energy_j / self.macs_per_iteration if self.macs_per_iteration else 0.0

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-able data (the schema of `simcim run --json`, README "Result")."""
        return {
            "architecture": self.architecture,
            "workload": self.workload,
            "rule": self.rule,
            "schedule": self.schedule,
            "batch_size": self.batch_size,
            "iterations_per_epoch": self.iterations_per_epoch,
            "per_iteration": {"latency_s": self.per_iteration.latency_s, "energy_j": self.per_iteration.energy_j},
            "per_epoch": {"latency_s": self.per_epoch.latency_s, "energy_j": self.per_epoch.energy_j,
                          "energy_j_by_component": dict(self.per_epoch.energy_j_by_component)},
            "energy_j_by_component": dict(self.energy_j_by_component),
            "area_mm2": {"total": self.area.total_mm2, "by_component": dict(self.area.by_component_mm2)},
            "layers": [{
                "name": layer.name, "index": layer.index, "kind": layer.kind, "shape": list(layer.shape),
                "mvms_per_image": layer.mvms_per_image, "tiles": layer.tiles, "subarrays": layer.subarrays,
                "copies": layer.copies, "feedback_tiles": layer.feedback_tiles, "utilization": layer.utilization,
                "phases": {ph: {"latency_s": p.latency_s, "wait_s": p.wait_s, "energy_j": p.energy_j,
                                "tasks": p.tasks, "transfer_wait_s": p.transfer_wait_s}
                           for ph, p in layer.phases.items()},
            } for layer in self.layers],
            "tops": self.tops,
            "tops_per_w": self.tops_per_w,
            "ops_per_iteration": self.ops_per_iteration,
            "energy_per_image_j": self.energy_per_image_j,
            "energy_per_mac_j": self.energy_per_mac_j,
            "utilization": {"by_kind": dict(self.utilization.by_kind),
                            "by_resource": dict(self.utilization.by_resource)},
            "mapping": {"tiles_used": self.mapping.tiles_used, "tiles_total": self.mapping.tiles_total,
                        "wg_units": self.mapping.wg_units, "memory_utilization": self.mapping.memory_utilization},
            "simulation": {"tasks": self.simulation.tasks, "events": self.simulation.events},
            "closed_form": {"latency_s": self.closed_form.latency_s, "method": self.closed_form.method,
                            "gap": self.closed_form.gap},
            **({"epoch": {"images": self.epoch.images, "iterations": self.epoch.iterations,
                          "iterations_run": self.epoch.iterations_run, "per_epoch": self.epoch.per_epoch,
                          "fast_forwarded_iterations": self.epoch.fast_forwarded_iterations,
                          "pattern_start_iteration": self.epoch.pattern_start_iteration,
                          "period_s": self.epoch.period_s}} if self.epoch is not None else {}),
        }

    def to_json_text(self) -> str:
        """The JSON file's text: sorted keys, so identical inputs give identical bytes."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"

    def write_json(self, path: str | Path) -> None:
        """Write :meth:`to_json_text` to ``path`` (atomically)."""
        from simcim.atomic import write_text_atomic

        write_text_atomic(path, self.to_json_text())

    def write_trace(self, path: str | Path, components: list[str] | None = None) -> int:
        """Write the Chrome/Perfetto trace of the run behind this result (docs/trace-format.md); simulate
        with ``trace_queues=True`` to include queue-depth counters. Returns the number of events."""
        from simcim.trace import write_result_trace

        return write_result_trace(path, self, components)

    def phase_records(self) -> list[dict[str, Any]]:
        """One row per (layer, phase) of the iteration: a table for notebooks and CSV."""
        return [{"layer": layer.name, "index": layer.index, "phase": ph, "latency_s": p.latency_s,
                 "wait_s": p.wait_s, "transfer_wait_s": p.transfer_wait_s, "energy_j": p.energy_j, "tasks": p.tasks}
                for layer in self.layers for ph, p in layer.phases.items()]

    def layer_records(self) -> list[dict[str, Any]]:
        """One row per weight layer: its shape, mapping, and summed latency and energy over its phases."""
        return [{"layer": layer.name, "index": layer.index, "kind": layer.kind, "rows": layer.shape[0],
                 "cols": layer.shape[1], "mvms_per_image": layer.mvms_per_image, "tiles": layer.tiles,
                 "feedback_tiles": layer.feedback_tiles, "subarrays": layer.subarrays, "copies": layer.copies,
                 "utilization": layer.utilization,
                 "latency_s": sum(p.latency_s for p in layer.phases.values()),
                 "energy_j": sum(p.energy_j for p in layer.phases.values())}
                for layer in self.layers]

    def component_records(self) -> list[dict[str, Any]]:
        """One row per component: energy of one iteration and of one epoch, and area."""
        return [{"component": c, "energy_j": self.energy_j_by_component.get(c, 0.0),
                 "epoch_energy_j": self.per_epoch.energy_j_by_component.get(c, 0.0),
                 "area_mm2": self.area.by_component_mm2.get(c)} for c in COMPONENTS]

    def to_dataframe(self, table: str = "phases") -> Any:
        """``phases``, ``layers`` or ``components`` as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Result.to_dataframe needs pandas (pip install pandas); "
                              "the same rows come from phase_records() / layer_records()") from None
        rows = {"phases": self.phase_records, "layers": self.layer_records,
                "components": self.component_records}
        if table not in rows:
            raise ValueError(f"table must be one of {', '.join(rows)}, got {table!r}")
        return pd.DataFrame(rows[table]())


def _epoch_info(sim: "Simulation", iters: int, whole: bool) -> EpochInfo:
    steady = sim.records.steady
    started = steady is not None and steady.pattern_start is not None
    return EpochInfo(images=sim.workload.images_per_epoch, iterations=iters, iterations_run=sim.iterations,
                     per_epoch="simulated" if whole else "scaled",
                     fast_forwarded_iterations=steady.skipped if steady is not None else 0,
                     pattern_start_iteration=steady.pattern_start if started else None,
                     period_s=steady.period_ps * PS if started and steady.period_ps is not None else None)


def summarize(sim: "Simulation") -> Result:
    """The result of one simulation, from its records, placement and chip."""
    rec, wl, arch = sim.records, sim.workload, sim.arch
    makespan_ps = rec.makespan_ps
    energy_by_component: dict[str, float] = {c: 0.0 for c in COMPONENTS}
    phase_latency: dict[tuple[int, str], int] = defaultdict(int)
    phase_wait: dict[tuple[int, str], int] = defaultdict(int)
    phase_energy: dict[tuple[int, str], float] = defaultdict(float)
    phase_tasks: dict[tuple[int, str], int] = defaultdict(int)
    phase_twait: dict[tuple[int, str], float] = defaultdict(int)
    macs = 0
    if rec.kept:  # task by task, in task order (the sums' rounding is part of the JSON's bytes)
        for t in rec.tasks:
            for comp, e in t.energy_pj_by_component.items():
                energy_by_component[comp] += e * PJ
            key = (t.layer, t.phase)
            phase_latency[key] += t.end_ps - t.start_ps - t.transfer_wait_ps
            phase_wait[key] += t.start_ps - t.ready_ps + t.transfer_wait_ps
            phase_twait[key] += t.transfer_wait_ps
            phase_energy[key] += t.energy_pj * PJ
            phase_tasks[key] += 1
            macs += t.macs
    else:  # long runs keep sums per (layer, phase) only
        for key, pt in sorted(rec.totals.phases.items()):
            for comp, e in pt.energy_pj_by_component.items():
                energy_by_component[comp] += pt.tasks * e * PJ
            phase_latency[key] += pt.run_ps
            phase_wait[key] += pt.unit_wait_ps + pt.transfer_wait_ps
            phase_twait[key] += pt.transfer_wait_ps
            phase_energy[key] += pt.tasks * sum(pt.energy_pj_by_component.values()) * PJ
            phase_tasks[key] += pt.tasks
            macs += pt.tasks * pt.macs
    area_mm2 = {k: v * 1e6 for k, v in sim.chip.area_m2.items()}
    area_mm2_total = sum(area_mm2.values())
    # Static power of the whole powered chip for the whole iteration.
    energy_by_component["leakage"] = sim.chip.leakage_w * makespan_ps * PS
    run_its = sim.iterations
    iters = wl.epoch_iterations
    whole = run_its == iters  # the run is the epoch: its totals, not a scaled iteration
    run_energy = dict(energy_by_component)
    if run_its > 1:  # per iteration: the mean of the iterations run
        energy_by_component = {k: v / run_its for k, v in energy_by_component.items()}
        phase_latency = defaultdict(int, {k: v / run_its for k, v in phase_latency.items()})
        phase_wait = defaultdict(int, {k: v / run_its for k, v in phase_wait.items()})
        phase_twait = defaultdict(int, {k: v / run_its for k, v in phase_twait.items()})
        phase_energy = defaultdict(float, {k: v / run_its for k, v in phase_energy.items()})
        phase_tasks = defaultdict(int, {k: v // run_its for k, v in phase_tasks.items()})
        macs //= run_its
    energy_j = sum(energy_by_component.values())
    latency_s = makespan_ps * PS / run_its
    layers = []
    sa = arch.subarray
    for lp in sim.placement.layers:
        phases = {}
        for ph in PHASES:
            key = (lp.layer.index, ph)
            if phase_tasks.get(key):
                phases[ph] = PhaseResult(phase_latency[key] * PS, phase_wait[key] * PS, phase_energy[key],
                                         phase_tasks[key], phase_twait[key] * PS)
        subarrays = math.ceil(lp.layer.rows / sa.rows) * math.ceil(lp.layer.cols * sim.placement.cells_per_weight / sa.cols)
        layers.append(LayerResult(lp.layer.name, lp.layer.index, lp.layer.kind, (lp.layer.rows, lp.layer.cols),
                                  lp.layer.mvms, len(lp.tiles), subarrays, lp.copies, len(lp.feedback_tiles),
                                  lp.floorplan.utilization, phases))
    busy: dict[str, int] = defaultdict(int)
    tiles_of: dict[str, tuple[str, int]] = {}
    for resource, busy_ps in rec.totals.busy_ps.items():
        busy[resource.name] += busy_ps
        tiles_of[resource.name] = (resource.kind, resource.tiles)
    util_by_resource = {name: busy[name] / makespan_ps for name in sorted(busy)} if makespan_ps else {}
    # Mean over physical components: a group of n tiles counts n times.
    util_by_kind: dict[str, list[float]] = defaultdict(list)
    for name, u in util_by_resource.items():
        kind, tiles = tiles_of[name]
        util_by_kind[kind].extend([u] * tiles)
    ops = 2 * macs
    cf = closed_form(sim)
    return Result(
        architecture=arch.name, workload=wl.name, rule=wl.rule, schedule=wl.schedule, batch_size=wl.batch_size,
        iterations_per_epoch=iters,
        per_iteration=Totals(latency_s, energy_j),
        per_epoch=(EpochTotals(makespan_ps * PS, sum(run_energy.values()), run_energy) if whole and run_its > 1 else
                   EpochTotals(latency_s * iters, energy_j * iters,
                               {k: v * iters for k, v in energy_by_component.items()})),
        energy_j_by_component=energy_by_component,
        area=Area(area_mm2_total, area_mm2),
        layers=layers,
        tops=ops / latency_s / 1e12 if latency_s else 0.0,
        tops_per_w=ops / energy_j / 1e12 if energy_j else 0.0,
        ops_per_iteration=ops,
        utilization=Utilization({k: sum(v) / len(v) for k, v in sorted(util_by_kind.items())}, util_by_resource),
        mapping=MappingSummary(sim.placement.tiles_used, sim.placement.tiles_total, sim.placement.wg_units,
                               sim.placement.memory_utilization),
        simulation=SimulationStats(rec.tasks_run // sim.iterations, rec.events),
        closed_form=ClosedFormSummary(cf.latency_s, cf.method, cf.gap(latency_s)),
        epoch=_epoch_info(sim, iters, whole),
        source=sim,
    )
