"""Transmission-gate periphery of a 1T1R array: analog mux, row driver (NewSwitchMatrix) and switch matrix.

Mux.cpp (analog mux in front of the ADCs), NewSwitchMatrix.cpp (word/bit-line drivers of a 1T1R
row with its scan-in DFFs) and SwitchMatrix.cpp (row- or column-side drivers, 1T1R neuro mode).
The transmission gates are sized for a target on-resistance in the linear region.
"""

from __future__ import annotations

import math

from simcim.hardware.circuits.gates import (
    IR_DROP_TOLERANCE,
    LINEAR_REGION_RATIO,
    MIN_GAP_BET_GATE_POLY_F,
    POLY_WIDTH_F,
    RAMP_STEP,
    Footprint,
    Gate,
    Mos,
    cell_height_m,
    gate_area,
    gate_cap_f,
    gate_capacitance,
    horowitz,
    min_inverter_widths_m,
    on_resistance_ohm,
    pass_gate_area,
)
from simcim.hardware.circuits.logic import DFF
from simcim.hardware.circuits.technology import Technology


def tg_widths_m(tech: Technology, resistance_target_ohm: float) -> tuple[float, float]:
    """(NMOS, PMOS) widths of a TG whose halves each give 2 x (target x IR-drop tolerance) in the linear region.

    Mux.cpp:Mux::Initialize / SwitchMatrix.cpp:SwitchMatrix::Initialize.
    """
    f = tech.feature_size_m
    res_tg = resistance_target_ohm * IR_DROP_TOLERANCE
    return (on_resistance_ohm(tech, f, Mos.NMOS) * f * LINEAR_REGION_RATIO / (2 * res_tg),
            on_resistance_ohm(tech, f, Mos.PMOS) * f * LINEAR_REGION_RATIO / (2 * res_tg))


def _min_tg_cell_width_m(tech: Technology) -> float:
    """Minimum standard-cell width of one TG: 2 x (poly + poly gap) = 7.6 F."""
    return 2 * (POLY_WIDTH_F + MIN_GAP_BET_GATE_POLY_F) * tech.feature_size_m


class Mux:
    """Analog mux: ``inputs`` outputs, each selecting one of ``selections`` lines. Mux.cpp (FPGA = false)."""

    def __init__(self, tech: Technology, inputs: int, selections: int, resistance_target_ohm: float,
                 read_voltage_v: float = 0.5) -> None:
        self.tech, self.inputs, self.selections, self.read_voltage_v = tech, inputs, selections, read_voltage_v
        self.res_tg_ohm = resistance_target_ohm * IR_DROP_TOLERANCE
        self.width_n_m, self.width_p_m = tg_widths_m(tech, resistance_target_ohm)
        self.cap_tg_gate_n_f = gate_cap_f(tech, self.width_n_m)
        self.cap_tg_gate_p_f = gate_cap_f(tech, self.width_p_m)
        # Every NeuroSim caller ends with an OVERRIDE layout call, which takes the unfolded branch:
        # the drain cap is that of the unfolded pass gate (Mux.cpp:Mux::CalculateArea).
        self._unfolded = pass_gate_area(tech, self.width_n_m, self.width_p_m, 1)
        self.cap_tg_drain_f = gate_capacitance(tech, Gate.INV, 1, self.width_n_m, self.width_p_m,
                                               self._unfolded.height_m).output_f

    def footprint(self, width_m: float | None = None) -> Footprint:
        """TGs in folded rows under a given width, else one unfolded row. Mux.cpp:Mux::CalculateArea."""
        count = self.inputs * self.selections
        if width_m:
            cell_w = _min_tg_cell_width_m(self.tech)
            # At least one gate per row and one fold: a width under one gate would divide by zero
            # (NeuroSim's C++ has the same division; only degenerate specs get here).
            per_row = max(1, int(width_m / cell_w))
            rows = math.ceil(count / per_row)
            per_row = math.ceil(count / rows)
            folds = max(1, int((width_m / per_row) / (0.5 * cell_w)) - 1)
            return Footprint(pass_gate_area(self.tech, self.width_n_m, self.width_p_m, folds).height_m * rows, width_m)
        return Footprint(self._unfolded.height_m, self._unfolded.width_m * count)

    def latency_s(self, reads: float, load_f: float = 0.0) -> float:
        """0 -> 90 % charge through one half of the TG (2.3 RC). Mux.cpp:Mux::CalculateLatency."""
        tr = 2 * self.res_tg_ohm * (self.cap_tg_drain_f + 0.5 * self.cap_tg_gate_n_f + 0.5 * self.cap_tg_gate_p_f + load_f)
        return 2.3 * tr * reads

    def energy_j(self, reads: float) -> float:
        """Selected TG gates at Vdd and their drains at the read voltage. Mux.cpp:Mux::CalculatePower."""
        return (self.cap_tg_gate_n_f * self.inputs * self.tech.vdd_v ** 2
                + 2 * self.cap_tg_drain_f * self.inputs * self.read_voltage_v ** 2) * reads


