"""A tiny hand-made trace (the numbers worked by hand in test_trace_analysis.py) and trace writers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ARCH = Path(__file__).resolve().parent.parent / "architectures" / "neurosim-fefet-22nm.yaml"
WORKLOADS = Path(__file__).resolve().parent.parent / "workloads"


def meta(pid: int, tid: int | None, name: str, value: Any) -> dict[str, Any]:
    ev: dict[str, Any] = {"name": name, "ph": "M", "pid": pid,
                          "args": {"name" if name.endswith("_name") else "sort_index": value}}
    if tid is not None:
        ev["tid"] = tid
    return ev


def task(tid: int, task_id: int, layer: int, phase: str, deps: list[int], ready: int, t0: int, t1: int,
         image: int | None = 0, energy_pj: float = 1.0) -> dict[str, Any]:
    return {"name": f"L{layer}.{phase}", "cat": phase, "ph": "X", "pid": 1, "tid": tid, "ts": t0 / 1e6,
            "dur": (t1 - t0) / 1e6,
            "args": {"task": task_id, "layer": layer, "phase": phase, "image": image, "deps": deps,
                     "ready_ps": ready, "wait_ps": t0 - ready, "t0_ps": t0, "t1_ps": t1, "energy_pj": energy_pj}}


def hold(pid: int, tid: int, task_id: int, name: str, requested: int, t0: int, t1: int,
         kind: str = "compute", bits: int = 0) -> dict[str, Any]:
    return {"name": name, "cat": kind, "ph": "X", "pid": pid, "tid": tid, "ts": t0 / 1e6, "dur": (t1 - t0) / 1e6,
            "args": {"task": task_id, "t0_ps": t0, "t1_ps": t1, "requested_ps": requested, "bits": bits}}


def queue(pid: int, resource: str, t_ps: int, waiting: int) -> dict[str, Any]:
    return {"name": f"queue {resource}", "ph": "C", "pid": pid, "ts": t_ps / 1e6, "args": {"waiting": waiting, "t_ps": t_ps}}


def hand_events() -> list[dict[str, Any]]:
    """Four tasks on two tiles, one WG unit and one DRAM channel; latency 300 ps.

    T0 L1.FW   0..100 on tile0
    T1 L1.WG   ready 100, 100..180 on wg0 (and DRAM ch0 100..140)
    T2 L2.WG   ready 100, queued 80 ps for wg0, 180..260 on wg0
    T3 L1.WU   deps T1, T2; ready 270 (10 ps after T2 ends: a gap), 270..300 on tile0
    tile1 exists (has a queue counter) but nothing uses it.
    """
    return [
        meta(1, None, "process_name", "tasks"), meta(1, None, "process_sort_index", 1),
        meta(2, None, "process_name", "tiles"), meta(2, None, "process_sort_index", 2),
        meta(3, None, "process_name", "wg_units"), meta(3, None, "process_sort_index", 3),
        meta(5, None, "process_name", "dram"), meta(5, None, "process_sort_index", 5),
        meta(1, 1, "thread_name", "L1.FW"), meta(1, 2, "thread_name", "L1.WG"), meta(1, 3, "thread_name", "L2.WG"),
        meta(1, 4, "thread_name", "L1.WU"),
        meta(2, 1, "thread_name", "chip.tile0"), meta(3, 1, "thread_name", "chip.wg0"),
        meta(5, 1, "thread_name", "chip.dram.ch0"),
        task(1, 0, 1, "FW", [], 0, 0, 100),
        task(2, 1, 1, "WG", [0], 100, 100, 180),
        task(3, 2, 2, "WG", [0], 100, 180, 260),
        task(4, 3, 1, "WU", [1, 2], 270, 270, 300, image=None),
        hold(2, 1, 0, "L1.FW", 0, 0, 100),
        hold(2, 1, 3, "L1.WU", 270, 270, 300),
        hold(3, 1, 1, "L1.WG", 100, 100, 180),
        hold(3, 1, 2, "L2.WG", 100, 180, 260),
        hold(5, 1, 1, "L1.WG", 100, 100, 140, kind="transfer", bits=4096),
        queue(2, "chip.tile0", 0, 0), queue(2, "chip.tile1", 0, 0),
        queue(3, "chip.wg0", 0, 0), queue(3, "chip.wg0", 100, 1), queue(3, "chip.wg0", 180, 0),
        queue(5, "chip.dram.ch0", 0, 0),
    ]


def write_lines(path: Path, events: list[dict[str, Any]], other: dict[str, Any] | None = None) -> Path:
    """The engine's layout: header line, one event per line, closing line."""
    other = other or {"architecture": "hand", "workload": "hand", "rule": "bp", "schedule": "layer_by_layer"}
    header = json.dumps({"displayTimeUnit": "ns", "otherData": other}, sort_keys=True)[:-1]
    body = ",\n".join(json.dumps(e, separators=(",", ":"), sort_keys=True) for e in events)
    path.write_text(header + ',"traceEvents":[\n' + body + "\n]}\n")
    return path


def simulate_to_trace(tmp: Path, workload: str, batch_size: int = 2, arch: Path = ARCH) -> tuple[Path, Any]:
    """Simulate a bundled workload at a small batch, write its trace; return (path, Simulation)."""
    from simcim.simulation import run_simulation
    from simcim.spec import load_architecture, load_workload
    from simcim.trace import write_trace

    a = load_architecture(arch)
    w = load_workload(WORKLOADS / f"{workload}.yaml", {"batch_size": batch_size})
    sim = run_simulation(a, w, trace_queues=True)
    path = tmp / f"{workload}-{arch.stem}.json"
    write_trace(path, sim.records, {"architecture": a.name, "workload": w.name, "rule": w.rule,
                                    "schedule": w.schedule})
    return path, sim
