"""Chrome / Perfetto trace (Trace Event JSON) of a simulation, written as the simulation runs.

Layout (docs/trace-format.md, names in simcim.traceformat): process "tasks" has one track per
(layer, phase) and overlap slot; processes "tiles", "wg_units", "interconnect", "dram", "buffers"
have one track per resource. Every slice carries its exact integer times in ``args.t0_ps`` /
``args.t1_ps``; task slices carry ``task``, ``deps`` (the ids of the tasks they waited for),
``ready_ps`` and ``wait_ps`` so that critical paths can be rebuilt from the trace alone. One event
per line, so readers can stream it.

:class:`TraceWriter` is the engine's record sink: each record becomes a line of text the moment it
is made (formatted by hand, keys in sorted order, no dict per event), so memory does not depend on
the trace's size. A track's name and its process's names are written just before its first slice.
``.gz`` paths are gzip-compressed (Perfetto opens them; simcim's readers too).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable

from simcim.atomic import atomic_open
from simcim.engine.records import RawHold, SimRecords, TaskRecord
from simcim.resources import Resource
from simcim.traceformat import HEADER_END, PROCESSES, TASKS_PID, queue_counter, task_track

if TYPE_CHECKING:
    from simcim.result import Result
    from simcim.simulation import Simulation
    from simcim.spec.architecture import Architecture
    from simcim.spec.workload import Workload

# Placeholder for otherData.makespan_ps, which is known only at the end: the header is written
# first with this many digits and patched in place (the number, then spaces: still JSON).
_MAKESPAN_SENTINEL = 10 ** 19 + 7
_GZIP_LEVEL = 1  # fast: the trace is repetitive text, level 1 already shrinks it ~6x


_QUOTED: dict[str, str] = {}


def _str(s: str) -> str:
    """``s`` as a JSON string (names repeat: quoted once)."""
    q = _QUOTED.get(s)
    if q is None:
        q = _QUOTED[s] = json.dumps(s)
    return q


_FLUSH_LINES = 4096  # lines buffered before one write


def _us(digits: str) -> str:
    """A time >= 0 in picoseconds, given as its decimal digits (``str(ps)``, often printed anyway
    for ``t0_ps``), as a microsecond JSON number: the decimal point moved six places.

    A JSON reader parses it to the same double as ``ps / 1e6`` (both are the double nearest the
    exact quotient), and it is several times cheaper than ``repr`` of that float. The hold loop
    inlines the common case (7 digits or more)."""
    return f"{digits[:-6]}.{digits[-6:]}" if len(digits) > 6 else "0." + digits.zfill(6)


class TraceWriter:
    """Writes trace events to ``path`` as records arrive (use as a context manager; the file appears,
    complete, only when the block ends without error)."""

    def __init__(self, path: str | Path, meta: dict[str, Any], components: Iterable[str] | None = None,
                 queues: bool = True) -> None:
        self.path = Path(path)
        self.meta = dict(meta)
        self.wanted = [c.strip() for c in components] if components else None
        self.queues = queues
        self.count = 0
        self._fh: IO[str] | None = None
        self._cm: Any = None
        self._spool: str | None = None
        self._tids: dict[tuple[int, str], int] = {}
        self._tid_count: dict[int, int] = {}
        self._keep_cache: dict[tuple[str, str], bool] = {}
        # Keyed by id(): a Resource's dataclass hash rebuilds a tuple each call, and the engine hands
        # the same few Resource objects over and over (an equal copy would just get its own entry).
        self._track_cache: dict[int, str | None] = {}
        self._slots: dict[str, list[int]] = {}  # task group -> end of the last task on each slot
        self._buf: list[str] = []
        self._counter_cache: dict[int, str | None] = {}
        self._pinned: list[Any] = []
        self._hold_templates: dict[tuple[int, str, str, int], list[tuple[str, str, str]]] = {}
        self._durs: dict[int, str] = {}
        self._task_pieces: dict[tuple[str, str, int], tuple[str, str, str]] = {}
        # The engine appends hold records here instead of calling holds() (see _drain).
        self.hold_buffer: list[RawHold] = []
        self._keep_tasks = self._keep("tasks")

    # -- file ------------------------------------------------------------------------------------

    def __enter__(self) -> "TraceWriter":
        gz = self.path.suffix == ".gz"
        if gz:  # spool plain text beside the target, compress it at the end
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self._spool = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".spool", dir=self.path.parent)
            self._fh = os.fdopen(fd, "w", encoding="utf-8")
        else:
            self._cm = atomic_open(self.path, "w")
            self._fh = self._cm.__enter__()
        meta = dict(self.meta, makespan_ps=_MAKESPAN_SENTINEL)
        header = json.dumps({"displayTimeUnit": "ns", "otherData": meta}, sort_keys=True)[:-1]  # ASCII
        key = f'"makespan_ps": {_MAKESPAN_SENTINEL}'
        self._patch_at = header.index(key) + len(key) - len(str(_MAKESPAN_SENTINEL))
        self._fh.write(header + "," + HEADER_END)
        return self

    def finish(self, makespan_ps: int) -> None:
        self.meta["makespan_ps"] = makespan_ps

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        fh = self._fh
        assert fh is not None
        try:
            if exc_type is None:
                self._drain()
                self._flush()
                fh.write("\n]}\n")
                self._patch_makespan(fh)
            if self._cm is not None:
                self._cm.__exit__(exc_type, exc, tb)
            else:
                fh.close()
                if exc_type is None:
                    assert self._spool is not None
                    with open(self._spool, "rb") as src, atomic_open(self.path, "wb") as out:
                        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0,
                                           compresslevel=_GZIP_LEVEL) as z:
                            shutil.copyfileobj(src, z, 1 << 20)
        finally:
            if self._spool is not None and os.path.exists(self._spool):
                os.unlink(self._spool)

    def _patch_makespan(self, fh: IO[str]) -> None:
        makespan = self.meta.get("makespan_ps")
        digits = str(_MAKESPAN_SENTINEL)
        text = "null" if makespan is None else str(int(makespan))
        fh.flush()
        fh.seek(self._patch_at)  # the header is ASCII: character and byte offsets agree
        fh.write(text.ljust(len(digits)))
        fh.seek(0, os.SEEK_END)

    def _line(self, text: str) -> None:
        buf = self._buf
        buf.append(text)
        if len(buf) >= _FLUSH_LINES:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            fh = self._fh
            assert fh is not None
            fh.write(",\n" if self.count else "\n")  # apart: no copy of the joined text
            fh.write(",\n".join(self._buf))
            self.count += len(self._buf)
            self._buf.clear()

    # -- what to keep ----------------------------------------------------------------------------

    def _keep(self, process: str, resource: str = "") -> bool:
        """A word naming a process keeps that process; any other word keeps resources containing it."""
        if self.wanted is None:
            return True
        key = (process, resource)
        hit = self._keep_cache.get(key)
        if hit is None:
            hit = self._keep_cache[key] = any(w == process or (w not in PROCESSES and resource and w in resource)
                                              for w in self.wanted)
        return hit

    def _tid(self, pid: int, track: str) -> int:
        key = (pid, track)
        tid = self._tids.get(key)
        if tid is None:
            if pid not in self._tid_count:
                self._tid_count[pid] = 0
                name = next(n for n, p in PROCESSES.items() if p == pid)
                self._line(f'{{"args":{{"name":{_str(name)}}},"name":"process_name","ph":"M","pid":{pid}}}')
                self._line(f'{{"args":{{"sort_index":{pid}}},"name":"process_sort_index","ph":"M","pid":{pid}}}')
            self._tid_count[pid] += 1
            tid = self._tids[key] = self._tid_count[pid]
            self._line(f'{{"args":{{"name":{_str(track)}}},"name":"thread_name","ph":"M","pid":{pid},"tid":{tid}}}')
            self._line(f'{{"args":{{"sort_index":{tid}}},"name":"thread_sort_index","ph":"M","pid":{pid},"tid":{tid}}}')
        return tid

    def _resource_track(self, resource: Resource) -> str | None:
        """``"pid":P,"tid":T,"ts":`` of the resource's track, None when filtered out."""
        track = self._track_cache.get(id(resource), False)
        if track is False:
            proc = resource.kind
            track = None
            if self._keep(proc, resource.name):
                pid = PROCESSES[proc]
                track = f'"pid":{pid},"tid":{self._tid(pid, resource.name)},"ts":'
            self._track_cache[id(resource)] = track
            self._pinned.append(resource)  # keeps the id valid for the writer's life
        return track  # type: ignore[return-value]

    # -- the engine's sink -------------------------------------------------------------------------

    def task(self, t: TaskRecord) -> None:
        if self.hold_buffer:
            self._drain()
        if not self._keep_tasks:
            return
        task_id, name, layer, phase, image, deps, ready, start, end, energy_pj = t[:10]
        # Tasks arrive in order of their ends, so a slot is free for this task when its last task
        # ended by this one's start: the lowest such slot, or a new one.
        ends = self._slots.get(name)
        if ends is None:
            ends = self._slots[name] = []
        for slot, busy_until in enumerate(ends):
            if busy_until <= start:
                ends[slot] = end
                break
        else:
            ends.append(end)
            slot = len(ends) - 1
        key = (name, phase, slot)
        pieces = self._task_pieces.get(key)
        if pieces is None:  # the track's metadata lines go out first, as they did for its first slice
            tid = self._tid(TASKS_PID, task_track(name, slot))
            quoted = _str(phase)
            pieces = self._task_pieces[key] = (
                f'"phase":{quoted},"ready_ps":', f'}},"cat":{quoted},"dur":',
                f',"name":{_str(name)},"ph":"X","pid":{TASKS_PID},"tid":{tid},"ts":')
        head, mid, tail = pieces
        deps_text = ",".join(map(str, deps))
        t0 = str(start)
        buf = self._buf
        buf.append(f'{{"args":{{"deps":[{deps_text}],"energy_pj":{energy_pj!r},'
                   f'"image":{"null" if image is None else image},"layer":{layer},{head}{ready},'
                   f'"t0_ps":{t0},"t1_ps":{end},"task":{task_id},"wait_ps":{start - ready}{mid}'
                   f'{_us(str(end - start))}{tail}{_us(t0)}}}')
        if len(buf) >= _FLUSH_LINES:
            self._flush()

    def holds(self, h: RawHold) -> None:
        """One hold record handed over by a replay (the engine appends to :attr:`hold_buffer`)."""
        buffer = self.hold_buffer
        buffer.append(h)
        if len(buffer) >= _FLUSH_LINES:  # a replay hands all holds over in a row
            self._drain()

    def _drain(self) -> None:
        """Format the hold records the engine appended to :attr:`hold_buffer` since the last call.

        Called before every other line is made (a task, a queue sample, the end), so the file keeps
        the order the records were made in; one loop over a few records is cheaper than one method
        call per record (holds are most of a trace)."""
        pending = self.hold_buffer
        buf = self._buf
        cache = self._hold_templates
        durs = self._durs  # a few hundred distinct durations: their text is looked up
        for resources, task_id, name, kind, requested, t0, t1, bits in pending:
            # One template per (resources, name, kind, bits): the engine hands the same resource
            # tuples over and over (they live as long as its plans), so only times and ids vary.
            key = (id(resources), name, kind, bits)
            templates = cache.get(key)
            if templates is None:
                templates = cache[key] = self._templates(resources, name, kind, bits)
            if not templates:
                continue
            dur = durs.get(t1 - t0)
            if dur is None:
                dur = _us(str(t1 - t0))
                if len(durs) < 4096:  # bounded, whatever the run
                    durs[t1 - t0] = dur
            start = str(t0)  # printed twice: as t0_ps and, with its decimal point moved, as ts
            ts = f"{start[:-6]}.{start[-6:]}" if t0 >= 1_000_000 else _us(start)  # _us, inlined
            asked = start if requested == t0 else requested  # granted at once: most holds
            # One f-string of static pieces and numbers: a third cheaper than a %-template.
            for head, mid, tail in templates:
                buf.append(f'{head}{asked},"t0_ps":{start},"t1_ps":{t1},"task":{task_id}{mid}{dur}{tail}{ts}}}')
        pending.clear()
        if len(buf) >= _FLUSH_LINES:
            self._flush()

    def _templates(self, resources: tuple[Resource, ...], name: str, kind: str, bits: int
                   ) -> list[tuple[str, str, str]]:
        """A hold line's static pieces per kept resource: before requested_ps, between task and
        dur, between dur and ts."""
        self._pinned.append(resources)  # keeps id(resources) valid for the writer's life
        out = []
        for r in resources:
            track = self._resource_track(r)
            if track is not None:
                out.append((f'{{"args":{{"bits":{bits},"requested_ps":', f'}},"cat":"{kind}","dur":',
                            f',"name":{_str(name)},"ph":"X",{track}'))
        return out

    def queue(self, t_ps: int, resource: Resource, waiting: int) -> None:
        if self.hold_buffer:
            self._drain()
        if not self.queues:
            return
        head = self._counter_cache.get(id(resource), False)
        if head is False:
            self._pinned.append(resource)
            proc = resource.kind
            head = self._counter_cache[id(resource)] = (
                f'"name":{_str(queue_counter(resource.name))},"ph":"C","pid":{PROCESSES[proc]},"ts":'
                if self._keep(proc, resource.name) else None)
        if head is not None:
            buf = self._buf
            t = str(t_ps)
            buf.append(f'{{"args":{{"t_ps":{t},"waiting":{waiting}}},{head}{_us(t)}}}')
            if len(buf) >= _FLUSH_LINES:
                self._flush()

    def replay(self, records: SimRecords) -> None:
        """Write a finished simulation's records (tasks, then holds, then queue samples)."""
        for t in sorted(records.tasks, key=lambda t: (t.end_ps, t.task_id)):
            self.task(t)
        for h in sorted(records.raw_holds, key=lambda h: (h[5], h[1])):
            self.holds(h)
        for t_ps, resource, waiting in records.queue_samples:
            self.queue(t_ps, resource, waiting)
        self.finish(records.makespan_ps)


