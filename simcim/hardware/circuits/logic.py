"""Digital arithmetic blocks of NeuroSim: DFF, ripple adder, shift-add, adder tree and the ReLU bit-shifter.

Each class holds one NeuroSim block (``Adder.cpp`` etc.). Areas take an optional layout constraint
(a given height stacks the cells in columns, a given width in rows); latencies and energies take
the number of operations (NeuroSim's ``numRead``). Counts follow the C++ integer arithmetic.
"""

from __future__ import annotations

import math

from simcim.hardware.circuits.gates import (
    RAMP_STEP,
    Footprint,
    Gate,
    Mos,
    cell_height_m,
    gate_cap_f,
    gate_leakage_a,
    horowitz,
    min_inverter,
    min_inverter_leakage_a,
    min_inverter_widths_m,
    nand2,
    nand2_widths_m,
    on_resistance_ohm,
)
from simcim.hardware.circuits.technology import Technology


def _per_line(extent_m: float, unit_m: float, count: int) -> int:
    """How many units fit along a constrained side, at most ``count`` and at least 1.

    NeuroSim prints an error and books a zero-size block when not even one unit fits; we place
    one per line instead (the block then overflows the side) -- see docs/neurosim-port.md.
    """
    return max(1, min(int(extent_m / unit_m), count))


class DFF:
    """A bank of D flip-flops, each 12 minimum inverters wide. DFF.cpp."""

    def __init__(self, tech: Technology, count: int, clock_hz: float = 1e9) -> None:
        self.tech, self.count, self.clock_hz = tech, count, clock_hz
        inv, caps = min_inverter(tech)
        self.cell = Footprint(inv.height_m, 12 * inv.width_m)  # DFF.cpp:DFF::CalculateArea
        self.cap_inv_input_f, self.cap_inv_output_f = caps
        width_n, width_p = min_inverter_widths_m(tech)
        self.cap_tg_gate_n_f = gate_cap_f(tech, width_n)
        self.cap_tg_gate_p_f = gate_cap_f(tech, width_p)
        self.cap_tg_drain_f = caps.output_f

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """Columns of DFFs under a height, rows under a width, else one row. DFF.cpp:DFF::CalculateArea."""
        if height_m:
            per_col = _per_line(height_m, self.cell.height_m, self.count)
            return Footprint(height_m, self.cell.width_m * math.ceil(self.count / per_col))
        if width_m:
            per_row = _per_line(width_m, self.cell.width_m, self.count)
            return Footprint(self.cell.height_m * math.ceil(self.count / per_row), width_m)
        return Footprint(self.cell.height_m, self.cell.width_m * self.count)

    def area_m2(self, height_m: float | None = None, width_m: float | None = None) -> float:
        """Area of the bank laid out to the side given (packing can leave part of a row empty)."""
        return self.footprint(height_m, width_m).area_m2

    def latency_s(self, reads: float) -> float:
        """Half a clock per access. DFF.cpp:DFF::CalculateLatency."""
        return reads / self.clock_hz / 2

    def energy_j(self, reads: float, active: float) -> float:
        """Clock INV/TG of every DFF plus the D->Q path of ``active`` DFFs, per read.

        DFF.cpp:DFF::CalculatePower.
        """
        vdd2 = self.tech.vdd_v ** 2
        cin, cout, cdrain = self.cap_inv_input_f, self.cap_inv_output_f, self.cap_tg_drain_f
        clock = 4 * (cin + cout) * self.count + 2 * (self.cap_tg_gate_n_f + self.cap_tg_gate_p_f) * self.count
        data = ((3 * cdrain + cin) + (cdrain + cout) + (cin + cout)) * min(active, self.count)
        return (clock + data) * vdd2 * reads

    @property
    def leakage_w(self) -> float:
        """Eight minimum inverters' leakage per DFF. DFF.cpp:DFF::CalculatePower."""
        return min_inverter_leakage_a(self.tech) * self.tech.vdd_v * 8 * self.count


