"""Arbitration of every contended component: a request names a *set* of resources (a unit, or a
transfer's whole path: links, buffer port, DRAM channel, and k channels of the interleaved DRAM
pool) and is granted all of them at once or not at all.

Policy (a circuit-switched path reservation):

- oldest first: each resource keeps its waiting requests ordered by task id (program order), then
  by the order they were made;
- all or nothing: a request is granted only when every resource it names is free, and never holds
  part of its path while it waits;
- no overtaking: a request is granted only when it is the oldest waiting request of every resource
  it names, so a younger request never takes a free resource an older waiting request also needs
  (the older one would otherwise starve behind a stream of younger, shorter paths);
- same-instant requests are settled together: arbitration runs at a SimPy priority below every
  ordinary event, so all requests made at one instant compete, whatever the callback order.

Grants cost no event of their own. A request is granted on the spot when no competing request can
exist at this instant: nothing else is scheduled at the current time, no arbitration is pending,
and its resources are free with nobody waiting for them. Otherwise it waits for the one arbitration
event of the instant, which grants every grantable request, oldest first, and lets their holders
make their next requests (settled in further rounds of the same event).

Releases cost no event either when the holder knows for how long it holds (a transfer: ``hold_ps``):
the resource is simply busy until then. Only when someone queues for it is an arbitration event
placed at the instant it frees. A unit (held for a whole task, whose end is not known in advance)
is released explicitly.

Deadlock: the oldest waiting request heads every queue it is in, so it is granted as soon as its
resources are released; transfers never wait while holding a path, and units are taken before
paths, so every holder finishes.
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Callable, Sequence

import simpy

from simcim.resources import Resource

# SimPy orders same-time events by (priority, insertion): URGENT=0, NORMAL=1. 2 sorts after both.
ARBITRATION_PRIORITY = 2

# Called with (time_ps, resource, waiting requests) whenever a queue changes.
QueueProbe = Callable[[int, Resource, int], None]
# Called when a request is granted: (its owner, the pool slots granted).
Grant = Callable[[object, tuple[int, ...]], None]


HELD = 1 << 63  # "busy until released": a unit, whose holder's end is not known in advance


class Request:
    __slots__ = ("task_id", "seq", "res", "units", "owner", "grant", "channels", "hold_ps")

    def __init__(self, task_id: int, seq: int, res: tuple[int, ...], units: int, owner: object, grant: Grant,
                 hold_ps: int | None) -> None:
        self.hold_ps = hold_ps
        self.task_id = task_id
        self.seq = seq
        self.res = res
        self.units = units
        self.owner = owner
        self.grant = grant
        self.channels: tuple[int, ...] = ()


class PathArbiter:
    """All contended resources (by index) and one optional pool of identical units (DRAM channels)."""

    def __init__(self, env: simpy.Environment, resources: Sequence[Resource], pool: Sequence[Resource] = (),
                 on_queue: QueueProbe | None = None) -> None:
        self.env = env
        self.resources = list(resources)
        self.pool = list(pool)
        self.pool_resource: Resource | None = None  # the pool as a whole, for its queue counter
        self.until = [0] * len(self.resources)  # busy until this time (HELD: until released)
        self.queues: list[list[tuple[int, int, Request]]] = [[] for _ in self.resources]
        self.pool_until = [0] * len(self.pool)
        self.pool_all = tuple(range(len(self.pool)))  # every slot: the usual interleaved grant
        self.pool_queue: list[tuple[int, int, Request]] = []
        self.on_queue = on_queue
        self.events = 0  # arbitration events scheduled
        self._dirty: set[int] = set()
        self._pool_dirty = False
        self._pending = False  # an arbitration event at the current instant is scheduled or running
        self._due: dict[int, set[int]] = {}  # future arbitration times -> resources freeing then (-1: pool)
        self._seq = 0

    _NONE: tuple[int, ...] = ()

    def grant_now(self, res: tuple[int, ...], units: int, hold_ps: int | None) -> tuple[int, ...] | None:
        """Take ``res`` and ``units`` pool slots on the spot if no competing request can exist (nothing
        else at this instant, no arbitration pending, all free with nobody waiting): the pool slots
        taken (maybe none), or None -- then :meth:`request` queues. The engine's common case."""
        env = self.env
        queue = env._queue  # SimPy's heap of (time, priority, id, event)
        now = env._now
        if self._pending or (queue and queue[0][0] <= now):
            return None
        until, queues = self.until, self.queues
        for r in res:
            if until[r] > now or queues[r]:
                return None
        if not units:
            end = HELD if hold_ps is None else now + hold_ps
            for r in res:
                until[r] = end
            return self._NONE
        if self.pool_queue or units > len(self.pool):
            return None
        if units == len(self.pool):  # interleaved DRAM: every transfer stripes over all channels
            if max(self.pool_until) > now:
                return None
            end = now + hold_ps if hold_ps is not None else HELD
            for r in res:
                until[r] = end
            self.pool_until = [end] * units
            return self.pool_all
        pool_until = self.pool_until
        free = [c for c, u in enumerate(pool_until) if u <= now]
        if len(free) < units:
            return None
        end = HELD if hold_ps is None else now + hold_ps
        for r in res:
            until[r] = end
        taken = tuple(free[:units])
        for c in taken:
            pool_until[c] = end
        return taken

    def request(self, task_id: int, res: tuple[int, ...], units: int, owner: object, grant: Grant,
                hold_ps: int | None = None) -> None:
        """Ask for every resource in ``res`` (indices) and ``units`` pool slots, for ``hold_ps`` (None:
        until :meth:`release`); ``grant(owner, slots)`` is called when they are all held (maybe at
        once, before this returns)."""
        if units and units > len(self.pool):
            name = self.pool_resource.name if self.pool_resource else "pool"
            raise ValueError(f"{name}: asked for {units} of {len(self.pool)} units")
        taken = self.grant_now(res, units, hold_ps)
        if taken is not None:
            grant(owner, taken)
            return
        self.enqueue(task_id, res, units, owner, grant, hold_ps)

    def enqueue(self, task_id: int, res: tuple[int, ...], units: int, owner: object, grant: Grant,
                hold_ps: int | None) -> None:
        """Queue a request :meth:`grant_now` could not grant; arbitration grants it later."""
        now = self.env._now
        self._seq += 1
        req = Request(task_id, self._seq, res, units, owner, grant, hold_ps)
        entry = (task_id, req.seq, req)
        for r in res:
            q = self.queues[r]
            heappush(q, entry)
            until = self.until[r]
            if until <= now:
                self._dirty.add(r)
            elif until != HELD:
                self._arm(until, r)
            if self.on_queue is not None:
                self.on_queue(now, self.resources[r], len(q))
        if units:
            heappush(self.pool_queue, entry)
            self._pool_dirty = True
            for until in set(self.pool_until):
                if until > now:
                    self._arm(until, -1)
            if self.on_queue is not None and self.pool_resource is not None:
                self.on_queue(now, self.pool_resource, len(self.pool_queue))
        if self._dirty or self._pool_dirty:  # something may be grantable now; else an armed time will
            self._schedule()

    def release(self, res: tuple[int, ...]) -> None:
        """Free resources taken without ``hold_ps`` (units)."""
        wake = False
        now = self.env._now
        for r in res:
            self.until[r] = now
            if self.queues[r]:
                self._dirty.add(r)
                wake = True
        if wake:
            self._schedule()

    def _grantable(self, req: Request, now: int) -> bool:
        """Every resource free and this request the oldest waiting for each of them."""
        until, queues = self.until, self.queues
        for r in req.res:
            if until[r] > now or queues[r][0][2] is not req:
                return False
        if not req.units:
            return True
        return self.pool_queue[0][2] is req and sum(u <= now for u in self.pool_until) >= req.units

    def _take(self, req: Request, now: int, queued: bool) -> None:
        end = HELD if req.hold_ps is None else now + req.hold_ps
        until = self.until
        for r in req.res:
            until[r] = end
            if queued:
                q = self.queues[r]
                heappop(q)  # req heads it (checked by _grantable)
                if self.on_queue is not None:
                    self.on_queue(now, self.resources[r], len(q))
                if q and end != HELD:
                    self._arm(end, r)
        if req.units:
            free = [c for c, u in enumerate(self.pool_until) if u <= now][:req.units]
            for c in free:
                self.pool_until[c] = end
            req.channels = self.pool_all if len(free) == len(self.pool) else tuple(free)
            if queued:
                heappop(self.pool_queue)
                self._pool_dirty = True  # the next head may fit in what is left
                if self.pool_queue:
                    self._arm(end, -1)
                if self.on_queue is not None and self.pool_resource is not None:
                    self.on_queue(now, self.pool_resource, len(self.pool_queue))

    def _arm(self, at: int, r: int) -> None:
        """Arbitrate again at ``at``, when ``r`` (-1: a pool slot) frees."""
        due = self._due.get(at)
        if due is None:
            self._due[at] = {r}
            ev = simpy.Event(self.env)
            ev._ok = True
            ev._value = at
            ev.callbacks.append(self._due_now)
            self.events += 1
            self.env.schedule(ev, ARBITRATION_PRIORITY, at - self.env._now)
        else:
            due.add(r)

    def _due_now(self, ev: simpy.Event) -> None:
        for r in self._due.pop(ev._value):
            if r < 0:
                self._pool_dirty = True
            else:
                self._dirty.add(r)
        if self._pending:  # another arbitration of this instant runs anyway
            return
        self._pending = True
        self._arbitrate(ev)

    def _schedule(self) -> None:
        if self._pending:
            return
        self._pending = True
        ev = simpy.Event(self.env)
        ev._ok = True  # an already-decided event: SimPy only needs it to carry a value
        ev._value = None
        ev.callbacks.append(self._arbitrate)
        self.events += 1
        self.env.schedule(ev, ARBITRATION_PRIORITY)

    def _arbitrate(self, _: simpy.Event) -> None:
        """Grant, oldest first, every request whose resources are all free; their holders' next
        requests at this instant are settled in further rounds."""
        now = self.env._now
        queues, until = self.queues, self.until
        while self._dirty or self._pool_dirty:
            granted: list[tuple[int, int, Request]] = []
            while self._dirty or self._pool_dirty:
                heads = {queues[r][0] for r in self._dirty if queues[r] and until[r] <= now}
                if self._pool_dirty and self.pool_queue:
                    heads.add(self.pool_queue[0])
                self._dirty.clear()
                self._pool_dirty = False
                # Entries are (task id, request number, request): the first two are unique, so
                # tuples sort oldest first without ever comparing requests.
                for entry in (sorted(heads) if len(heads) > 1 else heads):
                    req = entry[2]
                    if self._grantable(req, now):
                        self._take(req, now, queued=True)
                        granted.append(entry)
            if len(granted) > 1:
                granted.sort()
            for _, _, req in granted:
                req.grant(req.owner, req.channels)
        self._pending = False
