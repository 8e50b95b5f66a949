"""Inputs of the 1T1R sub-array model: its design (SubarrayDesign), a weight update summarised as
ProcessingUnit.cpp:GetWriteUpdateEstimation needs it (WriteUpdate), and the column resistance the ADCs
see (ProcessingUnit.cpp:GetColumnResistance), exact or averaged when no weights are at hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from simcim.hardware.circuits.technology import Wire

CELL_KINDS = ("fefet", "rram")
ADC_KINDS = ("mlsa", "sar")


@dataclass(frozen=True)
class SubarrayDesign:
    """What a sub-array is: geometry, device, ADC and training options (NeuroSim Param.cpp defaults).

    ``write_voltage_v`` is NeuroSim's ``cell.writeVoltage``, which ProcessingUnitInitialize sets to
    sqrt(V_LTP^2 + V_LTD^2) = sqrt(4^2 + 4^2) by default (not the mean). ``cell_width_f`` and
    ``cell_height_f`` are the 1T1R cell in feature sizes (4 x 4). ``ag_row_activity`` is the
    hard-coded activityBPColRead of the transposed read. ``max_levels`` is max(maxNumLevelLTP, LTD).
    """

    rows: int = 128
    cols: int = 128
    cols_per_adc: int = 8
    adc_levels: int = 64
    adc_kind: str = "mlsa"
    current_mode: bool = True
    cell: str = "fefet"
    r_on_ohm: float = 240e3
    r_off_ohm: float = 24e6
    read_voltage_v: float = 0.5
    read_pulse_s: float = 10e-9
    write_voltage_v: float = math.sqrt(4.0 ** 2 + 4.0 ** 2)
    write_pulse_s: float = 50e-9
    access_voltage_v: float = 1.1
    access_resistance_ohm: float = 15e3
    input_bits: int = 8
    weight_bits: int = 5
    cell_bits: int = 5
    transposed: bool = True
    rows_muxed_ag: int = 8
    adc_levels_ag: int = 64
    error_bits: int = 8
    ag_row_activity: float = 0.5
    max_levels: int = 60
    fefet_gate_cap_f: float = 2.1717e-18
    fefet_polarization_uc_per_cm2: float = 20.0
    clock_hz: float = 1e9
    cell_width_f: float = 4.0
    cell_height_f: float = 4.0

    def __post_init__(self) -> None:
        if self.cell not in CELL_KINDS:
            raise ValueError(f"cell must be one of {CELL_KINDS}, not {self.cell!r}")
        if self.adc_kind not in ADC_KINDS:
            raise ValueError(f"adc_kind must be one of {ADC_KINDS}, not {self.adc_kind!r}")
        for name in ("adc_levels", "adc_levels_ag"):
            levels = getattr(self, name)
            if levels < 2 or levels & (levels - 1):
                raise ValueError(f"{name} must be a power of two >= 2, not {levels}")
        if self.cols_per_adc < 1 or self.cols < self.cols_per_adc:
            raise ValueError("cols_per_adc must be between 1 and cols")
        if self.rows_muxed_ag < 1 or self.rows < self.rows_muxed_ag:
            raise ValueError("rows_muxed_ag must be between 1 and rows")

    @property
    def cells_per_synapse(self) -> int:
        """ceil(weight bits / cell bits) (main.cpp numColPerSynapse)."""
        return math.ceil(self.weight_bits / self.cell_bits)

    @property
    def adcs(self) -> int:
        """Forward ADCs: cols / cols_per_adc (integer division, as in SubArray::Initialize)."""
        return self.cols // self.cols_per_adc

    @property
    def adcs_ag(self) -> int:
        """Transposed ADCs: rows / rows_muxed_ag."""
        return self.rows // self.rows_muxed_ag

    @property
    def conductance_step_s(self) -> float:
        """Smallest programmable conductance step (G_max - G_min) / max_levels (GetWriteUpdateEstimation)."""
        return (1 / self.r_on_ohm - 1 / self.r_off_ohm) / self.max_levels


@dataclass(frozen=True)
class WriteUpdate:
    """One weight update of a sub-array, summarised as GetWriteUpdateEstimation needs it.

    A row with any potentiated ("set") cell counts as a set row, a row with only depressed cells as a
    reset row. ``set_pulses`` sums, over rows, the largest set pulse count of the row (rows are written
    one after another; the cells of a row in parallel); likewise ``reset_pulses``.
    ``polarization_uc_per_cm2`` sums |Pr_new + Ps| + |Pr_old + Ps| over written FeFET cells;
    ``pulse_conductance_s`` sums pulses x 2 / (1/G_new + 1/G_old) over written RRAM cells.
    """

    rows_set: int
    rows_reset: int
    cells_set: int
    cells_reset: int
    set_pulses: float
    reset_pulses: float
    polarization_uc_per_cm2: float = 0.0
    pulse_conductance_s: float = 0.0

    @classmethod
    def from_conductances(cls, design: SubarrayDesign, new_s: Sequence[Sequence[float]],
                          old_s: Sequence[Sequence[float]]) -> WriteUpdate:
        """Exactly ProcessingUnit.cpp:GetWriteUpdateEstimation (eNVM branch) on conductance matrices [S]."""
        step = design.conductance_step_s
        ps, levels = design.fefet_polarization_uc_per_cm2, design.max_levels
        rows_set = rows_reset = cells_set = cells_reset = 0
        set_pulses = reset_pulses = 0
        polarization = conductance = 0.0
        for row_new, row_old in zip(new_s, old_s):
            n_set = n_reset = p_set = p_reset = 0
            for g_new, g_old in zip(row_new, row_old):
                if abs(g_new - g_old) < step:
                    continue
                pulses = math.ceil(abs(g_new - g_old) / step)
                if g_new > g_old:
                    n_set, p_set = n_set + 1, max(p_set, pulses)
                else:
                    n_reset, p_reset = n_reset + 1, max(p_reset, pulses)
                conductance += pulses / (abs(1 / g_new + 1 / g_old) / 2)
                pr_new = (g_new / step - levels / 2) * (ps * 2 / levels)
                pr_old = (g_old / step - levels / 2) * (ps * 2 / levels)
                polarization += abs(pr_new + ps) + abs(pr_old + ps)
            if n_set:
                rows_set += 1
            elif n_reset:
                rows_reset += 1
            cells_set += n_set
            cells_reset += n_reset
            set_pulses += p_set
            reset_pulses += p_reset
        return cls(rows_set, rows_reset, cells_set, cells_reset, set_pulses, reset_pulses, polarization, conductance)

    @classmethod
    def from_pulses(cls, design: SubarrayDesign, set_pulses_per_row: Sequence[float] | float, set_cells: int,
                    reset_pulses_per_row: Sequence[float] | float = 0.0, reset_cells: int = 0, *,
                    rows: int | None = None, new_conductance_s: float | None = None,
                    old_conductance_s: float | None = None) -> WriteUpdate:
        """An update from per-row pulse counts (sequences, one entry per row) or means over ``rows`` rows.

        Without weight files the device terms use mean conductances (default: mid-range
        (G_max + G_min) / 2 for both old and new): each written FeFET cell switches
        (G_new + G_old) / step x 2 Ps / max_levels of polarisation; each RRAM cell is charged as if
        it took its row's mean pulse count (an upper bound: NeuroSim uses the cell's own count).
        """
        mid = (1 / design.r_on_ohm + 1 / design.r_off_ohm) / 2
        g_new = mid if new_conductance_s is None else new_conductance_s
        g_old = mid if old_conductance_s is None else old_conductance_s

        def rows_and_total(pulses: Sequence[float] | float, default_rows: int) -> tuple[list[float], float]:
            """Per-row pulse list and total from a sequence or a mean over ``default_rows`` rows."""
            if isinstance(pulses, (int, float)):
                per_row = [float(pulses)] * (default_rows if pulses > 0 else 0)
            else:
                per_row = [float(p) for p in pulses]
            return per_row, sum(per_row)

        count = design.rows if rows is None else rows
        set_rows, set_total = rows_and_total(set_pulses_per_row, count)
        reset_rows, reset_total = rows_and_total(reset_pulses_per_row, count)
        n = max(len(set_rows), len(reset_rows))
        set_rows += [0.0] * (n - len(set_rows))
        reset_rows += [0.0] * (n - len(reset_rows))
        rows_set = sum(1 for s in set_rows if s > 0)
        rows_reset = sum(1 for s, r in zip(set_rows, reset_rows) if s <= 0 < r)
        step, ps, levels = design.conductance_step_s, design.fefet_polarization_uc_per_cm2, design.max_levels
        cells = set_cells + reset_cells
        polarization = cells * (g_new + g_old) / step * 2 * ps / levels
        mean_pulses = (set_total / max(1, sum(1 for s in set_rows if s > 0)) * set_cells
                       + reset_total / max(1, sum(1 for r in reset_rows if r > 0)) * reset_cells)
        conductance = mean_pulses * 2 / (1 / g_new + 1 / g_old)
        return cls(rows_set, rows_reset, set_cells, reset_cells, set_total, reset_total, polarization, conductance)


def column_resistance_ohm(wire: Wire, design: SubarrayDesign, active_rows: float,
                          conductance_s: float | None = None) -> float:
    """Average resistance of one column with ``active_rows`` rows on at a mean cell conductance.

    ProcessingUnit.cpp:GetColumnResistance sums, over active rows i of column j, the conductance of
    1/G + (j+1) r_row + (rows - i) r_col. Without weights we put every cell at ``conductance_s``
    (default: the mid-range (G_max + G_min)/2) and every active row and column at the mean wire
    position ((cols + 1)/2 segments along the row, (rows + 1)/2 along the column); the wire terms are
    a few hundred ohms against >= 240 kOhm cells, so this averaging changes R by < 0.1 %. RRAM adds
    the access resistance in series with each cell. No active row gives ``inf`` (the ADCs then idle).
    """
    if active_rows <= 0:
        return math.inf
    g = (1 / design.r_on_ohm + 1 / design.r_off_ohm) / 2 if conductance_s is None else conductance_s
    segment_row = wire.cell_segment_resistance_ohm(design.cell_height_f)
    segment_col = wire.cell_segment_resistance_ohm(design.cell_width_f)
    per_cell = (1 / g + (design.cols + 1) / 2 * segment_row + (design.rows + 1) / 2 * segment_col
                + (design.access_resistance_ohm if design.cell == "rram" else 0.0))
    return per_cell / active_rows


def column_resistances_ohm(wire: Wire, design: SubarrayDesign, inputs: Sequence[int],
                           conductances_s: Sequence[Sequence[float]]) -> list[float]:
    """Every column's resistance for one input bit-plane, exactly as ProcessingUnit.cpp:GetColumnResistance.

    ``inputs`` holds 0/1 per row; ``conductances_s`` is rows x cols. Param.cpp measures the row and
    column wire segments with the cell height and width in wire widths (both 4 for 1T1R).
    """
    segment_row = wire.cell_segment_resistance_ohm(design.cell_height_f)
    segment_col = wire.cell_segment_resistance_ohm(design.cell_width_f)
    access = design.access_resistance_ohm if design.cell == "rram" else 0.0
    n = len(conductances_s)
    out = []
    for j in range(len(conductances_s[0])):
        g = sum(1 / (1 / conductances_s[i][j] + (j + 1) * segment_row + (n - i) * segment_col + access)
                for i in range(n) if int(inputs[i]) == 1)
        out.append(math.inf if g == 0 else 1 / g)
    return out
