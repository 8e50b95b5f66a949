"""Floorplan: how big tiles and PEs are, which layers use novel mapping, and how many copies of a
layer's weights fit in the arrays it occupies (weight duplication, its speed-up).

Ported from DNN+NeuroSim V2.1 (github.com/neurosim/DNN_NeuroSim_V2.1, Training_pytorch/NeuroSIM/Chip.cpp):
ChipDesignInitialize (which layers use novel mapping, the largest PE/tile sizes), ChipFloorPlan (the
size search), TileDesignCM / TileDesignNM / PEDesign (utilization of a candidate size), SubArrayDup and
OverallEachLayer (duplication and tiles per layer). Layer-by-layer processing only (no pipeline).

Conventional mapping (CM): a layer's K x M matrix (K = k*k*Cin rows, M = Cout x cells per weight
columns) is cut into tiles of T x T cells; a tile is a square of PEs of P x P cells; a PE a square of
subarrays. Novel mapping (NM, for the conv layers with the most common kernel size): a tile has one PE
per kernel position (k*k PEs of P x P), PE j holding the Cin x M slice of kernel position j, so the
input feature map is reused across kernel positions. Where a layer's matrix is smaller than a PE (or a
tile), copies of it fill the rest and process different input vectors in parallel.

Sizes here count cells per side (rows of the subarray = the unit); non-square subarrays scale the
column side by cols/rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class LayerShape:
    """What the floorplan needs of one weight layer."""

    in_channels: int  # Cin (inputs of a linear layer)
    kernel: int  # k (1 for linear)
    out_channels: int  # Cout (outputs of a linear layer)

    @property
    def rows(self) -> int:
        return self.in_channels * self.kernel * self.kernel


@dataclass(frozen=True)
class LayerFloorplan:
    novel: bool  # novel mapping (one PE per kernel position)
    tile_rows: int  # tiles along the matrix rows
    tile_cols: int  # tiles along the matrix columns
    pe_dup: tuple[int, int]  # copies across PEs (rows, cols)
    subarray_dup: tuple[int, int]  # copies across subarrays inside a PE (rows, cols)
    utilization: float  # used cells (copies included) / cells of the layer's tiles

    @property
    def tiles(self) -> int:
        return self.tile_rows * self.tile_cols

    @property
    def copies(self) -> int:
        """Weight copies working in parallel: the layer's speed-up (NeuroSim prints it per layer)."""
        return self.pe_dup[0] * self.pe_dup[1] * self.subarray_dup[0] * self.subarray_dup[1]


