"""Transistor- and gate-level primitives of NeuroSim (formula.cpp) and its layout constants (constant.h).

Every peripheral is built from these: gate capacitance, on-resistance, the Horowitz delay, the
area of a standard cell with folding, its input/output capacitance and its leakage. Widths are
drawn gate widths in metres; the standard cell is 28 F tall (F = feature size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from simcim.hardware.circuits.technology import Technology

# --- constant.h (all lengths in units of F unless stated) -------------------------------------
MAX_TRANSISTOR_HEIGHT_F = 28.0
MAX_TRANSISTOR_HEIGHT_FINFET_F = 34.0
MIN_NMOS_SIZE_F = 2.0
MAX_NMOS_SIZE_F = 100.0
MIN_GAP_BET_P_AND_N_DIFFS_F = 3.5
MIN_GAP_BET_SAME_TYPE_DIFFS_F = 1.6
MIN_GAP_BET_GATE_POLY_F = 2.8
MIN_GAP_BET_GATE_POLY_FINFET_F = 3.9
MIN_GAP_BET_CONTACT_POLY_F = 0.7
CONTACT_SIZE_F = 1.3
MIN_WIDTH_POWER_RAIL_F = 3.4
MIN_POLY_EXT_DIFF_F = 1.0
MIN_GAP_BET_FIELD_POLY_F = 1.6
POLY_WIDTH_F = 1.0
POLY_WIDTH_FINFET_F = 1.4
M2_PITCH_F = 3.2
M3_PITCH_F = 2.8
AVG_RATIO_LEAK_2INPUT_NAND = 0.48
AVG_RATIO_LEAK_3INPUT_NAND = 0.31
AVG_RATIO_LEAK_2INPUT_NOR = 0.95
AVG_RATIO_LEAK_3INPUT_NOR = 0.62
IR_DROP_TOLERANCE = 0.25
LINEAR_REGION_RATIO = 0.20
HEIGHT_WIDTH_RATIO_LIMIT = 5.0
# constant.h uses the *integer* ratio MAX_TRANSISTOR_HEIGHT_FINFET / MAX_TRANSISTOR_HEIGHT = 34/28 = 1.
_FINFET_HEIGHT_SCALE = int(MAX_TRANSISTOR_HEIGHT_FINFET_F) // int(MAX_TRANSISTOR_HEIGHT_F)

RAMP_STEP = 1e20
"""The ramp NeuroSim passes when a stage starts a chain (an ideal step input)."""


class Gate(Enum):
    """Logic gate kinds of formula.cpp (INV, NAND, NOR)."""
    INV = "inv"
    NAND = "nand"
    NOR = "nor"


class Mos(Enum):
    """Transistor polarity."""
    NMOS = "n"
    PMOS = "p"


class Footprint(NamedTuple):
    """A rectangle of layout (height x width, m)."""

    height_m: float
    width_m: float

    @property
    def area_m2(self) -> float:
        """Height x width."""
        return self.height_m * self.width_m


class GateCaps(NamedTuple):
    """Input capacitance (per input) and output (drain) capacitance of a gate, F."""

    input_f: float
    output_f: float


# --- widths and single-transistor quantities ----------------------------------------------------

def effective_width_m(tech: Technology, width_m: float) -> float:
    """Electrical width: the drawn width for bulk; whole fins x (2 h_fin + w_fin) for FinFET.

    formula.cpp:CalculateGateCap / CalculateOnResistance (FinFET branch).
    """
    if not tech.finfet:
        return width_m
    scaled = _fin_scale(tech, width_m)
    return math.ceil(scaled / tech.fin_pitch_m) * (2 * tech.fin_height_m + tech.fin_width_m)


def gate_cap_f(tech: Technology, width_m: float) -> float:
    """Gate capacitance of one transistor. formula.cpp:CalculateGateCap."""
    return tech.cap_gate_f_per_m * effective_width_m(tech, width_m) + tech.gate_length_m * tech.cap_polywire_f_per_m


def on_resistance_ohm(tech: Technology, width_m: float, mos: Mos) -> float:
    """Effective on-resistance R_mult * Vdd / (I_on * W). formula.cpp:CalculateOnResistance."""
    current = tech.on_current_n_a_per_m if mos is Mos.NMOS else tech.on_current_p_a_per_m
    return tech.resistance_multiplier * tech.vdd_v / (current * effective_width_m(tech, width_m))


def horowitz(tr_s: float, ramp_input: float = RAMP_STEP) -> tuple[float, float]:
    """Horowitz delay of an RC stage and the ramp it hands on: (delay_s, ramp_out).

    formula.cpp:horowitz, with vs = 0.5 and beta forced to 0.5 (the argument is ignored in the C++,
    so transconductance never matters).
    """
    alpha = 1.0 / ramp_input / tr_s
    delay = tr_s * math.sqrt(math.log(0.5) ** 2 + 2 * alpha * 0.5 * (1 - 0.5))
    return delay, 0.5 / delay


# --- folding shared by gate area and gate capacitance -------------------------------------------

@dataclass(frozen=True)
class _Fold:
    """How one device type of a gate is laid out: fold count and diffusion region height (m)."""

    folds: int
    region_height_m: float
    present: bool


def _rail_f() -> float:
    """Poly extension + half field gap on both rails: 3.6 F."""
    return (MIN_POLY_EXT_DIFF_F + MIN_GAP_BET_FIELD_POLY_F / 2) * 2


def _bulk_folds(tech: Technology, width_n: float, width_p: float, height: float) -> tuple[_Fold, _Fold]:
    """(PMOS, NMOS) folding at a bulk node. formula.cpp:CalculateGateArea (first half)."""
    f = tech.feature_size_m
    ratio = width_p / (width_p + width_n)
    if ratio == 0:
        max_p, max_n = 0.0, height - _rail_f() * f
    elif ratio == 1:
        max_p, max_n = height - _rail_f() * f, 0.0
    else:
        max_p = ratio * (height - MIN_GAP_BET_P_AND_N_DIFFS_F * f - _rail_f() * f)
        max_n = max_p / ratio * (1 - ratio)

    def one(width: float, max_width: float) -> _Fold:
        """Fold count and region height of one device type."""
        if width <= 0:
            return _Fold(1, 0.0, False)
        if width <= max_width:
            return _Fold(1, width, True)
        return _Fold(math.ceil(width / max_width), max_width, True)

    return one(width_p, max_p), one(width_n, max_n)


def _fin_folds(tech: Technology, width_n: float, width_p: float, height: float) -> tuple[_Fold, _Fold]:
    """(PMOS, NMOS) folding at a FinFET node, widths already scaled to the fin pitch.

    formula.cpp:CalculateGateArea (FinFET branch). The fold count uses integer division (floor),
    as the C++ does.
    """
    f, pitch = tech.feature_size_m, tech.fin_pitch_m
    ratio = width_p / (width_p + width_n)
    if ratio == 0:
        max_p, max_n = 0, math.floor((height - _rail_f() * f) / pitch) + 1
    elif ratio == 1:
        max_p, max_n = math.floor((height - _rail_f() * f) / pitch) + 1, 0
    else:
        avail = height - MIN_GAP_BET_P_AND_N_DIFFS_F * f - _rail_f() * f
        max_p = math.floor(ratio * avail / pitch) + 1
        max_n = math.floor((1 - ratio) * avail / pitch) + 1

    def one(width: float, max_fins: int) -> _Fold:
        """Fold count and region height of one device type."""
        fins = math.ceil(width / pitch)
        if fins <= 0:
            return _Fold(1, 0.0, False)
        if fins <= max_fins:
            return _Fold(1, (fins - 1) * pitch + tech.fin_width_m, True)
        return _Fold(fins // max_fins, (max_fins - 1) * pitch + tech.fin_width_m, True)

    return one(width_p, max_p), one(width_n, max_n)


def _fin_scale(tech: Technology, width: float) -> float:
    """Drawn width -> fin-pitch units, ``w * (pitch / 2F)`` in the C++ order: 2 F often maps to exactly
    one fin pitch, and ``ceil(w / pitch)`` then depends on the last bit."""
    return width * (tech.fin_pitch_m / (2 * tech.feature_size_m))


def gate_area(tech: Technology, gate: Gate, inputs: int, width_n_m: float, width_p_m: float,
              height_m: float) -> Footprint:
    """Footprint of a standard-cell gate of fixed height, folding wide devices.

    formula.cpp:CalculateGateArea. NAND/NOR share diffusion between inputs when nothing folds.
    """
    f = tech.feature_size_m
    if tech.finfet:
        width_n_m, width_p_m = _fin_scale(tech, width_n_m), _fin_scale(tech, width_p_m)
        height_m = height_m * _FINFET_HEIGHT_SCALE
        fold_p, fold_n = _fin_folds(tech, width_n_m, width_p_m, height_m)
        pitch = (POLY_WIDTH_FINFET_F + MIN_GAP_BET_GATE_POLY_FINFET_F) * f
    else:
        fold_p, fold_n = _bulk_folds(tech, width_n_m, width_p_m, height_m)
        pitch = (POLY_WIDTH_F + MIN_GAP_BET_GATE_POLY_F) * f

    def unit(fold: _Fold) -> float:
        """Width of one device column: 2 gate pitches unfolded, (folds + 1) folded."""
        if not fold.present:
            return 0.0
        return 2 * pitch if fold.folds == 1 else (fold.folds + 1) * pitch

    unit_p, unit_n = unit(fold_p), unit(fold_n)
    if gate is Gate.INV:
        width = max(unit_n, unit_p)
    elif fold_p.folds == 1 and fold_n.folds == 1:
        width = max(unit_n * inputs - (inputs - 1) * pitch, unit_p * inputs - (inputs - 1) * pitch)
    else:
        width = max(unit_n * inputs, unit_p * inputs)
    return Footprint(height_m, width)


def gate_capacitance(tech: Technology, gate: Gate, inputs: int, width_n_m: float, width_p_m: float,
                     height_m: float) -> GateCaps:
    """Input (per input) and output capacitance of a gate laid out at ``height_m``.

    formula.cpp:CalculateGateCapacitance. Quirks kept: the INV NMOS sidewall uses the PMOS fold
    count; at FinFET nodes the already fin-scaled widths are fin-scaled again for the input cap.
    """
    f = tech.feature_size_m
    if tech.finfet:
        width_n_m, width_p_m = _fin_scale(tech, width_n_m), _fin_scale(tech, width_p_m)
        fold_p, fold_n = _fin_folds(tech, width_n_m, width_p_m, height_m)
        stripe = MIN_GAP_BET_GATE_POLY_FINFET_F * f
    else:
        fold_p, fold_n = _bulk_folds(tech, width_n_m, width_p_m, height_m)
        stripe = MIN_GAP_BET_GATE_POLY_F * f

    def stripes(fold: _Fold) -> tuple[float, float]:
        """(drain, source) stripe widths of one device."""
        if not fold.present:
            return 0.0, 0.0
        if fold.folds == 1:
            return stripe, stripe
        return math.ceil((fold.folds + 1) / 2) * stripe, math.floor((fold.folds + 1) / 2) * stripe

    drain_p, source_p = stripes(fold_p)
    drain_n, source_n = stripes(fold_n)
    hp, hn, fp, fn = fold_p.region_height_m, fold_n.region_height_m, fold_p.folds, fold_n.folds
    n = inputs
    wd_p = wd_n = sw_p = sw_n = 0.0
    if gate is Gate.INV:
        if fold_p.present:
            wd_p = drain_p
            sw_p = 2 * wd_p + hp * (1 + (fp + 1) % 2)
        if fold_n.present:
            wd_n = drain_n
            sw_n = 2 * wd_n + hn * (1 + (fp + 1) % 2)  # [Q] PMOS fold count, as in the C++
    elif gate is Gate.NOR:
        if fp == 1 and fn == 1:
            if fold_p.present:
                wd_p = drain_p * n
                sw_p = 2 * wd_p + hp
            if fold_n.present:
                wd_n = drain_n * math.floor((n + 1) / 2)
                sw_n = 2 * wd_n + hn * (1 - (n + 1) % 2)
        else:
            if fold_p.present:
                wd_p = drain_p * n + (n - 1) * source_p
                sw_p = 2 * wd_p + hp * (1 + (fp + 1) % 2) * n + hp * (1 - (fp + 1) % 2) * (n - 1)
            if fold_n.present:
                wd_n = drain_n * n
                sw_n = 2 * wd_n + hn * (1 + (fn + 1) % 2) * n
    else:  # NAND
        if fp == 1 and fn == 1:
            if fold_p.present:
                wd_p = drain_p * math.floor((n + 1) / 2)
                sw_p = 2 * wd_p + hp * (1 - (n + 1) % 2)
            if fold_n.present:
                wd_n = drain_n * n
                sw_n = 2 * wd_n + hn
        else:
            if fold_p.present:
                wd_p = drain_p * n
                sw_p = 2 * wd_p + hp * (1 + (fp + 1) % 2) * n
            if fold_n.present:
                wd_n = drain_n * n + (n - 1) * source_n
                sw_n = 2 * wd_n + hn * (1 + (fn + 1) % 2) * n + hn * (1 - (fn + 1) % 2) * (n - 1)
    output = ((wd_n * hn + wd_p * hp) * tech.cap_junction_f_per_m2 + (sw_n + sw_p) * tech.cap_sidewall_f_per_m
              + (fn * hn + fp * hp) * tech.cap_drain_to_channel_f_per_m)
    return GateCaps(gate_cap_f(tech, width_n_m) + gate_cap_f(tech, width_p_m), output)


def drain_cap_f(tech: Technology, width_m: float, mos: Mos, height_m: float) -> float:
    """Drain capacitance of a single transistor in a cell of ``height_m``. formula.cpp:CalculateDrainCap."""
    width_n, width_p = (width_m, 0.0) if mos is Mos.NMOS else (0.0, width_m)
    return gate_capacitance(tech, Gate.INV, 1, width_n, width_p, height_m).output_f


def gate_leakage_a(tech: Technology, gate: Gate, inputs: int, width_n_m: float, width_p_m: float) -> float:
    """Average sub-threshold leakage current of a gate, A (callers multiply by Vdd).

    formula.cpp:CalculateGateLeakage; NAND/NOR average over input states with constant.h ratios
    (the "3-input" ratio serves every fan-in other than 2).
    """
    width_n, width_p = effective_width_m(tech, width_n_m), effective_width_m(tech, width_p_m)
    if gate is Gate.INV:
        return (width_n * tech.off_current_n_a_per_m + width_p * tech.off_current_p_a_per_m) / 2
    if gate is Gate.NOR:
        ratio = AVG_RATIO_LEAK_2INPUT_NOR if inputs == 2 else AVG_RATIO_LEAK_3INPUT_NOR
        return ratio * width_n * tech.off_current_n_a_per_m * inputs
    ratio = AVG_RATIO_LEAK_2INPUT_NAND if inputs == 2 else AVG_RATIO_LEAK_3INPUT_NAND
    return ratio * width_p * tech.off_current_p_a_per_m * inputs


def pass_gate_area(tech: Technology, width_n_m: float, width_p_m: float, folds: int) -> Footprint:
    """Transmission gate of variable height, folded ``folds`` times. formula.cpp:CalculatePassGateArea."""
    f = tech.feature_size_m
    if tech.finfet:
        width = (folds + 1) * (POLY_WIDTH_FINFET_F + MIN_GAP_BET_GATE_POLY_FINFET_F) * f
        per_fin = 2 * tech.fin_height_m + tech.fin_width_m
        fins_p = math.ceil(math.ceil(_fin_scale(tech, width_p_m) / per_fin) / folds)
        fins_n = math.ceil(math.ceil(_fin_scale(tech, width_n_m) / per_fin) / folds)
        region_p = (fins_p - 1) * tech.fin_pitch_m + 2 * tech.fin_width_m / 2
        region_n = (fins_n - 1) * tech.fin_pitch_m + 2 * tech.fin_width_m / 2
        height = region_p + region_n + MIN_GAP_BET_P_AND_N_DIFFS_F * f + _rail_f() * f
        return Footprint(height, width)
    width = (folds + 1) * (POLY_WIDTH_F + MIN_GAP_BET_GATE_POLY_F) * f
    # Summed in the C++ order: the cell is exactly as tall as its devices, so whether a later
    # CalculateGateCapacitance folds them hinges on the last bit of this sum.
    height = width_p_m / folds + width_n_m / folds + MIN_GAP_BET_P_AND_N_DIFFS_F * f + _rail_f() * f
    return Footprint(height, width)


# --- standard-cell helpers ------------------------------------------------------------------------

def cell_height_m(tech: Technology) -> float:
    """Standard-cell height, 28 F (constant.h MAX_TRANSISTOR_HEIGHT)."""
    return MAX_TRANSISTOR_HEIGHT_F * tech.feature_size_m


def min_inverter_widths_m(tech: Technology) -> tuple[float, float]:
    """(NMOS, PMOS) widths of the minimum inverter: 2 F and pn x 2 F."""
    return MIN_NMOS_SIZE_F * tech.feature_size_m, tech.pn_size_ratio * MIN_NMOS_SIZE_F * tech.feature_size_m


def nand2_widths_m(tech: Technology) -> tuple[float, float]:
    """(NMOS, PMOS) widths of NeuroSim's NAND2: 4 F (two in series) and pn x 2 F."""
    return 2 * MIN_NMOS_SIZE_F * tech.feature_size_m, tech.pn_size_ratio * MIN_NMOS_SIZE_F * tech.feature_size_m


def min_inverter(tech: Technology) -> tuple[Footprint, GateCaps]:
    """Footprint and capacitances of the minimum inverter in a standard cell."""
    width_n, width_p = min_inverter_widths_m(tech)
    foot = gate_area(tech, Gate.INV, 1, width_n, width_p, cell_height_m(tech))
    return foot, gate_capacitance(tech, Gate.INV, 1, width_n, width_p, foot.height_m)


def nand2(tech: Technology) -> tuple[Footprint, GateCaps]:
    """Footprint and capacitances of the standard NAND2."""
    width_n, width_p = nand2_widths_m(tech)
    foot = gate_area(tech, Gate.NAND, 2, width_n, width_p, cell_height_m(tech))
    return foot, gate_capacitance(tech, Gate.NAND, 2, width_n, width_p, foot.height_m)


def min_inverter_leakage_a(tech: Technology) -> float:
    """Leakage current of the minimum inverter."""
    return gate_leakage_a(tech, Gate.INV, 1, *min_inverter_widths_m(tech))
