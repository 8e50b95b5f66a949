"""The trace format (docs/trace-format.md) in one place: process ids, track and counter names, the
keys of each event's ``args``, and the typed records a reader turns events into.

The writer (simcim.trace) builds events from these names; the reader (simcim.analysis.reader)
parses events into :class:`TaskSlice`, :class:`HoldSlice`, :class:`QueueSample` and
:class:`TrackName`, checking every field's type as it goes, so analyses never touch raw dicts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Union

from simcim.resources import RESOURCE_KINDS
from simcim.rules import PHASES

__all__ = ["PHASES", "PROCESSES", "TASKS_PID", "RESOURCE_PROCESSES", "HEADER_END", "QUEUE_PREFIX",
           "TASK_ARGS", "HOLD_ARGS", "HOLD_KINDS", "METADATA", "TraceError", "TaskSlice", "HoldSlice",
           "QueueSample", "TrackName", "OtherEvent", "TraceItem", "parse_event", "task_track", "queue_counter",
           "is_int", "is_num"]

# pid of each process: the tasks, then one process per kind of resource (simcim.resources).
PROCESSES: dict[str, int] = {"tasks": 1, **{kind: i + 2 for i, kind in enumerate(RESOURCE_KINDS)}}
TASKS_PID = PROCESSES["tasks"]
RESOURCE_PROCESSES: dict[int, str] = {pid: name for name, pid in PROCESSES.items() if pid != TASKS_PID}

# Line 1 of a trace file ends with this; then one event per line (readers stream the file).
HEADER_END = '"traceEvents":['
QUEUE_PREFIX = "queue "  # counter "queue RESOURCE": requests waiting for RESOURCE
TASK_ARGS = ("task", "layer", "phase", "image", "deps", "ready_ps", "wait_ps", "t0_ps", "t1_ps", "energy_pj")
HOLD_ARGS = ("task", "t0_ps", "t1_ps", "requested_ps", "bits")
HOLD_KINDS = ("compute", "transfer")  # cat of a resource slice: the unit held for a task, or a transfer
METADATA = {"process_name": "name", "process_sort_index": "sort_index",
            "thread_name": "name", "thread_sort_index": "sort_index"}
# Times are integer ps; 2^62 ps is 53 days, far beyond any run, and keeps sums inside int64.
MAX_PS = 1 << 62


class TraceError(ValueError):
    """The file is missing or is not a trace this reader understands (one line, for the user)."""


def task_track(group: str, slot: int) -> str:
    """Track of a task slice: its ``L3.WG`` group, ``#slot`` for overlapping tasks of one group."""
    return f"{group}#{slot}" if slot else group


def queue_counter(resource: str) -> str:
    return QUEUE_PREFIX + resource


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and math.isfinite(v))


@dataclass(frozen=True, slots=True)
class TrackName:
    """``thread_name`` metadata: the name of track (pid, tid)."""

    pid: int
    tid: int
    name: str


@dataclass(frozen=True, slots=True)
class TaskSlice:
    """One task (pid 1): ``L{layer}.{phase}`` of an image, and when it was ready, started and ended."""

    tid: int
    name: str
    task: int
    layer: int
    phase: str
    image: int | None
    deps: tuple[int, ...]
    ready_ps: int
    t0_ps: int
    t1_ps: int
    energy_pj: float


@dataclass(frozen=True, slots=True)
class HoldSlice:
    """A resource held for a task (pids 2..6): the unit for the whole task, or a link, buffer port or
    DRAM channel for a transfer."""

    pid: int
    tid: int
    process: str  # tiles | wg_units | interconnect | dram
    name: str  # the task's name
    kind: str  # compute | transfer
    task: int
    requested_ps: int
    t0_ps: int
    t1_ps: int
    bits: int


@dataclass(frozen=True, slots=True)
class QueueSample:
    """Counter ``queue RESOURCE``: ``waiting`` requests from ``t_ps`` on."""

    pid: int
    resource: str
    t_ps: int
    waiting: int


@dataclass(frozen=True, slots=True)
class OtherEvent:
    """Any other event (process metadata, foreign counters): counted, not interpreted."""

    ph: str


TraceItem = Union[TrackName, TaskSlice, HoldSlice, QueueSample, OtherEvent]


