"""The contended components of a chip as typed values: what the engine holds, and what results and
traces report utilization and queueing for.

The planner (simcim.engine.plans) makes them from the chip graph and the placement; nothing parses
a resource's name to learn what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ResourceKind = Literal["tiles", "wg_units", "interconnect", "dram", "buffers"]
# The order sets the trace's process ids (simcim.traceformat): new kinds go at the end.
RESOURCE_KINDS: tuple[ResourceKind, ...] = ("tiles", "wg_units", "interconnect", "dram", "buffers")

# Acquisition tiers: a task takes its unit (tiles or a WG unit) first, then each transfer's whole
# path at once (links, buses, buffer ports, DRAM channels). A task that holds a unit may wait for a
# path, but nothing holding a path ever waits: no cycle of waits can form. The order (tier, then
# name) also numbers the resources inside the engine.
_TIER: dict[str, int] = {"tiles": 0, "wg_units": 0, "interconnect": 1, "buffers": 1, "dram": 2}


@dataclass(frozen=True)
class Resource:
    """One component that serves one task at a time.

    ``name`` is its dotted scope on the chip (``chip.tile4-7``, ``chip.wg0``, ``link:chip.a--chip.b``,
    ``chip.bus``, ``chip.gbuf``, ``chip.dram.ch3``); ``tiles`` is how many physical tiles it stands for (a layer's
    tiles are always taken together, so they are one resource), 1 for anything else.
    """

    kind: ResourceKind
    name: str
    tiles: int = 1

    @property
    def order_key(self) -> tuple[int, str]:
        """The global acquisition order (tier, then name)."""
        return (_TIER[self.kind], self.name)

    def __str__(self) -> str:
        return self.name
