"""Column ADCs of NeuroSim: flash-type multilevel sense amp (MLSA), its thermometer encoder, and SAR ADC.

MultilevelSenseAmp.cpp, MultilevelSAEncoder.cpp, SarADC.cpp. ``levels`` is the number of output
levels (2**bits). The latency and power *fits* are selected by the technology node and roadmap
(NeuroSim reads param->technode and param->deviceroadmap); a node without its own row falls to
the 7 nm row, as in the C++. Column resistances are in ohm (``math.inf`` = no active row).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from simcim.hardware.circuits.gates import (
    RAMP_STEP,
    Footprint,
    Gate,
    Mos,
    cell_height_m,
    gate_area,
    gate_capacitance,
    gate_leakage_a,
    horowitz,
    min_inverter_widths_m,
    nand2_widths_m,
    on_resistance_ohm,
)
from simcim.hardware.circuits.technology import Technology

# MultilevelSenseAmp.cpp:GetColumnLatency -- LSTP latency fits (ns): T_max = a ln(R/1k) + b, then a
# cubic in x = Rref/R for x <= 0.9 and a quartic above (coefficients highest power first).
_MLSA_LATENCY_FIT: dict[int, tuple[float, float, tuple[float, ...], tuple[float, ...]]] = {
    130: (0.2679, 0.0478, (3.915, -5.3996, 2.4653, 0.3856), (0.0004, -0.0087, 0.0742, -0.2725, 1.2211)),
    90: (0.0586, 1.41, (3.726, -5.651, 2.8249, 0.3574), (0.0000008, -0.00007, 0.0017, -0.0188, 0.9835)),
    65: (0.1239, 0.6642, (1.3899, -2.6913, 2.0483, 0.3202), (0.0036, -0.0363, 0.1043, -0.0346, 1.0512)),
    45: (0.0714, 0.7651, (3.7949, -5.6685, 2.6492, 0.4807), (0.000001, -0.00006, 0.0001, -0.0171, 1.0057)),
    32: (0.0714, 0.7651, (3.7949, -5.6685, 2.6492, 0.4807), (0.000001, -0.00006, 0.0001, -0.0171, 1.0057)),
}
# MultilevelSenseAmp.cpp:GetColumnPower -- P = k (L-1) 1e-6 + c exp(e log10 R)  [W]
_MLSA_POWER_CURRENT = {
    "HP": {130: (19.898, 0.17452, -2.367), 90: (13.09, 0.14900, -2.345), 65: (9.9579, 0.1083, -2.321),
           45: (7.7017, 0.0754, -2.296), 32: (3.9648, 0.079, -2.313), 22: (1.8939, 0.073, -2.311),
           14: (1.2, 0.0584, -2.311), 10: (0.8, 0.0318, -2.311), 7: (0.5, 0.0210, -2.311)},
    "LSTP": {130: (18.09, 0.1380, -2.303), 90: (12.612, 0.1023, -2.303), 65: (8.4147, 0.0972, -2.303),
             45: (6.3162, 0.075, -2.303), 32: (3.0875, 0.0649, -2.297), 22: (1.7, 0.0631, -2.303),
             14: (1.0, 0.0508, -2.303), 10: (0.55, 0.0315, -2.303), 7: (0.35, 0.0235, -2.303)},
}
_MLSA_POWER_VOLTAGE = {
    "HP": {130: (27.84, 0.207452, -2.367), 90: (22.2, 0.164900, -2.345), 65: (13.058, 0.128483, -2.321),
           45: (8.162, 0.097754, -2.296), 32: (4.76, 0.083709, -2.313), 22: (2.373, 0.084273, -2.311),
           14: (1.467, 0.060584, -2.311), 10: (0.9077, 0.049418, -2.311), 7: (0.5614, 0.040310, -2.311)},
    "LSTP": {130: (23.4, 0.169380, -2.303), 90: (14.42, 0.144323, -2.303), 65: (10.18, 0.121272, -2.303),
             45: (7.062, 0.100225, -2.303), 32: (3.692, 0.079449, -2.297), 22: (1.866, 0.072341, -2.303),
             14: (1.126, 0.061085, -2.303), 10: (0.6917, 0.051580, -2.303), 7: (0.4211, 0.043555, -2.303)},
}
# SarADC.cpp:GetColumnPower -- P = (k b + c0) 1e-6 + c exp(e log10 R)  [W]
_SAR_POWER = {
    "HP": {130: (6.4806, 49.047, 0.207452, -2.367), 90: (4.3474, 31.782, 0.164900, -2.345),
           65: (2.9503, 22.047, 0.128483, -2.321), 45: (2.1843, 11.931, 0.097754, -2.296),
           32: (1.0157, 7.6286, 0.083709, -2.313), 22: (0.7213, 3.3041, 0.084273, -2.311),
           14: (0.4710, 1.9529, 0.060584, -2.311), 10: (0.3076, 1.1543, 0.049418, -2.311),
           7: (0.2008, 0.6823, 0.040310, -2.311)},
    "LSTP": {130: (8.4483, 65.243, 0.169380, -2.303), 90: (5.9869, 37.462, 0.144323, -2.303),
             65: (3.7506, 25.844, 0.121272, -2.303), 45: (2.1691, 16.693, 0.100225, -2.303),
             32: (1.1294, 8.8998, 0.079449, -2.297), 22: (0.538, 4.3753, 0.072341, -2.303),
             14: (0.3132, 2.5681, 0.061085, -2.303), 10: (0.1823, 1.5073, 0.051580, -2.303),
             7: (0.1061, 0.8847, 0.043555, -2.303)},
}

CONVERSION_FLOOR_S = 1e-9
CONVERSION_CEILING_S = 10e-9


def _fit_row(table: dict[int, tuple[float, ...]], node_nm: int) -> tuple[float, ...]:
    """The node's row; any other node takes the 7 nm row (the C++ if/else chain ends there)."""
    return table.get(node_nm, table[7])