@dataclass(frozen=True)
class Floorplan:
    tile_size: int  # T: cells per side of a conventional tile
    pe_size: int  # P: cells per side of a conventional PE
    novel_pe_size: int  # P of a novel-mapping PE (0 when no layer uses novel mapping)
    novel_pes: int  # PEs of a novel-mapping tile: the most common k*k (0 when unused)
    layers: tuple[LayerFloorplan, ...]

    @property
    def conventional_pes(self) -> int:
        return (self.tile_size // self.pe_size) ** 2

    @property
    def memory_utilization(self) -> float:
        """NeuroSim's "Memory Utilization of Whole Chip": tile-weighted mean of the layers'."""
        tiles = sum(lp.tiles for lp in self.layers)
        return sum(lp.tiles * lp.utilization for lp in self.layers) / tiles if tiles else 0.0


def _pow2_ceil(x: float) -> int:
    return 2 ** math.ceil(math.log2(x))


def most_common_kernel_area(layers: Sequence[LayerShape]) -> int:
    """k*k of the most layers (first one on ties) -- Chip.cpp:ChipDesignInitialize, numPENM."""
    best, best_count = 0, 0
    for shape in layers:
        area = shape.kernel ** 2
        count = sum(1 for other in layers if other.kernel ** 2 == area)
        if count > best_count:
            best, best_count = area, count
    return best


def novel_mapped(layers: Sequence[LayerShape], cells: int, subarray_rows: int, novel: bool) -> list[bool]:
    """Which layers use novel mapping: the most common kernel size and at least a subarray of rows
    (Chip.cpp:ChipDesignInitialize, markNM). Small convolutions and linear layers stay conventional."""
    if not novel:
        return [False] * len(layers)
    pes = most_common_kernel_area(layers)
    return [s.kernel ** 2 == pes and pes > 1 and s.rows >= subarray_rows for s in layers]


def _tiles_conventional(layers: Sequence[LayerShape], marks: Sequence[bool], cells: int, tile: int) -> tuple[int, float]:
    """(tiles, utilization) of the conventional layers at tile size T (Chip.cpp:TileDesignCM)."""
    tiles, used = 0, 0
    for s, m in zip(layers, marks):
        if not m:
            tiles += math.ceil(s.rows / tile) * math.ceil(s.out_channels * cells / tile)
            used += s.rows * s.out_channels * cells
    return tiles, (used / (tiles * tile * tile) if tiles else 0.0)


def _tiles_novel(layers: Sequence[LayerShape], marks: Sequence[bool], cells: int, pe: int, pes: int) -> tuple[int, float]:
    """(tiles, utilization) of the novel-mapping layers at PE size P (Chip.cpp:TileDesignNM)."""
    tiles, used = 0, 0
    for s, m in zip(layers, marks):
        if m:
            tiles += math.ceil(s.in_channels / pe) * math.ceil(s.out_channels * cells / pe)
            used += s.rows * s.out_channels * cells
    return tiles, (used / (tiles * pe * pe * pes) if tiles else 0.0)


def _fit(matrix_rows: int, matrix_cols: int, container: int, unit: int) -> tuple[int, int]:
    """Copies of a matrix that fit in a container of ``container`` cells per side made of units of
    ``unit`` cells per side (at least one), per dimension -- Chip.cpp:PEDesign and SubArrayDup."""
    per_side = math.ceil(container / unit)
    rows = per_side // math.ceil(matrix_rows / unit)
    cols = per_side // math.ceil(matrix_cols / unit)
    return max(1, rows), max(1, cols)


def _pe_dup(s: LayerShape, cells: int, pe: int, tile: int) -> tuple[int, int]:
    """Copies across the PEs of a conventional tile (Chip.cpp:PEDesign)."""
    if s.rows <= tile or s.out_channels * cells <= tile:
        return _fit(s.rows, s.out_channels * cells, tile, pe)
    return 1, 1


def _subarray_dup(s: LayerShape, novel: bool, cells: int, pe: int, subarray: int) -> tuple[int, int]:
    """Copies across the subarrays of a PE (Chip.cpp:SubArrayDup)."""
    rows = s.in_channels if novel else s.rows
    if rows <= pe or s.out_channels * cells <= pe:
        return _fit(rows, s.out_channels * cells, pe, subarray)
    return 1, 1


def plan(layers: Sequence[LayerShape], *, cells: int, subarray_rows: int, novel: bool, duplication: bool,
         search: bool, tile_size: int, pe_size: int) -> Floorplan:
    """The floorplan of ``layers`` (``cells`` cells per weight). With ``search``, tile and PE sizes are
    NeuroSim's (powers of two, best utilization); otherwise ``tile_size`` / ``pe_size`` as given (the
    novel-mapping PE then has ``pe_size`` too). Without ``duplication`` every layer has one copy."""
    if not layers:
        raise ValueError("a floorplan needs at least one layer")
    marks = novel_mapped(layers, cells, subarray_rows, novel)
    novel_pes = most_common_kernel_area(layers) if any(marks) else 0
    novel_pe = 0
    if search:
        sa = subarray_rows
        if any(marks):
            largest = max(_pow2_ceil(s.out_channels * cells) for s, m in zip(layers, marks) if m)
            novel_pe, best = max(largest, 2 * sa), 0.0
            size = max(largest, 2 * sa)
            while size > 2 * sa:  # Chip.cpp:ChipFloorPlan, candidates above 2 subarrays
                util = _tiles_novel(layers, marks, cells, size, novel_pes)[1]
                if util > best:
                    novel_pe, best = size, util
                size //= 2
        conventional = [s for s, m in zip(layers, marks) if not m]
        largest = max((_pow2_ceil(s.out_channels * cells) for s in conventional), default=4 * sa)
        tile_size = size = max(largest, 4 * sa)
        best = 0.0
        while size > 4 * sa:
            util = _tiles_conventional(layers, marks, cells, size)[1]
            if util > best:
                tile_size, best = size, util
            size //= 2
        n_tiles = _tiles_conventional(layers, marks, cells, tile_size)[0]
        pe_size = size = tile_size // 2
        while size > 2 * sa:  # PEDesign(true): utilization with PE-level copies (NeuroSim compares
            used = sum((_pe_dup(s, cells, size, tile_size)[0] * _pe_dup(s, cells, size, tile_size)[1]
                        if duplication else 1) * s.rows * s.out_channels * cells
                       for s, m in zip(layers, marks) if not m)  # it with the tile utilization)
            util = used / (n_tiles * tile_size * tile_size) if n_tiles else 0.0
            if util > best:
                pe_size, best = size, util
            size //= 2
    else:
        novel_pe = pe_size if any(marks) else 0
    out = []
    for s, m in zip(layers, marks):
        if m:
            tr, tc = math.ceil(s.in_channels / novel_pe), math.ceil(s.out_channels * cells / novel_pe)
            pe_dup = (1, 1)
            sa_dup = _subarray_dup(s, True, cells, novel_pe, subarray_rows) if duplication else (1, 1)
            cap = tr * tc * novel_pe * novel_pe * novel_pes
        else:
            tr, tc = math.ceil(s.rows / tile_size), math.ceil(s.out_channels * cells / tile_size)
            pe_dup = _pe_dup(s, cells, pe_size, tile_size) if duplication else (1, 1)
            sa_dup = _subarray_dup(s, False, cells, pe_size, subarray_rows) if duplication else (1, 1)
            cap = tr * tc * tile_size * tile_size
        copies = pe_dup[0] * pe_dup[1] * sa_dup[0] * sa_dup[1]
        out.append(LayerFloorplan(m, tr, tc, pe_dup, sa_dup, copies * s.rows * s.out_channels * cells / cap))
    return Floorplan(tile_size, pe_size, novel_pe, novel_pes, tuple(out))
