"""Mapping: each layer's weight matrix (and any feedback matrix) onto subarrays, PEs and tiles.

Weight-stationary, one layer per set of whole tiles, no duplication -- NeuroSim's layer-by-layer
mapping. A weight of ``weight_bits`` takes ceil(weight_bits / bits_per_cell) adjacent cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simcim.network import WeightLayer, classes, weight_layers
from simcim.rules import LearningRule, get_rule
from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload


@dataclass(frozen=True)
class ArrayGroup:
    """A matrix of ``rows`` x ``cols`` values laid on subarrays."""

    rows: int
    cols: int
    cells_per_value: int
    row_groups: int
    col_groups: int
    subarrays: int
    pes: int
    tiles: int
    utilization: float  # used cells / cells of the tiles it occupies


@dataclass(frozen=True)
class LayerPlacement:
    layer: WeightLayer
    weights: ArrayGroup
    tiles: tuple[int, ...]
    feedback: ArrayGroup | None  # the rule's fixed B (simcim.rules.LearningRule.feedback_shape), if any
    feedback_tiles: tuple[int, ...]
    wg_unit: int
    dram_channel: int


@dataclass(frozen=True)
class Placement:
    rule: LearningRule
    layers: tuple[LayerPlacement, ...]
    tiles_used: int
    tiles_total: int
    wg_units: int
    classes: int
    memory_utilization: float  # used cells / all cells of the chip's tiles


def cells_per_weight(arch: Architecture, weight_bits: int) -> int:
    return math.ceil(weight_bits / arch.device.bits_per_cell)


def place_matrix(arch: Architecture, rows: int, cols: int, cells: int) -> ArrayGroup:
    """Tile a rows x cols matrix of ``cells``-cell values over subarrays, PEs and tiles."""
    sa = arch.subarray
    row_groups = math.ceil(rows / sa.rows)
    col_groups = math.ceil(cols * cells / sa.cols)
    subarrays = row_groups * col_groups
    pes = math.ceil(subarrays / arch.pe.subarrays)
    tiles = math.ceil(pes / arch.tile.pes)
    capacity = tiles * arch.tile.pes * arch.pe.subarrays * sa.rows * sa.cols
    return ArrayGroup(rows, cols, cells, row_groups, col_groups, subarrays, pes, tiles,
                      rows * cols * cells / capacity)


def wg_units_for(arch: Architecture, rule: LearningRule, n_layers: int) -> int:
    """Number of weight-gradient units: 'auto' takes the rule's policy (the study's fork: one per
    layer for layer-parallel rules, one shared unit otherwise)."""
    mode = arch.chip.weight_gradient.units
    if mode == "auto":
        mode = rule.wg_units
    return n_layers if mode == "per_layer" else 1


def place(arch: Architecture, workload: Workload) -> Placement:
    """Assign every weight layer (and its feedback matrix, if the rule has one) to whole tiles."""
    rule = get_rule(workload.rule)
    if rule.reads_transposed and not arch.subarray.transposable:
        raise arch.error("subarray.transposable",
                         f"rule {rule.name} reads {rule.through}^T: it needs transposable subarrays "
                         "(set true, or use fa/dfa)")
    layers = weight_layers(workload)
    n_cls = classes(workload)
    cells = cells_per_weight(arch, workload.quantization.weight_bits)
    n_wg = wg_units_for(arch, rule, len(layers))
    next_tile = 0
    placed: list[LayerPlacement] = []
    fb_groups: list[ArrayGroup | None] = []
    for layer in layers:
        weights = place_matrix(arch, layer.rows, layer.cols, cells)
        tiles = tuple(range(next_tile, next_tile + weights.tiles))
        next_tile += weights.tiles
        shape = rule.feedback_shape(layer, len(layers), n_cls)
        fb = place_matrix(arch, shape.inputs, shape.outputs, cells) if shape else None
        fb_groups.append(fb)
        placed.append(LayerPlacement(layer, weights, tiles, fb, (), 0, 0))
    # Feedback arrays go on tiles after all weight tiles, so weight tiles stay contiguous.
    final: list[LayerPlacement] = []
    for i, (lp, fb) in enumerate(zip(placed, fb_groups)):
        fb_tiles: tuple[int, ...] = ()
        if fb is not None:
            fb_tiles = tuple(range(next_tile, next_tile + fb.tiles))
            next_tile += fb.tiles
        final.append(LayerPlacement(lp.layer, lp.weights, lp.tiles, fb, fb_tiles,
                                    wg_unit=i % n_wg, dram_channel=i % arch.chip.dram.channels))
    tiles_used = next_tile
    tiles_total = tiles_used if arch.chip.tiles == "auto" else int(arch.chip.tiles)
    if tiles_used > tiles_total:
        raise arch.error("chip.tiles", f"the network needs {tiles_used} tiles for rule {rule.name}, "
                                       f"the chip has {tiles_total}")
    used_cells = sum(lp.weights.rows * lp.weights.cols * cells for lp in final) + sum(
        lp.feedback.rows * lp.feedback.cols * cells for lp in final if lp.feedback)
    cap = tiles_total * arch.tile.pes * arch.pe.subarrays * arch.subarray.rows * arch.subarray.cols
    return Placement(rule, tuple(final), tiles_used, tiles_total, n_wg, n_cls, used_cells / cap)