def _temperature_factor(tech: Technology) -> float:
    """+0.13 % per kelvin above 300 K on the ADC power fits (MultilevelSenseAmp/SarADC GetColumnPower)."""
    return 1 + 1.3e-3 * (tech.temperature_k - 300)


def unit_transistor_areas_m2(tech: Technology) -> tuple[float, float]:
    """(NMOS, PMOS) area of a minimum transistor in a standard cell (the ADCs' counting unit).

    MultilevelSenseAmp.cpp:CalculateArea / SarADC.cpp:CalculateUnitArea.
    """
    width_n, width_p = min_inverter_widths_m(tech)
    h = cell_height_m(tech)
    return (gate_area(tech, Gate.INV, 1, width_n, 0.0, h).area_m2,
            gate_area(tech, Gate.INV, 1, 0.0, width_p, h).area_m2)


def _shape(area_m2: float, height_m: float | None, width_m: float | None) -> Footprint:
    """Shape an ADC bank of known area to the side given (MultilevelSenseAmp/SarADC CalculateArea)."""
    if width_m:
        return Footprint(area_m2 / width_m, width_m)
    if height_m:
        return Footprint(height_m, area_m2 / height_m)
    raise ValueError("an ADC bank needs a height or a width")


class MultilevelSenseAmp:
    """``adcs`` flash ADCs of ``levels`` levels, each ``levels - 1`` sense amplifiers. MultilevelSenseAmp.cpp."""

    def __init__(self, tech: Technology, adcs: int, levels: int, *, current_mode: bool = True, parallel: bool = True,
                 r_on_ohm: float = 240e3, r_off_ohm: float = 24e6, rows: int = 128,
                 read_voltage_v: float = 0.5) -> None:
        self.tech, self.adcs, self.levels = tech, adcs, levels
        self.current_mode, self.read_voltage_v = current_mode, read_voltage_v
        # MultilevelSenseAmp.cpp:Initialize -- reference resistances between the on and off column
        base, span = (r_on_ohm / rows, r_off_ohm / rows) if parallel else (r_on_ohm, r_off_ohm)
        self.reference_ohm = tuple(base + (i + 1) * span / levels for i in range(levels - 1))

    @property
    def area_m2(self) -> float:
        """(48 N + 24 P) unit transistors per S/A (current mode) or (52 N + 60 P) (voltage mode).

        MultilevelSenseAmp.cpp:MultilevelSenseAmp::CalculateArea.
        """
        area_n, area_p = unit_transistor_areas_m2(self.tech)
        per_sa = 48 * area_n + 24 * area_p if self.current_mode else 52 * area_n + 60 * area_p
        return per_sa * (self.levels - 1) * self.adcs

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """The bank reshaped to a given height or width (the area does not change)."""
        return _shape(self.area_m2, height_m, width_m)

    def column_latency_s(self, column_ohm: float) -> float:
        """Fitted sensing time of one column (unclamped). MultilevelSenseAmp.cpp:GetColumnLatency.

        Quirks kept: the first reference is never examined, and every x > 0.9 uses the quartic
        (the C++ chained comparison ``a <= x <= b`` is always true).
        """
        r = column_ohm * 0.5 / self.read_voltage_v
        if r == 0 or math.isinf(r):
            return 0.0
        if self.tech.roadmap == "HP" or self.tech.node_nm not in _MLSA_LATENCY_FIT:
            return CONVERSION_FLOOR_S
        a, b, low, high = _MLSA_LATENCY_FIT[self.tech.node_nm]
        t_max = (a * math.log(r / 1000) + b) * 1e-9
        worst = 0.0
        for ref in self.reference_ohm[1:]:
            x = ref / r
            if x >= 20 or x <= 0.05:
                t = CONVERSION_FLOOR_S
            elif x <= 0.9:
                t = t_max * (((low[0] * x + low[1]) * x + low[2]) * x + low[3])
            else:
                t = t_max * ((((high[0] * x + high[1]) * x + high[2]) * x + high[3]) * x + high[4])
            worst = max(worst, t)
        return worst

    def conversion_s(self, column_ohm: Iterable[float]) -> float:
        """One conversion: the slowest column clamped to [1, 10] ns (current mode) or 1 ns (voltage mode).

        MultilevelSenseAmp.cpp:MultilevelSenseAmp::CalculateLatency; NaN columns are skipped.
        """
        if not self.current_mode:
            return CONVERSION_FLOOR_S
        worst = 0.0
        for r in column_ohm:
            if not math.isnan(r):
                worst = max(worst, self.column_latency_s(r))
        return min(max(worst, CONVERSION_FLOOR_S), CONVERSION_CEILING_S)

    def latency_s(self, column_ohm: Iterable[float], conversions: float, reads: float = 1) -> float:
        """``conversions`` sequential conversions per ADC (numColMuxed), times ``reads``."""
        return self.conversion_s(column_ohm) * conversions * reads

    def column_power_w(self, column_ohm: float) -> float:
        """Static (L - 1 S/As) plus bit-line power of one column. MultilevelSenseAmp.cpp:GetColumnPower."""
        r = column_ohm * 0.5 / self.read_voltage_v
        if math.isinf(r):
            power = 1e-6
        elif r == 0:
            power = 0.0
        else:
            table = _MLSA_POWER_CURRENT if self.current_mode else _MLSA_POWER_VOLTAGE
            k, c, e = _fit_row(table[self.tech.roadmap], self.tech.node_nm)
            power = k * (self.levels - 1) * 1e-6 + c * math.exp(e * math.log10(r))
        return power * _temperature_factor(self.tech)

    def energy_j(self, column_ohm: Sequence[float], reads: float = 1) -> float:
        """One conversion per listed column, at the clamped conversion time. MultilevelSenseAmp.cpp:CalculatePower."""
        t = self.conversion_s(column_ohm)
        return sum(max(self.column_power_w(r) * t, 0.0) for r in column_ohm if not math.isnan(r)) * reads

    leakage_w = 0.0


