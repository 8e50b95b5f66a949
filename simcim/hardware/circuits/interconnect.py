"""Buffers, buses and H-trees of NeuroSim's PE/tile/chip: Buffer.cpp, Bus.cpp, HTree.cpp.

A ``Buffer`` is a register file (DFFs, NeuroSim's default) or a small SRAM with a row decoder; its
cost is quoted per line (latency) and per bit (energy). ``Bus`` and ``HTree`` are repeated wires whose
repeaters are sized for speed and then relaxed within a delay tolerance; their cost is quoted per
bus-width transfer (latency) and per bit moved (energy).
"""

from __future__ import annotations

import math

from simcim.hardware.circuits.decoder import RowDecoder
from simcim.hardware.circuits.gates import (
    MIN_NMOS_SIZE_F,
    Footprint,
    Gate,
    Mos,
    cell_height_m,
    drain_cap_f,
    gate_area,
    gate_cap_f,
    gate_capacitance,
    gate_leakage_a,
    horowitz,
    min_inverter,
    min_inverter_leakage_a,
    min_inverter_widths_m,
    on_resistance_ohm,
)
from simcim.hardware.circuits.sram_periphery import Precharger, SRAMWriteDriver
from simcim.hardware.circuits.technology import Technology, Wire

# Param.cpp:Param::Param -- the 6T SRAM cell NeuroSim uses for SRAM buffers and the WG unit (in F)
SRAM_CELL_HEIGHT_F = 8.0
SRAM_CELL_WIDTH_F = 20.0
SRAM_PULL_DOWN_WIDTH_F = 2.08
SRAM_PULL_UP_WIDTH_F = 1.23
SRAM_ACCESS_WIDTH_F = 1.31
SRAM_MIN_SENSE_VOLTAGE_V = 0.1


def sram_bitline_tau_s(tech: Technology, bitline_cap_f: float, bitline_ohm: float) -> float:
    """Bit-line discharge time constant of an SRAM cell until the sense margin appears.

    Buffer.cpp:Buffer::CalculateLatency / WeightGradientUnit.cpp:CalculateLatency:
    ``[(R_access + R_pulldown)(C_access + C_BL) + R_BL C_BL / 2] ln(Vdd / (Vdd - V_sense / 2))``.
    """
    f = tech.feature_size_m
    r_access = on_resistance_ohm(tech, SRAM_ACCESS_WIDTH_F * f, Mos.NMOS)
    c_access = drain_cap_f(tech, SRAM_ACCESS_WIDTH_F * f, Mos.NMOS, SRAM_CELL_WIDTH_F * f)
    r_pull_down = on_resistance_ohm(tech, SRAM_PULL_DOWN_WIDTH_F * f, Mos.NMOS)
    tau = (r_access + r_pull_down) * (c_access + bitline_cap_f) + bitline_ohm * bitline_cap_f / 2
    return tau * math.log(tech.vdd_v / (tech.vdd_v - SRAM_MIN_SENSE_VOLTAGE_V / 2))


