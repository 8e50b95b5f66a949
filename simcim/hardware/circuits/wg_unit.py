"""NeuroSim's weight-gradient unit (WeightGradientUnit.cpp, parallelBP = true): SRAM sub-arrays that hold a
layer's im2col activations while the output-channel errors are applied to their rows, plus the adder
trees that sum the arrays of one column.

Sizing follows WeightGradientUnit::Initialize with the array counts floored and then clamped to at
least 1 (the fix of the study's fork; V2.1 gives 0 arrays for an all-FC network and never finishes).
"""

from __future__ import annotations

import math

from simcim.hardware.circuits.adc import MultilevelSAEncoder, MultilevelSenseAmp, SarADC
from simcim.hardware.circuits.decoder import RowDecoder
from simcim.hardware.circuits.gates import (
    Gate,
    Mos,
    drain_cap_f,
    gate_cap_f,
    gate_leakage_a,
    horowitz,
    on_resistance_ohm,
)
from simcim.hardware.circuits.interconnect import (
    SRAM_ACCESS_WIDTH_F,
    SRAM_CELL_HEIGHT_F,
    SRAM_CELL_WIDTH_F,
    SRAM_PULL_DOWN_WIDTH_F,
    SRAM_PULL_UP_WIDTH_F,
    sram_bitline_tau_s,
)
from simcim.hardware.circuits.logic import AdderTree, ShiftAdd
from simcim.hardware.circuits.sram_periphery import Precharger, SRAMWriteDriver
from simcim.hardware.circuits.switches import Mux, SwitchMatrix
from simcim.hardware.circuits.technology import Technology, Wire