class MultilevelSAEncoder:
    """``encoders`` thermometer-to-binary encoders of ``levels`` inputs. MultilevelSAEncoder.cpp."""

    def __init__(self, tech: Technology, levels: int, encoders: int) -> None:
        self.tech, self.levels, self.encoders = tech, levels, encoders
        self.wide_nand_inputs = levels // 2
        self.output_bits = math.ceil(math.log2(levels))
        h = cell_height_m(tech)
        self.inv_widths_m, self.nand_widths_m = min_inverter_widths_m(tech), nand2_widths_m(tech)
        self.inv = gate_area(tech, Gate.INV, 1, *self.inv_widths_m, h)
        self.nand = gate_area(tech, Gate.NAND, 2, *self.nand_widths_m, h)
        self.wide_nand = gate_area(tech, Gate.NAND, self.wide_nand_inputs, *self.nand_widths_m, h)
        self.cap_inv = gate_capacitance(tech, Gate.INV, 1, *self.inv_widths_m, self.inv.height_m)
        self.cap_nand = gate_capacitance(tech, Gate.NAND, 2, *self.nand_widths_m, self.nand.height_m)
        self.cap_wide_nand = gate_capacitance(tech, Gate.NAND, self.wide_nand_inputs, *self.nand_widths_m,
                                              self.wide_nand.height_m)
        # MultilevelSAEncoder.cpp:CalculateArea -- one encoder: 2 INV + NAND2 + wide NAND per level row
        self.unit = Footprint((levels - 1) * max(self.inv.height_m, self.nand.height_m),
                              2 * self.inv.width_m + self.nand.width_m + self.wide_nand.width_m)

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """Encoders in rows under a width or columns under a height. MultilevelSAEncoder.cpp:CalculateArea.

        The C++ uses ceil (not floor) for the encoders per row/column, so a row may overflow the side.
        """
        if width_m:
            per_row = min(math.ceil(width_m / self.unit.width_m), self.encoders)
            return Footprint(self.unit.height_m * math.ceil(self.encoders / per_row), max(width_m, self.unit.width_m))
        if height_m:
            per_col = min(math.ceil(height_m / self.unit.height_m), self.encoders)
            return Footprint(max(height_m, self.unit.height_m), self.unit.width_m * math.ceil(self.encoders / per_col))
        raise ValueError("the encoder bank needs a height or a width")

    def latency_s(self, reads: float, ramp_input: float = RAMP_STEP) -> float:
        """INV -> NAND2 -> wide NAND, only the first two stages counted (the C++ drops stages 3-4).

        MultilevelSAEncoder.cpp:MultilevelSAEncoder::CalculateLatency.
        """
        t = self.tech
        tr1 = 2 * on_resistance_ohm(t, self.inv_widths_m[0], Mos.NMOS) * (self.cap_inv.output_f + 2 * self.cap_nand.input_f)
        d1, ramp = horowitz(tr1, ramp_input)
        tr2 = on_resistance_ohm(t, self.nand_widths_m[1], Mos.PMOS) * (
            self.cap_nand.output_f + self.cap_wide_nand.input_f * self.wide_nand_inputs)
        d2, _ = horowitz(tr2, ramp)
        return (d1 + d2) * reads

    def energy_j(self, reads: float) -> float:
        """MultilevelSAEncoder.cpp:MultilevelSAEncoder::CalculatePower."""
        k = self.levels + self.output_bits
        caps = sum(self.cap_inv) * k + sum(self.cap_nand) * k + sum(self.cap_wide_nand) * self.output_bits
        return caps * self.tech.vdd_v ** 2 * self.encoders * reads

    @property
    def leakage_w(self) -> float:
        """MultilevelSAEncoder.cpp:CalculatePower: INV and NAND2 per level row + wide NAND per output bit."""
        t, k = self.tech, self.levels + self.output_bits
        leak = (gate_leakage_a(t, Gate.INV, 1, *self.inv_widths_m) * k
                + gate_leakage_a(t, Gate.NAND, 2, *self.nand_widths_m) * k
                + gate_leakage_a(t, Gate.NAND, self.wide_nand_inputs, *self.nand_widths_m) * self.output_bits)
        return leak * t.vdd_v * self.encoders


