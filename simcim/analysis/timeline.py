"""One iteration's resource occupancy, read from a trace, ready for a Gantt chart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from simcim.analysis.names import natural_key, phase_of
from simcim.analysis.reader import read_trace
from simcim.traceformat import RESOURCE_PROCESSES, HoldSlice, TaskSlice, TrackName

# Rows are grouped in this order, top to bottom: compute first, then what feeds it.
PROCESS_ORDER = ("tiles", "wg_units", "buffers", "dram", "interconnect")


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
    for item in read_trace(trace_path):
        if isinstance(item, TrackName):
            names[(item.pid, item.tid)] = item.name
        elif isinstance(item, TaskSlice):
            latency_ps = max(latency_ps, item.t1_ps)
        elif isinstance(item, HoldSlice):
            spans[(item.pid, item.tid)][phase_of(item.name)].append((item.t0_ps, item.t1_ps - item.t0_ps))
    rows = [TimelineRow(names.get(key, f"pid{key[0]}.tid{key[1]}"), RESOURCE_PROCESSES[key[0]], dict(by_phase))
            for key, by_phase in spans.items()]
    rows.sort(key=lambda r: (PROCESS_ORDER.index(r.process), natural_key(r.resource)))
    return Timeline(label, latency_ps, rows)

