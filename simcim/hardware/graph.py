"""The chip as a networkx graph: components are nodes, links are edges. The engine instantiates it.

Node attributes: ``kind`` (tile | wg_unit | buffer | dram | router | bus), ``capacity`` (1 for a
component that serves one task at a time, 0 for one never contended in this model), and kind
specific data (DRAM channels and bandwidth, buffer pass energy). Edge attributes: ``bandwidth_gbps``,
``energy_pj_per_bit``, ``length_mm``, ``capacity`` (1 = a link carries one transfer at a time).
"""

from __future__ import annotations

import math

import networkx as nx

from simcim.hardware.area import tile_pitch_mm
from simcim.hardware.energies import device_energies
from simcim.hardware.scaling import wire_energy_scale
from simcim.mapping import Placement
from simcim.spec.architecture import Architecture

DRAM = "chip.dram"
GBUF = "chip.gbuf"


def tile_node(i: int) -> str:
    return f"chip.tile{i}"


def wg_node(j: int) -> str:
    return f"chip.wg{j}"


def _link(g: nx.Graph, a: str, b: str, arch: Architecture, length_mm: float, capacity: int = 1,
          bandwidth_gbps: float | None = None) -> None:
    ic = arch.chip.interconnect
    bw = bandwidth_gbps if bandwidth_gbps is not None else ic.link_width_bits * arch.technology.clock_ghz
    energy = ic.wire_energy_pj_per_bit_mm * wire_energy_scale(arch.technology) * length_mm
    g.add_edge(a, b, bandwidth_gbps=bw, energy_pj_per_bit=energy, length_mm=length_mm,
               capacity=capacity, width_bits=ic.link_width_bits if capacity else 0)


def _htree(g: nx.Graph, arch: Architecture, tiles: list[str], pitch: float) -> str:
    """Binary tree of routers over the tiles; returns the root. Links double in length every two levels."""
    level, nodes = 0, tiles
    while len(nodes) > 1:
        parents = []
        for k in range(0, len(nodes), 2):
            router = f"chip.htree.r{level + 1}_{k // 2}"
            g.add_node(router, kind="router", capacity=0)
            for child in nodes[k:k + 2]:
                _link(g, child, router, arch, pitch * 2 ** (level // 2) / 2)
            parents.append(router)
        nodes, level = parents, level + 1
    return nodes[0]


def _mesh(g: nx.Graph, arch: Architecture, tiles: list[str], pitch: float) -> str:
    """Tiles on a square grid with nearest-neighbour links; the corner tile talks to the global buffer."""
    side = math.ceil(math.sqrt(len(tiles)))
    for i, t in enumerate(tiles):
        r, c = divmod(i, side)
        if c + 1 < side and i + 1 < len(tiles):
            _link(g, t, tiles[i + 1], arch, pitch)
        if i + side < len(tiles):
            _link(g, t, tiles[i + side], arch, pitch)
    return tiles[0]


def _bus(g: nx.Graph, arch: Architecture, tiles: list[str], pitch: float) -> str:
    """One shared bus: the bus node itself is the contended resource, taps are free."""
    bus = "chip.bus"
    ic = arch.chip.interconnect
    g.add_node(bus, kind="bus", capacity=1, bandwidth_gbps=ic.link_width_bits * arch.technology.clock_ghz)
    length = pitch * math.sqrt(len(tiles))  # the bus runs across the tile array
    for t in tiles:
        _link(g, t, bus, arch, length / max(len(tiles), 1), capacity=0)
    return bus


def build_graph(arch: Architecture, placement: Placement) -> nx.Graph:
    """Components and links of the chip that holds ``placement``."""
    g = nx.Graph(name=arch.name)
    pitch = tile_pitch_mm(arch)
    dram = arch.chip.dram
    e = device_energies(arch)
    g.add_node(DRAM, kind="dram", capacity=0, channels=dram.channels,
               bandwidth_gbps_per_channel=dram.bandwidth_gbps_per_channel,
               energy_pj_per_bit=dram.energy_pj_per_bit, placement=dram.placement)
    # Data passing the global buffer is written once and read once.
    g.add_node(GBUF, kind="buffer", capacity=0, pass_energy_pj_per_bit=2 * e.sram_bit_pj)
    tiles = [tile_node(i) for i in range(placement.tiles_total)]
    for t in tiles:
        g.add_node(t, kind="tile", capacity=1)
    builders = {"htree": _htree, "mesh": _mesh, "bus": _bus}
    root = builders[arch.chip.interconnect.topology](g, arch, tiles, pitch)
    _link(g, root, GBUF, arch, pitch)
    # The DRAM PHY is as wide as all channels together; the channels themselves are the contention.
    _link(g, GBUF, DRAM, arch, 0.0, capacity=0, bandwidth_gbps=dram.channels * dram.bandwidth_gbps_per_channel)
    for j in range(placement.wg_units):
        g.add_node(wg_node(j), kind="wg_unit", capacity=1)
        _link(g, wg_node(j), DRAM, arch, pitch)
    return g


def wire_bit_mm(g: nx.Graph) -> float:
    """Sum over contended links of width x length, for the interconnect's area."""
    return float(sum(d["width_bits"] * d["length_mm"] for _, _, d in g.edges(data=True)))