class SarADC:
    """``adcs`` SAR ADCs of ``levels`` levels: a transistor-count area and (bits + 1) 1 ns cycles. SarADC.cpp."""

    def __init__(self, tech: Technology, adcs: int, levels: int, read_voltage_v: float = 0.5) -> None:
        self.tech, self.adcs, self.levels, self.read_voltage_v = tech, adcs, levels, read_voltage_v
        self.bits = math.log2(levels)

    @property
    def unit_area_m2(self) -> float:
        """269 + 109 (b - 1) NMOS and 209 + 73 (b - 1) PMOS units. SarADC.cpp:SarADC::CalculateUnitArea."""
        area_n, area_p = unit_transistor_areas_m2(self.tech)
        return area_n * (269 + (self.bits - 1) * 109) + area_p * (209 + (self.bits - 1) * 73)

    @property
    def area_m2(self) -> float:
        """Area of all the ADCs of the bank. SarADC.cpp:SarADC::CalculateArea."""
        return self.unit_area_m2 * self.adcs

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """The bank reshaped to a given height or width (the area does not change)."""
        return _shape(self.area_m2, height_m, width_m)

    @property
    def conversion_s(self) -> float:
        """(bits + 1) x 1 ns. SarADC.cpp:SarADC::CalculateLatency."""
        return (self.bits + 1) * 1e-9

    def latency_s(self, conversions: float, reads: float = 1) -> float:
        """``conversions`` sequential conversions per ADC, times ``reads``. SarADC.cpp:CalculateLatency."""
        return self.conversion_s * conversions * reads

    def column_power_w(self, column_ohm: float) -> float:
        """SarADC.cpp:SarADC::GetColumnPower (with the temperature factor)."""
        r = column_ohm * 0.5 / self.read_voltage_v
        if math.isinf(r):
            power = 1e-6
        elif r == 0:
            power = 0.0
        else:
            k, c0, c, e = _fit_row(_SAR_POWER[self.tech.roadmap], self.tech.node_nm)
            power = (k * self.bits + c0) * 1e-6 + c * math.exp(e * math.log10(r))
        return power * _temperature_factor(self.tech)

    def energy_j(self, column_ohm: Sequence[float], reads: float = 1) -> float:
        """One conversion per listed column (NaN skipped, inf costs the 1 uW floor). SarADC.cpp:CalculatePower."""
        return sum(self.column_power_w(r) * self.conversion_s for r in column_ohm if not math.isnan(r)) * reads

    leakage_w = 0.0
