"""Steady-state fast-forward: when iteration k begins in exactly the state iteration k-1 began in
(relative to its start, in integer picoseconds), every later iteration repeats that pattern, so the
engine advances over all but the last without events, and simulates the last one (where the run
drains) event by event.

Why it is exact: iteration k+1 can only begin once iteration k's last image has finished (its first
forward waits for it), so between the starts of k and k+1 only tasks of iterations <= k run. That
stretch depends on nothing but the state at k's start and the (identical) tasks of iteration k. If
that state repeats -- tasks in flight and how far each has got, what every resource is busy with
and until when, who queues for what, what the clock has scheduled, which dependencies are
half-met -- so does the stretch, and the sums it adds (busy time, task times, events) are the same
each time. Contention still only comes from events inside the simulated window.

The state is compared with everything expressed relative to the iteration's start: times minus the
start time, task ids minus the iteration's first id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simcim.engine.arbiter import HELD
from simcim.engine.records import SteadyReport

if TYPE_CHECKING:
    from simcim.engine.sim import Engine


class SteadyState:
    def __init__(self, engine: "Engine") -> None:
        self.engine = engine
        self.last: tuple[int, int, Any, tuple] | None = None  # (iteration, start ps, state, sums)
        self.pattern_start: int | None = None
        self.period_ps: int | None = None
        self.skipped = 0

    def report(self) -> SteadyReport:
        return SteadyReport(self.pattern_start, self.period_ps, self.skipped,
                            self.engine.iterations - self.skipped)

    def checkpoint(self, k: int) -> None:
        """Iteration ``k`` has just begun (its first task is ready)."""
        eng = self.engine
        if self.pattern_start is not None or k >= eng.iterations - 1:
            return  # already advanced, or nothing left to skip
        now = int(eng.env._now)
        state = self._state(k, now)
        sums = self._sums()
        last = self.last
        self.last = (k, now, state, sums)
        if last is None or last[2] != state:
            return
        period = now - last[1]
        skip = eng.iterations - 1 - k  # iterations k .. N-2 repeat; N-1 (the drain) is simulated
        if skip <= 0 or period <= 0:
            return
        self.pattern_start, self.period_ps, self.skipped = k - 1, period, skip
        delta = tuple(b - a for a, b in zip(last[3], sums))
        self._advance(skip, period, delta)

    # -- the state, relative to the iteration's start --------------------------------------------

    def _state(self, k: int, now: int) -> Any:
        eng = self.engine
        n = len(eng.progs)
        base = k * n
        arb = eng.arbiter

        def rel(t: int) -> Any:
            return "held" if t == HELD else max(t - now, 0)

        runs = tuple(sorted((gid - base, r.segment, r.ready - now, r.start - now if r.segment else None,
                             r.asked - now, r.wait) for gid, r in eng.running.items()))
        queued = []
        for t, prio, _, ev in sorted(eng.env._queue, key=lambda e: (e[0], e[1], e[2])):
            if hasattr(ev, "gid"):  # a task waiting for the clock
                queued.append((t - now, prio, "run", ev.gid - base))
            else:
                value = ev._value
                queued.append((t - now, prio, "arbitrate", None if value is None else value - now))
        queues = tuple(tuple((task - base) for task, _, _ in sorted(q)) for q in arb.queues)
        pool_queue = tuple((task - base) for task, _, _ in sorted(arb.pool_queue))
        return (runs, tuple(queued), tuple(rel(u) for u in arb.until), tuple(rel(u) for u in arb.pool_until),
                queues, pool_queue, arb._pending, tuple(sorted(arb._dirty)), arb._pool_dirty,
                tuple(sorted((t - now, tuple(sorted(rs))) for t, rs in arb._due.items())),
                tuple(sorted((gid - base, c) for gid, c in eng.remaining.items())))

    def _sums(self) -> tuple[int, ...]:
        eng = self.engine
        out: list[int] = [eng.records.tasks_run, eng.timeouts, eng.arbiter.events, eng.pool_all_busy_ps]
        for key in sorted(eng.records.totals.phases):
            pt = eng.records.totals.phases[key]
            out += [pt.tasks, pt.run_ps, pt.unit_wait_ps, pt.transfer_wait_ps]
        return tuple(out) + tuple(eng.busy_ps) + tuple(eng.pool_busy_ps)

    # -- advancing -------------------------------------------------------------------------------

    def _advance(self, skip: int, period: int, delta: tuple[int, ...]) -> None:
        """Shift every time by ``skip`` periods and every task id by ``skip`` iterations, and add
        ``skip`` times one period's sums."""
        eng = self.engine
        n = len(eng.progs)
        dt, dg = skip * period, skip * n
        env = eng.env
        env._now += dt
        env._queue[:] = [(t + dt, prio, eid, ev) for t, prio, eid, ev in env._queue]  # order kept
        for _, _, _, ev in env._queue:
            if not hasattr(ev, "gid") and ev._value is not None:
                ev._value += dt  # a timed arbitration's key into arbiter._due
        running = {}
        for gid, r in eng.running.items():
            r.gid += dg
            r.iteration += skip
            r.ready += dt
            r.start += dt
            r.asked += dt
            running[gid + dg] = r
        eng.running = running
        eng.remaining = {gid + dg: c for gid, c in eng.remaining.items()}
        arb = eng.arbiter
        arb.until = [u if u == HELD else u + dt for u in arb.until]
        arb.pool_until = [u + dt for u in arb.pool_until]
        for q in [*arb.queues, arb.pool_queue]:
            q[:] = [(task + dg, seq, req) for task, seq, req in q]
            for _, _, req in q:
                req.task_id += dg
        arb._due = {t + dt: rs for t, rs in arb._due.items()}
        # One period's sums, skip times.
        rec = eng.records
        rec.tasks_run += skip * delta[0]
        eng.timeouts += skip * delta[1]
        arb.events += skip * delta[2]
        eng.pool_all_busy_ps += skip * delta[3]
        i = 4
        for key in sorted(rec.totals.phases):
            pt = rec.totals.phases[key]
            pt.tasks += skip * delta[i]
            pt.run_ps += skip * delta[i + 1]
            pt.unit_wait_ps += skip * delta[i + 2]
            pt.transfer_wait_ps += skip * delta[i + 3]
            i += 4
        for j in range(len(eng.busy_ps)):
            eng.busy_ps[j] += skip * delta[i + j]
        i += len(eng.busy_ps)
        for j in range(len(eng.pool_busy_ps)):
            eng.pool_busy_ps[j] += skip * delta[i + j]
