"""The eNVM 1T1R sub-array of NeuroSim V2.1 in conventionalParallel mode (SubArray.cpp), FeFET or RRAM.

Forward periphery: row drivers with scan DFFs (NewSwitchMatrix), source-line switch matrix, column mux
and its decoder, ``cols / cols_per_adc`` ADCs (MLSA + encoder, or SAR) and the shift-add over the input
bits. With ``transposed`` the error-pass (activation-gradient) periphery is added on the row side: row
mux and decoder, ``rows / rows_muxed_ag`` ADCs and their shift-add; the source-line matrix drives it.

Costs are per input bit-plane (one call of SubArray::CalculateLatency/CalculatePower), split as
NeuroSim splits them: "adc" (ADCs, encoders and the cell-array read energy), "accumulation"
(shift-adds) and "other" (drivers, muxes, decoders, line settling). Write costs follow
ProcessingUnit.cpp:GetWriteUpdateEstimation and the write terms of SubArray.cpp.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from simcim.hardware.circuits.adc import MultilevelSAEncoder, MultilevelSenseAmp, SarADC
from simcim.hardware.circuits.decoder import RowDecoder
from simcim.hardware.circuits.gates import (
    IR_DROP_TOLERANCE,
    LINEAR_REGION_RATIO,
    Footprint,
    Mos,
    drain_cap_f,
    gate_cap_f,
    on_resistance_ohm,
)
from simcim.hardware.circuits.logic import ShiftAdd
from simcim.hardware.circuits.subarray_inputs import (  # re-exported: the sub-array's whole API in one place
    ADC_KINDS,
    CELL_KINDS,
    SubarrayDesign,
    WriteUpdate,
    column_resistance_ohm,
    column_resistances_ohm,
)
from simcim.hardware.circuits.switches import Mux, NewSwitchMatrix, SwitchMatrix
from simcim.hardware.circuits.technology import Technology, Wire

__all__ = ["ADC_KINDS", "CELL_KINDS", "ReadCost", "Subarray", "SubarrayArea", "SubarrayDesign", "WriteCost",
           "WriteUpdate", "column_resistance_ohm", "column_resistances_ohm"]


@dataclass(frozen=True)
class SubarrayArea:
    """Area of one sub-array by NeuroSim's parts; ``total_m2`` is the sum of parts (usedArea, what the PE
    uses), ``height_m`` x ``width_m`` the bounding box of the layout (much larger: the ADC stack)."""

    array_m2: float
    adc_m2: float
    accumulation_m2: float
    other_m2: float
    height_m: float
    width_m: float
    parts: dict[str, Footprint] = field(default_factory=dict, compare=False)

    @property
    def total_m2(self) -> float:
        """Sum of the parts: NeuroSim's usedArea, which the PE area uses."""
        return self.array_m2 + self.adc_m2 + self.accumulation_m2 + self.other_m2

    @property
    def bounding_m2(self) -> float:
        """Bounding box of the layout (height x width)."""
        return self.height_m * self.width_m


@dataclass(frozen=True)
class ReadCost:
    """Latency and energy of one bit-plane read, by NeuroSim's breakdown parts.

    ``adc_energy_j`` is NeuroSim's "ADC" part and *includes* the cell-array read energy, which is
    also given alone as ``array_energy_j`` (do not add the two); ``converter_energy_j`` is the ADC
    part without the array.
    """

    adc_latency_s: float
    accumulation_latency_s: float
    other_latency_s: float
    adc_energy_j: float
    accumulation_energy_j: float
    other_energy_j: float
    array_energy_j: float = 0.0

    @property
    def converter_energy_j(self) -> float:
        """ADCs and encoders alone (adc_energy_j minus the cell array)."""
        return self.adc_energy_j - self.array_energy_j

    @property
    def latency_s(self) -> float:
        """Sum of the parts."""
        return self.adc_latency_s + self.accumulation_latency_s + self.other_latency_s

    @property
    def energy_j(self) -> float:
        """Sum of the parts."""
        return self.adc_energy_j + self.accumulation_energy_j + self.other_energy_j


