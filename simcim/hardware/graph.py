"""The chip as a networkx graph: the units tasks hold (a layer's tiles, a feedback block, a WG unit),
the paths between them and the global buffer, and the buffer's ports. The planner reads a unit's
path from here; the engine holds its contended parts.

Node attributes: ``kind`` (unit | router | bus | buffer | tile), ``capacity`` (1 = serves one transfer
at a time). Edge attributes: ``width_bits`` (bits per transfer), ``transfer_s`` (wire delay of one
transfer over the edge: NeuroSim moves a bus-width word root-to-leaf per transfer, HTree.cpp
CalculateLatency), ``energy_j_per_bit``, ``capacity``.

Topologies: ``htree`` -- NeuroSim's chip H-tree. With ``bandwidth: partitioned`` each layer owns a
share of the bus width in proportion to its tiles (Chip.cpp: numBitAccess per layer), so nothing
contends; with ``shared`` every unit's traffic crosses one root of the full width. ``bus`` -- one bus
all units share. ``mesh`` -- tiles on a grid with neighbour links, the corner tile next to the buffer.
Weight-gradient units sit next to the global buffer (NeuroSim charges their data to the buffer only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

from simcim.hardware.chip import ChipModel
from simcim.mapping import Placement

GBUF = "chip.gbuf"


def tile_node(i: int) -> str:
    return f"chip.tile{i}"


def tile_group_name(tiles: tuple[int, ...]) -> str:
    """``chip.tile4`` for one tile, ``chip.tile4-7`` for a contiguous group."""
    return tile_node(tiles[0]) if len(tiles) == 1 else f"{tile_node(tiles[0])}-{tiles[-1]}"


def wg_node(j: int) -> str:
    return f"chip.wg{j}"


@dataclass(frozen=True)
class Unit:
    """A unit tasks hold, with its share of the chip's tiles (for partitioned bandwidth)."""

    name: str
    tiles: int


def units(placement: Placement) -> list[Unit]:
    out = [Unit(tile_group_name(lp.tiles), len(lp.tiles)) for lp in placement.layers]
    out += [Unit(tile_group_name(b.tiles), len(b.tiles)) for b in placement.feedback]
    out += [Unit(wg_node(j), 0) for j in range(placement.wg_units)]
    return out


def _edge(g: nx.Graph, a: str, b: str, width_bits: int, transfer_s: float, energy_j_per_bit: float,
          capacity: int) -> None:
    g.add_edge(a, b, width_bits=max(1, int(width_bits)), transfer_s=transfer_s, energy_j_per_bit=energy_j_per_bit,
               capacity=capacity)


def build_graph(chip: ChipModel) -> nx.Graph:
    """Units, the interconnect to the global buffer, and the buffer's ports."""
    placement, arch = chip.placement, chip.arch
    ic = arch.chip.interconnect
    g = nx.Graph(name=arch.name)
    shared = ic.bandwidth == "shared"
    g.add_node(GBUF, kind="buffer", capacity=1 if shared else 0)
    tile = chip.tile_side_m
    tree = chip.htree
    width = chip.bus_width_bits
    total_tiles = max(1, placement.tiles_total)
    topology = ic.topology
    hub = GBUF
    if topology == "htree" and shared:
        hub = "chip.htree"
        g.add_node(hub, kind="bus", capacity=1)
        _edge(g, hub, GBUF, width, 0.0, 0.0, 0)
    elif topology == "bus":
        hub = "chip.bus"
        g.add_node(hub, kind="bus", capacity=1)
        _edge(g, hub, GBUF, width, 0.0, 0.0, 0)
    mesh_side = math.ceil(math.sqrt(total_tiles))
    if topology == "mesh":
        for i in range(total_tiles):
            g.add_node(tile_node(i), kind="tile", capacity=0)
            r, c = divmod(i, mesh_side)
            if c + 1 < mesh_side and i + 1 < total_tiles:
                _edge(g, tile_node(i), tile_node(i + 1), width, tree.delay_s_per_m * tile,
                      tree.energy_j_per_m_bit * tile, 1)
            if i + mesh_side < total_tiles:
                _edge(g, tile_node(i), tile_node(i + mesh_side), width, tree.delay_s_per_m * tile,
                      tree.energy_j_per_m_bit * tile, 1)
        _edge(g, tile_node(0), GBUF, width, tree.delay_s_per_m * tile, tree.energy_j_per_m_bit * tile, 1)
    root_to_leaf_s = tree.latency_per_transfer_s(tile, tile)
    root_to_leaf_j = tree.energy_per_bit_j(tile, tile)
    for unit in units(placement):
        g.add_node(unit.name, kind="unit", capacity=0, tiles=unit.tiles)
        if unit.tiles == 0:  # a WG unit, beside the buffer
            _edge(g, unit.name, GBUF, width, 0.0, 0.0, 0)
        elif topology == "htree" and not shared:
            share = math.ceil(width * unit.tiles / total_tiles)
            _edge(g, unit.name, GBUF, share, root_to_leaf_s, root_to_leaf_j, 1)
        elif topology in ("htree", "bus"):
            length_m = tile * math.sqrt(total_tiles) if topology == "bus" else 0.0
            transfer_s = root_to_leaf_s if topology == "htree" else tree.delay_s_per_m * length_m
            energy = root_to_leaf_j if topology == "htree" else tree.energy_j_per_m_bit * length_m
            _edge(g, unit.name, hub, width, transfer_s, energy, 0)
        else:  # mesh: the unit enters at its first tile
            first = int(unit.name.removeprefix("chip.tile").split("-")[0])
            _edge(g, unit.name, tile_node(first), width, 0.0, 0.0, 0)
    return g
