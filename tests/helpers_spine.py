"""Shared helpers for the simulator's tests: load bundled specs, check a run's invariants.

The invariants are checked against what a plain JSON reader recomputes from the trace file the run
writes, and against the dependency rules written out here by hand (docs/architecture.md), not
against the code paths that produced the result.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from simcim.result import summarize
from simcim.simulation import Simulation, run_simulation
from simcim.spec import load_architecture, load_workload
from simcim.trace import write_simulation_trace

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DEFAULT_ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"

# How a hidden layer gets its error, by rule (docs/architecture.md, "Tasks and dependencies").
CHAIN = {"bp", "fa", "ss"}


def run(arch_path: Path | str, workload_path: Path | str, arch_over: dict | None = None,
        work_over: dict | None = None, trace_queues: bool = False) -> tuple[Simulation, dict]:
    """Simulate; return the simulation and its result as the JSON data `simcim run --json` writes."""
    sim = run_simulation(load_architecture(arch_path, arch_over), load_workload(workload_path, work_over),
                         trace_queues=trace_queues)
    return sim, summarize(sim).to_json()


def read_trace_file(sim: Simulation) -> list[dict[str, Any]]:
    """Write the run's trace and read it back with json alone (an independent reader)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.json"
        write_simulation_trace(path, sim)
        return json.loads(path.read_text())["traceEvents"]


def expected_deps(tasks: list[dict[str, Any]], rule: str, n_layers: int, schedule: str) -> dict[int, set[int]]:
    """Each task's predecessors by the rules of docs/architecture.md, from (layer, phase, image) alone."""
    by = {(t["layer"], t["phase"], t["image"]): t["task"] for t in tasks}
    images = sorted({t["image"] for t in tasks if t["image"] is not None})
    out: dict[int, set[int]] = {}
    for (layer, phase, image), tid in by.items():
        deps: set[int] = set()
        if phase == "FW" and layer > 1:
            deps.add(by[(layer - 1, "FW", image)])
        elif phase == "FW" and image > 0:
            if schedule == "layer_by_layer":  # every task of the previous image
                deps |= {t for (_, ph, im), t in by.items() if im == image - 1}
            else:
                deps.add(by[(1, "FW", image - 1)])
        elif phase == "WU":
            deps |= {by[(layer, "WG", im)] for im in images}
        elif layer == n_layers and phase in ("WG", "AG"):  # the output error comes with the last FW
            deps.add(by[(n_layers, "FW", image)])
        elif rule in CHAIN and phase in ("WG", "AG"):  # the error of layer l comes from AG(l+1)
            deps.add(by[(layer + 1, "AG", image)])
        elif phase == "PROJ":  # DFA projects the output error; DRTP the target, known after FW(l)
            deps.add(by[(n_layers, "FW", image)] if rule == "dfa" else by[(layer, "FW", image)])
        elif phase == "WG":  # broadcast rules
            deps.add(by[(layer, "PROJ", image)])
        out[tid] = deps
    return out


def check_invariants(sim: Simulation, result: dict) -> None:
    """Energy parts sum to the total; no task starts before its inputs exist; no resource over
    capacity; the dependencies are the rule's -- each recomputed from the trace file."""
    events = read_trace_file(sim)
    tasks = [e["args"] | {"name": e["name"]} for e in events if e["ph"] == "X" and e["pid"] == 1]
    holds = [e for e in events if e["ph"] == "X" and e["pid"] != 1]
    track_names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["name"] == "thread_name"}
    latency_s = result["per_iteration"]["latency_s"]
    # Energy: the tasks' energies in the trace are the dynamic energy; leakage is the chip's static
    # power times the latency; the components hold all of it, none negative.
    parts = result["energy_j_by_component"]
    assert all(v >= 0 for v in parts.values())
    dynamic_trace_j = sum(t["energy_pj"] for t in tasks) * 1e-12
    leakage_j = sim.chip.leakage_w * max(t["t1_ps"] for t in tasks) * 1e-12
    assert abs(parts["leakage"] - leakage_j) <= 1e-12 * max(leakage_j, 1e-30)
    total = result["per_iteration"]["energy_j"]
    assert abs(dynamic_trace_j + leakage_j - total) <= 1e-9 * total
    assert abs(sum(v for k, v in parts.items() if k != "leakage") - dynamic_trace_j) <= 1e-9 * total
    by_phase = sum(ph["energy_j"] for layer in result["layers"] for ph in layer["phases"].values())
    assert abs(by_phase - dynamic_trace_j) <= 1e-9 * total
    # Causality, against the dependency rules written out above.
    n_layers = len(result["layers"])
    assert len(tasks) == sim.dag.number_of_nodes()
    expected = expected_deps(tasks, sim.workload.rule, n_layers, sim.workload.schedule)
    ends = {t["task"]: t["t1_ps"] for t in tasks}
    for t in tasks:
        assert set(t["deps"]) == expected[t["task"]], f"{t['name']} image {t['image']}: deps {t['deps']}"
        for d in t["deps"]:
            assert ends[d] <= t["ready_ps"], f"{t['name']} ready before dependency {d} ended"
        assert t["ready_ps"] <= t["t0_ps"] <= t["t1_ps"]
    # Capacity: every resource serves one task at a time.
    by_track: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for h in holds:
        a = h["args"]
        assert a["requested_ps"] <= a["t0_ps"] <= a["t1_ps"]
        by_track[(h["pid"], h["tid"])].append((a["t0_ps"], a["t1_ps"]))
    for key, spans in by_track.items():
        spans.sort()
        for (s0, e0), (s1, e1) in zip(spans, spans[1:]):
            assert e0 <= s1, f"{track_names[key]} held by two tasks at once ({s0}-{e0} and {s1}-{e1})"
    assert max(ends.values()) * 1e-12 == latency_s or abs(max(ends.values()) * 1e-12 - latency_s) <= 1e-15 * latency_s
