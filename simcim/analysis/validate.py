"""A pure-Python checker for the traces simcim writes (docs/trace-format.md), for tests and users.

It reports problems instead of raising on the first, so one run shows everything wrong with a file.
Slices are kept as two integers per slice in per-track arrays (16 bytes each), so a large trace is
checked without holding its events as Python objects.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from pathlib import Path
from typing import Any

from simcim.analysis.reader import TraceError, iter_numbered_events, track_of
from simcim.traceformat import (HOLD_ARGS, HOLD_KINDS, MAX_PS, METADATA, PHASES, RESOURCE_PROCESSES, TASK_ARGS,
                                TASKS_PID, is_int, is_num)

MAX_PROBLEMS = 200  # past this many, one line says how many more there were


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.dropped = 0

    def add(self, msg: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(msg)
        else:
            self.dropped += 1

    def result(self) -> list[str]:
        return self.items + ([f"... and {self.dropped} more problems"] if self.dropped else [])


def _check_slice(where: str, ev: dict[str, Any], out: _Problems) -> tuple[int, int] | None:
    """Common X checks; returns (t0_ps, t1_ps) when they are usable."""
    for key in ("name", "cat", "pid", "tid", "ts", "dur", "args"):
        if key not in ev:
            out.add(f"{where}: slice without '{key}'")
    args = ev.get("args")
    if not isinstance(args, dict):
        return None
    t0: Any = args.get("t0_ps")
    t1: Any = args.get("t1_ps")
    if not (is_int(t0) and is_int(t1)):
        out.add(f"{where}: args.t0_ps / args.t1_ps must be integers")
        return None
    if t0 < 0 or t1 < t0 or t1 > MAX_PS:
        out.add(f"{where}: bad times t0_ps={t0} t1_ps={t1} (0 <= t0_ps <= t1_ps <= {MAX_PS})")
        return None
    # ts/dur are the same times in microseconds; they may only differ by float rounding.
    if is_num(ev.get("ts")) and abs(ev["ts"] - t0 / 1e6) > 1e-6 * max(1.0, abs(ev["ts"])):
        out.add(f"{where}: ts={ev['ts']} us does not match t0_ps={t0}")
    if is_num(ev.get("dur")) and abs(ev["dur"] - (t1 - t0) / 1e6) > 1e-6 * max(1.0, abs(ev["dur"])):
        out.add(f"{where}: dur={ev['dur']} us does not match t1_ps - t0_ps={t1 - t0}")
    return t0, t1


def _check_task(where: str, ev: dict[str, Any], args: dict[str, Any], out: _Problems) -> None:
    missing = [k for k in TASK_ARGS if k not in args]
    if missing:
        out.add(f"{where}: task slice without args {', '.join(missing)}")
        return
    if not all(is_int(args[k]) for k in ("task", "layer", "ready_ps", "wait_ps")):
        out.add(f"{where}: args task, layer, ready_ps, wait_ps must be integers")
        return
    if args["phase"] not in PHASES:
        out.add(f"{where}: unknown phase {args['phase']!r}")
    if ev.get("name") != f"L{args['layer']}.{args['phase']}":
        out.add(f"{where}: name {ev.get('name')!r} is not L{{layer}}.{{phase}}")
    if ev.get("cat") != args["phase"]:
        out.add(f"{where}: cat {ev.get('cat')!r} differs from phase {args['phase']!r}")
    if args["image"] is not None and not is_int(args["image"]):
        out.add(f"{where}: args.image must be an integer or null")
    if not isinstance(args["deps"], list) or not all(is_int(d) for d in args["deps"]):
        out.add(f"{where}: args.deps must be a list of task ids")
    if not is_num(args["energy_pj"]) or args["energy_pj"] < 0:
        out.add(f"{where}: args.energy_pj must be a number >= 0")
    if not is_int(args["t0_ps"]):
        return  # reported by the slice check
    if args["ready_ps"] > args["t0_ps"]:
        out.add(f"{where}: ready_ps={args['ready_ps']} after t0_ps={args['t0_ps']}")
    if args["wait_ps"] != args["t0_ps"] - args["ready_ps"]:
        out.add(f"{where}: wait_ps={args['wait_ps']} != t0_ps - ready_ps")


def _check_resource(where: str, args: dict[str, Any], out: _Problems) -> None:
    missing = [k for k in HOLD_ARGS if k not in args]
    if missing:
        out.add(f"{where}: resource slice without args {', '.join(missing)}")
        return
    if not all(is_int(args[k]) for k in HOLD_ARGS):
        out.add(f"{where}: args {', '.join(HOLD_ARGS)} must be integers")
        return
    if args["requested_ps"] > args["t0_ps"]:
        out.add(f"{where}: requested_ps={args['requested_ps']} after t0_ps={args['t0_ps']}")


def _check_nesting(tracks: dict[tuple[int, int], array], names: dict[tuple[int, int], str], out: _Problems) -> None:
    """Slices on one track must be nested or disjoint (touching ends are fine) in integer time."""
    for key in sorted(tracks, key=lambda k: (str(k[0]), str(k[1]))):
        flat = tracks[key]
        spans = sorted(zip(flat[0::2], flat[1::2]), key=lambda s: (s[0], -s[1]))
        if key[0] in RESOURCE_PROCESSES:  # a resource serves one task at a time: not even nesting
            end = None
            for t0, t1 in sorted(spans):
                if end is not None and t0 < end and t1 > t0:
                    out.add(f"track pid {key[0]} tid {key[1]} ({names.get(key, '?')}): slice [{t0}, {t1}] ps "
                            f"overlaps another ending at {end} ps on one resource (duplicated events?)")
                end = t1 if end is None else max(end, t1)
            continue
        open_ends: list[int] = []
        for t0, t1 in spans:
            while open_ends and open_ends[-1] <= t0:
                open_ends.pop()
            if open_ends and t1 > open_ends[-1]:
                out.add(f"track pid {key[0]} tid {key[1]} ({names.get(key, '?')}): slice [{t0}, {t1}] ps "
                        f"overlaps one ending at {open_ends[-1]} ps without nesting")
                continue
            open_ends.append(t1)


def validate_trace(path: str | Path) -> list[str]:
    """Every problem found in the trace at ``path``; an empty list means it is a good simcim trace."""
    out = _Problems()
    process_names: set[Any] = set()
    thread_names: dict[tuple[int, int], str] = {}
    used_pids: set[Any] = set()
    tracks: dict[tuple[int, int], array] = defaultdict(lambda: array("q"))
    task_ends: dict[int, int] = {}
    task_deps: list[tuple[str, int, list[int]]] = []  # (where, ready_ps, deps) checked at the end
    counter_last: dict[str, int] = {}
    try:
        for lineno, ev in iter_numbered_events(path):
            where = f"line {lineno}" if lineno else "event"
            ph = ev.get("ph")
            pid = ev.get("pid")
            if not is_int(pid):
                out.add(f"{where}: missing or non-integer pid")
                continue
            if ph == "M":
                name = ev.get("name")
                if not isinstance(name, str) or name not in METADATA:
                    out.add(f"{where}: unknown metadata event {name!r}")
                    continue
                meta_args = ev.get("args")
                if not isinstance(meta_args, dict) or METADATA[name] not in meta_args:
                    out.add(f"{where}: {name} without args.{METADATA[name]}")
                    continue
                if name.startswith("thread_"):
                    if not is_int(ev.get("tid")):
                        out.add(f"{where}: {name} without an integer tid")
                    elif name == "thread_name":
                        thread_names[track_of(ev)] = str(meta_args["name"])
                elif name == "process_name":
                    process_names.add(pid)
            elif ph == "X":
                used_pids.add(pid)
                times = _check_slice(where, ev, out)
                args: dict[str, Any] = ev["args"] if isinstance(ev.get("args"), dict) else {}
                if pid == TASKS_PID:
                    _check_task(where, ev, args, out)
                    if times and is_int(args.get("task")):
                        if args["task"] in task_ends:
                            out.add(f"{where}: task id {args['task']} appears twice")
                        task_ends[args["task"]] = times[1]
                        if isinstance(args.get("deps"), list) and is_int(args.get("ready_ps")):
                            task_deps.append((where, args["ready_ps"], [d for d in args["deps"] if is_int(d)]))
                elif pid in RESOURCE_PROCESSES:
                    _check_resource(where, args, out)
                    if ev.get("cat") not in HOLD_KINDS:
                        out.add(f"{where}: resource slice cat {ev.get('cat')!r} is not compute/transfer")
                else:
                    out.add(f"{where}: slice in unknown pid {pid}")
                if times and is_int(ev.get("tid")):
                    tracks[track_of(ev)].extend(times)
            elif ph == "C":
                used_pids.add(pid)
                counter_args = ev.get("args")
                if not isinstance(ev.get("name"), str) or not is_num(ev.get("ts")) or not isinstance(counter_args, dict):
                    out.add(f"{where}: counter without name, ts or args")
                    continue
                if not all(is_num(v) for v in counter_args.values()):
                    out.add(f"{where}: counter args must be numbers")
                    continue
                t_ps: Any = counter_args.get("t_ps")
                waiting: Any = counter_args.get("waiting")
                if not (is_int(t_ps) and is_int(waiting)) or waiting < 0:
                    out.add(f"{where}: queue counter needs integer args.t_ps and args.waiting >= 0")
                    continue
                if t_ps < counter_last.get(ev["name"], 0):
                    out.add(f"{where}: counter {ev['name']!r} goes back in time ({t_ps} ps)")
                counter_last[ev["name"]] = t_ps
            else:
                out.add(f"{where}: unexpected phase type ph={ph!r}")
    except TraceError as exc:
        out.add(str(exc))
        return out.result()
    for pid in sorted(used_pids - process_names):
        out.add(f"pid {pid} is used but has no process_name metadata")
    for key in sorted(set(tracks) - set(thread_names)):
        out.add(f"pid {key[0]} tid {key[1]} is used but has no thread_name metadata")
    for where, ready_ps, deps in task_deps:
        for d in deps:
            if d not in task_ends:
                out.add(f"{where}: depends on task {d}, which is not in the trace")
            elif task_ends[d] > ready_ps:
                out.add(f"{where}: ready_ps={ready_ps} before its dependency {d} ends ({task_ends[d]} ps)")
    _check_nesting(tracks, thread_names, out)
    return out.result()
