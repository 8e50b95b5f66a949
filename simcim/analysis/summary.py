"""Utilization and queueing per resource and per phase, aggregated in one streaming pass over a trace.

Memory grows with the number of resources and phases, never with the number of events: each slice
adds to its track's busy time and each queue counter to its resource's time-weighted depth.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simcim.analysis.names import natural_key, phase_key
from simcim.analysis.reader import RESOURCE_PROCESSES, TASKS_PID, TraceError, iter_events, read_header, track_of

QUEUE_PREFIX = "queue "


@dataclass
class ResourceStats:
    """One resource slot (a track of pid 2..5): how long it was held and how long work queued for it."""

    name: str
    process: str  # tiles | wg_units | interconnect | dram
    busy_ps: int = 0
    slices: int = 0
    queued_ps: int = 0  # sum over its slices of t0_ps - requested_ps
    queued_slices: int = 0  # slices that had to wait at all
    max_queue: int = 0  # most requests waiting at once (from the queue counter)
    queue_area_ps: int = 0  # integral of the waiting count over time, requests * ps
    utilization: float = 0.0  # busy_ps / makespan_ps
    mean_queue: float = 0.0  # queue_area_ps / makespan_ps


@dataclass
class PhaseStats:
    """All tasks of one phase (FW, AG, PROJ, WG, WU) over all layers and images."""

    phase: str
    tasks: int = 0
    busy_ps: int = 0  # summed task durations (work, not wall-clock)
    wait_ps: int = 0  # summed t0_ps - ready_ps (queueing for units)
    energy_pj: float = 0.0
    first_t0_ps: int | None = None
    last_t1_ps: int = 0


@dataclass
class ProcessStats:
    """The resources of one kind together (all tiles, all WG units, ...)."""

    process: str
    resources: int
    busy_ps: int
    mean_utilization: float
    queued_ps: int


@dataclass
class TraceSummary:
    other: dict[str, Any]
    makespan_ps: int
    events: int
    tasks: int
    resources: list[ResourceStats] = field(default_factory=list)
    phases: list[PhaseStats] = field(default_factory=list)
    processes: list[ProcessStats] = field(default_factory=list)

    def busiest(self, n: int = 5) -> list[ResourceStats]:
        return sorted(self.resources, key=lambda r: (-r.busy_ps, natural_key(r.name)))[:n]

    def idlest(self, n: int = 5) -> list[ResourceStats]:
        return sorted(self.resources, key=lambda r: (r.busy_ps, natural_key(r.name)))[:n]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (times stay integer ps)."""
        return {
            "other": self.other, "makespan_ps": self.makespan_ps, "events": self.events, "tasks": self.tasks,
            "resources": [vars(r) for r in self.resources], "phases": [vars(p) for p in self.phases],
            "processes": [vars(p) for p in self.processes],
        }


@dataclass
class _Queue:
    """Running state of one resource's queue counter: last sample and the area so far."""

    pid: int
    t_ps: int = 0
    depth: int = 0
    area: int = 0
    peak: int = 0


def _int(args: dict[str, Any], key: str, where: str) -> int:
    value = args.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TraceError(f"{where}: args.{key} must be an integer (is this a simcim trace?)")
    return value


def summarize_trace(path: str | Path) -> TraceSummary:
    """Read the trace once and roll it up; raise TraceError when it is not a simcim trace."""
    header = read_header(path)
    thread_names: dict[tuple[int, int], str] = {}
    tracks: dict[tuple[int, int], ResourceStats] = {}
    queues: dict[str, _Queue] = {}
    phases: dict[str, PhaseStats] = {}
    task_end_ps = 0
    slice_end_ps = 0
    events = tasks = 0
    for ev in iter_events(path):
        events += 1
        ph = ev.get("ph")
        pid = ev.get("pid")
        if ph == "M" and ev.get("name") == "thread_name":
            thread_names[track_of(ev)] = str((ev.get("args") or {}).get("name"))
        elif ph == "X":
            args = ev.get("args") or {}
            where = f"event {events} ({ev.get('name')})"
            t0, t1 = _int(args, "t0_ps", where), _int(args, "t1_ps", where)
            slice_end_ps = max(slice_end_ps, t1)
            if pid == TASKS_PID:
                tasks += 1
                task_end_ps = max(task_end_ps, t1)
                phase = str(args.get("phase", ev.get("cat")))
                st = phases.setdefault(phase, PhaseStats(phase))
                st.tasks += 1
                st.busy_ps += t1 - t0
                st.wait_ps += t0 - _int(args, "ready_ps", where)
                st.energy_pj += float(args.get("energy_pj", 0.0))
                st.first_t0_ps = t0 if st.first_t0_ps is None else min(st.first_t0_ps, t0)
                st.last_t1_ps = max(st.last_t1_ps, t1)
            elif pid in RESOURCE_PROCESSES:
                key = track_of(ev)
                rs = tracks.get(key)
                if rs is None:
                    rs = tracks[key] = ResourceStats(name="", process=RESOURCE_PROCESSES[key[0]])
                rs.busy_ps += t1 - t0
                rs.slices += 1
                queued = t0 - int(args.get("requested_ps", t0))
                rs.queued_ps += queued
                rs.queued_slices += queued > 0
        elif ph == "C" and str(ev.get("name", "")).startswith(QUEUE_PREFIX):
            args = ev.get("args") or {}
            resource = str(ev["name"])[len(QUEUE_PREFIX):]
            t_ps = _int(args, "t_ps", f"event {events} ({ev['name']})")
            depth = int(args.get("waiting", 0))
            q = queues.get(resource)
            if q is None:
                q = queues[resource] = _Queue(pid=int(pid) if isinstance(pid, int) else 0)
            # The depth held since the last sample; samples of one resource come in time order.
            q.area += q.depth * max(0, t_ps - q.t_ps)
            q.t_ps, q.depth = t_ps, depth
            q.peak = max(q.peak, depth)
    makespan_ps = task_end_ps or slice_end_ps
    by_name: dict[str, ResourceStats] = {}
    for key, rs in tracks.items():
        rs.name = thread_names.get(key, f"pid{key[0]}.tid{key[1]}")
        by_name[rs.name] = rs
    for resource, q in queues.items():
        rs = by_name.get(resource)
        if rs is None:  # a resource nothing used: it only has its (zero) queue counter
            rs = by_name[resource] = ResourceStats(name=resource, process=RESOURCE_PROCESSES.get(q.pid, "other"))
        rs.queue_area_ps = q.area + q.depth * max(0, makespan_ps - q.t_ps)
        rs.max_queue = q.peak
    resources = sorted(by_name.values(), key=lambda r: (list(RESOURCE_PROCESSES.values()).index(r.process)
                                                        if r.process in RESOURCE_PROCESSES.values() else 99,
                                                        natural_key(r.name)))
    for rs in resources:
        rs.utilization = rs.busy_ps / makespan_ps if makespan_ps else 0.0
        rs.mean_queue = rs.queue_area_ps / makespan_ps if makespan_ps else 0.0
    grouped: dict[str, list[ResourceStats]] = defaultdict(list)
    for rs in resources:
        grouped[rs.process].append(rs)
    processes = [ProcessStats(proc, len(rows), sum(r.busy_ps for r in rows),
                              sum(r.utilization for r in rows) / len(rows), sum(r.queued_ps for r in rows))
                 for proc, rows in grouped.items()]
    ordered = sorted(phases.values(), key=lambda p: phase_key(p.phase))
    return TraceSummary(header.other, makespan_ps, events, tasks, resources, ordered, processes)
