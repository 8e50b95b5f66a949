"""Lowering: what one task does on this chip -- which unit it holds, what it moves, what it computes.

The schedule says *what* runs (layer, phase, image); this module says *where* and *how long*,
from the placement, the cost model and the graph. The engine then only holds resources and waits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from simcim.hardware.costs import LayerCosts, OpCost
from simcim.hardware.graph import DRAM, GBUF, tile_node, wg_node
from simcim.mapping import Placement
from simcim.resources import Resource
from simcim.schedules.tasks import Task


@dataclass(frozen=True)
class Transfer:
    """Move ``bits`` between a unit and DRAM, holding every contended resource on the path."""

    bits: int
    resources: tuple[Resource, ...]
    latency_ps: int
    energy_pj: dict[str, float]
    dram_units: int = 0  # interleaved DRAM: channels taken from the pool (0: a named channel is in resources)


@dataclass(frozen=True)
class Compute:
    latency_ps: int
    energy_pj: dict[str, float]


Step = Transfer | Compute


@dataclass(frozen=True)
class Plan:
    units: tuple[Resource, ...]  # held for the whole task
    steps: tuple[Step, ...]
    macs: int

    @cached_property  # computed once per (layer, phase); every task record shares it
    def energy_pj(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for step in self.steps:
            for k, v in step.energy_pj.items():
                out[k] = out.get(k, 0.0) + v
        return out

    @cached_property
    def energy_total_pj(self) -> float:
        return sum(self.energy_pj.values())


def link_name(a: str, b: str) -> str:
    return "link:" + "--".join(sorted((a, b)))


def tile_group_name(tiles: tuple[int, ...]) -> str:
    """``chip.tile4`` for one tile, ``chip.tile4-7`` for a contiguous group."""
    return tile_node(tiles[0]) if len(tiles) == 1 else f"{tile_node(tiles[0])}-{tiles[-1]}"


def channel_name(k: int) -> str:
    return f"{DRAM}.ch{k}"


# The interleaved DRAM pool as a whole (its queue is the pool's).
DRAM_POOL = Resource("dram", DRAM)


class Planner:
    """Builds (and caches per layer and phase) the plan of every task."""

    def __init__(self, graph: nx.Graph, placement: Placement, costs: list[LayerCosts]) -> None:
        self.graph = graph
        self.placement = placement
        self.costs = costs
        dram = graph.nodes[DRAM]
        self._interleaved = dram["placement"] == "interleaved"
        self._channels = int(dram["channels"])
        self._channel_bw = float(dram["bandwidth_gbps_per_channel"])
        self._dram_pj = float(dram["energy_pj_per_bit"])
        self._cache: dict[tuple[int, str], Plan] = {}
        # Per planner, not a module-level lru_cache: that would keep every planner (and its graph)
        # alive for the life of the process, e.g. a sweep worker's.
        self._paths: dict[str, tuple[tuple[Resource, ...], float, dict[str, float]]] = {}

    def units(self, task: Task) -> tuple[Resource, ...]:
        """The resources a task holds throughout. A layer's tiles are always taken together and
        never shared with another layer (see mapping), so they are one resource: one request
        instead of one per tile, and one trace track per group."""
        lp = self.placement.layers[task.layer - 1]
        if task.unit == "wg":
            return (Resource("wg_units", wg_node(lp.wg_unit)),)
        tiles = lp.tiles if task.unit == "weights" else lp.feedback_tiles
        return (Resource("tiles", tile_group_name(tiles), len(tiles)),)

    def port(self, task: Task) -> str:
        """The graph node a task's data enters and leaves by."""
        lp = self.placement.layers[task.layer - 1]
        if task.unit == "wg":
            return wg_node(lp.wg_unit)
        return tile_node((lp.tiles if task.unit == "weights" else lp.feedback_tiles)[0])

    def _path(self, src: str) -> tuple[tuple[Resource, ...], float, dict[str, float]]:
        """Contended resources, bottleneck bandwidth (Gb/s) and pJ/bit by component, src -> DRAM."""
        if src not in self._paths:
            self._paths[src] = self._find_path(src)
        return self._paths[src]

    def _find_path(self, src: str) -> tuple[tuple[Resource, ...], float, dict[str, float]]:
        path = nx.shortest_path(self.graph, src, DRAM, weight="length_mm")
        resources: list[Resource] = []
        bw = math.inf
        pj = {"interconnect": 0.0, "buffers": 0.0}
        for a, b in zip(path, path[1:]):
            edge = self.graph.edges[a, b]
            bw = min(bw, edge["bandwidth_gbps"])
            pj["interconnect"] += edge["energy_pj_per_bit"]
            if edge["capacity"]:
                resources.append(Resource("interconnect", link_name(a, b)))
        for node in path[1:-1]:
            data = self.graph.nodes[node]
            # A bus is itself the contended medium. Tiles a mesh route passes are not held:
            # their routers forward in parallel with compute, and holding them would let two
            # tasks each wait for the other's tile.
            if data["kind"] == "bus":
                resources.append(Resource("interconnect", node))
                bw = min(bw, data.get("bandwidth_gbps", math.inf))
            if node == GBUF:
                pj["buffers"] += data["pass_energy_pj_per_bit"]
        return tuple(resources), bw, pj

    def _transfer(self, src: str, layer: int, bits: int) -> Transfer:
        resources, bw, pj = self._path(src)
        units = 0
        if self._interleaved:
            # Striped over as many channels as the path can feed: a 256 Gb/s link gains nothing
            # from a second 256 Gb/s channel, and must not keep it from other transfers.
            units = min(self._channels, max(1, math.ceil(bw / self._channel_bw)))
            bw = min(bw, units * self._channel_bw)
        else:
            resources = resources + (Resource("dram", channel_name(self.placement.layers[layer - 1].dram_channel)),)
            bw = min(bw, self._channel_bw)
        latency_ps = math.ceil(bits * 1000 / bw)  # Gb/s = bits/ns
        energy = {"interconnect": bits * pj["interconnect"], "buffers": bits * pj["buffers"],
                  "dram": bits * self._dram_pj}
        return Transfer(bits, resources, latency_ps, energy, units)

    @property
    def dram_pool(self) -> list[Resource]:
        """Channels of the interleaved DRAM pool (empty when channels are placed per layer)."""
        return [Resource("dram", channel_name(k)) for k in range(self._channels)] if self._interleaved else []

    def plan(self, task: Task) -> Plan:
        key = (task.layer, task.phase)
        if key not in self._cache:
            cost: OpCost | None = getattr(self.costs[task.layer - 1], task.phase)
            if cost is None:
                raise ValueError(f"no cost for {task.name} under this rule")
            units = self.units(task)
            port = self.port(task)
            steps: list[Step] = []
            if cost.dram_read_bits:
                steps.append(self._transfer(port, task.layer, cost.dram_read_bits))
            steps.append(Compute(cost.latency_ps, dict(cost.energy_pj)))
            if cost.dram_write_bits:
                steps.append(self._transfer(port, task.layer, cost.dram_write_bits))
            self._cache[key] = Plan(units, tuple(steps), cost.macs)
        return self._cache[key]
