"""Roll a simulation's records up into the result a researcher reads: per layer, phase, component."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from simcim.engine.plans import resource_kind, tiles_in
from simcim.hardware.area import chip_area_um2
from simcim.hardware.costs import COMPONENTS
from simcim.hardware.graph import wire_bit_mm
from simcim.schedules.tasks import PHASES
from simcim.simulate import Simulation

PS = 1e-12
PJ = 1e-12


def summarize(sim: Simulation) -> dict[str, Any]:
    """The JSON-able result of one simulation (see README, "Result")."""
    rec, wl, arch = sim.records, sim.workload, sim.arch
    makespan_ps = rec.makespan_ps
    energy_by_component: dict[str, float] = {c: 0.0 for c in COMPONENTS}
    phase_latency: dict[tuple[int, str], int] = defaultdict(int)
    phase_wait: dict[tuple[int, str], int] = defaultdict(int)
    phase_energy: dict[tuple[int, str], float] = defaultdict(float)
    phase_tasks: dict[tuple[int, str], int] = defaultdict(int)
    macs = 0
    for t in rec.tasks:
        plan = sim.planner.plan(sim.dag.nodes[t.task_id]["task"])
        for comp, e in plan.energy_pj.items():
            energy_by_component[comp] += e * PJ
        key = (t.layer, t.phase)
        phase_latency[key] += t.end_ps - t.start_ps
        phase_wait[key] += t.start_ps - t.ready_ps
        phase_energy[key] += t.energy_pj * PJ
        phase_tasks[key] += 1
        macs += t.macs
    area_um2 = chip_area_um2(arch, sim.placement.tiles_total, sim.placement.wg_units, wire_bit_mm(sim.graph))
    area_mm2_total = sum(area_um2.values()) * 1e-6
    # Static power of the whole powered chip for the whole iteration.
    energy_by_component["leakage"] = arch.technology.leakage_mw_per_mm2 * 1e-3 * area_mm2_total * makespan_ps * PS
    energy_j = sum(energy_by_component.values())
    latency_s = makespan_ps * PS
    iters = wl.iterations_per_epoch
    layers = []
    for lp in sim.placement.layers:
        phases = {}
        for ph in PHASES:
            key = (lp.layer.index, ph)
            if phase_tasks.get(key):
                phases[ph] = {"latency_s": phase_latency[key] * PS, "wait_s": phase_wait[key] * PS,
                              "energy_j": phase_energy[key], "tasks": phase_tasks[key]}
        layers.append({
            "name": lp.layer.name, "index": lp.layer.index, "kind": lp.layer.kind,
            "shape": [lp.layer.rows, lp.layer.cols], "mvms_per_image": lp.layer.mvms,
            "tiles": len(lp.tiles), "subarrays": lp.weights.subarrays,
            "feedback_tiles": len(lp.feedback_tiles), "utilization": lp.weights.utilization,
            "phases": phases,
        })
    busy: dict[str, int] = defaultdict(int)
    for h in rec.holds:
        busy[h.resource] += h.end_ps - h.start_ps
    util_by_resource = {name: busy[name] / makespan_ps for name in sorted(busy)} if makespan_ps else {}
    # Mean over physical components: a group of n tiles counts n times.
    util_by_kind: dict[str, list[float]] = defaultdict(list)
    for name, u in util_by_resource.items():
        util_by_kind[resource_kind(name)].extend([u] * tiles_in(name))
    ops = 2 * macs
    return {
        "architecture": arch.name,
        "workload": wl.name,
        "rule": wl.rule,
        "schedule": wl.schedule,
        "batch_size": wl.batch_size,
        "iterations_per_epoch": iters,
        "per_iteration": {"latency_s": latency_s, "energy_j": energy_j},
        "per_epoch": {"latency_s": latency_s * iters, "energy_j": energy_j * iters,
                      "energy_j_by_component": {k: v * iters for k, v in energy_by_component.items()}},
        "energy_j_by_component": energy_by_component,
        "area_mm2": {"total": area_mm2_total, "by_component": {k: v * 1e-6 for k, v in area_um2.items()}},
        "layers": layers,
        "tops": ops / latency_s / 1e12 if latency_s else 0.0,
        "tops_per_w": ops / energy_j / 1e12 if energy_j else 0.0,
        "ops_per_iteration": ops,
        "utilization": {
            "by_kind": {k: sum(v) / len(v) for k, v in sorted(util_by_kind.items())},
            "by_resource": util_by_resource,
        },
        "mapping": {"tiles_used": sim.placement.tiles_used, "tiles_total": sim.placement.tiles_total,
                    "wg_units": sim.placement.wg_units,
                    "memory_utilization": sim.placement.memory_utilization},
        "simulation": {"tasks": len(rec.tasks), "events": rec.events},
    }