class Buffer:
    """A buffer of ``capacity_bits`` bits read and written ``interface_bits`` at a time. Buffer.cpp.

    ``sram=False`` (NeuroSim's default for global, tile and PE buffers) builds it from DFFs.
    """

    def __init__(self, tech: Technology, wire: Wire, capacity_bits: int, interface_bits: int, sram: bool = False,
                 clock_hz: float = 1e9) -> None:
        self.tech, self.wire, self.sram, self.clock_hz = tech, wire, sram, clock_hz
        self.capacity_bits, self.interface_bits = int(capacity_bits), int(interface_bits)
        lines = math.ceil(self.capacity_bits / self.interface_bits)
        self.lines = lines
        f = tech.feature_size_m
        # Buffer.cpp:Buffer::Initialize -- a regular (non-mux) row decoder selects a line
        self.decoder = RowDecoder(tech, math.ceil(math.log2(lines)) if lines > 0 else 0)
        c_w, r_w = wire.capacitance_f_per_m, wire.unit_length_resistance_ohm_per_m
        if sram:
            self.length_row_m = self.interface_bits * SRAM_CELL_WIDTH_F * f
            self.length_col_m = lines * SRAM_CELL_HEIGHT_F * f
            self.precharger = Precharger(tech, self.interface_bits, self.length_col_m * r_w, 1.0)
            self.write_driver = SRAMWriteDriver(tech, self.interface_bits, 1.0)
            self._bitline_cap_f = self.length_col_m * c_w
        else:
            inv, (self._cap_inv_input_f, self._cap_inv_output_f) = min_inverter(tech)
            self.dff_cell = Footprint(inv.height_m, 12 * inv.width_m)
            self._wordline_cap_f = self.dff_cell.width_m * self.interface_bits * c_w
        self._whole_read_s, self._whole_write_s = self._whole_latency_s()
        self._whole_read_j, self._whole_write_j = self._whole_energy_j()

    # --- area ------------------------------------------------------------------------------------
    @property
    def _area_m2(self) -> float:
        """Cells + decoder (+ precharger and write driver for SRAM). Buffer.cpp:Buffer::CalculateArea."""
        if self.sram:
            return (self.length_row_m * self.length_col_m + self.decoder.footprint(self.length_col_m).area_m2
                    + self.precharger.footprint(self.length_row_m).area_m2
                    + self.write_driver.footprint(self.length_row_m).area_m2)
        dff_m2 = self.dff_cell.area_m2 * self.capacity_bits
        return dff_m2 + self.decoder.footprint(self.dff_cell.height_m * self.lines).area_m2

    def area_m2(self, height_m: float | None = None, width_m: float | None = None) -> float:
        """Area; the side given only shapes the footprint (NeuroSim exits when neither is given)."""
        return self._area_m2

    def footprint(self, height_m: float | None = None, width_m: float | None = None) -> Footprint:
        """Buffer.cpp:Buffer::CalculateArea: the width given wins, else the height."""
        if width_m:
            return Footprint(self._area_m2 / width_m, width_m)
        if height_m:
            return Footprint(height_m, self._area_m2 / height_m)
        raise ValueError("a Buffer is laid out to a height or a width")

    # --- latency ---------------------------------------------------------------------------------
    def _whole_latency_s(self) -> tuple[float, float]:
        """(read, write) time to walk every line once. Buffer.cpp:Buffer::CalculateLatency."""
        t, lines = self.tech, self.capacity_bits / self.interface_bits
        if self.sram:
            c_row = self.length_row_m * self.wire.capacitance_f_per_m
            decode_s, ramp = self.decoder.delay(c_row)
            precharge_s = self.precharger.latency_s(self._bitline_cap_f, lines)
            write_drive_s = self.write_driver.latency_s(
                self._bitline_cap_f, self.length_col_m * self.wire.unit_length_resistance_ohm_per_m, lines)
            tau = sram_bitline_tau_s(t, self._bitline_cap_f, self.length_col_m * self.wire.unit_length_resistance_ohm_per_m)
            column_s = horowitz(tau, ramp)[0] * lines
            return decode_s * lines + precharge_s + column_s, decode_s * lines + precharge_s + write_drive_s
        decode_s = self.decoder.latency_s(self._wordline_cap_f, 0.0, lines)
        dff_s = lines / self.clock_hz / 2  # a DFF access takes half a clock
        return decode_s + dff_s, decode_s + dff_s

    @property
    def _line_divisor(self) -> int:
        """The C++ divides the whole latency/energy by the *integer* ``numBit / interface_width``."""
        return max(1, self.capacity_bits // self.interface_bits)

    @property
    def line_latency_s(self) -> float:
        """Read latency of one line (avgBitReadLatency). Buffer.cpp:Buffer::CalculateLatency."""
        return self._whole_read_s / self._line_divisor

    @property
    def line_write_latency_s(self) -> float:
        """Write latency of one line (avgBitWriteLatency)."""
        return self._whole_write_s / self._line_divisor

    def read_latency_s(self, lines: float) -> float:
        """Read latency of ``lines`` line accesses."""
        return self.line_latency_s * lines

    def write_latency_s(self, lines: float) -> float:
        """Write latency of ``lines`` line accesses."""
        return self.line_write_latency_s * lines

    # --- energy and leakage --------------------------------------------------------------------
    def _whole_energy_j(self) -> tuple[float, float]:
        """(read, write) energy to access every line once. Buffer.cpp:Buffer::CalculatePower.

        SRAM read adds the write driver's *read* energy, which the C++ never sets (0), so it adds nothing.
        """
        lines = self.capacity_bits // self.interface_bits  # integer in the C++ power call
        decode_j = self.decoder.energy_j(lines)
        if self.sram:
            read = decode_j + self.precharger.read_energy_j(self._bitline_cap_f, lines)
            write = (decode_j + self.precharger.write_energy_j(self._bitline_cap_f, lines)
                     + self.write_driver.write_energy_j(lines))
            return read, write
        # Every DFF clocks and passes D -> Q on a whole-buffer access (the TG drain is the INV output).
        cin, cout = self._cap_inv_input_f, self._cap_inv_output_f
        width_n, width_p = min_inverter_widths_m(self.tech)
        c_tg_gates = gate_cap_f(self.tech, width_n) + gate_cap_f(self.tech, width_p)
        per_bit = 4 * (cin + cout) + 2 * c_tg_gates + (3 * cout + cin) + (cout + cout) + (cin + cout)
        dff = per_bit * self.tech.vdd_v ** 2 * self.capacity_bits
        return decode_j + dff, decode_j + dff

    @property
    def energy_per_bit_j(self) -> float:
        """Read energy per bit moved (avgBitReadDynamicEnergy)."""
        return self._whole_read_j / self.capacity_bits

    @property
    def write_energy_per_bit_j(self) -> float:
        """Write energy per bit moved (avgBitWriteDynamicEnergy)."""
        return self._whole_write_j / self.capacity_bits

    @property
    def leakage_w(self) -> float:
        """Buffer.cpp:Buffer::CalculatePower: 8 min inverters per DFF bit (or the SRAM periphery) + decoder."""
        if self.sram:
            return self.decoder.leakage_w + self.precharger.leakage_w + self.write_driver.leakage_w
        return min_inverter_leakage_a(self.tech) * self.tech.vdd_v * 8 * self.capacity_bits + self.decoder.leakage_w


# --- repeated wires -----------------------------------------------------------------------------

class _Repeater:
    """A repeater INV of ``size`` x minimum width: resistance (N + P on-resistance) and caps."""

    def __init__(self, tech: Technology, size: float) -> None:
        f = tech.feature_size_m
        self.width_n_m = MIN_NMOS_SIZE_F * f * size
        self.width_p_m = tech.pn_size_ratio * MIN_NMOS_SIZE_F * f * size
        if size <= 0:  # a zero-size repeater: infinite resistance (the C++ divides by zero there)
            self.resistance_ohm, self.cap_input_f, self.cap_output_f = math.inf, 0.0, 0.0
            self.footprint = Footprint(cell_height_m(tech), 0.0)
            return
        self.footprint = gate_area(tech, Gate.INV, 1, self.width_n_m, self.width_p_m, cell_height_m(tech))
        self.cap_input_f, self.cap_output_f = gate_capacitance(tech, Gate.INV, 1, self.width_n_m, self.width_p_m,
                                                               self.footprint.height_m)
        self.resistance_ohm = (on_resistance_ohm(tech, self.width_n_m, Mos.NMOS)
                               + on_resistance_ohm(tech, self.width_p_m, Mos.PMOS))


def _unit_length_delay_s_per_m(rep: _Repeater, distance_m: float, r_w: float, c_w: float) -> float:
    """Repeated-wire delay per metre with repeaters every ``distance_m``. HTree.cpp/Bus.cpp Initialize."""
    if math.isinf(rep.resistance_ohm):
        return math.inf
    return 0.7 * (rep.resistance_ohm * (rep.cap_input_f + rep.cap_output_f + c_w * distance_m)
                  + 0.5 * r_w * distance_m * c_w * distance_m + r_w * distance_m * rep.cap_input_f) / distance_m


def size_repeaters(tech: Technology, wire: Wire, delay_tolerance: float, halve: bool) -> tuple[int, float]:
    """(repeater size, repeater spacing m): the fastest design, then relaxed while within tolerance.

    HTree.cpp:HTree::Initialize (``halve=True``: size /= 2 each step) and Bus.cpp:Bus::Initialize
    (size -= 1 while >= 1). Each step also shrinks the spacing by 10 %. The loop stops at the first
    design slower than (1 + tolerance) x the fastest, so the returned design is that one.
    """
    r_w, c_w = wire.unit_length_resistance_ohm_per_m, wire.capacitance_f_per_m
    minimum = _Repeater(tech, 1)
    size = math.floor(math.sqrt(minimum.resistance_ohm * c_w / minimum.cap_input_f / r_w))
    distance = math.sqrt(2 * minimum.resistance_ohm * (minimum.cap_output_f + minimum.cap_input_f) / (r_w * c_w))
    fastest = _unit_length_delay_s_per_m(_Repeater(tech, size), distance, r_w, c_w)
    if delay_tolerance:
        delay = 0.0
        while delay < fastest * (1 + delay_tolerance) and (halve or size >= 1):
            size = size // 2 if halve else size - 1
            distance *= 0.9
            delay = _unit_length_delay_s_per_m(_Repeater(tech, size), distance, r_w, c_w)
    return size, distance


class _RepeatedWire:
    """Shared state of Bus and HTree: the final repeater and the per-metre delay, energy and leakage."""

    def __init__(self, tech: Technology, wire: Wire, delay_tolerance: float, halve: bool) -> None:
        self.tech, self.wire = tech, wire
        self.repeater_size, self.repeater_spacing_m = size_repeaters(tech, wire, delay_tolerance, halve)
        self.repeater = _Repeater(tech, max(1, self.repeater_size))
        d, c_w = self.repeater_spacing_m, wire.capacitance_f_per_m
        self.delay_s_per_m = _unit_length_delay_s_per_m(self.repeater, d, wire.unit_length_resistance_ohm_per_m, c_w)
        # HTree.cpp/Bus.cpp CalculatePower: activity 0.25 on the repeater + wire capacitance
        self.energy_j_per_m_bit = (self.repeater.cap_input_f + self.repeater.cap_output_f + c_w * d) * tech.vdd_v ** 2 / d * 0.25
        self.leakage_w_per_m = gate_leakage_a(tech, Gate.INV, 1, self.repeater.width_n_m,
                                              self.repeater.width_p_m) * tech.vdd_v / d


class Bus(_RepeatedWire):
    """A PE-level bus across ``rows`` x ``cols`` units of ``unit_height_m`` x ``unit_width_m``. Bus.cpp.

    The wire runs ``unit_width (cols - 1)`` (horizontal) or ``unit_height (rows - 1)`` (vertical).
    The delay uses the Param unit-length resistance, as Bus.cpp does.
    """

    def __init__(self, tech: Technology, wire: Wire, rows: int, cols: int, bus_width_bits: float,
                 unit_height_m: float, unit_width_m: float, horizontal: bool = True, delay_tolerance: float = 0.0) -> None:
        super().__init__(tech, wire, delay_tolerance, halve=False)
        self.rows, self.cols, self.bus_width_bits = rows, cols, bus_width_bits
        self.length_m = unit_width_m * (cols - 1) if horizontal else unit_height_m * (rows - 1)

    @property
    def latency_per_transfer_s(self) -> float:
        """Bus.cpp:Bus::CalculateLatency (numRead = 1)."""
        if self.length_m <= 0:
            return 0.0
        return self.length_m * self.delay_s_per_m

    def latency_s(self, transfers: float) -> float:
        """Latency of ``transfers`` bus-width transfers."""
        return self.latency_per_transfer_s * transfers

    @property
    def energy_per_bit_j(self) -> float:
        """Bus.cpp:Bus::CalculatePower per bit moved."""
        return self.length_m * self.energy_j_per_m_bit

    def energy_j(self, bits_per_transfer: float, transfers: float) -> float:
        """Bus.cpp:Bus::CalculatePower(numBitAccess, numRead)."""
        return self.energy_per_bit_j * bits_per_transfer * transfers

    @property
    def leakage_w(self) -> float:
        """Bus.cpp:Bus::CalculatePower: repeater leakage over ``length x (rows + cols)``."""
        return self.leakage_w_per_m * self.length_m * (self.rows + self.cols)

    def area_m2(self, folded_ratio: float = 1.0, overlap: bool = True) -> float:
        """Zero when the bus runs over the units (NeuroSim's PEs), else rows x length x repeated width.

        Bus.cpp:Bus::CalculateArea; the C++ adds to an uninitialised width, taken here as 0.
        """
        if overlap:
            return 0.0
        wire_width = self.bus_width_bits * self.repeater.footprint.width_m / folded_ratio
        return self.rows * self.length_m * wire_width


class HTree(_RepeatedWire):
    """An H-tree over ``rows`` x ``cols`` units carrying ``bus_width_bits`` bits. HTree.cpp (root <-> leaf).

    The per-metre delay uses the Param unit-length resistance of ``wire`` (see docs/neurosim-port.md
    for the uninitialised resistance of the C++ latency loop).
    """

    def __init__(self, tech: Technology, wire: Wire, rows: int, cols: int, bus_width_bits: float,
                 delay_tolerance: float = 0.1) -> None:
        super().__init__(tech, wire, delay_tolerance, halve=True)
        self.rows, self.cols, self.bus_width_bits = rows, cols, bus_width_bits
        # HTree.cpp:HTree::Initialize -- numStage = 2 ceil(log2 max) + 1; levels = (numStage - 1) / 2
        self.levels = math.ceil(math.log2(max(rows, cols)))
        x_center = y_center = math.floor(math.log2(min(rows, cols)))
        if cols - x_center < 1:
            x_center -= 1
        if rows - y_center < 1:
            y_center -= 1
        self.x_center = x_center
        self.main_bus_units = min(cols - x_center, x_center)

    def _stage_lengths(self, unit_height_m: float, unit_width_m: float, first_divisor: float) -> list[tuple[float, float]]:
        """(vertical, horizontal) length of each level, root to leaf, halving from 2**levels units / divisor."""
        v = unit_height_m * 2 ** self.levels / first_divisor
        h = unit_width_m * 2 ** self.levels / first_divisor
        out = []
        for _ in range(self.levels):
            v, h = v / 2, h / 2
            out.append((v, h))
        return out

    def latency_per_transfer_s(self, unit_height_m: float, unit_width_m: float) -> float:
        """Root-to-leaf delay of one transfer. HTree.cpp:HTree::CalculateLatency (x_init = y_init = 0).

        The latency path starts from twice the stage lengths of the area and energy paths (kept).
        """
        length = sum(v + h for v, h in self._stage_lengths(unit_height_m, unit_width_m, 1))
        length += self.main_bus_units * unit_width_m
        return length * self.delay_s_per_m

    def latency_s(self, unit_height_m: float, unit_width_m: float, transfers: float) -> float:
        """Latency of ``transfers`` bus-width transfers."""
        return self.latency_per_transfer_s(unit_height_m, unit_width_m) * transfers

    def energy_per_bit_j(self, unit_height_m: float, unit_width_m: float) -> float:
        """Root-to-leaf energy of one bit. HTree.cpp:HTree::CalculatePower."""
        length = sum(v + h for v, h in self._stage_lengths(unit_height_m, unit_width_m, 2))
        length += self.main_bus_units * unit_width_m
        return length * self.energy_j_per_m_bit

    def total_wire_length_m(self, unit_height_m: float, unit_width_m: float) -> float:
        """Wire counted for leakage: every level but the last, plus the main bus. HTree.cpp:CalculateArea."""
        stages = self._stage_lengths(unit_height_m, unit_width_m, 2)[:-1]
        return sum(v + h for v, h in stages) + self.main_bus_units * unit_width_m

    def area_m2(self, unit_height_m: float, unit_width_m: float, folded_ratio: float) -> float:
        """Repeated-wire area, widths accumulating level by level, plus the main bus. HTree.cpp:CalculateArea.

        The C++ test ``ceil(length / spacing) > 0`` is always true, so every level is repeated.
        """
        inv = self.repeater.footprint
        area = width_v = width_h = 0.0
        for v, h in self._stage_lengths(unit_height_m, unit_width_m, 2)[:-1]:
            width_v += self.bus_width_bits * inv.width_m / folded_ratio
            area += width_v * v / 2
            width_h += self.bus_width_bits * inv.height_m / folded_ratio
            area += width_h * h / 2
        area += self.bus_width_bits * inv.height_m / folded_ratio * self.main_bus_units * unit_width_m
        return area

    def leakage_w(self, unit_height_m: float, unit_width_m: float) -> float:
        """HTree.cpp:HTree::CalculatePower: repeater leakage per metre x total wire length."""
        return self.leakage_w_per_m * self.total_wire_length_m(unit_height_m, unit_width_m)
