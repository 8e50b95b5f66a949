"""Mapping: each layer's weight matrix (and the rule's fixed feedback matrices) onto tiles, PEs and
subarrays, with the floorplan of simcim.floorplan (NeuroSim V2.1's sizes, novel mapping and weight
duplication where the chip asks for them).

Weight-stationary and layer by layer: every layer owns whole tiles. A weight of ``weight_bits``
takes ceil(weight_bits / bits_per_cell) adjacent cells. Feedback matrices sit on conventional
tiles after all weight tiles: one B per layer for rules whose error walks back through B (FA), and
one packed block for rules that broadcast the output error (DFA, DRTP) -- every hidden layer's
B_l (classes x its outputs) stacked on the rows of shared subarrays, as the study's NeuroSim fork
stores a single (largest layer outputs x classes) block.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simcim.floorplan import Floorplan, LayerFloorplan, LayerShape, plan
from simcim.network import WeightLayer, classes, weight_layers
from simcim.rules import LearningRule, get_rule
from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload


@dataclass(frozen=True)
class LayerPlacement:
    layer: WeightLayer
    floorplan: LayerFloorplan
    tiles: tuple[int, ...]
    feedback_tiles: tuple[int, ...]  # the tiles of the B this layer reads (shared by all layers when packed)
    wg_unit: int
    dram_channel: int

    @property
    def copies(self) -> int:
        return self.floorplan.copies


@dataclass(frozen=True)
class FeedbackPlacement:
    """A fixed feedback matrix on its own conventional tiles: ``rows`` inputs x ``cols`` outputs."""

    rows: int
    cols: int
    floorplan: LayerFloorplan
    tiles: tuple[int, ...]
    layers: tuple[int, ...]  # the weight layers (1-based) whose error it carries


@dataclass(frozen=True)
class Placement:
    rule: LearningRule
    layers: tuple[LayerPlacement, ...]
    feedback: tuple[FeedbackPlacement, ...]
    floorplan: Floorplan
    cells_per_weight: int
    transposed_periphery: bool  # subarrays carry the row-side periphery for W^T reads
    tiles_used: int
    tiles_total: int
    wg_units: int
    classes: int
    memory_utilization: float  # used cells / all cells of the chip's tiles

    @property
    def feedback_packed(self) -> bool:
        return len(self.feedback) == 1 and len(self.feedback[0].layers) > 1


def cells_per_weight(arch: Architecture, weight_bits: int) -> int:
    return math.ceil(weight_bits / arch.device.bits_per_cell)


def wg_units_for(arch: Architecture, rule: LearningRule, n_layers: int) -> int:
    """Number of weight-gradient units: 'auto' takes the rule's policy (the study's fork: one per
    layer for layer-parallel rules, one shared unit otherwise)."""
    mode = arch.chip.weight_gradient.units
    if mode == "auto":
        mode = rule.wg_units
    return n_layers if mode == "per_layer" else 1


def transposed_periphery(arch: Architecture, rule: LearningRule) -> bool:
    """Whether the subarrays get the row-side (W^T) periphery: where the rule reads W^T, unless the
    chip says otherwise; a rule that needs it on a chip without it is an error."""
    setting = arch.subarray.transposable
    if setting is False and rule.reads_transposed:
        raise arch.error("subarray.transposable",
                         f"rule {rule.name} reads {rule.through}^T: it needs transposable subarrays "
                         "(set true or auto, or use fa/dfa)")
    return rule.reads_transposed if setting == "auto" else bool(setting)


def layer_shape(layer: WeightLayer) -> LayerShape:
    return LayerShape(layer.rows // (layer.kernel * layer.kernel), layer.kernel, layer.cols)


def place(arch: Architecture, workload: Workload) -> Placement:
    """Assign every weight layer (and its feedback matrix, if the rule has one) to whole tiles."""
    rule = get_rule(workload.rule)
    periphery = transposed_periphery(arch, rule)
    layers = weight_layers(workload)
    n_cls = classes(workload)
    cells = cells_per_weight(arch, workload.quantization.weight_bits)
    sa = arch.subarray
    pe_side = math.isqrt(arch.pe.subarrays) * sa.rows
    tile_side = math.isqrt(arch.tile.pes) * pe_side
    m = arch.chip.mapping
    fp = plan([layer_shape(layer) for layer in layers], cells=cells, subarray_rows=sa.rows, novel=m.novel,
              duplication=m.duplication, search=m.floorplan_search, tile_size=tile_side, pe_size=pe_side)
    n_wg = wg_units_for(arch, rule, len(layers))
    next_tile = 0
    tiles_of: list[tuple[int, ...]] = []
    for lfp in fp.layers:
        tiles_of.append(tuple(range(next_tile, next_tile + lfp.tiles)))
        next_tile += lfp.tiles
    # Feedback matrices: conventional tiles after every weight tile (weight tiles stay contiguous).
    shapes = {layer.index: rule.feedback_shape(layer, len(layers), n_cls) for layer in layers}
    blocks: list[tuple[int, int, tuple[int, ...]]] = []  # (rows, cols, layers)
    if rule.fixed_feedback and rule.layer_parallel:
        users = tuple(i for i, s in shapes.items() if s is not None)
        if users:  # packed: each B_l on rows of its own, all sharing the columns
            blocks.append((sum(shapes[i].inputs for i in users), max(shapes[i].outputs for i in users), users))
    else:
        blocks += [(s.inputs, s.outputs, (i,)) for i, s in shapes.items() if s is not None]
    feedback: list[FeedbackPlacement] = []
    fb_tiles: dict[int, tuple[int, ...]] = {}
    for rows, cols, users in blocks:
        bfp = plan([LayerShape(rows, 1, cols)], cells=cells, subarray_rows=sa.rows, novel=False, duplication=False,
                   search=False, tile_size=fp.tile_size, pe_size=fp.pe_size).layers[0]
        tiles = tuple(range(next_tile, next_tile + bfp.tiles))
        next_tile += bfp.tiles
        feedback.append(FeedbackPlacement(rows, cols, bfp, tiles, users))
        for i in users:
            fb_tiles[i] = tiles
    placed = tuple(LayerPlacement(layer, lfp, tiles, fb_tiles.get(layer.index, ()), wg_unit=i % n_wg,
                                  dram_channel=i % arch.chip.dram.channels)
                   for i, (layer, lfp, tiles) in enumerate(zip(layers, fp.layers, tiles_of)))
    tiles_used = next_tile
    tiles_total = tiles_used if arch.chip.tiles == "auto" else int(arch.chip.tiles)
    if tiles_used > tiles_total:
        raise arch.error("chip.tiles", f"the network needs {tiles_used} tiles for rule {rule.name}, "
                                       f"the chip has {tiles_total}")
    used_cells = sum(lp.layer.weights * cells * lp.copies for lp in placed) + sum(
        b.rows * b.cols * cells for b in feedback)
    cap = sum(_tile_cells(fp, lp.floorplan) * lp.floorplan.tiles for lp in placed) + sum(
        _tile_cells(fp, b.floorplan) * b.floorplan.tiles for b in feedback)
    cap += (tiles_total - tiles_used) * fp.tile_size * fp.tile_size
    return Placement(rule, placed, tuple(feedback), fp, cells, periphery, tiles_used, tiles_total, n_wg, n_cls,
                     used_cells / cap)


def _tile_cells(fp: Floorplan, lfp: LayerFloorplan) -> int:
    """Cells of one tile of this layer's kind."""
    return fp.novel_pe_size ** 2 * fp.novel_pes if lfp.novel else fp.tile_size ** 2
