"""Waveforms of a trace for GTKWave: a busy bit, the task id and the queue depth of every resource,
plus how many tasks of each phase run at once. Timescale 1 ps, the engine's integer time.

VCD needs its changes in time order while the trace is ordered by resource, so the reader keeps
each change as three integers in flat arrays (not Python objects) and sorts them once with numpy.
"""

from __future__ import annotations

import re
from array import array
from pathlib import Path
from typing import Any

import numpy as np

from simcim.analysis.names import natural_key, phase_key
from simcim.analysis.reader import read_header, read_trace
from simcim.atomic import atomic_open
from simcim.traceformat import RESOURCE_PROCESSES, HoldSlice, QueueSample, TaskSlice, TrackName

IDLE = -1  # the "task" integer of an idle resource is written as 'z' (high impedance)
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def vcd_name(resource: str) -> str:
    """A VCD-safe identifier: link:chip.a--chip.b -> link_chip_a__chip_b (dots would make scopes)."""
    return _UNSAFE.sub("_", resource)


class PyvcdMissing(RuntimeError):
    """pyvcd is not installed (it comes with the 'trace' extra)."""


class _Signals:
    """Flat arrays of (time_ps, signal, value) changes; ``seq`` keeps file order for ties."""

    def __init__(self) -> None:
        self.t = array("q")
        self.sig = array("q")
        self.val = array("q")

    def add(self, t_ps: int, sig: int, value: int) -> None:
        self.t.append(t_ps)
        self.sig.append(sig)
        self.val.append(value)


def write_vcd(trace_path: str | Path, out_path: str | Path) -> int:
    """Write the VCD of the trace at ``trace_path`` to ``out_path``; return the number of value changes.

    Raises TraceError for a bad trace and PyvcdMissing when pyvcd is not installed.
    """
    try:
        from vcd import VCDWriter
    except ImportError:  # pyvcd is in the 'trace' extra, not a core dependency
        raise PyvcdMissing("VCD export needs pyvcd: pip install 'simcim[trace]'") from None
    header = read_header(trace_path)
    thread_names: dict[tuple[int, int], str] = {}
    track_sig: dict[tuple[int, int], int] = {}  # resource track -> index of its busy signal
    queue_sig: dict[str, int] = {}  # resource name -> index of its queue signal
    queue_pid: dict[str, int] = {}
    phase_sig: dict[str, int] = {}
    # Busy/task signals change at slice ends (value 0 / IDLE) and starts; phase counts are +1/-1
    # deltas summed later; queue depths are set directly.
    busy = _Signals()
    phases = _Signals()
    queues = _Signals()
    for item in read_trace(trace_path):
        if isinstance(item, TrackName):
            thread_names[(item.pid, item.tid)] = item.name
        elif isinstance(item, TaskSlice):
            s = phase_sig.setdefault(item.phase, len(phase_sig))
            phases.add(item.t0_ps, s, 1)
            phases.add(item.t1_ps, s, -1)
        elif isinstance(item, HoldSlice):
            s = track_sig.setdefault((item.pid, item.tid), len(track_sig))
            busy.add(item.t1_ps, s, IDLE)  # ends first: a back-to-back successor overwrites at the same ps
            busy.add(item.t0_ps, s, max(item.task, 0))
        elif isinstance(item, QueueSample):
            s = queue_sig.setdefault(item.resource, len(queue_sig))
            queue_pid.setdefault(item.resource, item.pid)
            queues.add(item.t_ps, s, item.waiting)
    return _emit(VCDWriter, header.other, out_path, thread_names, track_sig, queue_sig, queue_pid, phase_sig,
                 busy, phases, queues)


