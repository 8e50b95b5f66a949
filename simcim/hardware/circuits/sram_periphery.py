"""SRAM column periphery: bit-line precharger (Precharger.cpp) and write driver (SRAMWriteDriver.cpp).

Used by SRAM buffers and by the SRAM arrays of the weight-gradient unit.
"""

from __future__ import annotations

import math

from simcim.hardware.circuits.gates import (
    MIN_NMOS_SIZE_F,
    RAMP_STEP,
    Footprint,
    Gate,
    Mos,
    cell_height_m,
    drain_cap_f,
    gate_area,
    gate_leakage_a,
    horowitz,
    min_inverter,
    min_inverter_leakage_a,
    min_inverter_widths_m,
    on_resistance_ohm,
)
from simcim.hardware.circuits.technology import Technology


def _rows_under_width(width_m: float, unit: Footprint, count: int) -> Footprint:
    """Units tiled in rows under a given width (at least one per row)."""
    per_row = max(1, min(int(width_m / unit.width_m), count))
    return Footprint(math.ceil(count / per_row) * unit.height_m, width_m)


class Precharger:
    """One 6 F PMOS precharger and two 2 F PMOS equalisers per column. Precharger.cpp."""

    def __init__(self, tech: Technology, columns: int, load_ohm: float, activity_col_write: float = 1.0,
                 read_cells_per_op: float | None = None, write_cells_per_op: float | None = None) -> None:
        self.tech, self.columns, self.load_ohm = tech, columns, load_ohm
        self.activity_col_write = activity_col_write
        self.read_cells_per_op = columns if read_cells_per_op is None else read_cells_per_op
        self.write_cells_per_op = columns if write_cells_per_op is None else write_cells_per_op
        f, h = tech.feature_size_m, cell_height_m(tech)
        self.precharge_width_m, self.equalise_width_m = 6 * f, MIN_NMOS_SIZE_F * f
        pre = gate_area(tech, Gate.INV, 1, 0.0, self.precharge_width_m, h)
        eq = gate_area(tech, Gate.INV, 1, 0.0, self.equalise_width_m, h)
        self.unit = Footprint(pre.height_m + 2 * eq.height_m, max(pre.width_m, eq.width_m))
        # Precharger.cpp:Precharger::CalculateArea (output capacitance)
        self.cap_output_f = (drain_cap_f(tech, self.precharge_width_m, Mos.PMOS, pre.height_m)
                             + drain_cap_f(tech, self.equalise_width_m, Mos.PMOS, eq.height_m))

    def footprint(self, width_m: float | None = None) -> Footprint:
        """Precharger.cpp:Precharger::CalculateArea."""
        if width_m:
            return _rows_under_width(width_m, self.unit, self.columns)
        return Footprint(self.unit.height_m, self.unit.width_m * self.columns)

    def latency_s(self, load_f: float, operations: float) -> float:
        """Pull the bit line up through the 6 F PMOS (read = write per operation). Precharger.cpp:CalculateLatency."""
        r = on_resistance_ohm(self.tech, self.precharge_width_m, Mos.PMOS)
        tau = r * (load_f + self.cap_output_f) + self.load_ohm * load_f / 2
        return horowitz(tau, RAMP_STEP)[0] * operations

    def read_energy_j(self, load_f: float, reads: float) -> float:
        """BL and BL-bar of the read columns. Precharger.cpp:Precharger::CalculatePower."""
        return load_f * self.tech.vdd_v ** 2 * min(self.read_cells_per_op, self.columns) * 2 * reads

    def write_energy_j(self, load_f: float, writes: float) -> float:
        """Precharger.cpp:Precharger::CalculatePower (write)."""
        written = min(self.write_cells_per_op, self.columns * self.activity_col_write)
        return load_f * self.tech.vdd_v ** 2 * written * writes

    @property
    def leakage_w(self) -> float:
        """Leakage of the bank (Precharger.cpp / SRAMWriteDriver.cpp CalculatePower)."""
        return gate_leakage_a(self.tech, Gate.INV, 1, 0.0, self.precharge_width_m) * self.tech.vdd_v * self.columns


class SRAMWriteDriver:
    """Three minimum inverters per column driving the bit lines. SRAMWriteDriver.cpp."""

    def __init__(self, tech: Technology, columns: int, activity_col_write: float = 1.0,
                 write_cells_per_op: float | None = None) -> None:
        self.tech, self.columns, self.activity_col_write = tech, columns, activity_col_write
        self.write_cells_per_op = columns if write_cells_per_op is None else write_cells_per_op
        inv, (self.cap_inv_input_f, self.cap_inv_output_f) = min_inverter(tech)
        self.unit = Footprint(3 * inv.height_m, inv.width_m)

    def footprint(self, width_m: float | None = None) -> Footprint:
        """SRAMWriteDriver.cpp:SRAMWriteDriver::CalculateArea."""
        if width_m:
            return _rows_under_width(width_m, self.unit, self.columns)
        return Footprint(self.unit.height_m, self.unit.width_m * self.columns)

    def latency_s(self, load_f: float, load_ohm: float, writes: float, ramp_input: float = RAMP_STEP) -> float:
        """Pull-up INV then the pull-down INV into the bit line, ramps chained. SRAMWriteDriver.cpp:CalculateLatency."""
        width_n, width_p = min_inverter_widths_m(self.tech)
        d1, ramp = horowitz(on_resistance_ohm(self.tech, width_p, Mos.PMOS) * (self.cap_inv_output_f + self.cap_inv_input_f),
                            ramp_input)
        tr = on_resistance_ohm(self.tech, width_n, Mos.NMOS) * (load_f + self.cap_inv_output_f) + load_ohm * load_f / 2
        return (d1 + horowitz(tr, ramp)[0]) * writes

    def write_energy_j(self, writes: float) -> float:
        """Only the first INV's output and the second's input switch. SRAMWriteDriver.cpp:CalculatePower."""
        written = min(self.write_cells_per_op, self.columns * self.activity_col_write)
        return (self.cap_inv_output_f + self.cap_inv_input_f) * self.tech.vdd_v ** 2 * written * writes

    @property
    def leakage_w(self) -> float:
        """Leakage of the bank (Precharger.cpp / SRAMWriteDriver.cpp CalculatePower)."""
        return min_inverter_leakage_a(self.tech) * self.tech.vdd_v * 3 * self.columns