class NewSwitchMatrix:
    """Row drivers of a 1T1R array (one TG group + DFF per row), laid out against the array height.

    NewSwitchMatrix.cpp. ``height_m = None`` gives NeuroSim's unconstrained stack.
    """

    def __init__(self, tech: Technology, outputs: int, height_m: float | None, clock_hz: float = 1e9,
                 read_voltage_v: float = 0.5, access_voltage_v: float = 1.1) -> None:
        self.tech, self.outputs = tech, outputs
        self.read_voltage_v, self.access_voltage_v = read_voltage_v, access_voltage_v
        self.dff = DFF(tech, outputs, clock_hz)
        self.width_n_m, self.width_p_m = min_inverter_widths_m(tech)
        # NewSwitchMatrix.cpp:NewSwitchMatrix::Initialize -- min TG in the linear region
        self.res_tg_ohm = on_resistance_ohm(tech, self.width_n_m, Mos.NMOS) * LINEAR_REGION_RATIO
        self.cap_tg_gate_n_f = gate_cap_f(tech, self.width_n_m)
        self.cap_tg_gate_p_f = gate_cap_f(tech, self.width_p_m)
        # NewSwitchMatrix.cpp:NewSwitchMatrix::CalculateArea
        min_h = cell_height_m(tech)
        if height_m:
            per_col = int(height_m / min_h)
            cols = math.ceil(outputs / per_col)
            per_col = math.ceil(outputs / cols)
            tg = gate_area(tech, Gate.INV, 1, self.width_n_m, self.width_p_m, height_m / per_col)
            self.footprint = Footprint(height_m, 4 * tg.width_m * cols + self.dff.footprint(height_m=height_m).width_m)
        else:
            tg = gate_area(tech, Gate.INV, 1, self.width_n_m, self.width_p_m, min_h)
            h = tg.height_m * outputs
            self.footprint = Footprint(h, 4 * tg.width_m + self.dff.footprint(height_m=h).width_m)
        self.cap_tg_drain_f = gate_capacitance(tech, Gate.INV, 1, self.width_n_m, self.width_p_m, tg.height_m).output_f

    def _tr_s(self, load_f: float, load_ohm: float) -> float:
        """Elmore constant through 2 TGs (5 drain loads) into the line. NewSwitchMatrix.cpp:CalculateLatency."""
        return self.res_tg_ohm * (5 * self.cap_tg_drain_f + load_f) + load_ohm * load_f / 2

    def read_latency_s(self, load_f: float, load_ohm: float, reads: float) -> float:
        """NewSwitchMatrix.cpp:NewSwitchMatrix::CalculateLatency (read)."""
        return horowitz(self._tr_s(load_f, load_ohm), RAMP_STEP)[0] * reads + self.dff.latency_s(reads)

    def write_latency_s(self, load_f: float, load_ohm: float, reads: float, writes: float) -> float:
        """Drive per write; the DFF scan only if anything is written. NewSwitchMatrix.cpp:CalculateLatency."""
        lat = horowitz(self._tr_s(load_f, load_ohm), RAMP_STEP)[0] * writes
        return lat + (self.dff.latency_s(reads) if writes != 0 else 0.0)

    def read_energy_j(self, reads: float, activity_row_read: float) -> float:
        """Access gate at V_access, BL at V_read, 3 TGs opened per active row. NewSwitchMatrix.cpp:CalculatePower."""
        vdd2 = self.tech.vdd_v ** 2
        per_row = (2 * self.cap_tg_drain_f * self.access_voltage_v ** 2 + 5 * self.cap_tg_drain_f * self.read_voltage_v ** 2
                   + 3 * (self.cap_tg_gate_n_f + self.cap_tg_gate_p_f) * vdd2)
        return per_row * self.outputs * activity_row_read * reads + self.dff.energy_j(reads, self.outputs)

    def write_energy_j(self, reads: float, writes: float) -> float:
        """NewSwitchMatrix.cpp:NewSwitchMatrix::CalculatePower (write)."""
        vdd2 = self.tech.vdd_v ** 2
        gates = self.cap_tg_gate_n_f + self.cap_tg_gate_p_f
        per_write = 2 * self.cap_tg_drain_f * self.access_voltage_v ** 2 + 4 * gates * vdd2 + gates * vdd2
        return per_write * writes + (self.dff.energy_j(reads, self.outputs) if writes != 0 else 0.0)

    @property
    def leakage_w(self) -> float:
        """Only the DFFs leak. NewSwitchMatrix.cpp:NewSwitchMatrix::CalculatePower."""
        return self.dff.leakage_w


