"""Lowering: what one task does on this chip -- which unit it holds, what it moves, what it computes.

The schedule says *what* runs (layer, phase, image); this module says *where* and *how long*,
from the placement, the cost model and the graph. The engine then only holds resources and waits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from simcim.hardware.chip import ChipModel
from simcim.hardware.costs import Compute, LayerCosts, OpCost, Traffic
from simcim.hardware.graph import GBUF, tile_group_name, wg_node
from simcim.mapping import Placement
from simcim.resources import Resource
from simcim.schedules.tasks import Task

PS_PER_S = 1e12
PJ_PER_J = 1e12


@dataclass(frozen=True)
class Transfer:
    """Move ``bits`` over one shared path (DRAM, the global buffer, the chip bus), holding its resources."""

    bits: int
    resources: tuple[Resource, ...]
    latency_ps: int
    energy_pj: dict[str, float]
    dram_units: int = 0  # interleaved DRAM: channels taken from the pool (0: none, or a named channel in resources)


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


def channel_name(k: int) -> str:
    return f"{DRAM}.ch{k}"


DRAM = "chip.dram"
# The interleaved DRAM pool as a whole (its queue is the pool's).
DRAM_POOL = Resource("dram", DRAM)


@dataclass(frozen=True)
class BusPath:
    """A unit's way to the global buffer: what it holds, bits per transfer, delay and energy."""

    resources: tuple[Resource, ...]
    width_bits: int
    transfer_s: float
    energy_j_per_bit: float


class Planner:
    """Builds (and caches per layer and phase) the plan of every task."""

    def __init__(self, graph: nx.Graph, chip: ChipModel, costs: list[LayerCosts]) -> None:
        self.graph = graph
        self.chip = chip
        self.placement: Placement = chip.placement
        self.costs = costs
        dram = chip.arch.chip.dram
        self._interleaved = dram.placement == "interleaved"
        self._channels = dram.channels
        self._channel_bit_per_s = dram.bandwidth_gbps_per_channel * 1e9
        self._dram_j_per_bit = dram.energy_pj_per_bit * 1e-12
        self._shared_buffer = chip.arch.chip.interconnect.bandwidth == "shared"
        self._cache: dict[tuple[int, str], Plan] = {}
        # Per planner, not a module-level cache: that would keep every planner (and its graph)
        # alive for the life of the process, e.g. a sweep worker's.
        self._paths: dict[str, BusPath] = {}

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
        """The graph node (unit) a task's data enters and leaves by."""
        return self.units(task)[0].name

    def _bus(self, src: str) -> BusPath:
        if src not in self._paths:
            path = nx.shortest_path(self.graph, src, GBUF)
            resources: list[Resource] = []
            width, delay, energy = math.inf, 0.0, 0.0
            for a, b in zip(path, path[1:]):
                edge = self.graph.edges[a, b]
                width = min(width, edge["width_bits"])
                delay += edge["transfer_s"]
                energy += edge["energy_j_per_bit"]
                if edge["capacity"]:
                    resources.append(Resource("interconnect", link_name(a, b)))
            for node in path[1:-1]:
                if self.graph.nodes[node]["kind"] == "bus":  # a shared bus or H-tree root
                    resources.append(Resource("interconnect", node))
            self._paths[src] = BusPath(tuple(resources), int(width), delay, energy)
        return self._paths[src]

    def _transfer(self, task: Task, traffic: Traffic) -> Transfer:
        bits = traffic.bits
        unit = self.port(task)
        if traffic.path == "bus":
            bus = self._bus(unit)
            latency_s = math.ceil(bits / bus.width_bits) * bus.transfer_s
            return Transfer(bits, bus.resources, math.ceil(latency_s * PS_PER_S),
                            {"interconnect": bits * bus.energy_j_per_bit * PJ_PER_J})
        if traffic.path == "buffer":
            core, _ = self.chip.global_buffer
            bandwidth = self.chip.global_buffer_bandwidth_bit_per_s
            if self._shared_buffer:
                resources: tuple[Resource, ...] = (Resource("buffers", GBUF),)
            else:  # NeuroSim: a layer gets its tiles' share of the buffer's lanes; WG units all of them
                if traffic.layer_share:  # the data of the task's layer, in that layer's share
                    unit = tile_group_name(self.placement.layers[task.layer - 1].tiles)
                tiles = self.graph.nodes[unit]["tiles"]
                if tiles:
                    bandwidth /= math.ceil(max(1, self.placement.tiles_total) / tiles)
                resources = (Resource("buffers", f"{GBUF}:{unit}"),)
            return Transfer(bits, resources, math.ceil(bits / bandwidth * PS_PER_S),
                            {"buffers": bits * core.energy_per_bit_j * PJ_PER_J})
        energy = {"dram": bits * self._dram_j_per_bit * PJ_PER_J}
        if self._interleaved:  # striped over every channel of the pool
            latency_ps = math.ceil(bits / (self._channels * self._channel_bit_per_s) * PS_PER_S)
            return Transfer(bits, (), latency_ps, energy, self._channels)
        channel = Resource("dram", channel_name(self.placement.layers[task.layer - 1].dram_channel))
        return Transfer(bits, (channel,), math.ceil(bits / self._channel_bit_per_s * PS_PER_S), energy)

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
            steps: list[Step] = []
            for step in cost.steps:
                if isinstance(step, Traffic):
                    steps.append(self._transfer(task, step))
                else:
                    steps.append(step)
            self._cache[key] = Plan(self.units(task), tuple(steps), cost.macs)
        return self._cache[key]
