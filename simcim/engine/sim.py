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
from simcim.engine.plans import DRAM_POOL, Compute, Plan, Planner, Transfer
from simcim.engine.records import HoldRecord, SimRecords, TaskRecord
from simcim.resources import Resource
from simcim.schedules.tasks import Task


class _Resources:
    """One arbiter per contended component; requests follow the global order of Resource.order_key."""

    def __init__(self, env: simpy.Environment, resources: set[Resource], dram_slots: list[Resource],
                 sample_queues: bool, records: SimRecords) -> None:
        self.pool = {r: Arbiter(env, r) for r in sorted(resources, key=lambda r: r.order_key)}
        # Interleaved DRAM: one pool of channels, requested after every link (last in the order).
        self.dram = PoolArbiter(env, DRAM_POOL, dram_slots) if dram_slots else None
        if sample_queues:
            def sample(resource: Resource, waiting: int) -> None:
                records.queue_samples.append((int(env.now), resource, waiting))
            for arb in [*self.pool.values(), *([self.dram] if self.dram else [])]:
                arb.on_queue_change = sample

    @staticmethod
    def sorted(resources: tuple[Resource, ...]) -> list[Resource]:
        return sorted(set(resources), key=lambda r: r.order_key)

    def acquire(self, resources: list[Resource], task_id: int) -> Generator[simpy.Event, object, None]:
        for r in resources:
            yield self.pool[r].request(task_id)

    def release(self, resources: list[Resource]) -> None:
        for r in resources:
            self.pool[r].release()


def simulate_dag(dag: nx.DiGraph, planner: Planner, sample_queues: bool = False) -> SimRecords:
    """Run one iteration's DAG to completion; return task and resource-hold records."""
    env = simpy.Environment()
    records = SimRecords()
    plans: dict[int, Plan] = {n: planner.plan(dag.nodes[n]["task"]) for n in dag.nodes}
    resources: set[Resource] = set()
    for plan in plans.values():
        resources.update(plan.units)
        for step in plan.steps:
            if isinstance(step, Transfer):
                resources.update(step.resources)
    res = _Resources(env, resources, planner.dram_pool, sample_queues, records)
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
            channels: tuple[Resource, ...] = ()
            if step.dram_units:
                assert res.dram is not None
                channels = yield res.dram.request(task.id, step.dram_units)
            t0 = int(env.now)
            yield env.timeout(step.latency_ps)
            res.release(path)
            if channels:
                res.dram.release(channels)
            for r in (*path, *channels):
                records.holds.append(HoldRecord(r, task.id, task.name, "transfer", asked, t0, int(env.now), step.bits))
        end = int(env.now)
        res.release(units)
        for r in units:
            records.holds.append(HoldRecord(r, task.id, task.name, "compute", ready, start, end))
        records.tasks.append(TaskRecord(task.id, task.name, task.layer, task.phase, task.image, deps,
                                        ready, start, end, plan.energy_total_pj, plan.energy_pj, plan.macs))
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