class Adder:
    """``count`` ripple-carry adders of ``bits`` bits, 9 NAND2 per bit. Adder.cpp."""

    def __init__(self, tech: Technology, bits: int, count: int) -> None:
        self.tech, self.bits, self.count = tech, bits, count
        self.nand, (self.cap_nand_input_f, self.cap_nand_output_f) = nand2(tech)

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """One adder per row (height given) or ``bits`` rows per adder (width given). Adder.cpp:Adder::CalculateArea."""
        if height_m:
            unit = Footprint(self.nand.height_m, 9 * self.nand.width_m * self.bits)
            per_col = _per_line(height_m, unit.height_m, self.count)
            return Footprint(height_m, unit.width_m * math.ceil(self.count / per_col))
        if width_m:
            unit = Footprint(self.nand.height_m * self.bits, 9 * self.nand.width_m)
            per_row = _per_line(width_m, unit.width_m, self.count)
            return Footprint(unit.height_m * math.ceil(self.count / per_row), width_m)
        return Footprint(self.nand.height_m, 9 * self.nand.width_m * self.bits * self.count)

    def area_m2(self, height_m: float | None = None, width_m: float | None = None) -> float:
        """Area of the adders laid out to the side given (one row without a side)."""
        return self.footprint(height_m, width_m).area_m2

    def latency_s(self, load_f: float = 0.0, reads: float = 1, ramp_input: float = RAMP_STEP) -> float:
        """Carry-chain delay for A = 1..1, B = 10..0, Cin = 1, ramps chained. Adder.cpp:Adder::CalculateLatency."""
        width_n, width_p = nand2_widths_m(self.tech)
        pull_down = 2 * on_resistance_ohm(self.tech, width_n, Mos.NMOS)
        pull_up = on_resistance_ohm(self.tech, width_p, Mos.PMOS)
        cin, cout = self.cap_nand_input_f, self.cap_nand_output_f
        d1, ramp = horowitz(pull_down * (cout + 3 * cin), ramp_input)
        d2, ramp = horowitz(pull_up * (cout + 2 * cin), ramp)
        d3, ramp = horowitz(pull_down * (cout + 3 * cin), ramp)
        d4, ramp = horowitz(pull_up * (cout + 2 * cin), ramp)
        middle = (d3 + d4) * (self.bits - 2) if self.bits > 2 else 0.0
        d5, ramp = horowitz(pull_down * (cout + 3 * cin), ramp)
        d6, ramp = horowitz(pull_up * (cout + cin), ramp)
        d7, _ = horowitz(pull_down * (cout + load_f), ramp)
        return (d1 + d2 + middle + d5 + d6 + d7) * reads

    def energy_per_add_j(self) -> float:
        """Energy of one add (0->1 transitions of the visible and hidden nodes). Adder.cpp:Adder::CalculatePower."""
        cin, cout, b = self.cap_nand_input_f, self.cap_nand_output_f, self.bits
        caps = (6 * cin + 2 * cout) + (7 * cin + 3 * cout) * (b - 1)
        caps += 2 * (cout + cin) + (cout + 2 * cin) + (cout + 3 * cin) + (cout + cin)
        caps += ((cout + 3 * cin) + (cout + cin) + 2 * (cout + cin)) * (b - 1)
        return caps * self.tech.vdd_v ** 2

    def energy_j(self, reads: float, active: float) -> float:
        """``active`` adders (at most ``count``) working ``reads`` times. Adder.cpp:Adder::CalculatePower."""
        return self.energy_per_add_j() * min(active, self.count) * reads

    @property
    def leakage_w(self) -> float:
        """Adder.cpp:Adder::CalculatePower: 9 NAND2 per bit."""
        return gate_leakage_a(self.tech, Gate.NAND, 2, *nand2_widths_m(self.tech)) * self.tech.vdd_v * 9 * self.bits * self.count


class ShiftAdd:
    """Shift-and-add of ``units`` partial sums over ``read_pulses`` input bits (NONSPIKING). ShiftAdd.cpp."""

    def __init__(self, tech: Technology, units: int, adder_bits: int, read_pulses: int, clock_hz: float = 1e9,
                 read_pulse_s: float = 10e-9) -> None:
        self.tech, self.units, self.adder_bits, self.read_pulses = tech, units, adder_bits, read_pulses
        self.read_pulse_s = read_pulse_s
        # ShiftAdd.cpp:ShiftAdd::Initialize: adder output (+1 bit) plus the shift extension
        self.dff_count = (adder_bits + 1 + read_pulses - 1) * units
        self.adder = Adder(tech, adder_bits, units)
        self.dff = DFF(tech, self.dff_count, clock_hz)

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """Adders + one INV/NAND2 row (or column) + DFFs. ShiftAdd.cpp:ShiftAdd::CalculateArea."""
        if width_m:
            return Footprint(self.adder.footprint(width_m=width_m).height_m + cell_height_m(self.tech)
                             + self.dff.footprint(width_m=width_m).height_m, width_m)
        if height_m:
            inv, _ = min_inverter(self.tech)
            nand, _ = nand2(self.tech)
            return Footprint(height_m, self.adder.footprint(height_m=height_m).width_m + inv.width_m + nand.width_m
                             + self.dff.footprint(height_m=height_m).width_m)
        raise ValueError("ShiftAdd needs a height or a width (NeuroSim lays it out against the array)")

    def latency_s(self, reads: float) -> float:
        """One add + DFF, the later ones hidden under the next read pulse unless longer.

        ShiftAdd.cpp:ShiftAdd::CalculateLatency.
        """
        one = self.adder.latency_s(self.dff.cap_tg_drain_f) + self.dff.latency_s(1)
        hidden_excess = max(0.0, one - self.read_pulse_s) * (reads - 1)
        return one + hidden_excess

    def energy_j(self, reads: float) -> float:
        """All adders and DFFs active. ShiftAdd.cpp:ShiftAdd::CalculatePower."""
        return self.adder.energy_j(reads, self.units) + self.dff.energy_j(reads, self.dff_count)

    @property
    def leakage_w(self) -> float:
        """Leakage of the block (adders + DFFs, or DFFs)."""
        return self.adder.leakage_w + self.dff.leakage_w


