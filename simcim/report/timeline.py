"""One iteration's resource occupancy, read from a trace, ready for a Gantt chart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from simcim.analysis.names import natural_key, phase_of
from simcim.analysis.reader import RESOURCE_PROCESSES, TASKS_PID, TraceError, iter_events, track_of

# Rows are grouped in this order, top to bottom: compute first, then what feeds it.
PROCESS_ORDER = ("tiles", "wg_units", "dram", "interconnect")


@dataclass
class TimelineRow:
    """One resource (one Gantt row): its slices as (t0_ps, duration_ps) lists keyed by phase."""

    resource: str
    process: str
    spans_by_phase: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def busy_ps(self) -> int:
        return sum(d for spans in self.spans_by_phase.values() for _, d in spans)


@dataclass
class Timeline:
    label: str
    latency_ps: int
    rows: list[TimelineRow]


def read_timeline(trace_path: str | Path, label: str) -> Timeline:
    """Every resource slice of the trace, grouped by resource and phase (for plotting, not streaming:
    a report's traces are single iterations small enough to draw)."""
    names: dict[tuple[int, int], str] = {}
    spans: dict[tuple[int, int], dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    latency_ps = 0
    for ev in iter_events(trace_path):
        ph, pid = ev.get("ph"), ev.get("pid")
        if ph == "M" and ev.get("name") == "thread_name":
            names[track_of(ev)] = str((ev.get("args") or {}).get("name"))
        elif ph == "X":
            args = ev.get("args") or {}
            t0, t1 = args.get("t0_ps"), args.get("t1_ps")
            if not isinstance(t0, int) or not isinstance(t1, int):
                raise TraceError(f"{trace_path}: slice {ev.get('name')!r} without integer t0_ps/t1_ps")
            if pid == TASKS_PID:
                latency_ps = max(latency_ps, t1)
            elif pid in RESOURCE_PROCESSES:
                spans[track_of(ev)][phase_of(str(ev.get("name")))].append((t0, t1 - t0))
    rows = [TimelineRow(names.get(key, f"pid{key[0]}.tid{key[1]}"), RESOURCE_PROCESSES[key[0]], dict(by_phase))
            for key, by_phase in spans.items()]
    rows.sort(key=lambda r: (PROCESS_ORDER.index(r.process), natural_key(r.resource)))
    return Timeline(label, latency_ps, rows)


def short_resource(name: str) -> str:
    """Gantt row label: drop the 'chip.' and 'link:' noise (link:chip.a--chip.b -> a–b)."""
    return name.removeprefix("link:").replace("chip.", "").replace("--", "–")
