"""NeuroSim's row decoder (RowDecoder.cpp, REGULAR_ROW): 2-bit predecode NAND2s, a NOR per output, and
either two output-driver inverters (REGULAR) or a NAND + 2 INV mux-enable stage (MUX = true).

Used as the word-line decoder of buffers and as the select decoder of the column/row muxes.
"""

from __future__ import annotations

import math

from simcim.hardware.circuits.gates import (
    M3_PITCH_F,
    MIN_NMOS_SIZE_F,
    RAMP_STEP,
    Footprint,
    Gate,
    Mos,
    cell_height_m,
    gate_area,
    gate_capacitance,
    gate_leakage_a,
    horowitz,
    on_resistance_ohm,
)
from simcim.hardware.circuits.technology import Technology


class RowDecoder:
    """A decoder of ``address_bits`` address bits driving ``2**address_bits`` rows. RowDecoder.cpp.

    ``mux=True`` gives the mux-select decoder (NAND + INV + INV enable); ``parallel=True`` sizes every
    gate 8x (RowDecoder::Initialize).
    """

    def __init__(self, tech: Technology, address_bits: int, mux: bool = False, parallel: bool = False) -> None:
        self.tech, self.address_bits, self.mux = tech, address_bits, mux
        f, pn, scale = tech.feature_size_m, tech.pn_size_ratio, 8 if parallel else 1
        n = address_bits
        # RowDecoder.cpp:RowDecoder::Initialize -- counts and widths
        self.inv_count = n
        self.nand_count = 4 * (n // 2)
        self.nor_count = 2 ** n if n > 2 else 0
        self.metal_count = self.nand_count + (n % 2) * 2 if n > 2 else 0
        self.nor_inputs = math.ceil(n / 2)
        self.inv_widths_m = (scale * MIN_NMOS_SIZE_F * f, scale * pn * MIN_NMOS_SIZE_F * f)
        self.nand_widths_m = (scale * 2 * MIN_NMOS_SIZE_F * f, scale * pn * MIN_NMOS_SIZE_F * f)
        self.nor_widths_m = (scale * MIN_NMOS_SIZE_F * f, scale * self.nor_inputs * pn * MIN_NMOS_SIZE_F * f)
        self.driver_widths_m = (scale * 3 * MIN_NMOS_SIZE_F * f, scale * 3 * pn * MIN_NMOS_SIZE_F * f)
        h = cell_height_m(tech)
        # RowDecoder.cpp:RowDecoder::CalculateArea (gate footprints, then capacitances at those heights)
        self.inv = gate_area(tech, Gate.INV, 1, *self.inv_widths_m, h)
        self.nand = gate_area(tech, Gate.NAND, 2, *self.nand_widths_m, h)
        self.nor = gate_area(tech, Gate.NOR, self.nor_inputs, *self.nor_widths_m, h)
        self.driver = gate_area(tech, Gate.INV, 1, *self.driver_widths_m, h)
        self.cap_inv = gate_capacitance(tech, Gate.INV, 1, *self.inv_widths_m, self.inv.height_m)
        self.cap_nand = (gate_capacitance(tech, Gate.NAND, 2, *self.nand_widths_m, self.nand.height_m)
                         if self.nand_count else (0.0, 0.0))
        self.cap_nor = (gate_capacitance(tech, Gate.NOR, self.nor_inputs, *self.nor_widths_m, self.nor.height_m)
                        if self.nor_count else (0.0, 0.0))
        self.cap_driver = gate_capacitance(tech, Gate.INV, 1, *self.driver_widths_m, self.driver.height_m)

    def _tail_width_m(self, columns: int) -> float:
        """Width of the output stage: mux enable (NAND + 2 INV) or 2 driver INVs, per column of NORs."""
        if self.mux:
            return (self.nand.width_m + 2 * self.inv.width_m) * columns
        return 2 * self.driver.width_m * columns

    def footprint(self, height_m: float | None = None) -> Footprint:
        """Gates in columns under a given height, else the unconstrained stack. RowDecoder.cpp:RowDecoder::CalculateArea.

        A gate kind with no instance gets no column (the C++ divides 0 by 0 there for the
        inverters of a 0-bit decoder).
        """
        metal_m = M3_PITCH_F * self.metal_count * self.tech.feature_size_m
        if height_m:
            def columns(count: int, gate_height: float) -> int:
                """Columns of one gate kind under the height (none when the kind is absent)."""
                per_col = min(int(height_m / gate_height), count)
                return math.ceil(count / per_col) if per_col > 0 else 0

            nor_cols = columns(self.nor_count, self.nor.height_m)
            width = (self.inv.width_m * columns(self.inv_count, self.inv.height_m)
                     + self.nand.width_m * columns(self.nand_count, self.nand.height_m)
                     + metal_m + self.nor.width_m * nor_cols + self._tail_width_m(nor_cols))
            return Footprint(height_m, width)
        height = max(self.nor.height_m * self.nor_count, self.nand.height_m * self.nand_count)
        width = self.inv.width_m + self.nand.width_m + metal_m + self.nor.width_m + self._tail_width_m(1)
        return Footprint(height, width)

    def delay(self, load1_f: float, load2_f: float = 0.0, ramp_input: float = RAMP_STEP) -> tuple[float, float]:
        """One decode: (delay_s, ramp_out), stages chained. RowDecoder.cpp:RowDecoder::CalculateLatency.

        ``load1_f`` is the output load (mux: the NMOS TG gates), ``load2_f`` the PMOS TG gates of a
        mux. ramp_out is what the C++ leaves in ``rampOutput``: the ramp after the first driver
        (or enable) inverter.
        """
        t = self.tech
        inv_in, inv_out = self.cap_inv
        nand_in, nand_out = self.cap_nand
        nor_in, nor_out = self.cap_nor
        total = 0.0
        r = on_resistance_ohm(t, self.inv_widths_m[0], Mos.NMOS)
        load = 2 * nand_in if self.nand_count else load1_f
        d, ramp_inv = horowitz(r * (inv_out + load), ramp_input)
        total += d
        ramp_nand = RAMP_STEP
        if self.nand_count:
            r = 2 * on_resistance_ohm(t, self.nand_widths_m[0], Mos.NMOS)
            load = nor_in * self.nor_count / 4 if self.nor_count else load1_f
            d, ramp_nand = horowitz(r * (nand_out + load), ramp_inv)
            total += d
        ramp_nor = RAMP_STEP  # the C++ initialises it to a step and only the NOR stage sets it
        if self.nor_count:
            r = 2 * on_resistance_ohm(t, self.nor_widths_m[1], Mos.PMOS)
            d, ramp_nor = horowitz(r * (nor_out + (nand_in if self.mux else inv_in)), ramp_nand)
            total += d
        if self.mux:
            d, ramp = horowitz(on_resistance_ohm(t, self.nand_widths_m[0], Mos.NMOS) * (nand_out + inv_in), ramp_nor)
            total += d
            d, ramp_out = horowitz(on_resistance_ohm(t, self.inv_widths_m[1], Mos.PMOS) * (inv_out + inv_in + load1_f), ramp)
            total += d
            total += horowitz(on_resistance_ohm(t, self.inv_widths_m[0], Mos.NMOS) * (inv_out + load2_f), ramp_out)[0]
        else:
            drv_in, drv_out = self.cap_driver
            d, ramp_out = horowitz(on_resistance_ohm(t, self.driver_widths_m[0], Mos.NMOS) * (drv_out + drv_in), ramp_nor)
            total += d
            total += horowitz(on_resistance_ohm(t, self.driver_widths_m[1], Mos.PMOS) * (drv_out + load1_f), ramp_out)[0]
        return total, ramp_out

    def latency_s(self, load1_f: float, load2_f: float = 0.0, reads: float = 1, ramp_input: float = RAMP_STEP) -> float:
        """Decode delay times the number of decodes (read and write are the same)."""
        return self.delay(load1_f, load2_f, ramp_input)[0] * reads

    def energy_per_decode_j(self) -> float:
        """All address lines 0 -> 1, one NAND group and one NOR output switching. RowDecoder.cpp:RowDecoder::CalculatePower."""
        n = self.address_bits
        inv_in, inv_out = self.cap_inv
        nand_in, nand_out = self.cap_nand
        nor_in, nor_out = self.cap_nor
        caps = (inv_in + 2 * nand_in) * (n // 2) * 2
        caps += (inv_in + nor_in * self.nor_count / 2) * (n - (n // 2) * 2)
        caps += (nand_out + nor_in * self.nor_count / 4) * self.nand_count / 4
        caps += nor_out + (nand_in if self.mux else inv_in)
        if self.mux:
            caps += (nand_out + inv_in) + (inv_out + inv_in) + inv_out
        else:
            caps += 2 * sum(self.cap_driver)
        return caps * self.tech.vdd_v ** 2

    def energy_j(self, reads: float) -> float:
        """Energy of ``reads`` decodes (read and write cost the same)."""
        return self.energy_per_decode_j() * reads

    @property
    def leakage_w(self) -> float:
        """RowDecoder.cpp:RowDecoder::CalculatePower (leakage part)."""
        t = self.tech
        inv = gate_leakage_a(t, Gate.INV, 1, *self.inv_widths_m)
        nand = gate_leakage_a(t, Gate.NAND, 2, *self.nand_widths_m)
        leak = inv * self.inv_count + nand * self.nand_count
        leak += gate_leakage_a(t, Gate.NOR, self.nor_inputs, *self.nor_widths_m) * self.nor_count
        if self.mux:
            leak += nand * self.nor_count + 2 * inv * self.nor_count
        else:
            leak += 2 * gate_leakage_a(t, Gate.INV, 1, *self.driver_widths_m) * self.nor_count
        return leak * t.vdd_v