def adder_tree_stages(inputs: int, adder_bits: int) -> list[tuple[int, int]]:
    """(bits, adders) of each stage of one tree: ceil(log2 n) stages, idiv(j, 2) adders each.

    AdderTree.cpp:AdderTree::CalculateArea/Latency/Power; "ceil(j/2)" is an integer division in
    the C++ so an odd count rounds down (kept).
    """
    if inputs < 1:
        raise ValueError("an adder tree needs at least one input")
    stages, remaining, bits = [], inputs, adder_bits
    for _ in range(math.ceil(math.log2(inputs))):
        adders = remaining // 2
        stages.append((bits, adders))
        bits += 1
        remaining //= 2
    return stages


class AdderTree:
    """``trees`` adder trees reducing ``inputs`` partial sums of ``adder_bits`` bits. AdderTree.cpp."""

    def __init__(self, tech: Technology, inputs: int, adder_bits: int, trees: int) -> None:
        self.tech, self.inputs, self.adder_bits, self.trees = tech, inputs, adder_bits, trees

    @property
    def stage_count(self) -> int:
        """ceil(log2 inputs): the tree depth (AdderTree::Initialize numStage), 0 for one input."""
        return math.ceil(math.log2(self.inputs))

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """All full-adder bits of a tree as one adder per tree, laid out to the side given.

        AdderTree.cpp:AdderTree::CalculateArea.
        """
        full_adder_bits = sum(bits * adders for bits, adders in adder_tree_stages(self.inputs, self.adder_bits))
        block = Adder(self.tech, full_adder_bits, self.trees)
        if width_m:
            return Footprint(block.footprint(width_m=width_m).area_m2 / width_m, width_m)
        if height_m:
            return Footprint(height_m, block.footprint(height_m=height_m).area_m2 / height_m)
        # NeuroSim exits without a side; we give the packing-free area (one row of trees)
        return block.footprint()

    def area_m2(self, height_m: float | None = None, width_m: float | None = None) -> float:
        """Area of the trees laid out to the side given (one row of trees without a side)."""
        return self.footprint(height_m, width_m).area_m2

    def latency_s(self, reads: float, inputs: int | None = None, load_f: float = 0.0) -> float:
        """Sum of the stage adders' delays, times ``reads``. AdderTree.cpp:AdderTree::CalculateLatency."""
        stages = adder_tree_stages(inputs or self.inputs, self.adder_bits)
        return sum(Adder(self.tech, bits, adders).latency_s(load_f) for bits, adders in stages) * reads

    def energy_j(self, reads: float, inputs: int | None = None) -> float:
        """Every adder of every tree once per read. AdderTree.cpp:AdderTree::CalculatePower."""
        stages = adder_tree_stages(inputs or self.inputs, self.adder_bits)
        per_tree = sum(Adder(self.tech, bits, adders).energy_j(1, adders) for bits, adders in stages)
        return per_tree * self.trees * reads

    def leakage_for_w(self, inputs: int | None = None) -> float:
        """Leakage with ``inputs`` used inputs. AdderTree.cpp:AdderTree::CalculatePower."""
        stages = adder_tree_stages(inputs or self.inputs, self.adder_bits)
        return sum(Adder(self.tech, bits, adders).leakage_w for bits, adders in stages) * self.trees

    @property
    def leakage_w(self) -> float:
        """Leakage of the block (adders + DFFs, or DFFs)."""
        return self.leakage_for_w()


class BitShifter:
    """The ReLU unit: ``units`` x ``bits`` DFFs read out in parallel. BitShifter.cpp."""

    def __init__(self, tech: Technology, units: int, bits: int, clock_hz: float = 1e9) -> None:
        self.tech, self.units, self.bits = tech, units, bits
        self.dff = DFF(tech, units * bits, clock_hz)

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """The DFFs' one-row area, reshaped to the side given. BitShifter.cpp:BitShifter::CalculateArea."""
        area = self.dff.footprint().area_m2
        if width_m:
            return Footprint(area / width_m, width_m)
        if height_m:
            return Footprint(height_m, area / height_m)
        raise ValueError("BitShifter needs a height or a width")

    @property
    def area_m2(self) -> float:
        """The DFFs' one-row area, whatever side it is reshaped to. BitShifter.cpp:CalculateArea."""
        return self.dff.footprint().area_m2

    def latency_s(self, reads: float) -> float:
        """Half a clock per read. BitShifter.cpp:BitShifter::CalculateLatency."""
        return self.dff.latency_s(1) * reads

    def energy_j(self, reads: float) -> float:
        """All DFFs active each read. BitShifter.cpp:BitShifter::CalculatePower."""
        return self.dff.energy_j(reads, self.dff.count)

    @property
    def leakage_w(self) -> float:
        """Leakage of the block (adders + DFFs, or DFFs)."""
        return self.dff.leakage_w
