"""A capacity-1 resource with oldest-first arbitration, settled at the end of each instant.

SimPy's own Resource grants a free resource to whichever request happens to be made first within
an instant, which depends on callback order. Here every request made at the same instant is
collected first (arbitration runs at a priority below every ordinary event), then the request of
the oldest task -- lowest task id, i.e. earliest in program order -- wins. That is a common
hardware arbitration policy and it makes contended schedules reproducible by hand.
"""

from __future__ import annotations

import heapq
from typing import Callable

import simpy

from simcim.resources import Resource

# Called with the resource and the number of requests not yet granted, whenever that changes.
QueueProbe = Callable[[Resource, int], None]

# SimPy orders same-time events by (priority, insertion): URGENT=0, NORMAL=1. 2 sorts after both.
ARBITRATION_PRIORITY = 2


class Arbiter:
    """One component (tile group, WG unit, link, DRAM channel) that serves one task at a time."""

    __slots__ = ("env", "resource", "busy", "queue", "_pending", "_seq", "on_queue_change")

    def __init__(self, env: simpy.Environment, resource: Resource) -> None:
        self.env = env
        self.resource = resource
        self.busy = False
        self.queue: list[tuple[int, int, simpy.Event]] = []
        self._pending = False
        self._seq = 0
        self.on_queue_change: QueueProbe | None = None  # for traces

    def request(self, task_id: int) -> simpy.Event:
        """An event that fires when this task holds the resource."""
        grant = self.env.event()
        self._seq += 1
        heapq.heappush(self.queue, (task_id, self._seq, grant))
        self._notify()
        self._schedule_arbitration()
        return grant

    def release(self) -> None:
        self.busy = False
        if self.queue:
            self._schedule_arbitration()

    def _schedule_arbitration(self) -> None:
        if self._pending or self.busy:
            return
        self._pending = True
        ev = simpy.Event(self.env)
        ev._ok = True  # an already-decided event: SimPy only needs it to carry a value
        ev._value = None
        ev.callbacks.append(self._arbitrate)
        self.env.schedule(ev, ARBITRATION_PRIORITY)

    def _arbitrate(self, _: simpy.Event) -> None:
        self._pending = False
        if self.busy or not self.queue:
            return
        _, _, grant = heapq.heappop(self.queue)
        self.busy = True
        grant.succeed()
        self._notify()

    def _notify(self) -> None:
        if self.on_queue_change is not None:
            # waiting = requests not yet granted
            self.on_queue_change(self.resource, len(self.queue))


class PoolArbiter:
    """Identical units (interleaved DRAM channels) taken k at a time, oldest request first.

    The oldest waiting request is served as soon as k units are free; younger ones wait behind it
    (no overtaking), so the order stays the program order. Granted units are the lowest-numbered
    free ones, so every unit keeps a trace track of its own.
    """

    def __init__(self, env: simpy.Environment, resource: Resource, slots: list[Resource]) -> None:
        self.env = env
        self.resource = resource
        self.free = list(range(len(slots)))
        self.slots = slots
        self.queue: list[tuple[int, int, int, simpy.Event]] = []
        self._pending = False
        self._seq = 0
        self.on_queue_change: QueueProbe | None = None

    def request(self, task_id: int, units: int) -> simpy.Event:
        """An event whose value is the tuple of slots (channels) granted."""
        if not 1 <= units <= len(self.slots):
            raise ValueError(f"{self.resource.name}: asked for {units} of {len(self.slots)} units")
        grant = self.env.event()
        self._seq += 1
        heapq.heappush(self.queue, (task_id, self._seq, units, grant))
        self._notify()
        self._schedule_arbitration()
        return grant

    def release(self, slots: tuple[Resource, ...]) -> None:
        self.free.extend(self.slots.index(s) for s in slots)
        self.free.sort()
        if self.queue:
            self._schedule_arbitration()

    def _schedule_arbitration(self) -> None:
        if self._pending:
            return
        self._pending = True
        ev = simpy.Event(self.env)
        ev._ok = True
        ev._value = None
        ev.callbacks.append(self._arbitrate)
        self.env.schedule(ev, ARBITRATION_PRIORITY)

    def _arbitrate(self, _: simpy.Event) -> None:
        self._pending = False
        while self.queue and self.queue[0][2] <= len(self.free):
            _, _, units, grant = heapq.heappop(self.queue)
            taken, self.free = self.free[:units], self.free[units:]
            grant.succeed(tuple(self.slots[i] for i in taken))
        self._notify()

    def _notify(self) -> None:
        if self.on_queue_change is not None:
            self.on_queue_change(self.resource, len(self.queue))
