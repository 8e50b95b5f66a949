"""The chip's components, sized for a placement, and what each layer's work costs on them.

The hierarchy and the accounting follow DNN+NeuroSim V2.1 (github.com/neurosim/DNN_NeuroSim_V2.1,
Training_pytorch/NeuroSIM): subarrays -> PE (ProcessingUnit.cpp) -> tile (Tile.cpp) -> chip
(Chip.cpp), with the circuits of simcim.hardware.circuits. This module holds the compute side of
every task -- what happens inside the unit a task holds (a layer's tiles, a weight-gradient unit)
-- and the parameters of the shared paths (chip bus, global buffer, DRAM) that the engine's
transfers use. What moves over those paths is said by simcim.hardware.costs.

Work is counted per image (forward, error, weight gradient) or per batch (weight update), as
NeuroSim counts it; the engine then decides what overlaps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from simcim.hardware.circuits import (DFF, Adder, AdderTree, BitShifter, Buffer, Bus, HTree, MaxPooling, Subarray,
                                      SubarrayDesign, WeightGradientUnit, technology, wire)
from simcim.mapping import FeedbackPlacement, LayerPlacement, Placement
from simcim.network import PostOp
from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload

# Energy and area are booked by these components; reports show them in this order.
COMPONENTS = ("arrays", "adc", "accumulation", "other", "buffers", "interconnect", "dram", "wg_units", "leakage")
AREA_COMPONENTS = ("arrays", "adc", "accumulation", "other", "buffers", "interconnect", "wg_units")

# NeuroSim's global buffer is built of 128 x 128 register-file (or SRAM) cores with 128-bit lines
# (Param.cpp globalBufferCoreSizeRow/Col); tile buffers of 32 x 32 cores (tileBufferCoreSizeRow/Col).
GLOBAL_BUFFER_CORE_BITS = 128 * 128
GLOBAL_BUFFER_LINE_BITS = 128
TILE_BUFFER_CORE_BITS = 32 * 32
TILE_BUFFER_LINE_BITS = 32
# Tile H-trees fold 16-fold in layout, the chip H-tree 4-fold (Param.cpp treeFoldedRatio; Tile.cpp).
TILE_HTREE_FOLDING = 16
CHIP_HTREE_FOLDING = 4


@dataclass
class Cost:
    """Latency and dynamic energy of a piece of work, energy by component (J)."""

    latency_s: float = 0.0
    energy_j: dict[str, float] = field(default_factory=dict)

    def add_energy(self, component: str, joules: float) -> None:
        self.energy_j[component] = self.energy_j.get(component, 0.0) + joules

    def add(self, other: "Cost", latency: bool = True, times: float = 1.0) -> None:
        """Add ``times`` x ``other``'s energy, and its latency when the two run one after the other."""
        if latency:
            self.latency_s += other.latency_s
        for k, v in other.energy_j.items():
            self.add_energy(k, v * times)


def _sq(n: int) -> int:
    return math.isqrt(n)


@dataclass(frozen=True)
class Slice:
    """The part of a layer's matrix one tile (or PE) holds: ``rows`` x ``cols`` cells."""

    rows: int
    cols: int


