"""The chain of tasks and waits that sets an iteration's latency, rebuilt from a trace alone.

Walk back from the task that ends last, each time to the predecessor (``args.deps``) that ended
last: that one released the task. Each step splits the time into the task's own run (t1 - t0),
its queueing for a unit (t0 - ready) and any gap between the releasing predecessor's end and
``ready``; the steps' sum telescopes to the last task's end, the simulated latency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simcim.analysis.names import phase_key
from simcim.analysis.reader import read_header, read_trace
from simcim.traceformat import TASKS_PID, HoldSlice, TaskSlice, TraceError, TrackName


@dataclass(frozen=True)
class PathStep:
    """One task on the critical path and the time it accounts for (all integer ps)."""

    task: int
    name: str  # L3.WG
    phase: str
    image: int | None
    ready_ps: int
    t0_ps: int
    t1_ps: int
    gap_ps: int  # ready_ps - end of the predecessor that released it (or - 0 for the first task)
    blocked_on: str | None = None  # the resource it queued longest for, when wait_ps > 0

    @property
    def busy_ps(self) -> int:
        return self.t1_ps - self.t0_ps

    @property
    def wait_ps(self) -> int:
        return self.t0_ps - self.ready_ps


@dataclass
class CriticalPath:
    other: dict[str, Any]
    steps: list[PathStep] = field(default_factory=list)  # first task first
    latency_ps: int = 0  # largest t1_ps in the trace

    @property
    def busy_ps(self) -> int:
        return sum(s.busy_ps for s in self.steps)

    @property
    def wait_ps(self) -> int:
        return sum(s.wait_ps for s in self.steps)

    @property
    def gap_ps(self) -> int:
        return sum(s.gap_ps for s in self.steps)

    @property
    def total_ps(self) -> int:
        """busy + wait + gap: equals ``latency_ps`` for a consistent trace."""
        return self.busy_ps + self.wait_ps + self.gap_ps

    def busy_by_phase_ps(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for s in self.steps:
            out[s.phase] += s.busy_ps
        return {ph: out[ph] for ph in sorted(out, key=phase_key)}

    def by_name(self) -> list[tuple[str, int, int, int, int]]:
        """Where the path spends its time: (task name, tasks, run_ps, wait_ps, gap_ps), largest first."""
        acc: dict[str, list[int]] = {}
        for s in self.steps:
            a = acc.setdefault(s.name, [0, 0, 0, 0])
            a[0] += 1
            a[1] += s.busy_ps
            a[2] += s.wait_ps
            a[3] += s.gap_ps
        rows = [(name, a[0], a[1], a[2], a[3]) for name, a in acc.items()]
        return sorted(rows, key=lambda r: (-(r[2] + r[3] + r[4]), r[0]))

    def blocked_on(self) -> dict[str, int]:
        """Queueing on the path by the resource the waiting task queued for, ps."""
        out: dict[str, int] = defaultdict(int)
        for s in self.steps:
            if s.wait_ps:
                out[s.blocked_on or "?"] += s.wait_ps
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def runs(self) -> list[tuple[str, int, int, int, int]]:
        """Consecutive steps of the same task name merged: (name, count, busy_ps, wait_ps, gap_ps)."""
        out: list[tuple[str, int, int, int, int]] = []
        for s in self.steps:
            if out and out[-1][0] == s.name:
                name, n, b, w, g = out[-1]
                out[-1] = (name, n + 1, b + s.busy_ps, w + s.wait_ps, g + s.gap_ps)
            else:
                out.append((s.name, 1, s.busy_ps, s.wait_ps, s.gap_ps))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "other": self.other, "latency_ps": self.latency_ps, "total_ps": self.total_ps,
            "busy_ps": self.busy_ps, "wait_ps": self.wait_ps, "gap_ps": self.gap_ps,
            "busy_by_phase_ps": self.busy_by_phase_ps(),
            "steps": [{**vars(s), "busy_ps": s.busy_ps, "wait_ps": s.wait_ps} for s in self.steps],
        }


def critical_path(path: str | Path) -> CriticalPath:
    """The critical path of the trace at ``path``.

    Memory is one small record per task (deps are needed to walk back), not per event: resource
    slices and counters are only looked at to name what a waiting task queued for.
    """
    header = read_header(path)
    tasks: dict[int, TaskSlice] = {}
    # task id -> (longest queueing on one resource, that resource's track)
    queued_for: dict[int, tuple[int, tuple[int, int]]] = {}
    thread_names: dict[tuple[int, int], str] = {}
    for item in read_trace(path):
        if isinstance(item, TrackName):
            thread_names[(item.pid, item.tid)] = item.name
        elif isinstance(item, TaskSlice):
            tasks[item.task] = item
        elif isinstance(item, HoldSlice) and item.task >= 0:
            queued = item.t0_ps - item.requested_ps
            if queued > 0 and queued > queued_for.get(item.task, (0, (0, 0)))[0]:
                queued_for[item.task] = (queued, (item.pid, item.tid))
    if not tasks:
        raise TraceError(f"{path}: no task slices (pid {TASKS_PID}); was the trace filtered without 'tasks'?")
    # The last-ending task; ties go to the lowest id so the answer is deterministic.
    current = min(tasks, key=lambda i: (-tasks[i].t1_ps, i))
    latency_ps = tasks[current].t1_ps
    steps: list[PathStep] = []
    seen: set[int] = set()
    while True:
        if current in seen:
            raise TraceError(f"{path}: task {current} depends on itself (a cycle in args.deps)")
        seen.add(current)
        t = tasks[current]
        missing = [d for d in t.deps if d not in tasks]
        if missing:
            raise TraceError(f"{path}: task {current} ({t.name}) depends on task {missing[0]}, which is not in the trace")
        pred = min(t.deps, key=lambda d: (-tasks[d].t1_ps, d)) if t.deps else None
        released_ps = tasks[pred].t1_ps if pred is not None else 0
        blocked = queued_for.get(current)
        steps.append(PathStep(current, t.name, t.phase, t.image, t.ready_ps, t.t0_ps, t.t1_ps,
                              gap_ps=t.ready_ps - released_ps,
                              blocked_on=thread_names.get(blocked[1], "?") if blocked and t.t0_ps > t.ready_ps else None))
        if pred is None:
            break
        current = pred
    steps.reverse()
    return CriticalPath(header.other, steps, latency_ps)
