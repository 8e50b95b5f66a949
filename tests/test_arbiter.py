"""The path arbiter by hand: oldest task first, settled after everything else at an instant; a path
granted all at once or not at all; no younger request overtakes an older one; grants and timed
releases cost no events when nobody competes."""

from __future__ import annotations

import simpy

from simcim.engine.arbiter import PathArbiter
from simcim.resources import Resource

R = [Resource("interconnect", f"r{i}") for i in range(3)]
CH = [Resource("dram", f"ch{i}") for i in range(3)]


def _ask(env, arb, log, task_id, res, hold, at=0, units=0):
    """At ``at``, task ``task_id`` asks for ``res`` (+ ``units`` pool slots) for ``hold``."""
    def go(_=None):
        arb.request(task_id, res, units, task_id, lambda owner, ch: log.append((owner, env.now, ch)), hold)
    if at == 0:
        ev = env.timeout(0)
    else:
        ev = env.timeout(at)
    ev.callbacks.append(go)


def test_same_instant_requests_go_to_the_oldest_task() -> None:
    env = simpy.Environment()
    arb = PathArbiter(env, R)
    log: list = []
    _ask(env, arb, log, 9, (0,), 5)  # asked first, but younger
    _ask(env, arb, log, 2, (0,), 5)
    _ask(env, arb, log, 5, (0,), 5, at=3)  # arrives while 2 holds it
    env.run()
    assert log == [(2, 0, ()), (5, 5, ()), (9, 10, ())]


def test_path_all_or_nothing_and_no_overtaking() -> None:
    """Task 1 needs r0 and r1; r0 is held by task 0 until 10. Task 1 holds nothing while it waits,
    yet task 5 (younger, wanting only the free r1) may not take r1 ahead of it."""
    env = simpy.Environment()
    arb = PathArbiter(env, R)
    log: list = []
    _ask(env, arb, log, 0, (0,), 10)
    _ask(env, arb, log, 1, (0, 1), 4, at=1)
    _ask(env, arb, log, 5, (1,), 2, at=2)
    _ask(env, arb, log, 6, (2,), 2, at=2)  # r2: nobody older wants it
    env.run()
    assert log == [(0, 0, ()), (6, 2, ()), (1, 10, ()), (5, 14, ())]
    assert arb.until[1] == 16


def test_pool_grants_k_units_oldest_first_without_overtaking() -> None:
    env = simpy.Environment()
    arb = PathArbiter(env, [], CH)
    log: list = []
    _ask(env, arb, log, 4, (), 10, units=2)
    _ask(env, arb, log, 1, (), 4, units=1)  # older: ch0 at t=0; task 4 then gets ch1, ch2
    _ask(env, arb, log, 6, (), 1, at=1, units=3)  # needs all three: waits for task 4 (t=10)
    _ask(env, arb, log, 7, (), 1, at=2, units=1)  # one unit free at t=4, but 6 is older: no overtaking
    env.run()
    assert log == [(1, 0, (0,)), (4, 0, (1, 2)), (6, 10, (0, 1, 2)), (7, 11, (0,))]


def test_uncontended_grants_and_releases_cost_no_event() -> None:
    env = simpy.Environment()
    arb = PathArbiter(env, R)
    log: list = []
    # Each request is the only thing happening at its instant: granted on the spot, and its timed
    # release needs no event because nobody waits for it.
    for i, at in enumerate((1, 5, 9)):
        _ask(env, arb, log, i, (0, 1), 3, at=at)
    env.run()
    assert log == [(0, 1, ()), (1, 5, ()), (2, 9, ())]
    assert arb.events == 0
    # Two at one instant: one arbitration event settles them, one more when the loser's path frees.
    _ask(env, arb, log, 8, (2,), 3, at=1)
    _ask(env, arb, log, 7, (2,), 3, at=1)
    env.run()
    assert log[-2:] == [(7, 10, ()), (8, 13, ())]
    assert arb.events == 2


def test_units_held_until_released() -> None:
    env = simpy.Environment()
    arb = PathArbiter(env, R)
    log: list = []
    _ask(env, arb, log, 1, (0,), None)
    _ask(env, arb, log, 2, (0,), None, at=1)
    env.timeout(7).callbacks.append(lambda _: arb.release((0,)))
    env.run()
    assert log == [(1, 0, ()), (2, 7, ())]
