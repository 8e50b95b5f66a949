"""A capacity-1 resource with oldest-first arbitration, settled at the end of each instant.

SimPy's own Resource grants a free resource to whichever request happens to be made first within
an instant, which depends on callback order. Here every request made at the same instant is
collected first (arbitration runs at a priority below every ordinary event), then the request of
the oldest task -- lowest task id, i.e. earliest in program order -- wins. That is a common
hardware arbitration policy and it makes contended schedules reproducible by hand.
"""

from __future__ import annotations

import heapq

import simpy

# SimPy orders same-time events by (priority, insertion): URGENT=0, NORMAL=1. 2 sorts after both.
ARBITRATION_PRIORITY = 2


class Arbiter:
    """One component (tile group, WG unit, link, DRAM channel) that serves one task at a time."""

    __slots__ = ("env", "name", "busy", "queue", "_pending", "_seq", "on_queue_change")

    def __init__(self, env: simpy.Environment, name: str) -> None:
        self.env = env
        self.name = name
        self.busy = False
        self.queue: list[tuple[int, int, simpy.Event]] = []
        self._pending = False
        self._seq = 0
        self.on_queue_change = None  # optional callback(name, waiting) for traces

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
            self.on_queue_change(self.name, len(self.queue))
