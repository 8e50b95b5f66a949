"""Run a task DAG on the chip with SimPy: each component is a resource, each task a process.

A task waits until every predecessor has ended, takes its units (tiles or a WG unit) for its whole
duration, and for each transfer also takes the links and DRAM channel on its path. Resources are
always requested in one global order, so no two tasks can wait on each other in a cycle.
"""

from __future__ import annotations

from typing import Generator

import networkx as nx
import simpy

from simcim.engine.arbiter import Arbiter, PoolArbiter
from simcim.engine.plans import Compute, Plan, Planner, Transfer
from simcim.engine.records import HoldRecord, SimRecords, TaskRecord
from simcim.hardware.graph import DRAM
from simcim.schedules.tasks import Task


class _Resources:
    """One arbiter per contended component, with a global acquisition order."""

    def __init__(self, env: simpy.Environment, names: list[str], dram_slots: list[str], sample_queues: bool,
                 records: SimRecords) -> None:
        # Units (tiles, WG units) first, then links/buses, then DRAM channels: a task that holds a
        # unit may wait for a link, but nothing holding a link ever waits for a unit.
        def rank(name: str) -> tuple[int, str]:
            tier = 0 if name.startswith(("chip.tile", "chip.wg")) else (2 if ".ch" in name else 1)
            return (tier, name)

        self.order = {name: i for i, name in enumerate(sorted(set(names), key=rank))}
        self.pool = {name: Arbiter(env, name) for name in self.order}
        # Interleaved DRAM: one pool of channels, requested after every link (last in the order).
        self.dram = PoolArbiter(env, DRAM, dram_slots) if dram_slots else None
        if sample_queues:
            def sample(name: str, waiting: int) -> None:
                records.queue_samples.append((int(env.now), name, waiting))
            for arb in [*self.pool.values(), *([self.dram] if self.dram else [])]:
                arb.on_queue_change = sample

    def sorted(self, names: tuple[str, ...]) -> list[str]:
        return sorted(set(names), key=self.order.__getitem__)

    def acquire(self, names: list[str], task_id: int) -> Generator[simpy.Event, object, None]:
        for name in names:
            yield self.pool[name].request(task_id)

    def release(self, names: list[str]) -> None:
        for name in names:
            self.pool[name].release()


def simulate_dag(dag: nx.DiGraph, planner: Planner, sample_queues: bool = False) -> SimRecords:
    """Run one iteration's DAG to completion; return task and resource-hold records."""
    env = simpy.Environment()
    records = SimRecords()
    plans: dict[int, Plan] = {n: planner.plan(dag.nodes[n]["task"]) for n in dag.nodes}
    names: list[str] = []
    for plan in plans.values():
        names.extend(plan.units)
        for step in plan.steps:
            if isinstance(step, Transfer):
                names.extend(step.resources)
    res = _Resources(env, names, planner.dram_pool, sample_queues, records)
    done = {n: env.event() for n in dag.nodes}

    def run_task(task: Task, plan: Plan, deps: tuple[int, ...]) -> Generator:
        if len(deps) == 1:
            yield done[deps[0]]
        elif deps:
            yield simpy.AllOf(env, [done[d] for d in deps])
        ready = int(env.now)
        units = res.sorted(plan.units)
        yield from res.acquire(units, task.id)
        start = int(env.now)
        for step in plan.steps:
            if isinstance(step, Compute):
                yield env.timeout(step.latency_ps)
                continue
            asked = int(env.now)
            path = res.sorted(step.resources)
            yield from res.acquire(path, task.id)
            channels: tuple[str, ...] = ()
            if step.dram_units:
                assert res.dram is not None
                channels = yield res.dram.request(task.id, step.dram_units)
            t0 = int(env.now)
            yield env.timeout(step.latency_ps)
            res.release(path)
            if channels:
                res.dram.release(channels)
            for name in (*path, *channels):
                records.holds.append(HoldRecord(name, task.id, task.name, "transfer", asked, t0, int(env.now), step.bits))
        end = int(env.now)
        res.release(units)
        for name in units:
            records.holds.append(HoldRecord(name, task.id, task.name, "compute", ready, start, end))
        records.tasks.append(TaskRecord(task.id, task.name, task.layer, task.phase, task.image, deps,
                                        ready, start, end, sum(plan.energy_pj.values()), plan.macs))
        done[task.id].succeed()

    for n in dag.nodes:  # node order = creation order: deterministic
        deps = tuple(sorted(dag.predecessors(n)))
        env.process(run_task(dag.nodes[n]["task"], plans[n], deps))
    events = 0
    while True:
        try:
            env.step()
        except simpy.core.EmptySchedule:
            break
        events += 1
    records.events = events
    records.makespan_ps = int(env.now)
    if len(records.tasks) != dag.number_of_nodes():
        raise RuntimeError("simulation ended with tasks still waiting (a cycle in the schedule?)")
    records.tasks.sort(key=lambda r: r.task_id)
    return records