def _settled(sig: _Signals, cumulative: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Changes sorted by time, one per (time, signal): the last in file order, or the running sum."""
    t = np.frombuffer(sig.t, dtype=np.int64) if len(sig.t) else np.zeros(0, np.int64)
    s = np.frombuffer(sig.sig, dtype=np.int64) if len(sig.sig) else np.zeros(0, np.int64)
    v = np.frombuffer(sig.val, dtype=np.int64) if len(sig.val) else np.zeros(0, np.int64)
    order = np.lexsort((np.arange(len(t)), t, s))  # by signal, then time, then file order
    t, s, v = t[order], s[order], v[order]
    if cumulative and len(v):
        # running sum within each signal
        v = np.cumsum(v)
        starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        before = np.r_[0, v[:-1]][starts]
        v = v - np.repeat(before, np.diff(np.r_[starts, len(v)]))
    last = np.r_[(t[1:] != t[:-1]) | (s[1:] != s[:-1]), True] if len(t) else np.zeros(0, bool)
    return t[last], s[last], v[last]


def _emit(VCDWriter: Any, other: dict[str, Any], out_path: str | Path, thread_names: dict[tuple[int, int], str],
          track_sig: dict[tuple[int, int], int], queue_sig: dict[str, int], queue_pid: dict[str, int],
          phase_sig: dict[str, int], busy: _Signals, phases: _Signals, queues: _Signals) -> int:
    changes = 0
    with atomic_open(out_path, "w") as fh:
        comment = " ".join(f"{k}={other[k]}" for k in ("architecture", "workload", "rule") if k in other)
        # A fixed date keeps the file's bytes identical for identical traces.
        w = VCDWriter(fh, timescale="1 ps", date="(simulated time)", version="simcim trace vcd", comment=comment)
        resources: dict[str, tuple[int, int | None, int | None]] = {}  # name -> (pid, busy sig, queue sig)
        for key, s in track_sig.items():
            name = thread_names.get(key, f"pid{key[0]}_tid{key[1]}")
            resources[name] = (key[0], s, None)
        for name, s in queue_sig.items():
            pid, b, _ = resources.get(name, (queue_pid[name], None, None))
            resources[name] = (pid, b, s)
        busy_vars: dict[int, tuple[Any, Any]] = {}
        queue_vars: dict[int, Any] = {}
        for name in sorted(resources, key=lambda n: (resources[n][0], natural_key(n))):
            pid, b, q = resources[name]
            scope = f"simcim.{RESOURCE_PROCESSES.get(pid, f'pid{pid}')}.{vcd_name(name)}"
            if b is not None:
                busy_vars[b] = (w.register_var(scope, "busy", "wire", size=1, init=0),
                                w.register_var(scope, "task", "integer", size=32, init="z"))
            if q is not None:
                queue_vars[q] = w.register_var(scope, "queue", "integer", size=16, init=0)
        phase_vars = {s: w.register_var("simcim.tasks", f"running_{ph}", "integer", size=32, init=0)
                      for ph, s in sorted(phase_sig.items(), key=lambda kv: phase_key(kv[0]))}
        streams = []
        for sig, cumulative, kind in ((busy, False, 0), (phases, True, 1), (queues, False, 2)):
            times, signals, values = _settled(sig, cumulative)
            streams.append((times, np.full(len(times), kind), signals, values))
        all_t = np.concatenate([x[0] for x in streams])
        all_k = np.concatenate([x[1] for x in streams])
        all_s = np.concatenate([x[2] for x in streams])
        all_v = np.concatenate([x[3] for x in streams])
        for i in np.lexsort((all_s, all_k, all_t)):
            ti, ki, si, vi = int(all_t[i]), int(all_k[i]), int(all_s[i]), int(all_v[i])
            if ki == 0:
                bit, task = busy_vars[si]
                w.change(bit, ti, 0 if vi == IDLE else 1)
                w.change(task, ti, "z" if vi == IDLE else vi)
                changes += 2
            elif ki == 1:
                w.change(phase_vars[si], ti, vi)
                changes += 1
            else:
                w.change(queue_vars[si], ti, vi)
                changes += 1
        w.close()
    return changes