class WeightGradientUnit:
    """The shared WG unit sized for a (mem_rows x mem_cols) operand: output positions x (channels x input bits).

    ``rows_muxed`` rows share an ADC of ``adc_levels`` levels; every array periphery is evaluated for
    ``rows_muxed x input_bits`` cycles per read. Keyword arguments carry the global NeuroSim state the
    C++ reads: the main array's cell (read voltage, R_on/R_off for the MLSA references, read pulse),
    its rows (``reference_rows``), its column mux (``cols_muxed``, used by the accumulation latency)
    and the main cell width in wire widths (``main_cell_width_f``, for ``wireResistanceCol``).
    """

    def __init__(self, tech: Technology, wire: Wire, mem_rows: int, mem_cols: int, sub_rows: int = 128,
                 sub_cols: int = 128, rows_muxed: int = 8, adc_levels: int = 16, input_bits: int = 8,
                 activity: float = 0.5, *, adc_kind: str = "mlsa", current_mode: bool = True, cols_muxed: int = 8,
                 read_voltage_v: float = 0.5, r_on_ohm: float = 240e3, r_off_ohm: float = 24e6,
                 reference_rows: int = 128, read_pulse_s: float = 10e-9, clock_hz: float = 1e9,
                 main_cell_width_f: float = 4.0) -> None:
        if adc_kind not in ("mlsa", "sar"):
            raise ValueError(f"adc_kind must be 'mlsa' or 'sar', not {adc_kind!r}")
        self.tech, self.wire = tech, wire
        self.sub_rows, self.sub_cols, self.rows_muxed, self.adc_levels = sub_rows, sub_cols, rows_muxed, adc_levels
        self.input_bits, self.activity, self.cols_muxed = input_bits, activity, cols_muxed
        f, c_w, r_w = tech.feature_size_m, wire.capacitance_f_per_m, wire.unit_length_resistance_ohm_per_m
        # WeightGradientUnit.cpp:Initialize -- floor, then (study fork) clamp to >= 1
        self.arrays_in_row = max(1, mem_rows // sub_rows)
        self.arrays_in_col = max(1, mem_cols // sub_cols)
        self.length_row_m = sub_cols * SRAM_CELL_WIDTH_F * f
        self.length_col_m = sub_rows * SRAM_CELL_HEIGHT_F * f
        self.cap_row_f, self.cap_col_f = self.length_row_m * c_w, self.length_col_m * c_w
        self.res_row_ohm, self.res_col_ohm = self.length_row_m * r_w, self.length_col_m * r_w
        self.res_cell_access_ohm = on_resistance_ohm(tech, SRAM_ACCESS_WIDTH_F * f, Mos.NMOS)
        self.cap_sram_cell_f = (drain_cap_f(tech, SRAM_ACCESS_WIDTH_F * f, Mos.NMOS, SRAM_CELL_WIDTH_F * f)
                                + drain_cap_f(tech, SRAM_PULL_DOWN_WIDTH_F * f, Mos.NMOS, SRAM_CELL_WIDTH_F * f)
                                + drain_cap_f(tech, SRAM_PULL_UP_WIDTH_F * f, Mos.PMOS, SRAM_CELL_WIDTH_F * f)
                                + gate_cap_f(tech, SRAM_PULL_DOWN_WIDTH_F * f) + gate_cap_f(tech, SRAM_PULL_UP_WIDTH_F * f))
        self.cell_wire_ohm = wire.cell_segment_resistance_ohm(main_cell_width_f)
        adcs = sub_cols // rows_muxed
        self.switch_matrix = SwitchMatrix(tech, sub_rows, self.res_cell_access_ohm, rows=True,
                                          extent_m=self.length_col_m, clock_hz=clock_hz,
                                          read_voltage_v=read_voltage_v, write_pulses=1, write_cells_per_op=sub_cols)
        self.mux = Mux(tech, adcs, rows_muxed, self.res_cell_access_ohm, read_voltage_v)
        self.mux_decoder = RowDecoder(tech, math.ceil(math.log2(rows_muxed)), mux=True)
        self.adc: MultilevelSenseAmp | SarADC
        self.encoder: MultilevelSAEncoder | None = None
        if adc_kind == "sar":
            self.adc = SarADC(tech, adcs, adc_levels, read_voltage_v)
        else:
            self.adc = MultilevelSenseAmp(tech, adcs, adc_levels, current_mode=current_mode, parallel=True,
                                          r_on_ohm=r_on_ohm, r_off_ohm=r_off_ohm, rows=reference_rows,
                                          read_voltage_v=read_voltage_v)
            self.encoder = MultilevelSAEncoder(tech, adc_levels, adcs)
        adc_bits = int(math.log2(adc_levels))
        self.shift_add = (ShiftAdd(tech, adcs, adc_bits + input_bits + 1, input_bits, clock_hz, read_pulse_s)
                          if input_bits > 1 else None)
        self.accumulation = AdderTree(tech, self.arrays_in_row, adc_bits + input_bits + 1,
                                      math.ceil(self.arrays_in_col * sub_cols / rows_muxed))
        self.precharger = Precharger(tech, sub_cols, self.res_col_ohm, activity)
        self.write_driver = SRAMWriteDriver(tech, sub_cols, activity)

    @property
    def arrays(self) -> int:
        """Number of SRAM arrays (in row x in column)."""
        return self.arrays_in_row * self.arrays_in_col

    @property
    def out_precision_bits(self) -> int:
        """log2(levels) + input bits + ceil(log2 arrays_in_row). WeightGradientUnit.cpp:Initialize (outPrecision)."""
        return int(math.log2(self.adc_levels)) + self.input_bits + self.accumulation.stage_count

    @property
    def cycles_per_read(self) -> int:
        """rows_muxed x input bits: the periphery cycles of one read."""
        return self.rows_muxed * self.input_bits

    # --- area -----------------------------------------------------------------------------------
    @property
    def subarray_area_m2(self) -> float:
        """One SRAM array with its periphery laid out to the array width. WeightGradientUnit.cpp:CalculateArea."""
        width = self.length_row_m
        mux_height = max(self.mux_decoder.footprint().height_m, self.mux.footprint(width).height_m)
        area = (self.length_row_m * self.length_col_m + self.switch_matrix.footprint.area_m2
                + self.precharger.footprint(width).area_m2 + self.write_driver.footprint(width).area_m2
                + self.adc.footprint(width_m=width).area_m2 + mux_height * width
                + self.mux_decoder.footprint().area_m2)
        if self.encoder is not None:
            area += self.encoder.footprint(width_m=width).area_m2
        if self.shift_add is not None:
            area += self.shift_add.footprint(width_m=width).area_m2
        return area

    @property
    def area_m2(self) -> float:
        """Arrays x their area + the accumulation laid out to width sqrt(array area). WeightGradientUnit.cpp:CalculateArea."""
        sub = self.subarray_area_m2
        return sub * self.arrays + self.accumulation.area_m2(width_m=math.sqrt(sub))

    # --- latency --------------------------------------------------------------------------------
    @property
    def column_ohm(self) -> float:
        """Average column seen by the ADC: (R_access + R_wire,col) / ceil(rows x activity). WeightGradientUnit.cpp."""
        return (self.res_cell_access_ohm + self.cell_wire_ohm) / math.ceil(self.sub_rows * self.activity)

    def _read_latency_once_s(self) -> float:
        """One read of every array (all in parallel). WeightGradientUnit.cpp:CalculateLatency (parallelBP)."""
        cycles = self.cycles_per_read
        columns = [self.column_ohm] * self.sub_cols
        adcs = self.sub_cols // self.rows_muxed
        sm = self.switch_matrix.read_latency_s(self.cap_row_f, self.res_row_ohm, cycles)
        mux = self.mux.latency_s(cycles) + self.mux_decoder.latency_s(self.mux.cap_tg_gate_n_f * adcs,
                                                                       self.mux.cap_tg_gate_p_f * adcs, cycles)
        precharge = self.precharger.latency_s(self.cap_col_f, cycles)
        column = horowitz(sram_bitline_tau_s(self.tech, self.cap_col_f, self.res_col_ohm))[0] * self.input_bits
        if isinstance(self.adc, SarADC):
            adc = self.adc.latency_s(cycles)
        else:
            adc = self.adc.latency_s(columns, cycles)
        encoder = self.encoder.latency_s(cycles) if self.encoder is not None else 0.0
        shift_add = self.shift_add.latency_s(cycles) if self.shift_add is not None else 0.0
        accumulate = self.accumulation.latency_s(self.cols_muxed, self.arrays_in_row)
        return max(sm, mux) + precharge + column + adc + encoder + shift_add + accumulate

    def read_latency_peak_s(self, reads: int) -> float:
        """readLatencyPeak for ``reads`` reads (the chip passes the layer's output channels)."""
        return self._read_latency_once_s() * reads

    @property
    def _writes(self) -> float:
        """Rows written per update: rows x activity (activityRowWriteWG)."""
        return self.sub_rows * self.activity

    @property
    def write_latency_peak_s(self) -> float:
        """Flip the written cells row by row + drivers. WeightGradientUnit.cpp:CalculateLatency (write)."""
        f = self.tech.feature_size_m
        r_pull = (on_resistance_ohm(self.tech, SRAM_PULL_DOWN_WIDTH_F * f, Mos.NMOS)
                  + on_resistance_ohm(self.tech, SRAM_PULL_UP_WIDTH_F * f, Mos.PMOS)) / 2
        flip = horowitz(r_pull * self.cap_sram_cell_f)[0] * self._writes
        return (flip + self.switch_matrix.write_latency_s(self.cap_row_f, self.res_row_ohm, self.cycles_per_read,
                                                          2 * self._writes)
                + self.precharger.latency_s(self.cap_col_f, self._writes)
                + self.write_driver.latency_s(self.cap_col_f, self.res_col_ohm, self._writes))

    # --- energy and leakage ---------------------------------------------------------------------
    def _read_energy_per_array_j(self) -> float:
        """One read of one array (the cells themselves cost nothing). WeightGradientUnit.cpp:CalculatePower."""
        cycles = self.cycles_per_read
        columns = [self.column_ohm] * self.sub_cols
        energy = (self.switch_matrix.read_energy_j(cycles, self.activity)
                  + self.precharger.read_energy_j(self.cap_col_f, cycles)
                  + self.adc.energy_j(columns, cycles)
                  + self.mux.energy_j(cycles) + self.mux_decoder.energy_j(cycles))
        if self.encoder is not None:
            energy += self.encoder.energy_j(cycles)
        if self.shift_add is not None:
            energy += self.shift_add.energy_j(cycles)
        return energy

    def read_energy_peak_j(self, reads: int) -> float:
        """readDynamicEnergyPeak: every array ``reads`` times + the accumulation trees."""
        return (self._read_energy_per_array_j() * self.arrays * reads
                + self.accumulation.energy_j(reads, self.arrays_in_row))

    @property
    def write_energy_peak_j(self) -> float:
        """Drivers + flipping Q and Q-bar of the written cells, every array. WeightGradientUnit.cpp:CalculatePower."""
        writes = self._writes
        cells = self.cap_sram_cell_f * self.tech.vdd_v ** 2 * 2 * self.sub_cols * self.activity * self.sub_rows * self.activity
        per_array = (self.switch_matrix.write_energy_j(self.cycles_per_read, 2 * writes, self.activity)
                     + self.precharger.write_energy_j(self.cap_col_f, writes)
                     + self.write_driver.write_energy_j(writes) + cells)
        return per_array * self.arrays

    @property
    def leakage_w(self) -> float:
        """Two SRAM inverters per cell + periphery, x arrays (the C++ omits the mux decoder and the trees).

        WeightGradientUnit.cpp:CalculatePower. NeuroSim never adds this to the chip leakage.
        """
        f, t = self.tech.feature_size_m, self.tech
        cells = gate_leakage_a(t, Gate.INV, 1, SRAM_PULL_DOWN_WIDTH_F * f, SRAM_PULL_UP_WIDTH_F * f) * t.vdd_v * 2
        per_array = (cells * self.sub_rows * self.sub_cols + self.switch_matrix.leakage_w + self.precharger.leakage_w
                     + self.write_driver.leakage_w + self.adc.leakage_w)
        if self.encoder is not None:
            per_array += self.encoder.leakage_w
        if self.shift_add is not None:
            per_array += self.shift_add.leakage_w
        return per_array * self.arrays