@dataclass(frozen=True)
class WriteCost:
    """Latency and energy of one weight update of a sub-array: cell array + drivers."""

    array_latency_s: float
    driver_latency_s: float
    array_energy_j: float
    driver_energy_j: float
    write_pulses: float

    @property
    def latency_s(self) -> float:
        """Sum of the parts."""
        return self.array_latency_s + self.driver_latency_s

    @property
    def energy_j(self) -> float:
        """Sum of the parts."""
        return self.array_energy_j + self.driver_energy_j


class Subarray:
    """A 1T1R FeFET/RRAM sub-array with its forward (and optionally transposed) periphery. SubArray.cpp."""

    def __init__(self, tech: Technology, wire: Wire, design: SubarrayDesign | None = None) -> None:
        d = design or SubarrayDesign()
        self.tech, self.wire, self.design = tech, wire, d
        f, c_w, r_w = tech.feature_size_m, wire.capacitance_f_per_m, wire.unit_length_resistance_ohm_per_m
        # SubArray.cpp:SubArray::Initialize -- geometry and lines
        self.length_row_m = d.cols * d.cell_width_f * f
        self.length_col_m = d.rows * d.cell_height_f * f
        self.res_row_ohm, self.res_col_ohm = self.length_row_m * r_w, self.length_col_m * r_w
        self.res_cell_access_ohm = d.r_on_ohm * IR_DROP_TOLERANCE
        self.access_width_f = on_resistance_ohm(tech, f, Mos.NMOS) * LINEAR_REGION_RATIO / self.res_cell_access_ohm
        if self.access_width_f > d.cell_width_f:
            raise ValueError(f"the access transistor ({self.access_width_f:.2f} F) does not fit a "
                             f"{d.cell_width_f:g} F cell (NeuroSim aborts here)")
        self.res_mem_on_ohm = self.res_cell_access_ohm + d.r_on_ohm
        self.res_mem_avg_ohm = self.res_cell_access_ohm + (d.r_on_ohm + d.r_off_ohm) / 2
        access_m, cell_w_m = self.access_width_f * f, d.cell_width_f * f
        self.cap_row1_f = self.length_row_m * c_w
        self.cap_row2_f = self.length_row_m * c_w + gate_cap_f(tech, access_m) * d.cols
        self.cap_col_f = self.length_col_m * c_w + drain_cap_f(tech, access_m, Mos.NMOS, cell_w_m) * d.rows
        # SubArray.cpp:SubArray::Initialize (conventionalParallel, CMOS access) -- forward periphery
        self.row_driver = NewSwitchMatrix(tech, d.rows, self.length_col_m, d.clock_hz, d.read_voltage_v,
                                          d.access_voltage_v)
        self.source_line = SwitchMatrix(tech, d.cols, self.res_mem_on_ohm, rows=False, extent_m=self.length_row_m,
                                        clock_hz=d.clock_hz, read_voltage_v=d.read_voltage_v,
                                        write_voltage_v=d.write_voltage_v, write_pulses=0.0, write_cells_per_op=d.cols)
        self.mux = (Mux(tech, d.adcs, d.cols_per_adc, self.res_mem_on_ohm / d.rows, d.read_voltage_v)
                    if d.cols_per_adc > 1 else None)
        self.mux_decoder = RowDecoder(tech, math.ceil(math.log2(d.cols_per_adc)), mux=True) if self.mux else None
        self.adc, self.encoder = self._adc(d.adcs, d.adc_levels)
        self.shift_add_weight = self._shift_add(d.adcs, d.adc_levels, weight=True, pulses=d.input_bits)
        self.shift_add_input = self._shift_add(d.adcs, d.adc_levels, weight=False, pulses=d.input_bits)
        # transposed (error-pass) periphery
        self.mux_ag = (Mux(tech, d.adcs_ag, d.rows_muxed_ag, self.res_mem_on_ohm / d.cols, d.read_voltage_v)
                       if d.transposed and d.rows_muxed_ag > 1 else None)
        self.mux_decoder_ag = (RowDecoder(tech, math.ceil(math.log2(d.rows_muxed_ag)), mux=True)
                               if self.mux_ag else None)
        self.adc_ag, self.encoder_ag = self._adc(d.adcs_ag, d.adc_levels_ag) if d.transposed else (None, None)
        self.shift_add_weight_ag = self._shift_add(d.adcs_ag, d.adc_levels_ag, weight=True, pulses=d.error_bits) \
            if d.transposed else None
        self.shift_add_input_ag = self._shift_add(d.adcs_ag, d.adc_levels_ag, weight=False, pulses=d.error_bits) \
            if d.transposed else None
        self.area = self._area()

    def _adc(self, adcs: int, levels: int) -> tuple[MultilevelSenseAmp | SarADC, MultilevelSAEncoder | None]:
        """The ADC bank (MLSA + encoder, or SAR) for ``adcs`` ADCs of ``levels`` levels."""
        d = self.design
        if d.adc_kind == "sar":
            return SarADC(self.tech, adcs, levels, d.read_voltage_v), None
        mlsa = MultilevelSenseAmp(self.tech, adcs, levels, current_mode=d.current_mode, parallel=True,
                                  r_on_ohm=d.r_on_ohm, r_off_ohm=d.r_off_ohm, rows=d.rows,
                                  read_voltage_v=d.read_voltage_v)
        return mlsa, MultilevelSAEncoder(self.tech, levels, adcs)

    def _shift_add(self, units: int, levels: int, *, weight: bool, pulses: int) -> ShiftAdd | None:
        """Weight shift-add (only with several cells per synapse) or input shift-add (several input bits)."""
        d, bits = self.design, int(math.log2(levels))
        if weight:
            if d.cells_per_synapse <= 1:
                return None
            return ShiftAdd(self.tech, units, bits, d.cells_per_synapse, d.clock_hz, d.read_pulse_s)
        if pulses <= 1:
            return None
        return ShiftAdd(self.tech, units, bits + d.cells_per_synapse, pulses, d.clock_hz, d.read_pulse_s)

    # --- area -----------------------------------------------------------------------------------
    def _area(self) -> SubarrayArea:
        """SubArray.cpp:SubArray::CalculateArea (conventionalParallel): forward blocks below the array and
        the row drivers to its left; transposed blocks to its right."""
        d = self.design
        height_array, width_array = self.length_col_m, self.length_row_m
        parts: dict[str, Footprint] = {"array": Footprint(height_array, width_array),
                                       "row_driver": self.row_driver.footprint,
                                       "source_line": self.source_line.footprint}
        decoder_width = 0.0
        if self.mux is not None and self.mux_decoder is not None:
            dec = self.mux_decoder.footprint()
            parts["mux_decoder"] = dec
            parts["mux"] = Footprint(max(dec.height_m, self.mux.footprint(width_array).height_m), width_array)
            decoder_width = dec.width_m
        parts["adc"] = self.adc.footprint(width_m=width_array)
        if self.encoder is not None:
            parts["encoder"] = self.encoder.footprint(width_m=width_array)
        for name, block in (("shift_add_input", self.shift_add_input), ("shift_add_weight", self.shift_add_weight)):
            if block is not None:
                parts[name] = block.footprint(width_m=width_array)
        below = ("source_line", "mux", "adc", "encoder", "shift_add_input", "shift_add_weight")
        height = height_array + sum(parts[k].height_m for k in below if k in parts)
        width = max(self.row_driver.footprint.width_m, decoder_width) + width_array
        if d.transposed:
            if self.mux_ag is not None and self.mux_decoder_ag is not None:
                dec = self.mux_decoder_ag.footprint()
                parts["mux_decoder_ag"] = dec
                parts["mux_ag"] = Footprint(height_array, max(dec.width_m, self.mux_ag.footprint().width_m))
            assert self.adc_ag is not None
            parts["adc_ag"] = self.adc_ag.footprint(height_m=height_array)
            if self.encoder_ag is not None:
                parts["encoder_ag"] = self.encoder_ag.footprint(height_m=height_array)
            for name, block in (("shift_add_input_ag", self.shift_add_input_ag),
                                ("shift_add_weight_ag", self.shift_add_weight_ag)):
                if block is not None:
                    parts[name] = block.footprint(height_m=height_array)
            right = ("mux_ag", "adc_ag", "encoder_ag", "shift_add_input_ag", "shift_add_weight_ag")
            width += sum(parts[k].width_m for k in right if k in parts)

        def total(*names: str) -> float:
            """Total area of the named parts present."""
            return sum(parts[k].area_m2 for k in names if k in parts)

        return SubarrayArea(
            array_m2=parts["array"].area_m2,
            adc_m2=total("adc", "encoder", "adc_ag", "encoder_ag"),
            accumulation_m2=total("shift_add_input", "shift_add_weight", "shift_add_input_ag", "shift_add_weight_ag"),
            other_m2=total("row_driver", "source_line", "mux", "mux_decoder", "mux_ag", "mux_decoder_ag"),
            height_m=height, width_m=width, parts=parts)

    def column_resistance_ohm(self, active_rows: float, conductance_s: float | None = None) -> float:
        """Mean column resistance with ``active_rows`` rows on (module function ``column_resistance_ohm``)."""
        return column_resistance_ohm(self.wire, self.design, active_rows, conductance_s)

    @property
    def footprint(self) -> Footprint:
        """Bounding box of the sub-array layout (NeuroSim's subArray->height/width, which lay out the PE
        buffers and buses); its area is not what the PE books (that is ``area.total_m2``)."""
        return Footprint(self.area.height_m, self.area.width_m)

    # --- reads ----------------------------------------------------------------------------------
    def _columns(self, column_resistance_ohm: float | Sequence[float]) -> list[float]:
        """The per-column resistance vector the ADCs see (a scalar applies to every column)."""
        if isinstance(column_resistance_ohm, (int, float)):
            return [float(column_resistance_ohm)] * self.design.cols
        return [float(r) for r in column_resistance_ohm]

    def forward_read(self, input_activity: float, column_resistance_ohm: float | Sequence[float]) -> ReadCost:
        """One input bit-plane through the forward periphery: ``cols_per_adc`` conversions per ADC.

        SubArray.cpp:SubArray::CalculateLatency / CalculatePower (conventionalParallel). The mux,
        its decoder and the column settling are amortised over the input bits; the cell-array read
        energy is booked under "adc", as NeuroSim does.
        """
        d, t = self.design, self.tech
        columns = self._columns(column_resistance_ohm)
        muxed = d.cols_per_adc
        # latency
        tau = self.cap_col_f * self.res_mem_avg_ohm / (d.rows // 2)
        column_delay = tau * 0.2 * muxed  # a 15-20 % swing is enough to sense
        drive = self.row_driver.read_latency_s(self.cap_row2_f, self.res_row_ohm, muxed)
        mux_lat = mux_e = 0.0
        if self.mux is not None and self.mux_decoder is not None:
            mux_lat = self.mux.latency_s(muxed) + self.mux_decoder.latency_s(
                self.mux.cap_tg_gate_n_f * d.adcs, self.mux.cap_tg_gate_p_f * d.adcs, muxed)
            mux_e = self.mux.energy_j(muxed) + self.mux_decoder.energy_j(muxed)
        adc_lat, adc_e = self._convert(self.adc, self.encoder, columns, muxed)
        acc_lat, acc_e = self._accumulate(self.shift_add_weight, self.shift_add_input, muxed)
        # energy
        read_cells = math.ceil(d.cols / muxed)
        cap_bl = self.length_col_m * self.wire.capacitance_f_per_m
        array_e = (cap_bl * d.read_voltage_v ** 2 * read_cells
                   + self.cap_row2_f * t.vdd_v ** 2 * d.rows * input_activity) * muxed
        return ReadCost(
            adc_latency_s=adc_lat,
            accumulation_latency_s=acc_lat,
            other_latency_s=max(drive, mux_lat / d.input_bits) + column_delay / d.input_bits,
            adc_energy_j=array_e + adc_e,
            accumulation_energy_j=acc_e,
            other_energy_j=self.row_driver.read_energy_j(muxed, input_activity) + mux_e / d.input_bits,
            array_energy_j=array_e)

    def transposed_read(self, input_activity: float | None,
                        column_resistance_ohm: float | Sequence[float]) -> ReadCost:
        """One error bit-plane through the transposed periphery: ``rows_muxed_ag`` conversions per row ADC.

        SubArray.cpp:CalculateLatency/CalculatePower (trainingEstimation, parallelBP). As in the C++,
        the row ADCs see the forward column resistances, the array energy reuses the column-side
        bit-line terms, and the latency takes the source-line matrix alone (the C++ compares it with
        the row mux's *energy*, which never wins). NeuroSim charges the array with the fixed activity
        activityBPColRead = 0.5 (``design.ag_row_activity``), which ``input_activity=None`` keeps; a
        number replaces it.
        """
        d, t = self.design, self.tech
        if not d.transposed or self.adc_ag is None:
            raise ValueError("this sub-array has no transposed periphery (design.transposed is False)")
        activity = d.ag_row_activity if input_activity is None else input_activity
        columns = self._columns(column_resistance_ohm)
        muxed = d.rows_muxed_ag
        f = t.feature_size_m
        cap_row = (self.length_row_m * self.wire.capacitance_f_per_m
                   + drain_cap_f(t, self.access_width_f * f, Mos.NMOS, d.cell_width_f * f) * d.cols)
        row_delay = cap_row * self.res_mem_avg_ohm / (d.cols // 2) * 0.2 * muxed
        drive = self.source_line.read_latency_s(self.cap_col_f, self.res_col_ohm, muxed)
        mux_e = 0.0
        if self.mux_ag is not None and self.mux_decoder_ag is not None:
            mux_e = self.mux_ag.energy_j(muxed) + self.mux_decoder_ag.energy_j(muxed)
        adc_lat, adc_e = self._convert(self.adc_ag, self.encoder_ag, columns, muxed)
        acc_lat, acc_e = self._accumulate(self.shift_add_weight_ag, self.shift_add_input_ag, muxed)
        read_cells = math.ceil(d.cols / d.cols_per_adc)
        cap_bl = self.length_col_m * self.wire.capacitance_f_per_m
        array_e = (cap_bl * d.read_voltage_v ** 2 * read_cells
                   + self.cap_row2_f * t.vdd_v ** 2 * d.rows * activity) * muxed
        return ReadCost(
            adc_latency_s=adc_lat,
            accumulation_latency_s=acc_lat,
            other_latency_s=drive + row_delay / d.error_bits,
            adc_energy_j=array_e + adc_e,
            accumulation_energy_j=acc_e,
            other_energy_j=self.source_line.read_energy_j(muxed, 0.0) + mux_e / d.error_bits,
            array_energy_j=array_e)

    @staticmethod
    def _convert(adc: MultilevelSenseAmp | SarADC, encoder: MultilevelSAEncoder | None, columns: list[float],
                 conversions: int) -> tuple[float, float]:
        """(latency, energy) of the ADC bank: ``conversions`` per ADC, one per listed column for energy."""
        if isinstance(adc, SarADC):
            return adc.latency_s(conversions), adc.energy_j(columns, 1)
        assert encoder is not None
        return (adc.latency_s(columns, conversions, 1) + encoder.latency_s(conversions),
                adc.energy_j(columns, 1) + encoder.energy_j(conversions))

    def _accumulate(self, weight: ShiftAdd | None, inputs: ShiftAdd | None, muxed: int) -> tuple[float, float]:
        """(latency, energy) of the weight and input shift-adds for one bit-plane."""
        lat = energy = 0.0
        if weight is not None:
            lat, energy = weight.latency_s(muxed), weight.energy_j(muxed)
        if inputs is not None:
            reads = muxed // self.design.cells_per_synapse
            lat += inputs.latency_s(reads)
            energy += inputs.energy_j(reads)
        return lat, energy

    # --- leakage --------------------------------------------------------------------------------
    @property
    def forward_leakage_w(self) -> float:
        """Drivers, decoder, encoders and shift-adds (TGs, mux and ADCs do not leak). SubArray.cpp:CalculatePower."""
        blocks = (self.row_driver, self.source_line, self.mux_decoder, self.encoder, self.shift_add_input,
                  self.shift_add_weight)
        return sum(b.leakage_w for b in blocks if b is not None)

    @property
    def leakage_w(self) -> float:
        """Forward + transposed leakage; the source-line matrix is counted a second time with the
        transposed periphery, as the C++ does. Use ``forward_leakage_w`` for layer 0 (no AG pass)."""
        if not self.design.transposed:
            return self.forward_leakage_w
        blocks = (self.source_line, self.mux_decoder_ag, self.encoder_ag, self.shift_add_input_ag,
                  self.shift_add_weight_ag)
        return self.forward_leakage_w + sum(b.leakage_w for b in blocks if b is not None)

    # --- writes ---------------------------------------------------------------------------------
    def write(self, pulses_per_row: Sequence[float] | float, cells_written: int, *,
              reset_pulses_per_row: Sequence[float] | float = 0.0, reset_cells: int = 0,
              rows: int | None = None) -> WriteCost:
        """A weight update given set pulses per row (a sequence, one entry per row, or a mean over
        ``rows`` rows -- all rows by default) and the cells written.

        Convenience over ``write_update(WriteUpdate.from_pulses(...))``; see there for the averaging.
        """
        update = WriteUpdate.from_pulses(self.design, pulses_per_row, cells_written, reset_pulses_per_row, reset_cells,
                                         rows=rows)
        return self.write_update(update)

    def write_update(self, update: WriteUpdate) -> WriteCost:
        """Latency and energy of one update. ProcessingUnit.cpp:GetWriteUpdateEstimation + SubArray.cpp
        (write terms of CalculateLatency/CalculatePower, conventionalParallel).

        Kept quirks: average columns per set/reset row use integer division; the source-line matrix's
        pulse count is frozen at 0 (read before it is set), so only its unselected-column and gate
        terms remain; its DFF term is that of its last read call (the transposed one, if any).
        """
        d, t = self.design, self.tech
        avg_cols_set = update.cells_set // update.rows_set if update.rows_set else 0
        avg_cols_reset = update.cells_reset // update.rows_reset if update.rows_reset else 0
        pulses = update.set_pulses + update.reset_pulses
        activity_col = (avg_cols_set + avg_cols_reset) / 2 / d.cols
        activity_row = (update.rows_set + update.rows_reset) / 2 / d.rows
        writes = 2 * math.ceil(d.cols * activity_col / d.cols) * d.rows * activity_row
        vw2, vdd2 = d.write_voltage_v ** 2, t.vdd_v ** 2
        if d.cell == "fefet":
            # polarisation switching on the 2 F^2 FeFET gate (0.01: uC/cm^2 -> C/m^2)
            energy = update.polarization_uc_per_cm2 * 0.01 * d.write_voltage_v * 2 * t.feature_size_m ** 2
            energy += self.cap_row2_f * vdd2 * update.set_pulses
            energy += (self.cap_col_f + d.fefet_gate_cap_f * update.rows_set) * vw2 * avg_cols_set * update.set_pulses
            energy += self.cap_row2_f * vdd2 * update.reset_pulses
            energy += (self.cap_col_f + d.fefet_gate_cap_f * update.rows_reset) * vw2 * avg_cols_reset * update.reset_pulses
        else:
            energy = vw2 * d.write_pulse_s * update.pulse_conductance_s
            unselected_set = d.cols - avg_cols_set if d.cols >= avg_cols_set else d.cols
            unselected_reset = d.cols - avg_cols_reset if d.cols >= avg_cols_reset else d.cols
            energy += (self.cap_row2_f * vdd2 + self.cap_col_f * vw2 * unselected_set
                       + self.cap_row1_f * vw2 * avg_cols_set) * update.set_pulses
            energy += (self.cap_row2_f * vdd2 + self.cap_col_f * vw2 * avg_cols_reset
                       + self.cap_row1_f * vw2 * unselected_reset) * update.reset_pulses
        muxed = d.cols_per_adc
        last_sl_reads = d.rows_muxed_ag if d.transposed else 0
        driver_lat = max(self.row_driver.write_latency_s(self.cap_row2_f, self.res_row_ohm, muxed, writes),
                         self.source_line.write_latency_s(self.cap_col_f, self.res_col_ohm, 0, writes))
        driver_e = (self.row_driver.write_energy_j(muxed, writes)
                    + self.source_line.write_energy_j(last_sl_reads, writes, activity_col))
        return WriteCost(array_latency_s=pulses * d.write_pulse_s, driver_latency_s=driver_lat,
                         array_energy_j=energy, driver_energy_j=driver_e, write_pulses=pulses)
