"""Run a task graph on the chip with SimPy: each component is a resource, each task a chain of steps.

A task starts when every predecessor has ended, takes its unit (tiles or a WG unit) for its whole
duration, and for each transfer also reserves its whole path (links, buffer port, DRAM channel or
channels) in one request (simcim.engine.arbiter). A task is not a SimPy process: it is a small
state record moved on by callbacks, so the events left are the ones that move the clock (one per
step) and at most one arbitration event per contended instant.

Several iterations (batches) can run back to back (``iterations``); the graph is one iteration's
template and a task's global id is ``iteration * len(graph) + local id``, so only the tasks in
flight are held in memory.
"""

from __future__ import annotations

import gc
from heapq import heappush
from contextlib import contextmanager
from typing import Iterator, Protocol

import simpy

from simcim.engine.arbiter import PathArbiter
from simcim.engine.plans import DRAM_POOL, Compute, Plan, Planner
from simcim.engine.records import PhaseTotals, RawHold, SimRecords, TaskRecord
from simcim.engine.steady import SteadyState
from simcim.resources import Resource
from simcim.schedules.tasks import Task, TaskGraph

_new_tuple = tuple.__new__  # builds a named tuple from a tuple in C, without its Python __new__


class RecordSink(Protocol):
    """Receives records as they happen (the streaming trace writer). Hold records, most of a
    trace's, are appended to ``hold_buffer`` (a list append, no Python call); the sink takes them
    out itself (the trace writer does before each other record and at its end)."""

    hold_buffer: list[RawHold]  # one hold of every resource in rec[0] per record

    def task(self, rec: TaskRecord) -> None: ...
    def queue(self, t_ps: int, resource: Resource, waiting: int) -> None: ...


class _Program:
    """A (layer, phase)'s plan lowered to resource indices and cut into segments: what the engine runs
    for each task.

    A segment starts with a request -- the unit for segment 0, a transfer's path for the others --
    and goes on with every following *local* step: compute, or a transfer over resources that only
    tasks holding this task's unit ever use (its tile group's own link, a WG unit's buffer port), so
    no one can compete for them and they need no arbitration. A segment's end is the one event that
    moves the task on (to its next request, or its end).
    """

    __slots__ = ("name", "layer", "phase", "units", "unit_resources", "paths", "segments", "static_busy", "energy_pj", "energy_total_pj", "macs", "totals")

    def __init__(self, task: Task, plan: Plan, index: dict[Resource, int], covered: set[int],
                 totals: PhaseTotals) -> None:
        self.name, self.layer, self.phase = task.name, task.layer, task.phase
        self.units = tuple(sorted({index[r] for r in plan.units}))
        # (path indices, pool units, path latency_ps, bits, local steps); a local step is
        # (latency_ps, resource indices held for it, bits)
        segments: list[tuple[tuple[int, ...], int, int, int, list[tuple[int, tuple[int, ...], int]]]] = [((), 0, 0, 0, [])]
        for step in plan.steps:
            if isinstance(step, Compute):
                segments[-1][4].append((step.latency_ps, (), 0))
                continue
            res = tuple(sorted({index[r] for r in step.resources}))
            if not step.dram_units and all(r in covered for r in res):
                segments[-1][4].append((step.latency_ps, res, step.bits))
            else:
                segments.append((res, step.dram_units, step.latency_ps, step.bits, []))
        names = sorted(index, key=index.__getitem__)
        self.unit_resources = tuple(names[r] for r in self.units)
        self.paths = tuple(tuple(names[r] for r in seg[0]) for seg in segments)  # for hold records
        self.segments = tuple((res, units, lat, bits, tuple((*step, tuple(names[r] for r in step[1])) for step in local),
                               lat + sum(step[0] for step in local))
                              for res, units, lat, bits, local in segments)
        # Busy time each task of this plan puts on named path resources (the same every time).
        static: dict[int, int] = {}
        for res, _, lat, _, local, _ in self.segments:
            for r in res:
                static[r] = static.get(r, 0) + lat
            for step in local:
                for r in step[1]:
                    static[r] = static.get(r, 0) + step[0]
        self.static_busy = tuple(sorted(static.items()))
        self.energy_pj = plan.energy_pj
        self.energy_total_pj = plan.energy_total_pj
        self.macs = plan.macs
        self.totals = totals