def _time(args: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    value = args.get(key, default)
    if not is_int(value):
        raise TraceError(f"{where}: args.{key} must be an integer (is this a simcim trace?)")
    if not 0 <= value <= MAX_PS:
        raise TraceError(f"{where}: args.{key}={value} is outside 0..{MAX_PS} ps")
    return value


def _int(args: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    value = args.get(key, default)
    if not is_int(value) or abs(value) > MAX_PS:
        raise TraceError(f"{where}: args.{key} must be an integer (is this a simcim trace?)")
    return value


def _text(value: Any) -> str:
    """A field shown as text; never fails (Python refuses str() of an int of > 4300 digits) and stays short."""
    if isinstance(value, str):
        return value[:200]
    if is_int(value) and abs(value) <= MAX_PS:
        return str(value)
    if value is None or isinstance(value, (bool, float)):
        return str(value)
    return f"<{type(value).__name__}>"


def _small(value: Any, default: int) -> int:
    """An id (tid, task, bits) when it is an integer in range, else ``default``."""
    return value if is_int(value) and 0 <= value <= MAX_PS else default


def _args(event: dict[str, Any], where: str) -> dict[str, Any]:
    args = event.get("args", {})
    if not isinstance(args, dict):
        raise TraceError(f"{where}: args must be a JSON object")
    return args


def _span(args: dict[str, Any], where: str) -> tuple[int, int]:
    t0, t1 = _time(args, "t0_ps", where), _time(args, "t1_ps", where)
    if t1 < t0:
        raise TraceError(f"{where}: t1_ps={t1} is before t0_ps={t0}")
    return t0, t1


def parse_event(event: dict[str, Any], where: str) -> TraceItem:
    """The typed record of one trace event; TraceError (naming ``where``) for a field of the wrong
    type or range in an event simcim writes."""
    ph = event.get("ph")
    pid, tid = event.get("pid"), event.get("tid")
    if not isinstance(ph, str):
        return OtherEvent(_text(ph))
    pid_ok = is_int(pid)  # a list or object pid would not even hash
    if ph == "M" and event.get("name") == "thread_name":
        if not (pid_ok and is_int(tid)):
            raise TraceError(f"{where}: thread_name needs integer pid and tid")
        return TrackName(pid, tid, _text(_args(event, where).get("name")))
    if ph == "X" and pid_ok and pid == TASKS_PID:
        args = _args(event, where)
        deps = args.get("deps")
        if not isinstance(deps, list) or not all(is_int(d) and 0 <= d <= MAX_PS for d in deps):
            raise TraceError(f"{where}: args.deps must be a list of task ids")
        image = args.get("image")
        energy = args.get("energy_pj", 0.0)
        if not (is_num(energy) and 0 <= energy < 1e30):
            raise TraceError(f"{where}: args.energy_pj must be a finite number >= 0")
        t0, t1 = _span(args, where)
        ready = _time(args, "ready_ps", where)
        if ready > t0:
            raise TraceError(f"{where}: args.ready_ps={ready} is after t0_ps={t0} (a task starts once ready)")
        return TaskSlice(_small(tid, -1), _text(event.get("name")), _int(args, "task", where),
                         _int(args, "layer", where, 0), _text(args.get("phase", event.get("cat"))),
                         _small(image, -1) if image is not None else None, tuple(deps),
                         ready, t0, t1, float(energy))
    if ph == "X" and pid_ok and pid in RESOURCE_PROCESSES:
        args = _args(event, where)
        t0, t1 = _span(args, where)
        requested = _time(args, "requested_ps", where, t0)
        if requested > t0:
            raise TraceError(f"{where}: args.requested_ps={requested} is after t0_ps={t0} (held once requested)")
        return HoldSlice(pid, _small(tid, -1), RESOURCE_PROCESSES[pid], _text(event.get("name")),
                         _text(event.get("cat")), _small(args.get("task", -1), -1),
                         requested, t0, t1, _small(args.get("bits", 0), 0))
    if ph == "C" and isinstance(event.get("name"), str) and event["name"].startswith(QUEUE_PREFIX):
        args = _args(event, where)
        waiting = _int(args, "waiting", where, 0)
        return QueueSample(pid if pid_ok else 0, event["name"][len(QUEUE_PREFIX):][:200],
                           _time(args, "t_ps", where), max(0, waiting))
    return OtherEvent(ph)
