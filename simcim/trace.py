"""Chrome / Perfetto trace (Trace Event JSON) of a simulation's records.

Layout (docs/trace-format.md, names in simcim.traceformat): process "tasks" has one track per
(layer, phase) and overlap slot; processes "tiles", "wg_units", "interconnect", "dram" have one
track per resource slot. Every slice
carries its exact integer times in ``args.t0_ps`` / ``args.t1_ps``; task slices carry ``task``,
``deps`` (the ids of the tasks they waited for), ``ready_ps`` and ``wait_ps`` so that critical paths
can be rebuilt from the trace alone. One event per line, so readers can stream it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from simcim.atomic import write_text_atomic
from simcim.engine.records import SimRecords
from simcim.result import Result
from simcim.simulation import Simulation
from simcim.traceformat import HEADER_END, PROCESSES, TASKS_PID, queue_counter, task_track


def _us(ps: int) -> float:
    return ps / 1e6


def _slots(intervals: list[tuple[int, int, int]]) -> dict[int, int]:
    """Greedy interval colouring: index -> lowest slot free at its start (slices on a slot never overlap)."""
    ends: list[int] = []
    out: dict[int, int] = {}
    for start, end, idx in sorted(intervals):
        for slot, busy_until in enumerate(ends):
            if busy_until <= start:
                ends[slot] = end
                out[idx] = slot
                break
        else:
            ends.append(end)
            out[idx] = len(ends) - 1
    return out


def trace_events(records: SimRecords, components: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """All trace events, deterministic order. ``components`` keeps only matching processes/resources."""
    wanted = [c.strip() for c in components] if components else None

    def keep(process: str, resource: str = "") -> bool:
        """A word naming a process keeps that process; any other word keeps resources containing it."""
        if wanted is None:
            return True
        return any(w == process or (w not in PROCESSES and resource and w in resource) for w in wanted)

    events: list[dict[str, Any]] = []
    tids: dict[tuple[int, str], int] = {}

    def tid(pid: int, track: str) -> int:
        if (pid, track) not in tids:
            tids[(pid, track)] = len([k for k in tids if k[0] == pid]) + 1
        return tids[(pid, track)]

    # Task tracks: group by (layer, phase), then split overlapping tasks onto slots.
    if keep("tasks"):
        by_group: dict[str, list[int]] = defaultdict(list)
        layer_of: dict[str, int] = {}
        for i, t in enumerate(records.tasks):
            by_group[t.name].append(i)
            layer_of[t.name] = t.layer
        for group in sorted(by_group, key=lambda n: (layer_of[n], n)):
            idxs = by_group[group]
            slots = _slots([(records.tasks[i].start_ps, records.tasks[i].end_ps, i) for i in idxs])
            for i in idxs:
                t = records.tasks[i]
                events.append({
                    "name": t.name, "cat": t.phase, "ph": "X", "pid": TASKS_PID,
                    "tid": tid(TASKS_PID, task_track(group, slots[i])), "ts": _us(t.start_ps),
                    "dur": _us(t.end_ps - t.start_ps),
                    "args": {"task": t.task_id, "layer": t.layer, "phase": t.phase, "image": t.image,
                             "deps": list(t.deps), "ready_ps": t.ready_ps, "wait_ps": t.start_ps - t.ready_ps,
                             "t0_ps": t.start_ps, "t1_ps": t.end_ps, "energy_pj": t.energy_pj},
                })
    # Resource tracks: every resource is a single slot (capacity 1), so one track each.
    for h in sorted(records.holds, key=lambda h: (h.resource.name, h.start_ps, h.task_id)):
        proc = h.resource.kind
        if not keep(proc, h.resource.name):
            continue
        pid = PROCESSES[proc]
        events.append({
            "name": h.name, "cat": h.kind, "ph": "X", "pid": pid, "tid": tid(pid, h.resource.name),
            "ts": _us(h.start_ps), "dur": _us(h.end_ps - h.start_ps),
            "args": {"task": h.task_id, "t0_ps": h.start_ps, "t1_ps": h.end_ps,
                     "requested_ps": h.requested_ps, "bits": h.bits},
        })
    for t_ps, resource, depth in records.queue_samples:
        proc = resource.kind
        if keep(proc, resource.name):
            events.append({"name": queue_counter(resource.name), "ph": "C", "pid": PROCESSES[proc],
                           "ts": _us(t_ps), "args": {"waiting": depth, "t_ps": t_ps}})
    meta_events: list[dict[str, Any]] = []
    for name, pid in PROCESSES.items():
        if any(k[0] == pid for k in tids):
            meta_events.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": name}})
            meta_events.append({"name": "process_sort_index", "ph": "M", "pid": pid, "args": {"sort_index": pid}})
    for (pid, track), t in sorted(tids.items(), key=lambda kv: (kv[0][0], kv[1])):
        meta_events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": t, "args": {"name": track}})
        meta_events.append({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": t, "args": {"sort_index": t}})
    return meta_events + events


def write_trace(path: str | Path, records: SimRecords, meta: dict[str, Any], components: Iterable[str] | None = None) -> int:
    """Write the Chrome JSON trace atomically; return the number of events."""
    events = trace_events(records, components)
    body = ",\n".join(json.dumps(e, separators=(",", ":"), sort_keys=True) for e in events)
    header = json.dumps({"displayTimeUnit": "ns", "otherData": meta}, sort_keys=True)[:-1]
    write_text_atomic(path, header + "," + HEADER_END + "\n" + body + "\n]}\n")
    return len(events)


def simulation_meta(sim: Simulation) -> dict[str, Any]:
    """What a trace's ``otherData`` says about the run it came from."""
    wl = sim.workload
    return {"architecture": sim.arch.name, "workload": wl.name, "rule": wl.rule, "schedule": wl.schedule,
            "batch_size": wl.batch_size, "makespan_ps": sim.records.makespan_ps,
            "time_unit": "ps in args, us in ts"}


def write_simulation_trace(path: str | Path, sim: Simulation, components: Iterable[str] | None = None) -> int:
    """Write the trace of a finished simulation, with its metadata."""
    return write_trace(path, sim.records, simulation_meta(sim), components)


def write_result_trace(path: str | Path, result: Result, components: Iterable[str] | None = None) -> int:
    """Write the trace of the simulation behind ``result`` (simulated with ``trace_queues`` for queue counters)."""
    if result.source is None:
        raise ValueError("this result carries no simulation records (was it read back from JSON?)")
    return write_simulation_trace(path, result.source, components)
