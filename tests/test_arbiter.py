"""The two arbiters by hand: oldest task first, settled after everything else at an instant."""

from __future__ import annotations

import simpy

from simcim.engine.arbiter import Arbiter, PoolArbiter


def _log_user(env, arb, task_id, hold, log, start_at=0):
    yield env.timeout(start_at)
    yield arb.request(task_id)
    log.append((task_id, env.now))
    yield env.timeout(hold)
    arb.release()


def test_same_instant_requests_go_to_the_oldest_task() -> None:
    env = simpy.Environment()
    arb = Arbiter(env, "r")
    log: list[tuple[int, int]] = []
    # created young-first: SimPy would serve task 9 first; the arbiter serves task 2
    env.process(_log_user(env, arb, 9, 5, log))
    env.process(_log_user(env, arb, 2, 5, log))
    env.process(_log_user(env, arb, 5, 5, log, start_at=3))  # arrives while 2 holds it
    env.run()
    assert log == [(2, 0), (5, 5), (9, 10)]


def test_pool_grants_k_units_oldest_first_without_overtaking() -> None:
    env = simpy.Environment()
    pool = PoolArbiter(env, "dram", ["ch0", "ch1", "ch2"])
    log: list[tuple[int, int, tuple[str, ...]]] = []

    def user(task_id: int, units: int, hold: int, start_at: int = 0):
        yield env.timeout(start_at)
        slots = yield pool.request(task_id, units)
        log.append((task_id, env.now, slots))
        yield env.timeout(hold)
        pool.release(slots)

    env.process(user(4, 2, 10))  # takes ch0, ch1 at t=0
    env.process(user(1, 1, 4))  # older: served first at t=0 -> ch0; then task 4 gets ch1, ch2
    env.process(user(6, 3, 1, start_at=1))  # needs all three: waits for task 4 (t=10)
    env.process(user(7, 1, 1, start_at=2))  # one unit free at t=4, but 6 is older: no overtaking
    env.run()
    assert log == [(1, 0, ("ch0",)), (4, 0, ("ch1", "ch2")), (6, 10, ("ch0", "ch1", "ch2")), (7, 11, ("ch0",))]
