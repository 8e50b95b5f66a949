"""Max-pooling of NeuroSim: the magnitude comparator (Comparator.cpp) and the max-pool unit built from
1-bit comparators (MaxPooling.cpp).
"""

from __future__ import annotations

from simcim.hardware.circuits.gates import (
    RAMP_STEP,
    Gate,
    Mos,
    cell_height_m,
    gate_area,
    gate_capacitance,
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


class Comparator:
    """``count`` magnitude comparators of ``bits`` bits: 4 INV, 4 NAND2, 3 NAND3 per bit. Comparator.cpp."""

    def __init__(self, tech: Technology, bits: int, count: int) -> None:
        self.tech, self.bits, self.count = tech, bits, count
        f, pn, h = tech.feature_size_m, tech.pn_size_ratio, cell_height_m(tech)
        self.inv, (self.cap_inv_input_f, self.cap_inv_output_f) = min_inverter(tech)
        self.nand2, (self.cap_nand2_input_f, self.cap_nand2_output_f) = nand2(tech)
        self.nand3_widths_m = (3 * 2 * f, pn * 2 * f)
        self.nand3 = gate_area(tech, Gate.NAND, 3, *self.nand3_widths_m, h)
        self.cap_nand3_input_f, self.cap_nand3_output_f = gate_capacitance(
            tech, Gate.NAND, 3, *self.nand3_widths_m, self.nand3.height_m)

    @property
    def unit_area_m2(self) -> float:
        """Comparator.cpp:Comparator::CalculateUnitArea (sum of gate areas)."""
        return (4 * self.inv.area_m2 + 4 * self.nand2.area_m2 + 3 * self.nand3.area_m2) * self.bits

    def latency_s(self, load_f: float, reads: float = 1, ramp_input: float = RAMP_STEP) -> float:
        """Gin -> Gout path: first bit, (bits - 2) middle bits, last bit. Comparator.cpp:Comparator::CalculateLatency.

        With one bit the middle term is counted -1 times, as the C++ does (MaxPooling uses 1-bit
        comparators); see docs/neurosim-port.md.
        """
        width_n2, _ = nand2_widths_m(self.tech)
        pull_down = 2 * on_resistance_ohm(self.tech, width_n2, Mos.NMOS)
        pull_up = on_resistance_ohm(self.tech, self.nand3_widths_m[1], Mos.PMOS)
        c2o, c3i = self.cap_nand2_output_f, self.cap_nand3_input_f
        c3o, c2i = self.cap_nand3_output_f, self.cap_nand2_input_f
        d1, ramp = horowitz(pull_down * (c2o + c3i), ramp_input)
        d2, ramp = horowitz(pull_up * (c3o + c2i), ramp)
        d3, ramp = horowitz(pull_down * (c2o + c3i), ramp)
        d4, ramp = horowitz(pull_up * (c3o + c2i), ramp)
        d5, ramp = horowitz(pull_down * (c2o + c3i), ramp)
        d6, _ = horowitz(pull_up * (c3o + load_f), ramp)
        return (d1 + d2 + (d3 + d4) * (self.bits - 2) + d5 + d6) * reads

    def energy_j(self, reads: float, active: int) -> float:
        """Comparator.cpp:Comparator::CalculatePower."""
        caps = (4 * (self.cap_inv_input_f + self.cap_inv_output_f) + 4 * (self.cap_nand2_input_f + self.cap_nand2_output_f)
                + 3 * (self.cap_nand3_input_f + self.cap_nand3_output_f))
        return caps * self.tech.vdd_v ** 2 * self.bits * min(active, self.count) * reads

    @property
    def leakage_w(self) -> float:
        """Comparator.cpp:Comparator::CalculatePower (leakage): 4 INV, 4 NAND2, 3 NAND3 per bit."""
        t = self.tech
        leak = (4 * gate_leakage_a(t, Gate.INV, 1, *min_inverter_widths_m(t))
                + 4 * gate_leakage_a(t, Gate.NAND, 2, *nand2_widths_m(t))
                + 3 * gate_leakage_a(t, Gate.NAND, 3, *self.nand3_widths_m))
        return leak * t.vdd_v * self.bits * self.count


def max_pooling_tree(window: int) -> tuple[int, int]:
    """(comparators, stages) of one max-pool unit: the halving loop plus the odd remainder.

    MaxPooling.cpp:MaxPooling::Initialize. Window 4 gives (3, 3).
    """
    comparators = stages = 0
    n = window
    odd = n % 2
    while n:
        comparators += n // 2
        stages += 1
        n //= 2
    return comparators + odd, stages + odd


class MaxPooling:
    """``units`` max-pool units over ``window`` inputs of ``bits`` bits. MaxPooling.cpp."""

    def __init__(self, tech: Technology, bits: int, window: int = 4, units: int = 1) -> None:
        self.tech, self.bits, self.window, self.units = tech, bits, window, units
        self.comparators, self.stages = max_pooling_tree(window)
        f, pn, h = tech.feature_size_m, tech.pn_size_ratio, cell_height_m(tech)
        self.inv, (self.cap_inv_input_f, self.cap_inv_output_f) = min_inverter(tech)
        self.nand, (self.cap_nand_input_f, self.cap_nand_output_f) = nand2(tech)
        self.nor_widths_m = (4 * 2 * f, pn * 2 * f)
        self.nor = gate_area(tech, Gate.NOR, 2, *self.nor_widths_m, h)
        self.cap_nor_input_f, self.cap_nor_output_f = gate_capacitance(tech, Gate.NOR, 2, *self.nor_widths_m, h)
        self.wide_nor_widths_m = (bits * 2 * 2 * f, pn * 2 * f)
        self.wide_nor = gate_area(tech, Gate.NOR, bits, *self.wide_nor_widths_m, h)
        self.cap_wide_nor_input_f, self.cap_wide_nor_output_f = gate_capacitance(
            tech, Gate.NOR, bits, *self.wide_nor_widths_m, h)
        self.bit_comparator = Comparator(tech, 1, 1)

    @property
    def unit_area_m2(self) -> float:
        """One unit: per N-bit comparator, N 1-bit comparators + 5 INV each, then enable/OR logic.

        MaxPooling.cpp:MaxPooling::CalculateUnitArea.
        """
        inv = self.inv.area_m2
        per_comparator = (self.bit_comparator.unit_area_m2 + 5 * inv) * self.bits
        per_comparator += 6 * inv + (self.nand.area_m2 + inv) + self.nor.area_m2 + self.wide_nor.area_m2
        return per_comparator * self.comparators

    @property
    def area_m2(self) -> float:
        """MaxPooling.cpp:MaxPooling::CalculateArea: unit area x units (width set by the caller)."""
        return self.unit_area_m2 * self.units

    def latency_s(self, reads: float, load_f: float = 0.0, ramp_input: float = RAMP_STEP) -> float:
        """Per stage: half the bit comparators, then wide NOR, INV and TG. MaxPooling.cpp:MaxPooling::CalculateLatency."""
        t = self.tech
        width_n, _ = min_inverter_widths_m(t)
        comparator = self.bit_comparator.latency_s(2 * self.cap_inv_output_f, 1, ramp_input)
        total = comparator * self.bits / 2
        r_nor = 2 * on_resistance_ohm(t, self.wide_nor_widths_m[0], Mos.NMOS)
        total += horowitz(r_nor * (2 * self.cap_inv_input_f + self.bits * self.cap_inv_output_f))[0]
        r_inv = 2 * on_resistance_ohm(t, width_n, Mos.NMOS)
        d_inv, ramp = horowitz(r_inv * (self.cap_inv_input_f + self.cap_wide_nor_output_f))
        total += d_inv
        total += horowitz(r_inv * (2 * self.cap_inv_input_f + load_f), ramp)[0]
        return total * self.stages * reads

    def energy_j(self, reads: float) -> float:
        """Every unit's comparators switch on every read. MaxPooling.cpp:MaxPooling::CalculatePower."""
        vdd2 = self.tech.vdd_v ** 2
        cio = self.cap_inv_output_f
        e = (self.cap_nand_input_f + cio) * vdd2 + (self.cap_nor_input_f + cio) * vdd2
        e += (self.cap_inv_input_f + cio) * vdd2 * 2 + (self.cap_wide_nor_input_f + cio) * vdd2
        e += self.bit_comparator.energy_j(1, 1) * self.bits / 2
        return e * self.comparators * self.units * reads

    @property
    def leakage_w(self) -> float:
        """One minimum inverter per comparator (as the C++ counts). MaxPooling.cpp:MaxPooling::CalculatePower."""
        return min_inverter_leakage_a(self.tech) * self.tech.vdd_v * self.comparators * self.units
