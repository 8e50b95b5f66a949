"""The engine on hand-made plans: every start and end worked out by hand.

The cost model is tested on its own (tests/test_chip_model.py, tests/test_circuits_*.py); here a
planner with round numbers shows what the engine does with them: tasks wait for their inputs, a
task holds its unit throughout, transfers hold their path only while bits move, and two requests
at one instant go to the older task.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from simcim.engine.plans import Compute, Plan, Transfer
from simcim.engine.sim import simulate_dag
from simcim.resources import Resource
from simcim.rules import RULES
from simcim.schedules import build_schedule
from simcim.schedules.tasks import Task

NS = 1000  # ps
DRAM = Resource("dram", "chip.dram.ch0")
BUS = Resource("interconnect", "link:chip.gbuf--chip.tile0")
TILES = {1: Resource("tiles", "chip.tile0"), 2: Resource("tiles", "chip.tile1")}
WG = Resource("wg_units", "chip.wg0")


def _read(ns: int) -> Transfer:
    return Transfer(ns * 8, (DRAM,), ns * NS, {"dram": float(ns)})


@dataclass
class HandPlanner:
    """FW: read 1 ns, compute 9 ns, write 1 ns on the layer's tiles. AG: the same on the tiles.
    WG: read 3 ns, compute 2 ns, write 2 ns on the one WG unit. WU: compute 80 ns on the tiles.
    Every read and write uses the one DRAM channel."""

    plans: dict[tuple[int, str], Plan] = field(default_factory=dict)
    dram_pool: list[Resource] = field(default_factory=list)

    def plan(self, task: Task) -> Plan:
        unit = WG if task.unit == "wg" else TILES[task.layer]
        steps = {
            "FW": (_read(1), Compute(9 * NS, {"adc": 9.0}), _read(1)),
            "AG": (_read(1), Compute(9 * NS, {"adc": 9.0}), _read(1)),
            "WG": (_read(3), Compute(2 * NS, {"wg_units": 2.0}), _read(2)),
            "WU": (Compute(80 * NS, {"arrays": 80.0}),),
        }[task.phase]
        return Plan((unit,), steps, 1)


def _run(n_layers: int, batch: int = 1):
    dag = build_schedule(RULES["bp"], n_layers, batch)
    records = simulate_dag(dag, HandPlanner(), sample_queues=True)
    return {t.name + (f"#{t.image}" if t.image else ""): (t.ready_ps, t.start_ps, t.end_ps) for t in records.tasks}, records


def test_one_layer_every_number() -> None:
    spans, rec = _run(1)
    assert spans["L1.FW"] == (0, 0, 11 * NS)  # read 0-1, compute 1-10, write 10-11
    assert spans["L1.WG"] == (11 * NS, 11 * NS, 18 * NS)  # read 3, compute 2, write 2
    assert spans["L1.WU"] == (18 * NS, 18 * NS, 98 * NS)
    assert rec.makespan_ps == 98 * NS
    # Every DRAM hold is the transfer only, never the whole task.
    dram = sorted((h.start_ps, h.end_ps) for h in rec.holds if h.resource == DRAM)
    assert dram == [(0, 1 * NS), (10 * NS, 11 * NS), (11 * NS, 14 * NS), (16 * NS, 18 * NS)]
    assert sum(t.energy_pj for t in rec.tasks) == pytest.approx(2 + 9 + 5 + 2 + 80)


def test_two_layers_contention_by_hand() -> None:
    """WG2 (id 2) and AG2 (id 3) both become ready at 22 ns and both read from the one DRAM channel:
    the older task, WG2, gets it first."""
    spans, rec = _run(2)
    assert spans["L1.FW"] == (0, 0, 11 * NS)
    assert spans["L2.FW"] == (11 * NS, 11 * NS, 22 * NS)
    # WG2 reads 22-25, computes 25-27, writes 27-29 (AG2 does not hold DRAM then: it computes).
    assert spans["L2.WG"] == (22 * NS, 22 * NS, 29 * NS)
    # AG2 holds its tiles from 22 ns but waits for DRAM until 25: reads 25-26, computes 26-35,
    # writes 35-36.
    assert spans["L2.AG"] == (22 * NS, 22 * NS, 36 * NS)
    # WG1 waits for AG2 (36), then reads 36-39, computes 39-41, writes 41-43.
    assert spans["L1.WG"] == (36 * NS, 36 * NS, 43 * NS)
    # WU2 is ready at 29 (its WG) but its tiles are held by AG2 until 36.
    assert spans["L2.WU"] == (29 * NS, 36 * NS, 116 * NS)
    assert spans["L1.WU"] == (43 * NS, 43 * NS, 123 * NS)
    assert rec.makespan_ps == 123 * NS
    waits = {h.task_id: h.start_ps - h.requested_ps for h in rec.holds if h.resource == DRAM and h.start_ps == 25 * NS}
    assert waits == {3: 3 * NS}  # AG2 asked at 22 ns, got the channel at 25 ns
    # WG2, the older, is granted the free channel on the spot (it never waits, so it is never counted
    # as waiting); AG2 then waits (1) until WG2's read ends at 25 ns (0).
    at = [(t // NS, w) for t, r, w in rec.queue_samples if r == DRAM and 22 * NS <= t <= 25 * NS]
    assert at == [(22, 1), (25, 0)]


def test_images_follow_each_other_layer_by_layer() -> None:
    """Image 1 starts only after every task of image 0: FW1 of image 1 at WG1 of image 0's end."""
    spans, _ = _run(1, batch=2)
    assert spans["L1.FW#1"][0] == spans["L1.WG"][2] == 18 * NS
    assert spans["L1.WU"][0] == spans["L1.WG#1"][2]