class PeModel:
    """A PE of ``side`` x ``side`` subarrays: the subarrays, an adder tree over the subarray rows,
    input/output DFF buffers and the two buses (ProcessingUnit.cpp)."""

    def __init__(self, chip: "ChipModel", side: int) -> None:
        self.chip = chip
        self.side = side  # subarrays per side
        tech, sa = chip.tech, chip.subarray_spec
        q = chip.workload.quantization
        self.levels_bits = sa.adc.bits
        # ProcessingUnit.cpp:ProcessingUnitInitialize -- adder tree over the subarray rows, one tree per
        # ADC column group; input buffer one bit-plane of a subarray's rows; output buffer the shift-add
        # results of one subarray's ADCs plus the tree's growth.
        self.tree_bits = self.levels_bits + q.activation_bits + chip.cells + 1  # the tree's input width (numAdderBit)
        self.adder_tree = AdderTree(tech, side, self.tree_bits, math.ceil(side * sa.cols / sa.cols_per_adc))
        # The output DFFs: log2(levelOutput) + numBitInput + numColPerSynapse + numStage bits per ADC
        # group -- without the tree's +1 (ProcessingUnit.cpp:ProcessingUnitInitialize, bufferOutputCM).
        out_bits = self.tree_bits - 1 + self.adder_tree.stage_count
        self.buffer_in = DFF(tech, q.activation_bits * sa.rows, chip.clock_hz)
        self.buffer_out = DFF(tech, (sa.cols // sa.cols_per_adc) * out_bits, chip.clock_hz)
        sa_fp = chip.subarray.footprint
        self.bus_in = Bus(tech, chip.wire, side, side, sa.rows, sa_fp.height_m, sa_fp.width_m, horizontal=True)
        self.bus_out = Bus(tech, chip.wire, side, side, sa.cols, sa_fp.height_m, sa_fp.width_m, horizontal=False)

    @cached_property
    def area_m2(self) -> dict[str, float]:
        """ProcessingUnit.cpp:ProcessingUnitCalculateArea: subarrays (used area, not their bounding
        box) + adder tree + buffers; buses overlap the arrays (no area)."""
        n = self.side ** 2
        sa = self.chip.subarray.area
        fp = self.chip.subarray.footprint
        return {"arrays": sa.array_m2 * n, "adc": sa.adc_m2 * n,
                "accumulation": sa.accumulation_m2 * n + self.adder_tree.area_m2(width_m=fp.width_m),
                "other": sa.other_m2 * n,
                "buffers": self.buffer_in.footprint(height_m=self.side * fp.height_m).area_m2
                + self.buffer_out.footprint(width_m=self.side * fp.width_m).area_m2}

    @cached_property
    def side_m(self) -> float:
        """PEs are laid out square (ProcessingUnitCalculateArea)."""
        return math.sqrt(sum(self.area_m2.values()))

    @cached_property
    def leakage_w(self) -> float:
        return (self.chip.subarray.leakage_w * self.side ** 2 + self.adder_tree.leakage_w
                + self.buffer_in.leakage_w + self.buffer_out.leakage_w)

    def read(self, part: Slice, vectors: int, bits: int, dup: tuple[int, int], transposed: bool) -> Cost:
        """One image's MVMs of this PE's slice: ``vectors`` input vectors of ``bits`` bit-planes, the
        ``dup`` copies splitting them (ProcessingUnit.cpp:ProcessingUnitCalculatePerformance)."""
        chip, sa = self.chip, self.chip.subarray_spec
        a_rows, a_cols = math.ceil(part.rows / sa.rows), math.ceil(part.cols / sa.cols)
        per_bit = chip.bitplane(min(part.rows, sa.rows), transposed)
        planes = vectors * bits
        cost = Cost()
        for k, v in per_bit.energy_j.items():
            cost.add_energy(k, v * planes * a_rows * a_cols)
        copies = dup[0] * dup[1]
        reads = vectors * chip.tree_passes_per_vector
        one_copy_per_subarray = copies > 1 and dup[0] >= self.side and dup[1] >= self.side
        tree = Cost() if one_copy_per_subarray else Cost(self.adder_tree.latency_s(reads, a_rows), {
            "accumulation": self.adder_tree.energy_j(reads, a_rows)})
        cost.latency_s = (per_bit.latency_s * planes + tree.latency_s) / copies
        cost.add(tree, latency=False)
        # DFF buffers and buses around the subarrays (the same for the error pass).
        cost.latency_s += self.buffer_in.latency_s(planes * a_rows) + self.buffer_out.latency_s(vectors)
        # ProcessingUnitCalculatePerformance passes (reads = slice rows, active = bit-planes) here.
        # Outputs are per weight column (the cells of a weight were already shifted and added):
        # weightMatrixCol / numColPerSynapse, an integer division there (ProcessingUnitCalculatePerformance).
        weight_cols = part.cols // chip.cells
        cost.add_energy("buffers", self.buffer_in.energy_j(part.rows, planes)
                        + self.buffer_out.energy_j(weight_cols * self.tree_bits, vectors))
        in_transfers = part.rows * planes / sa.rows
        out_transfers = weight_cols * self.levels_bits * vectors / (self.side * sa.cols)
        cost.latency_s += self.bus_in.latency_s(in_transfers) + self.bus_out.latency_s(out_transfers)
        cost.add_energy("interconnect", self.bus_in.energy_per_bit_j * sa.rows * in_transfers
                        + self.bus_out.energy_per_bit_j * self.side * sa.cols * out_transfers)
        return cost

    def write(self, part: Slice, pulses_per_direction: int, cell_pulses: float, copies: int) -> Cost:
        """One batch's weight update of this PE's slice: subarrays written one after another
        (ProcessingUnitCalculatePerformance sums their write latencies), every copy written.
        ``cell_pulses``: pulses over the slice's cells, half potentiation and half depression."""
        sa = self.chip.subarray_spec
        n = math.ceil(part.rows / sa.rows) * math.ceil(part.cols / sa.cols)
        rows = min(part.rows, sa.rows)
        cells = min(part.rows * part.cols / n, sa.rows * sa.cols)
        written = int(min(cells, cell_pulses / n / max(pulses_per_direction, 1)))
        one = self.chip.subarray.write(pulses_per_direction, written // 2, reset_pulses_per_row=pulses_per_direction,
                                       reset_cells=written - written // 2, rows=rows)
        cost = Cost(one.latency_s * n)
        cost.add_energy("arrays", one.array_energy_j * n * copies)
        cost.add_energy("other", one.driver_energy_j * n * copies)
        return cost


@dataclass(frozen=True)
class TileKind:
    """A tile design: ``pes`` PEs of ``pe_side`` subarrays per side; novel tiles have one PE per
    kernel position (all holding the full column range), conventional ones a square grid."""

    novel: bool
    pes: int
    pe_side: int

    @property
    def pes_per_side(self) -> int:
        return math.ceil(math.sqrt(self.pes))


class TileModel:
    """One tile: PEs, an adder tree over PE rows, input/output buffers and an H-tree (Tile.cpp)."""

    def __init__(self, chip: "ChipModel", kind: TileKind) -> None:
        self.chip, self.kind = chip, kind
        tech, sa = chip.tech, chip.subarray_spec
        q = chip.workload.quantization
        self.pe = chip.pe_model(kind.pe_side)
        n_side = kind.pes_per_side
        # Tile.cpp:TileInitialize -- accumulation over PE rows (novel: over all PEs); buffers for one
        # bit-plane of the tile's inputs and for its partial sums; an H-tree over the PEs.
        inputs = kind.pes if kind.novel else n_side
        acc_bits = self.pe.levels_bits + q.activation_bits + chip.cells + 1 + math.ceil(math.log2(max(kind.pe_side, 1)))
        self.accumulation = AdderTree(tech, inputs, acc_bits,
                                      math.ceil((kind.pes if kind.novel else n_side) * sa.cols / sa.cols_per_adc))
        # One value per weight column out of the tile: 1 + the accumulation's input width
        # (Tile.cpp:TileCalculatePerformance, numBitToLoadIn = (1 + numAdderBit) per column).
        self.out_value_bits = 1 + acc_bits
        in_bits = (kind.pes if kind.novel else n_side) * q.activation_bits * sa.rows
        out_bits = acc_bits * (kind.pes if kind.novel else n_side) * sa.cols // sa.cols_per_adc
        self.buffer_in, self.in_cores = chip.tile_buffer(in_bits, n_side * sa.rows)
        self.buffer_out, self.out_cores = chip.tile_buffer(out_bits, acc_bits * n_side)
        self.htree = HTree(tech, chip.wire, n_side, n_side, n_side * sa.rows, chip.arch.chip.interconnect.delay_tolerance)

    @cached_property
    def area_m2(self) -> dict[str, float]:
        """Tile.cpp:TileCalculateArea: PEs + accumulation + buffer cores + H-tree (16-fold)."""
        pe = self.pe
        n = self.kind.pes
        side = self.kind.pes_per_side
        out = {k: v * n for k, v in pe.area_m2.items()}
        out["accumulation"] += self.accumulation.area_m2(width_m=side * pe.side_m)
        out["buffers"] += (self.in_cores * self.buffer_in.area_m2(height_m=side * pe.side_m)
                           + self.out_cores * self.buffer_out.area_m2(width_m=side * pe.side_m))
        out["interconnect"] = self.htree.area_m2(pe.side_m, pe.side_m, TILE_HTREE_FOLDING)
        return out

    @cached_property
    def side_m(self) -> float:
        return math.sqrt(sum(self.area_m2.values()))

    @cached_property
    def leakage_w(self) -> float:
        return (self.pe.leakage_w * self.kind.pes + self.accumulation.leakage_w
                + self.in_cores * self.buffer_in.leakage_w + self.out_cores * self.buffer_out.leakage_w)

    def _buffer_and_tree(self, bits_in: float, bits_out: float) -> Cost:
        """Inputs into and partial sums out of the tile buffers (each written and read), and both
        over the tile H-tree (TileCalculatePerformance, after the PEs)."""
        chip = self.chip
        cost = Cost()
        lanes_in = min(self.in_cores, math.ceil(self.htree.bus_width_bits / self.buffer_in.interface_bits))
        lanes_out = min(self.out_cores, math.ceil(self.htree.bus_width_bits / self.buffer_out.interface_bits))
        cost.latency_s += 2 * self.buffer_in.line_latency_s * bits_in / self.buffer_in.interface_bits / lanes_in
        cost.latency_s += 2 * self.buffer_out.line_latency_s * bits_out / self.buffer_out.interface_bits / lanes_out
        cost.add_energy("buffers", 2 * (self.buffer_in.energy_per_bit_j * bits_in + self.buffer_out.energy_per_bit_j * bits_out))
        transfers = (bits_in + bits_out) / self.htree.bus_width_bits
        side = self.pe.side_m
        cost.latency_s += self.htree.latency_per_transfer_s(side, side) * transfers
        cost.add_energy("interconnect", self.htree.energy_per_bit_j(side, side) * self.htree.bus_width_bits * transfers)
        del chip
        return cost

    def read(self, part: Slice, vectors: int, bits: int, speedup: tuple[int, int], transposed: bool) -> Cost:
        """One image's work of this tile's slice (Tile.cpp:TileCalculatePerformance)."""
        q = self.chip.workload.quantization
        side_cells = self.kind.pe_side * self.chip.subarray_spec.rows
        if self.kind.novel:
            # One PE per kernel position: Cin rows each, every column; inputs reused across positions.
            pe_part = Slice(math.ceil(part.rows / self.kind.pes), part.cols)
            one = self.pe.read(pe_part, vectors, bits, (1, 1), transposed)
            copies = speedup[0] * speedup[1]
            cost = Cost(one.latency_s / copies)
            cost.add(one, latency=False, times=self.kind.pes)
            acc = self.accumulation
            reads = vectors * self.chip.tree_passes_per_vector
            cost.latency_s += acc.latency_s(reads, self.kind.pes)
            cost.add_energy("accumulation", acc.energy_j(reads, self.kind.pes))
            bits_in = part.rows * vectors * q.activation_bits / math.sqrt(self.kind.pes)
            bits_out = part.cols // self.chip.cells * self.out_value_bits * vectors / self.kind.pes
            cost.add(self._buffer_and_tree(bits_in, bits_out))
            return cost
        n_side = self.kind.pes_per_side
        pe_rows, pe_cols = math.ceil(part.rows / side_cells), math.ceil(part.cols / side_cells)
        copies = speedup[0] * speedup[1]
        if speedup[0] >= n_side and speedup[1] >= n_side:
            # Copies fill every PE: one PE does all the work, the PEs share it (no accumulation).
            dup = (math.ceil(speedup[0] / n_side), math.ceil(speedup[1] / n_side))
            one = self.pe.read(part, vectors, bits, dup, transposed)
            cost = Cost(one.latency_s / (n_side * n_side))
            cost.add(one, latency=False)
        else:
            pe_part = Slice(min(part.rows, side_cells), min(part.cols, side_cells))
            one = self.pe.read(pe_part, vectors, bits, (1, 1), transposed)
            # The PEs of one copy run in parallel; edge PEs hold less and finish first.
            cost = Cost(one.latency_s / copies)
            cost.add(one, latency=False, times=part.rows * part.cols / (pe_part.rows * pe_part.cols))
            if pe_rows > 1:
                # Added after the copies' speed-up divides the PEs' latency, not divided by it
                # (Tile.cpp:TileCalculatePerformance: readLatency /= speedUp, then += accumulation).
                reads = vectors * self.chip.tree_passes_per_vector
                cost.latency_s += self.accumulation.latency_s(reads, pe_rows)
                cost.add_energy("accumulation", self.accumulation.energy_j(reads, pe_rows))
        bits_in = part.rows * vectors * q.activation_bits
        bits_out = part.cols // self.chip.cells * self.out_value_bits * vectors
        cost.add(self._buffer_and_tree(bits_in, bits_out))
        return cost

    def write(self, part: Slice, pulses_per_direction: int, cell_pulses: float, copies: int) -> Cost:
        """One batch's weight update of this tile's slice: PEs written one after another, then the
        weight change (one bit per weight) through the input buffer and the H-tree (Tile.cpp)."""
        side_cells = self.kind.pe_side * self.chip.subarray_spec.rows
        if self.kind.novel:
            pe_part = Slice(math.ceil(part.rows / self.kind.pes), part.cols)
            pes = self.kind.pes
        else:
            pe_part = Slice(min(part.rows, side_cells), min(part.cols, side_cells))
            pes = math.ceil(part.rows / side_cells) * math.ceil(part.cols / side_cells)
        one = self.pe.write(pe_part, pulses_per_direction, cell_pulses / pes, copies)
        cost = Cost()
        cost.add(one, latency=False, times=pes)
        cost.latency_s = one.latency_s * pes
        cost.add(self._buffer_and_tree(part.rows * part.cols, 0.0))
        return cost


class ChipModel:
    """Every component of the chip that holds ``placement``, and the cost of each layer's work."""

    def __init__(self, arch: Architecture, workload: Workload, placement: Placement) -> None:
        self.arch, self.workload, self.placement = arch, workload, placement
        t = arch.technology
        self.tech = technology(t.node_nm, t.roadmap.upper(), t.temperature_k)
        self.wire = wire(t.node_nm, t.temperature_k)
        self.clock_hz = t.clock_ghz * 1e9
        self.subarray_spec = arch.subarray
        self.cells = placement.cells_per_weight
        q = workload.quantization
        dev, sa = arch.device, arch.subarray
        self.subarray = Subarray(self.tech, self.wire, SubarrayDesign(
            rows=sa.rows, cols=sa.cols, cols_per_adc=sa.cols_per_adc, adc_levels=2 ** sa.adc.bits,
            adc_kind=sa.adc.kind, cell="fefet" if dev.cell == "fefet" else "rram", r_on_ohm=dev.r_on_ohm,
            r_off_ohm=dev.r_on_ohm * dev.on_off_ratio, read_voltage_v=dev.read.voltage_v,
            read_pulse_s=dev.read.pulse_ns * 1e-9, write_voltage_v=dev.write.voltage_v,
            write_pulse_s=dev.write.pulse_ns * 1e-9, access_voltage_v=dev.access_voltage_v,
            cell_height_f=dev.cell_height_f, cell_width_f=dev.cell_width_f, input_bits=q.activation_bits,
            weight_bits=q.weight_bits, cell_bits=dev.bits_per_cell, transposed=placement.transposed_periphery,
            rows_muxed_ag=sa.error_read.rows_per_adc, adc_levels_ag=2 ** sa.error_read.adc_bits,
            error_bits=q.error_bits, max_levels=dev.levels - 1, fefet_gate_cap_f=dev.fefet.gate_capacitance_f,
            fefet_polarization_uc_per_cm2=dev.fefet.polarization_uc_per_cm2, clock_hz=self.clock_hz))
        self._pes: dict[int, PeModel] = {}
        fp = placement.floorplan
        self.conventional = TileKind(False, (fp.tile_size // fp.pe_size) ** 2, fp.pe_size // sa.rows)
        self.novel = TileKind(True, fp.novel_pes, fp.novel_pe_size // sa.rows) if fp.novel_pes else None
        self._tiles: dict[TileKind, TileModel] = {}

    # -- building blocks ------------------------------------------------------------------------
    def tile_model(self, kind: TileKind) -> TileModel:
        if kind not in self._tiles:
            self._tiles[kind] = TileModel(self, kind)
        return self._tiles[kind]

    def kind_of(self, unit: LayerPlacement | FeedbackPlacement) -> TileKind:
        """The tile design a layer (or feedback block) sits on. A feedback block smaller than a tile
        gets only the PEs it needs (a partial tile), so a small B does not cost a whole tile."""
        if isinstance(unit, LayerPlacement):
            return self.novel if unit.floorplan.novel and self.novel else self.conventional
        fp = self.placement.floorplan
        if unit.floorplan.tiles == 1:
            pes = math.ceil(unit.rows / fp.pe_size) * math.ceil(unit.cols * self.cells / fp.pe_size)
            if pes < self.conventional.pes:
                return TileKind(False, pes, self.conventional.pe_side)
        return self.conventional

    def pe_model(self, side: int) -> PeModel:
        if side not in self._pes:
            self._pes[side] = PeModel(self, side)
        return self._pes[side]

    def tile_buffer(self, capacity_bits: int, line_bits: int) -> tuple[Buffer, int]:
        """A tile buffer: one buffer under a core's size, else 32 x 32 cores of 32-bit lines
        (Tile.cpp:TileInitialize). Returns the core and the core count."""
        sram = self.arch.chip.buffers == "sram"
        if capacity_bits < TILE_BUFFER_CORE_BITS:
            return Buffer(self.tech, self.wire, max(capacity_bits, line_bits), line_bits, sram, self.clock_hz), 1
        return (Buffer(self.tech, self.wire, TILE_BUFFER_CORE_BITS, TILE_BUFFER_LINE_BITS, sram, self.clock_hz),
                math.ceil(capacity_bits / TILE_BUFFER_CORE_BITS))

    def bitplane(self, active_rows: int, transposed: bool) -> Cost:
        """One input bit-plane through one subarray (every column group converted), with the inputs'
        bit density and the cells' mean conductance setting the column current."""
        density = self.workload.read_activity.input_bit_density
        key = (active_rows, transposed)
        if key not in self._bitplanes:
            rows_on = max(1.0, density * active_rows)
            r_col = self.subarray.column_resistance_ohm(rows_on)
            read = self.subarray.transposed_read(density, r_col) if transposed else self.subarray.forward_read(density, r_col)
            self._bitplanes[key] = Cost(read.latency_s, {
                "arrays": read.array_energy_j, "adc": read.converter_energy_j,
                "accumulation": read.accumulation_energy_j, "other": read.other_energy_j})
        return self._bitplanes[key]

    @cached_property
    def _bitplanes(self) -> dict[tuple[int, bool], Cost]:
        return {}

    # -- layers ---------------------------------------------------------------------------------
    def _slices(self, lp: LayerPlacement | FeedbackPlacement, rows: int, cols: int) -> list[tuple[Slice, int]]:
        """The distinct tile slices of a matrix and how many tiles hold each (full tiles, then the edges)."""
        fp = self.placement.floorplan
        novel = lp.floorplan.novel
        t_rows = fp.novel_pe_size * fp.novel_pes if novel else fp.tile_size
        t_cols = fp.novel_pe_size if novel else fp.tile_size
        out: dict[Slice, int] = {}
        for i in range(lp.floorplan.tile_rows):
            for j in range(lp.floorplan.tile_cols):
                s = Slice(min(t_rows, rows - i * t_rows), min(t_cols, cols - j * t_cols))
                out[s] = out.get(s, 0) + 1
        return sorted(out.items(), key=lambda kv: -(kv[0].rows * kv[0].cols))

    def _matrix_read(self, lp: LayerPlacement | FeedbackPlacement, rows: int, cols: int, vectors: int, bits: int,
                     speedup: tuple[int, int], transposed: bool) -> Cost:
        """Every tile of a matrix reading ``vectors`` vectors: the slowest tile sets the latency."""
        tile = self.tile_model(self.kind_of(lp))
        cost = Cost()
        for part, count in self._slices(lp, rows, cols):
            one = tile.read(part, vectors, bits, speedup, transposed)
            cost.latency_s = max(cost.latency_s, one.latency_s)
            cost.add(one, latency=False, times=count)
        return cost

    def _chip_level(self, lp: LayerPlacement, cost: Cost, forward: bool) -> None:
        """Global accumulation over tile rows, then (forward) the activation and pooling units
        (Chip.cpp:ChipCalculatePerformance)."""
        layer = lp.layer
        vectors = layer.mvms
        if lp.floorplan.tile_rows > 1:
            reads = lp.floorplan.tile_cols * layer.cols * math.ceil(vectors / self.relu.units)
            cost.latency_s += self.global_accumulation.latency_s(reads, lp.floorplan.tile_rows)
            cost.add_energy("accumulation", self.global_accumulation.energy_j(reads, lp.floorplan.tile_rows))
        if forward:
            reads = math.ceil(vectors * layer.cols / self.relu.units)
            cost.latency_s += self.relu.latency_s(reads)
            cost.add_energy("other", self.relu.energy_j(reads))
            if layer.pool:
                fp = self.placement.floorplan
                per = fp.novel_pe_size / math.sqrt(fp.novel_pes) if lp.floorplan.novel else fp.tile_size
                reads = math.ceil(vectors / layer.pool_factor / per)
                cost.latency_s += self.max_pool.latency_s(reads)
                cost.add_energy("other", self.max_pool.energy_j(reads))

    def _weights_read(self, lp: LayerPlacement, bits: int, transposed: bool) -> Cost:
        """One image's MVMs on the layer's own (duplicated) weight arrays, then the chip-level steps."""
        layer, fp = lp.layer, lp.floorplan
        speedup = (fp.pe_dup[0] * fp.subarray_dup[0], fp.pe_dup[1] * fp.subarray_dup[1])
        cost = self._matrix_read(lp, layer.rows, layer.cols * self.cells, layer.mvms, bits, speedup, transposed)
        self._chip_level(lp, cost, forward=not transposed)
        return cost

    def forward(self, lp: LayerPlacement) -> Cost:
        """One image through layer ``lp``'s weights (FW), inside its tiles."""
        return self._weights_read(lp, self.workload.quantization.activation_bits, transposed=False)

    def error_transposed(self, lp: LayerPlacement) -> Cost:
        """One image's error through W^T (or sign(W)^T) on the layer's own arrays (AG): the row-side
        periphery converts, one error bit-plane per output position (SubArray.cpp, AG)."""
        return self._weights_read(lp, self.workload.quantization.error_bits, transposed=True)

    def feedback_read(self, block: FeedbackPlacement, vectors: int, input_bits: int) -> Cost:
        """``vectors`` vectors through a fixed feedback matrix B on its own tiles, read forward."""
        return self._matrix_read(block, block.rows, block.cols * self.cells, vectors, input_bits, (1, 1), False)

    def _sums(self, values: int, inputs: int) -> Cost:
        """``values`` sums of ``inputs`` maps on the chip's global adder trees (AdderTree.cpp)."""
        tree = self.global_accumulation
        reads = math.ceil(values / tree.trees)
        cost = Cost(tree.latency_s(reads, max(inputs, 2)))
        cost.add_energy("accumulation", tree.energy_j(reads, max(inputs, 2)))
        return cost

    def post_op(self, op: PostOp) -> Cost:
        """A residual add or a pooling outside a weight layer's own pooling (simcim.network): a sum of
        ``inputs`` maps, or a pooling window, per output value -- max pooling on the chip's pooling
        units (MaxPooling.cpp), sums (add, average pooling) on its global adder trees."""
        if op.kind == "maxpool":
            reads = math.ceil(op.out_elems / self.max_pool.units)
            cost = Cost(self.max_pool.latency_s(reads))
            cost.add_energy("other", self.max_pool.energy_j(reads))
            return cost
        window = op.inputs if op.kind == "add" else max(1, op.in_elems // op.out_elems)
        return self._sums(op.out_elems, window)

    def error_sum(self, lp: LayerPlacement) -> Cost:
        """BP's error of a layer with several consumers: their errors added, value by value."""
        return self._sums(lp.layer.out_elems, len(lp.layer.consumers))

    def weight_update(self, lp: LayerPlacement, pulses_per_cell: float, row_pulses: float) -> Cost:
        """One batch's write pulses into the layer's arrays. Rows are written one after another; a
        row takes the largest potentiation and the largest depression pulse count of its cells,
        ``row_pulses`` each (ProcessingUnit.cpp:GetWriteUpdateEstimation); the cells get
        ``pulses_per_cell`` pulses on average. Arrays written in parallel divide the latency
        (Chip.cpp: numArrayWriteParallel)."""
        layer = lp.layer
        per_dir = math.ceil(row_pulses) if pulses_per_cell > 0 else 0
        tile = self.tile_model(self.kind_of(lp))
        cost = Cost()
        for part, count in self._slices(lp, layer.rows, layer.cols * self.cells):
            one = tile.write(part, per_dir, pulses_per_cell * part.rows * part.cols, lp.copies)
            cost.add(one, latency=False, times=count)
            cost.latency_s += one.latency_s * count  # tiles written one after another (Chip.cpp sums them)
        cost.latency_s /= self.write_parallel
        return cost

    # -- weight gradient ------------------------------------------------------------------------
    @cached_property
    def wg_units(self) -> list[WeightGradientUnit]:
        """One unit sized for the largest input map (shared), or one per layer sized for it
        (Chip.cpp:ChipInitialize; the study's fork for DFA)."""
        wg = self.arch.chip.weight_gradient
        q = self.workload.quantization
        layers = [lp.layer for lp in self.placement.layers]

        dev = self.arch.device

        def unit(layer) -> WeightGradientUnit:
            return WeightGradientUnit(self.tech, self.wire, layer.mvms, _in_channels(layer) * q.activation_bits,
                                      wg.subarray_rows, wg.subarray_cols, wg.rows_per_adc, 2 ** wg.adc_bits,
                                      q.activation_bits, self.workload.read_activity.input_bit_density,
                                      adc_kind=self.subarray_spec.adc.kind,  # NeuroSim's SARADC switch is chip-wide
                                      cols_muxed=self.subarray_spec.cols_per_adc, read_voltage_v=dev.read.voltage_v,
                                      r_on_ohm=dev.r_on_ohm, r_off_ohm=dev.r_on_ohm * dev.on_off_ratio,
                                      reference_rows=self.subarray_spec.rows, read_pulse_s=dev.read.pulse_ns * 1e-9,
                                      clock_hz=self.clock_hz, main_cell_width_f=dev.cell_width_f)
        if self.placement.wg_units == 1:
            biggest = max(layers, key=lambda layer: layer.in_elems)
            return [unit(biggest)]
        return [unit(layer) for layer in layers]

    def wg_unit(self, lp: LayerPlacement) -> WeightGradientUnit:
        units = self.wg_units
        return units[lp.wg_unit % len(units)]

    def gradient_bits(self, lp: LayerPlacement) -> int:
        """Bits of one image's weight gradient: the WG unit's output precision per weight."""
        return lp.layer.weights * self.wg_unit(lp).out_precision_bits

    @cached_property
    def tree_passes_per_vector(self) -> int:
        """Adder-tree passes per input vector in a PE and a tile: one per weight column an ADC serves,
        ceil(numColMuxed / numColPerSynapse) with an integer division inside
        (ProcessingUnit.cpp:ProcessingUnitCalculatePerformance, Tile.cpp:TileCalculatePerformance)."""
        return self.subarray_spec.cols_per_adc // self.cells

    @cached_property
    def _gradient_buffer(self) -> tuple[int, int]:
        """(bits the global buffer adds for the batch's weight gradient, arrays written at once in the
        weight update), as Chip.cpp:ChipInitialize sizes them (bufferOverHead, numArrayWriteParallel).

        The overhead starts at one subarray's gradient, rows x cols x cells per weight x the batch-
        accumulation bits (NeuroSim V2.1 sizes it before the WG unit's precision is set, so only
        those count; we follow it); the arrays written at once start at that over rows x cols x
        weight bits, rounded down (at least 1: NeuroSim's 0 would divide the write latency by zero).
        Both double until the overhead reaches the inference buffer (bufferOverHeadConstraint = 1).
        The overhead is not the starting array count times a subarray's gradient: 4-bit weights in
        6-bit cells write 2 arrays at once from a buffer sized for one."""
        sa = self.subarray_spec
        b = self.workload.batch_size
        overhead = sa.rows * sa.cols * self.cells * math.ceil(math.log2(max(b, 2)))
        parallel = max(1, overhead // (sa.rows * sa.cols * self.workload.quantization.weight_bits))
        size = self.global_buffer_data_bits
        while size + overhead < 2 * size:
            overhead *= 2
            parallel *= 2
        return overhead, parallel

    @property
    def write_parallel(self) -> int:
        """Arrays written at once in the weight update (Chip.cpp: numArrayWriteParallel)."""
        return self._gradient_buffer[1]

    def gradient_accumulator(self, lp: LayerPlacement) -> Adder:
        """The adders that sum each image's gradient into the batch's: as many as the arrays written in
        parallel hold (Chip.cpp: gradientAccum). Per-layer WG units share that budget: the study's fork
        gives each a full bank, which for VGG-8 is 8.9 mm^2 per layer at 32 nm, far more adders than a
        layer's gradient needs to keep up with its WG unit (docs/calibration.md)."""
        units = self.placement.wg_units
        key = lp.wg_unit if units > 1 else 0
        if key not in self._accumulators:
            sa = self.subarray_spec
            bits = self.wg_unit(lp).out_precision_bits + math.ceil(math.log2(max(self.workload.batch_size, 2)))
            count = max(sa.cols, self.write_parallel * sa.rows * sa.cols // units)
            self._accumulators[key] = Adder(self.tech, bits, count)
        return self._accumulators[key]

    @cached_property
    def _accumulators(self) -> dict[int, Adder]:
        return {}

    def weight_gradient(self, lp: LayerPlacement) -> tuple[Cost, Cost]:
        """One image's weight gradient of layer ``lp`` on its WG unit, and the accumulation of it
        into the batch's gradient (Chip.cpp:ChipCalculatePerformance, WeightGradientUnit.cpp).

        The unit holds the layer's im2col inputs (positions x Cin bit-columns) and applies each of
        the M output channels' errors on its rows, once per kernel position."""
        layer = lp.layer
        unit = self.wg_unit(lp)
        q = self.workload.quantization
        positions = layer.mvms
        bit_cols = _in_channels(layer) * q.activation_bits
        sub_rows, sub_cols = unit.sub_rows, unit.sub_cols
        if positions > 1:
            speed_rows = max(1, unit.arrays_in_row // max(1, math.ceil(positions / sub_rows)))
            speed_cols = max(1, unit.arrays_in_col // max(1, math.ceil(bit_cols / sub_cols)))
        else:  # linear layers: one position, the unit's rows spread the columns
            speed_rows = unit.arrays_in_row
            speed_cols = max(1, bit_cols // sub_cols)
        used = positions * bit_cols / (unit.arrays_in_row * unit.arrays_in_col * sub_rows * sub_cols)
        offsets = layer.kernel ** 2
        wg = Cost((unit.read_latency_peak_s(layer.cols) / (speed_rows * speed_cols) + unit.write_latency_peak_s) * offsets)
        wg.add_energy("wg_units", (unit.read_energy_peak_j(layer.cols) + unit.write_energy_peak_j) * used * offsets)
        acc = self.gradient_accumulator(lp)
        weights = layer.weights
        rounds = math.ceil(weights / acc.count)
        accumulate = Cost(rounds * acc.latency_s(0.0, 1))
        accumulate.add_energy("wg_units", acc.energy_j(rounds, min(weights, acc.count)))
        return wg, accumulate

    # -- chip-level components ------------------------------------------------------------------
    @cached_property
    def tiles_per_kind(self) -> dict[TileKind, int]:
        """Tiles of each design on the chip: the layers', the feedback blocks', the spare ones."""
        out: dict[TileKind, int] = {}
        for unit in [*self.placement.layers, *self.placement.feedback]:
            kind = self.kind_of(unit)
            out[kind] = out.get(kind, 0) + unit.floorplan.tiles
        spare = self.placement.tiles_total - self.placement.tiles_used
        if spare:
            out[self.conventional] = out.get(self.conventional, 0) + spare
        return out

    @cached_property
    def grid(self) -> tuple[int, int]:
        total = self.placement.tiles_total
        rows = math.ceil(math.sqrt(total))
        return rows, math.ceil(total / rows)

    @cached_property
    def tile_side_m(self) -> float:
        return max(self.tile_model(kind).side_m for kind in self.tiles_per_kind)

    @cached_property
    def bus_width_bits(self) -> int:
        """The chip bus: each layer asks for its tiles' width, halved until within the maximum
        (Chip.cpp:ChipInitialize, globalBusWidth)."""
        sa = self.subarray_spec
        fp = self.placement.floorplan
        width = 0.0
        for lp in self.placement.layers:
            if lp.floorplan.novel:
                width += fp.novel_pe_size * math.ceil(math.sqrt(fp.novel_pes)) * (1 + 1 / sa.cols_per_adc)
            else:
                width += fp.tile_size * (1 + 1 / sa.cols_per_adc)
        width = max(width, 1.0)
        limit = self.arch.chip.interconnect.max_bus_width_bits
        while width > limit:
            width /= 2
        return max(1, int(width))

    @cached_property
    def htree(self) -> HTree:
        rows, cols = self.grid
        return HTree(self.tech, self.wire, rows, cols, self.bus_width_bits, self.arch.chip.interconnect.delay_tolerance)

    @cached_property
    def global_buffer_data_bits(self) -> int:
        """One image's largest layer input, as NeuroSim sizes the global buffer (Chip.cpp:ChipInitialize)."""
        return self.workload.quantization.activation_bits * max(lp.layer.in_elems for lp in self.placement.layers)

    @cached_property
    def global_buffer(self) -> tuple[Buffer, int]:
        """128 x 128-bit cores holding the largest layer input plus the gradient buffer: as many as hold
        all its bits, ceil(bits / core) as the study's DFA fork counts them (its Chip.cpp:ChipInitialize,
        numBufferCore with a double division). NeuroSim V2.1 divides integers first, one core fewer
        wherever the size is not a whole number of cores (the MLPs' 139,264 bits: 8 cores for 8.5);
        the two agree on every VGG-8 configuration, whose sizes are whole numbers of cores."""
        sram = self.arch.chip.buffers == "sram"
        overhead = self._gradient_buffer[0]
        cores = max(1, -(-(self.global_buffer_data_bits + overhead) // GLOBAL_BUFFER_CORE_BITS))
        return Buffer(self.tech, self.wire, GLOBAL_BUFFER_CORE_BITS, GLOBAL_BUFFER_LINE_BITS, sram, self.clock_hz), cores

    @cached_property
    def global_buffer_bandwidth_bit_per_s(self) -> float:
        """Lines of 128 bits, as many cores in parallel as the chip bus can feed."""
        core, cores = self.global_buffer
        lanes = min(cores, math.ceil(self.bus_width_bits / GLOBAL_BUFFER_LINE_BITS))
        return GLOBAL_BUFFER_LINE_BITS * lanes / core.line_latency_s

    @cached_property
    def relu(self) -> BitShifter:
        return BitShifter(self.tech, math.ceil(self._max_tile_throughput / self.subarray_spec.cols_per_adc),
                          self.workload.quantization.activation_bits, self.clock_hz)

    @cached_property
    def _max_tile_throughput(self) -> int:
        fp = self.placement.floorplan
        out = fp.tile_size
        if fp.novel_pes:
            out = max(out, math.ceil(math.sqrt(fp.novel_pes)) * fp.novel_pe_size)
        return out

    @cached_property
    def global_accumulation(self) -> AdderTree:
        fp = self.placement.floorplan
        sa = self.subarray_spec
        q = self.workload.quantization
        max_add = max(fp.pe_size // sa.rows, (fp.novel_pe_size // sa.rows) if fp.novel_pes else 0) * max(
            fp.tile_size // fp.pe_size, math.ceil(math.sqrt(fp.novel_pes)) if fp.novel_pes else 0)
        bits = sa.adc.bits + q.activation_bits + self.cells + 1 + math.ceil(math.log2(max(max_add, 1)))
        inputs = max(lp.floorplan.tile_rows for lp in self.placement.layers)
        return AdderTree(self.tech, max(inputs, 1), bits, math.ceil(self._max_tile_throughput / sa.cols_per_adc))

    @cached_property
    def max_pool(self) -> MaxPooling:
        return MaxPooling(self.tech, self.workload.quantization.activation_bits, 4, self.placement.floorplan.tile_size)

    # -- area and leakage -----------------------------------------------------------------------
    @cached_property
    def area_m2(self) -> dict[str, float]:
        """The whole chip by component (Chip.cpp:ChipCalculateArea)."""
        out = {k: 0.0 for k in AREA_COMPONENTS}
        for kind, count in self.tiles_per_kind.items():
            for k, v in self.tile_model(kind).area_m2.items():
                out[k] += v * count
        core, cores = self.global_buffer
        rows, _ = self.grid
        height = rows * self.tile_side_m
        out["buffers"] += cores * core.area_m2(height_m=height)
        out["interconnect"] += self.htree.area_m2(self.tile_side_m, self.tile_side_m, CHIP_HTREE_FOLDING)
        # Chip.cpp:ChipCalculateArea lays the global accumulation out to a width of a third of the
        # global buffer's height (Gaccumulation->CalculateArea(NULL, height / 3): the second argument
        # of AdderTree::CalculateArea is the width) and the gradient adders against its height.
        out["accumulation"] += self.global_accumulation.area_m2(width_m=height / 3)
        out["other"] += self.relu.area_m2 + self.max_pool.area_m2
        for unit in self.wg_units:
            out["wg_units"] += unit.area_m2
        keys = {lp.wg_unit if self.placement.wg_units > 1 else 0: lp for lp in self.placement.layers}
        for lp in keys.values():
            out["wg_units"] += self.gradient_accumulator(lp).footprint(height_m=height).area_m2
        return out

    @cached_property
    def leakage_w(self) -> float:
        """Static power of the whole chip (NeuroSim charges only idle tiles; a powered chip leaks
        everywhere, so we count every block)."""
        tiles = sum(self.tile_model(kind).leakage_w * count for kind, count in self.tiles_per_kind.items())
        core, cores = self.global_buffer
        wg = sum(u.leakage_w for u in self.wg_units)
        return (tiles + cores * core.leakage_w + self.global_accumulation.leakage_w + self.relu.leakage_w
                + self.max_pool.leakage_w + wg)


def _in_channels(layer) -> int:
    return layer.rows // (layer.kernel * layer.kernel)