class SwitchMatrix:
    """TG drivers of rows (``rows=True``, laid out to a height) or columns (to a width), 1T1R neuro mode.

    SwitchMatrix.cpp. ``write_pulses`` is the pulse count the C++ freezes at Initialize (0 for the
    sub-array's source-line matrix, whose value is read before it is set; 1 for the WG unit).
    """

    def __init__(self, tech: Technology, outputs: int, resistance_target_ohm: float, *, rows: bool,
                 extent_m: float | None, clock_hz: float = 1e9, read_voltage_v: float = 0.5,
                 write_voltage_v: float = math.sqrt(32.0), write_pulses: float = 0.0,
                 write_cells_per_op: float | None = None) -> None:
        self.tech, self.outputs, self.rows = tech, outputs, rows
        self.read_voltage_v, self.write_voltage_v, self.write_pulses = read_voltage_v, write_voltage_v, write_pulses
        self.write_cells_per_op = outputs if write_cells_per_op is None else write_cells_per_op
        self.dff = DFF(tech, outputs, clock_hz)
        self.res_tg_ohm = resistance_target_ohm * IR_DROP_TOLERANCE
        self.width_n_m, self.width_p_m = tg_widths_m(tech, resistance_target_ohm)
        self.cap_tg_gate_n_f = gate_cap_f(tech, self.width_n_m)
        self.cap_tg_gate_p_f = gate_cap_f(tech, self.width_p_m)
        self.footprint, tg_height = self._layout(extent_m)
        self.cap_tg_drain_f = gate_capacitance(tech, Gate.INV, 1, self.width_n_m, self.width_p_m, tg_height).output_f

    def _layout(self, extent_m: float | None) -> tuple[Footprint, float]:
        """(footprint, TG region height). SwitchMatrix.cpp:SwitchMatrix::CalculateArea."""
        t, n = self.tech, self.outputs
        if self.rows:
            min_h = cell_height_m(t)
            if extent_m:
                per_col = int(extent_m / min_h)
                cols = math.ceil(n / per_col)
                per_col = math.ceil(n / cols)
                tg = gate_area(t, Gate.INV, 1, self.width_n_m, self.width_p_m, extent_m / per_col)
                return Footprint(extent_m, 2 * tg.width_m * cols + self.dff.footprint(height_m=extent_m).width_m), tg.height_m
            tg = gate_area(t, Gate.INV, 1, self.width_n_m, self.width_p_m, min_h)
            h = tg.height_m * n
            return Footprint(h, 2 * tg.width_m + self.dff.footprint(height_m=h).width_m), tg.height_m
        if extent_m:
            cell_w = _min_tg_cell_width_m(t)
            pairs_per_row = int(extent_m / (2 * cell_w))
            rows = math.ceil(n / pairs_per_row)
            pairs_per_row = math.ceil(n / rows)
            folds = int((extent_m / pairs_per_row / 2) / (0.5 * cell_w)) - 1
            tg = pass_gate_area(t, self.width_n_m, self.width_p_m, folds)
            return Footprint(tg.height_m * rows + self.dff.footprint(width_m=extent_m).height_m, extent_m), tg.height_m
        tg = pass_gate_area(t, self.width_n_m, self.width_p_m, 1)
        w = 2 * tg.width_m * n
        return Footprint(tg.height_m + self.dff.footprint(width_m=w).height_m, w), tg.height_m

    def _tr_s(self, load_f: float, load_ohm: float) -> float:
        """Elmore constant through the TG (3 drain loads) into the line. SwitchMatrix.cpp:CalculateLatency."""
        return self.res_tg_ohm * (3 * self.cap_tg_drain_f + load_f) + load_ohm * load_f / 2

    def read_latency_s(self, load_f: float, load_ohm: float, reads: float) -> float:
        """SwitchMatrix.cpp:SwitchMatrix::CalculateLatency (read)."""
        return horowitz(self._tr_s(load_f, load_ohm), RAMP_STEP)[0] * reads + self.dff.latency_s(reads)

    def write_latency_s(self, load_f: float, load_ohm: float, reads: float, writes: float) -> float:
        """The DFF scan is always added (numRead of the same call). SwitchMatrix.cpp:CalculateLatency."""
        return horowitz(self._tr_s(load_f, load_ohm), RAMP_STEP)[0] * writes + self.dff.latency_s(reads)

    def read_energy_j(self, reads: float, activity_row_read: float) -> float:
        """Row mode drives the active rows; column mode only clocks its DFFs. SwitchMatrix.cpp:CalculatePower."""
        energy = 0.0
        if self.rows:
            energy = (3 * self.cap_tg_drain_f * self.read_voltage_v ** 2
                      + (self.cap_tg_gate_n_f + self.cap_tg_gate_p_f) * self.tech.vdd_v ** 2) * self.outputs * activity_row_read
        return energy * reads + self.dff.energy_j(reads, self.outputs)

    def write_energy_j(self, reads: float, writes: float, activity_col_write: float) -> float:
        """1T1R neuro write: row mode switches the selected row; column mode charges the lines.

        SwitchMatrix.cpp:SwitchMatrix::CalculatePower. The DFF term uses ``reads`` of the same call.
        """
        t, gates = self.tech, self.cap_tg_gate_n_f + self.cap_tg_gate_p_f
        if self.rows:
            per_write = gates * t.vdd_v ** 2 * 2
        else:
            drain_v2 = 3 * self.cap_tg_drain_f * self.write_voltage_v ** 2
            selected = min(self.write_cells_per_op, self.outputs * activity_col_write)
            per_write = (drain_v2 * self.write_pulses * selected / 2  # LTP, selected columns
                         + drain_v2 * (self.outputs - selected / 2)  # unselected columns
                         + drain_v2 * self.write_pulses * selected / 2  # LTD, selected columns
                         + gates * t.vdd_v ** 2 * self.outputs)
        return per_write * writes + self.dff.energy_j(reads, self.outputs)

    @property
    def leakage_w(self) -> float:
        """Only the DFFs leak. SwitchMatrix.cpp:SwitchMatrix::CalculatePower."""
        return self.dff.leakage_w
