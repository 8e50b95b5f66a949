"""Utilization and queueing per resource and per phase, aggregated in one streaming pass over a trace.

Memory grows with the number of resources and phases, never with the number of events: each slice
adds to its track's busy time and each queue counter to its resource's time-weighted depth.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simcim.analysis.names import natural_key, phase_key
import numpy as np

from simcim.analysis.reader import TraceError, read_header, read_trace
from simcim.traceformat import RESOURCE_PROCESSES, HoldSlice, QueueSample, TaskSlice, TrackName


@dataclass
class ResourceStats:
    """One resource slot (a track of a resource process, pid 2..6): how long it was held and how long work queued for it."""

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
    resources: int  # resource tracks that were held (a queue counter alone is not a component)
    busy_ps: int
    mean_utilization: float  # over physical components, as `simcim run` (a group of n tiles counts n times)
    queued_ps: int
    components: int = 0  # physical components behind those tracks (tiles counted one by one)


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


_TILE_RANGE = re.compile(r"tile(\d+)-(\d+)$")


def components_of(rs: ResourceStats) -> int:
    """Physical components behind a resource track: a tile group ``chip.tile4-7`` is 4 tiles (the
    engine's Resource.tiles, which it names by its first and last tile); anything else is one."""
    m = _TILE_RANGE.search(rs.name) if rs.process == "tiles" else None
    return int(m.group(2)) - int(m.group(1)) + 1 if m and int(m.group(2)) >= int(m.group(1)) else 1


def _refuse_overlaps(path: str | Path, track: str, spans: array) -> None:
    """TraceError when two slices of one resource track overlap (utilization would pass 100 %)."""
    if len(spans) < 4:
        return
    t = np.frombuffer(spans, dtype=np.int64).reshape(-1, 2)
    t = t[np.lexsort((t[:, 1], t[:, 0]))]
    bad = np.flatnonzero(t[1:, 0] < t[:-1, 1])
    if len(bad):
        i = int(bad[0])
        raise TraceError(f"{path}: slices overlap on {track} ({t[i, 0]}..{t[i, 1]} ps and {t[i + 1, 0]}..{t[i + 1, 1]} ps; "
                         f"{len(bad)} overlaps in all): a resource serves one task at a time, so the trace is "
                         "damaged (duplicated events?) and its utilization would be wrong")


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
    # (t0, t1) of every slice per resource track, 16 bytes each: a resource is held by one task at
    # a time, so slices that overlap on a track mean a damaged trace (duplicated events, say).
    spans: dict[tuple[int, int], array] = defaultdict(lambda: array("q"))
    for item in read_trace(path):
        events += 1
        if isinstance(item, TrackName):
            thread_names[(item.pid, item.tid)] = item.name
        elif isinstance(item, TaskSlice):
            slice_end_ps = max(slice_end_ps, item.t1_ps)
            tasks += 1
            task_end_ps = max(task_end_ps, item.t1_ps)
            st = phases.setdefault(item.phase, PhaseStats(item.phase))
            st.tasks += 1
            st.busy_ps += item.t1_ps - item.t0_ps
            st.wait_ps += item.t0_ps - item.ready_ps
            st.energy_pj += item.energy_pj
            st.first_t0_ps = item.t0_ps if st.first_t0_ps is None else min(st.first_t0_ps, item.t0_ps)
            st.last_t1_ps = max(st.last_t1_ps, item.t1_ps)
        elif isinstance(item, HoldSlice):
            slice_end_ps = max(slice_end_ps, item.t1_ps)
            key = (item.pid, item.tid)
            rs = tracks.get(key)
            if rs is None:
                rs = tracks[key] = ResourceStats(name="", process=item.process)
            spans[key].extend((item.t0_ps, item.t1_ps))
            rs.busy_ps += item.t1_ps - item.t0_ps
            rs.slices += 1
            queued = item.t0_ps - item.requested_ps
            rs.queued_ps += queued
            rs.queued_slices += queued > 0
        elif isinstance(item, QueueSample):
            q = queues.get(item.resource)
            if q is None:
                q = queues[item.resource] = _Queue(pid=item.pid)
            # The depth held since the last sample; samples of one resource come in time order.
            q.area += q.depth * max(0, item.t_ps - q.t_ps)
            q.t_ps, q.depth = item.t_ps, item.waiting
            q.peak = max(q.peak, item.waiting)
    makespan_ps = task_end_ps or slice_end_ps
    by_name: dict[str, ResourceStats] = {}
    for key, rs in tracks.items():
        rs.name = thread_names.get(key, f"pid{key[0]}.tid{key[1]}")
        _refuse_overlaps(path, rs.name, spans[key])
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
    processes = []
    for proc, rows in grouped.items():
        # The definition of simcim.result's Utilization.by_kind: the mean over the physical components
        # the iteration held, a layer's group of n tiles counting n times. Queue-only entries (a DRAM
        # pool's counter, a resource nothing held) are listed per resource but are not components.
        held = [r for r in rows if r.slices]
        weights = [components_of(r) for r in held]
        mean = sum(r.utilization * w for r, w in zip(held, weights)) / sum(weights) if held else 0.0
        processes.append(ProcessStats(proc, len(held), sum(r.busy_ps for r in rows), mean,
                                      sum(r.queued_ps for r in rows), sum(weights)))
    ordered = sorted(phases.values(), key=lambda p: phase_key(p.phase))
    return TraceSummary(header.other, makespan_ps, events, tasks, resources, ordered, processes)