def trace_events(records: SimRecords, components: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """All trace events of finished records as dicts, in file order (for tests and notebooks)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.json"
        write_trace(path, records, {}, components)
        lines = path.read_text(encoding="utf-8").splitlines()[1:-1]
    return [json.loads(line.rstrip(",")) for line in lines]


def write_trace(path: str | Path, records: SimRecords, meta: dict[str, Any], components: Iterable[str] | None = None) -> int:
    """Write the trace of finished records atomically; return the number of events."""
    if not records.kept or not records.holds_kept:
        raise ValueError("these records were not kept (run with keep_records=True, or trace while simulating)")
    with TraceWriter(path, meta, components) as w:
        w.replay(records)
    return w.count


def simulate_traced(arch: "Architecture", workload: "Workload", path: str | Path,
                    components: Iterable[str] | None = None, iterations: int = 1) -> "Result":
    """Simulate while streaming the trace to ``path`` (queue counters included); the Result is the
    same as :func:`simcim.simulate`'s. Hold records go to the file only, not to memory. Several
    ``iterations`` are all simulated event by event (a trace shows every event)."""
    from simcim.result import summarize
    from simcim.simulation import run_simulation

    meta = {"architecture": arch.name, "workload": workload.name, "rule": workload.rule,
            "schedule": workload.schedule, "batch_size": workload.batch_size, "time_unit": "ps in args, us in ts"}
    with TraceWriter(path, meta, components) as writer:
        sim = run_simulation(arch, workload, trace_queues=True, keep_holds=False, sink=writer, iterations=iterations)
        writer.finish(sim.records.makespan_ps)
    return summarize(sim)


def simulation_meta(sim: "Simulation") -> dict[str, Any]:
    """What a trace's ``otherData`` says about the run it came from."""
    wl = sim.workload
    return {"architecture": sim.arch.name, "workload": wl.name, "rule": wl.rule, "schedule": wl.schedule,
            "batch_size": wl.batch_size, "makespan_ps": sim.records.makespan_ps,
            "time_unit": "ps in args, us in ts"}


def write_simulation_trace(path: str | Path, sim: "Simulation", components: Iterable[str] | None = None) -> int:
    """Write the trace of a finished simulation, with its metadata."""
    return write_trace(path, sim.records, simulation_meta(sim), components)


def write_result_trace(path: str | Path, result: "Result", components: Iterable[str] | None = None) -> int:
    """Write the trace of the simulation behind ``result`` (simulated with ``trace_queues`` for queue counters)."""
    if result.source is None:
        raise ValueError("this result carries no simulation records (was it read back from JSON?)")
    return write_simulation_trace(path, result.source, components)