class _Run:
    """One task in flight."""

    # callbacks, _ok: a run waits for the clock as its own SimPy event (env.step() reads only these
    # two fields of an event), so waking a task creates no object.
    __slots__ = ("gid", "local", "iteration", "prog", "segment", "ready", "start", "asked", "wait", "callbacks", "_ok")

    def __init__(self, gid: int, local: int, iteration: int, prog: _Program, ready: int) -> None:
        self._ok = True
        self.gid, self.local, self.iteration, self.prog = gid, local, iteration, prog
        self.segment = 0
        self.ready = ready
        self.start = self.asked = 0
        self.wait = 0  # transfer waits so far


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off during a run: the engine makes millions of short-lived
    acyclic objects, and collections triggered by their allocation took about a third of the
    engine's time at large batches. Cycles left behind are collected once, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Engine:
    def __init__(self, graph: TaskGraph, planner: Planner, *, iterations: int = 1, keep_records: bool = True,
                 keep_holds: bool | None = None, sample_queues: bool = False, sink: RecordSink | None = None,
                 fast_forward: bool = False) -> None:
        if iterations < 1:
            raise ValueError("iterations must be at least 1")
        if fast_forward and (keep_records or keep_holds or sink is not None):
            raise ValueError("fast-forward skips events: it keeps no records and writes no trace")
        self.env = env = simpy.Environment()
        self.graph = graph
        self.iterations = iterations
        keep_holds = keep_records if keep_holds is None else keep_holds
        self.records = rec = SimRecords(kept=keep_records, holds_kept=keep_holds)
        self.keep = keep_records
        self.keep_holds = keep_holds
        self.sink = sink
        plans = {}
        for task in graph.tasks:
            key = (task.layer, task.phase)
            if key not in plans:
                plans[key] = (task, planner.plan(task))
        resources: set[Resource] = set()
        for _, plan in plans.values():
            resources.update(plan.units)
            for step in plan.steps:
                if not isinstance(step, Compute):
                    resources.update(step.resources)
        ordered = sorted(resources, key=lambda r: r.order_key)
        index = {r: i for i, r in enumerate(ordered)}
        pool = planner.dram_pool
        probe = None
        if sample_queues and sink is not None and not keep_holds:
            probe = sink.queue  # the trace's counters only: straight to the sink
        elif sample_queues or sink is not None:
            samples = rec.queue_samples

            def probe(t: int, resource: Resource, waiting: int) -> None:
                if sample_queues and keep_holds:
                    samples.append((t, resource, waiting))
                if sink is not None and sample_queues:
                    sink.queue(t, resource, waiting)
        self.arbiter = PathArbiter(env, ordered, pool, probe)
        self.arbiter.pool_resource = DRAM_POOL
        self.pool_all = self.arbiter.pool_all
        self.resources = ordered
        self.pool = pool
        self.busy_ps = [0] * len(ordered)
        self.pool_busy_ps = [0] * len(pool)
        self.pool_all_busy_ps = 0  # busy time of grants of the whole pool (each channel's)
        # A transfer resource is covered when every plan that moves bits over it holds the same unit
        # meanwhile: the unit already excludes every other user.
        users: dict[int, set[tuple[Resource, ...]]] = {}
        for _, plan in plans.values():
            for step in plan.steps:
                if not isinstance(step, Compute):
                    for r in step.resources:
                        users.setdefault(index[r], set()).add(plan.units)
        unit_ids = {index[r] for _, plan in plans.values() for r in plan.units}
        covered = {r for r, u in users.items() if len(u) == 1 and next(iter(u)) and r not in unit_ids}
        progs: dict[tuple[int, str], _Program] = {}
        for key, (task, plan) in plans.items():
            progs[key] = _Program(task, plan, index, covered, rec.totals.phases.setdefault(
                key, PhaseTotals(energy_pj_by_component=plan.energy_pj, macs=plan.macs)))
        self.progs = [progs[(t.layer, t.phase)] for t in graph.tasks]
        self.n_tasks = len(self.progs)
        n = len(graph.tasks)
        self.succ: list[list[int]] = [[] for _ in range(n)]
        self.carry_succ: list[list[int]] = [[] for _ in range(n)]
        for j in range(n):
            for d in graph.deps[j]:
                self.succ[d].append(j)
            for d in graph.carry[j]:
                self.carry_succ[d].append(j)
        self.need_first = [len(d) for d in graph.deps]
        self.need_next = [len(d) + len(c) for d, c in zip(graph.deps, graph.carry)]
        self.remaining: dict[int, int] = {}
        self.running: dict[int, _Run] = {}  # tasks in flight, by global id
        self.roots = [j for j, need in enumerate(self.need_first) if not need]
        self.root_set = set(self.roots)
        self.timeouts = 0
        self.steady: SteadyState | None = SteadyState(self) if fast_forward and iterations > 2 else None
        self.keeping = keep_holds or sink is not None  # hold records are made
        if sink is not None and not keep_holds:
            self._hold = sink.hold_buffer.append  # type: ignore[method-assign]  # one call less per hold
        self._pool_cache: dict[tuple[int, tuple[int, ...]], tuple[Resource, ...]] = {}
        self._wake_callbacks = [self._next]  # shared: env.step() only iterates it

    # -- running --------------------------------------------------------------------------------

    def run(self) -> SimRecords:
        rec = self.records
        with collector_paused():
            for j in self.roots:
                self._start(j, 0)
            self.env.run()
        rec.events = self.timeouts + self.arbiter.events
        if self.steady is not None:
            rec.steady = self.steady.report()
        rec.makespan_ps = int(self.env.now)
        expected = len(self.graph) * self.iterations
        if rec.tasks_run != expected:
            raise RuntimeError("simulation ended with tasks still waiting (a cycle in the schedule?)")
        # Every resource of a plan was held at least once (every task ran); pool channels if used.
        busy = list(self.busy_ps)  # units' hold times; paths' are fixed per task of a plan:
        for prog in {id(p): p for p in self.progs}.values():
            for r, ps in prog.static_busy:
                busy[r] += prog.totals.tasks * ps
        rec.totals.busy_ps = dict(zip(self.resources, busy))
        rec.totals.busy_ps.update({r: b + self.pool_all_busy_ps for r, b in zip(self.pool, self.pool_busy_ps)
                                   if b + self.pool_all_busy_ps})
        if self.keep:
            rec.tasks.sort(key=lambda r: r.task_id)
        return rec

    def _start(self, local: int, iteration: int) -> None:
        gid = iteration * self.n_tasks + local
        run = _Run(gid, local, iteration, self.progs[local], self.env._now)
        self.running[gid] = run
        arb = self.arbiter
        if arb.grant_now(run.prog.units, 0, None) is not None:
            self._unit_granted(run, ())
        else:
            arb.enqueue(gid, run.prog.units, 0, run, self._unit_granted, None)

    def _unit_granted(self, run: _Run, _: tuple[int, ...]) -> None:
        run.start = now = self.env._now  # always an int: every delay is
        self._segment(run, now, ())

    def _path_granted(self, run: _Run, channels: tuple[int, ...]) -> None:
        now = self.env._now
        run.wait += now - run.asked
        self._segment(run, now, channels)

    def _segment(self, run: _Run, t0: int, channels: tuple[int, ...]) -> None:
        """Run segment ``run.segment`` from ``t0`` (its request just granted): records if kept, then
        wake the task at the segment's end. (Busy time on named resources is the same every time a
        segment runs, so it is counted per task at the end, not here; pool channels vary.)"""
        prog = run.prog
        seg = run.segment
        segment = prog.segments[seg]
        if channels:
            if channels is self.pool_all:
                self.pool_all_busy_ps += segment[2]  # spread over the channels at the end
            else:
                pool_busy = self.pool_busy_ps
                latency = segment[2]
                for c in channels:
                    pool_busy[c] += latency
        if self.keeping:
            self._segment_records(run, t0, channels, seg, segment)
        run.segment = seg + 1
        total = segment[5]
        if total:
            self.timeouts += 1
            run.callbacks = self._wake_callbacks
            env = self.env
            heappush(env._queue, (t0 + total, 1, next(env._eid), run))
        else:
            self._next(run)

    def _segment_records(self, run: _Run, t0: int, channels: tuple[int, ...], seg: int, segment: tuple) -> None:
        prog = run.prog
        res, _, latency, bits, local, _ = segment
        if res or channels:
            held = prog.paths[seg]
            if channels:
                held = self._pool_held(held, channels)
            self._hold((held, run.gid, prog.name, "transfer", run.asked, t0, t0 + latency, bits))
        t = t0 + latency
        for lat, lres, lbits, held in local:
            if lres:
                self._hold((held, run.gid, prog.name, "transfer", t, t, t + lat, lbits))
            t += lat

    def _pool_held(self, path: tuple[Resource, ...], channels: tuple[int, ...]) -> tuple[Resource, ...]:
        """``path`` and the pool channels granted, as one tuple made once per combination (so
        record sinks can recognise it by identity)."""
        key = (id(path), channels)
        held = self._pool_cache.get(key)
        if held is None:
            held = self._pool_cache[key] = path + tuple(self.pool[c] for c in channels)
        return held

    def _next(self, run: _Run) -> None:
        """At a segment's end: request the next segment's path, or end the task."""
        segments = run.prog.segments
        seg = run.segment
        if seg == len(segments):
            self._finish(run)
            return
        res, units, latency, _, _, _ = segments[seg]
        run.asked = now = self.env._now
        arb = self.arbiter
        taken = arb.grant_now(res, units, latency)
        if taken is not None:
            self._segment(run, now, taken)
        else:
            arb.enqueue(run.gid, res, units, run, self._path_granted, latency)

    def _hold(self, h: RawHold) -> None:
        if self.keep_holds:
            self.records.raw_holds.append(h)
        if self.sink is not None:
            self.sink.hold_buffer.append(h)

    def _finish(self, run: _Run) -> None:
        del self.running[run.gid]
        prog = run.prog
        units = prog.units
        self.arbiter.release(units)
        end = self.env._now
        start, ready, wait = run.start, run.ready, run.wait
        busy = self.busy_ps
        for r in units:
            busy[r] += end - start
        totals = prog.totals
        totals.tasks += 1
        totals.run_ps += end - start - wait
        totals.unit_wait_ps += start - ready
        totals.transfer_wait_ps += wait
        rec = self.records
        rec.tasks_run += 1
        if self.keep or self.keeping:
            self._records(run, end)
        # Successors whose last predecessor this was start now, oldest first.
        n = self.n_tasks
        local, it = run.local, run.iteration
        base = it * n
        remaining = self.remaining
        need = self.need_next if it else self.need_first
        ready_now: list[tuple[int, int]] = []  # (iteration, local id): sorts oldest first
        for s in self.succ[local]:
            gid = base + s
            left = remaining.pop(gid, need[s]) - 1
            if left:
                remaining[gid] = left
            else:
                ready_now.append((it, s))
        if it + 1 < self.iterations:
            nbase = base + n
            need = self.need_next
            for s in self.carry_succ[local]:
                gid = nbase + s
                left = remaining.pop(gid, need[s]) - 1
                if left:
                    remaining[gid] = left
                else:
                    ready_now.append((it + 1, s))
        if len(ready_now) > 1:
            ready_now.sort()
        for i, s in ready_now:
            self._start(s, i)
        if self.steady is not None:
            for i, s in ready_now:
                if i > it and s in self.root_set:  # iteration i begins: compare its state with the last
                    self.steady.checkpoint(i)

    def _records(self, run: _Run, end: int) -> None:
        prog = run.prog
        task = self.graph.tasks[run.local]
        n = len(self.progs)
        it = run.iteration
        base = it * n
        deps = self.graph.deps[run.local]
        if it:
            deps = tuple(base - n + d for d in self.graph.carry[run.local]) + tuple(base + d for d in deps)
        image = task.image if task.image is None else task.image + it * self.graph.batch_size
        rec = _new_tuple(TaskRecord, (run.gid, prog.name, prog.layer, prog.phase, image, deps, run.ready, run.start,
                                      end, prog.energy_total_pj, prog.energy_pj, prog.macs, run.wait))
        if self.keep:
            self.records.tasks.append(rec)
        if self.keeping:
            self._hold((prog.unit_resources, run.gid, prog.name, "compute", run.ready, run.start, end, 0))
        if self.sink is not None:
            self.sink.task(rec)


def simulate_dag(graph: TaskGraph, planner: Planner, sample_queues: bool = False, *, iterations: int = 1,
                 keep_records: bool = True, keep_holds: bool | None = None, sink: RecordSink | None = None,
                 fast_forward: bool = False) -> SimRecords:
    """Run ``iterations`` of the graph to completion; return task and resource-hold records (only the
    totals when ``keep_records`` is false; holds as ``keep_holds``, default the same); ``sink``
    receives every record as it is made."""
    return Engine(graph, planner, iterations=iterations, keep_records=keep_records, keep_holds=keep_holds,
                  sample_queues=sample_queues, sink=sink, fast_forward=fast_forward).run()
