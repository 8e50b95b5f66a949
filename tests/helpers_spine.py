"""Shared helpers for the simulator's tests: load bundled specs, check a run's invariants."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from simcim.result import summarize
from simcim.simulation import Simulation, run_simulation
from simcim.spec import load_architecture, load_workload

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DEFAULT_ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"


def run(arch_path: Path | str, workload_path: Path | str, arch_over: dict | None = None,
        work_over: dict | None = None, trace_queues: bool = False) -> tuple[Simulation, dict]:
    """Simulate; return the simulation and its result as the JSON data `simcim run --json` writes."""
    sim = run_simulation(load_architecture(arch_path, arch_over), load_workload(workload_path, work_over),
                   trace_queues=trace_queues)
    return sim, summarize(sim).to_json()


def check_invariants(sim: Simulation, result: dict) -> None:
    """Energy parts sum to the total; no task starts before its inputs exist; no resource over capacity."""
    total = result["per_iteration"]["energy_j"]
    parts = result["energy_j_by_component"]
    assert abs(sum(parts.values()) - total) <= 1e-12 * max(total, 1e-30)
    dynamic = total - parts["leakage"]
    by_phase = sum(ph["energy_j"] for layer in result["layers"] for ph in layer["phases"].values())
    assert abs(by_phase - dynamic) <= 1e-9 * dynamic
    ends = {t.task_id: t.end_ps for t in sim.records.tasks}
    assert len(ends) == sim.dag.number_of_nodes()
    for t in sim.records.tasks:
        assert set(t.deps) == set(sim.dag.predecessors(t.task_id))
        for d in t.deps:
            assert ends[d] <= t.ready_ps, f"{t.name} ready before dependency {d} ended"
        assert t.ready_ps <= t.start_ps <= t.end_ps
    by_resource = defaultdict(list)
    for h in sim.records.holds:
        assert h.requested_ps <= h.start_ps <= h.end_ps
        by_resource[h.resource].append((h.start_ps, h.end_ps))
    for name, spans in by_resource.items():
        spans.sort()
        for (s0, e0), (s1, e1) in zip(spans, spans[1:]):
            assert e0 <= s1, f"{name} held by two tasks at once ({s0}-{e0} and {s1}-{e1})"
    assert sim.records.makespan_ps == max(ends.values())
