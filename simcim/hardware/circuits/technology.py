"""Transistor technology and interconnect wires, as NeuroSim V2.1 models them.

``technology(node_nm, roadmap, temperature_k)`` gives the per-width constants every circuit formula
reads (Technology.cpp:Technology::Initialize); ``wire(node_nm, temperature_k)`` gives the metal
line of Param.cpp:Param::Param (aspect ratio, resistivity, unit-length resistance) and the fixed
0.2 fF/um wire capacitance that every NeuroSim block uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simcim.hardware.circuits.technology_cards import CARDS

Roadmap = Literal["LSTP", "HP"]

NODES_NM: tuple[int, ...] = (130, 90, 65, 45, 32, 22, 14, 10, 7)
ROADMAPS: tuple[str, ...] = ("LSTP", "HP")
TEMPERATURE_RANGE_K: tuple[float, float] = (300.0, 400.0)

# Junction model constants shared by every card (Technology.cpp:Technology::Initialize).
_CAP_JUNCTION_BOTTOM_F_PER_M2 = 1e-3
_CAP_SIDEWALL_ISOLATION_F_PER_M = 2.5e-10
_CAP_SIDEWALL_GATE_EDGE_F_PER_M = 0.5e-10
_GRADING_BOTTOM = 0.5
_GRADING_SIDEWALL = 0.33
_BUILT_IN_POTENTIAL_V = 0.9

WIRE_CAPACITANCE_F_PER_M = 0.2e-15 / 1e-6
"""0.2 fF/um: the only wire capacitance NeuroSim uses (SubArray.cpp, Bus.cpp, HTree.cpp Initialize)."""


@dataclass(frozen=True)
class Technology:
    """Constants of one (node, roadmap, temperature) that the formula.cpp primitives read.

    Currents are per metre of gate width at ``temperature_k``; capacitances per metre of width
    (gate) or per m^2 / per m (junction bottom / sidewall).
    """

    node_nm: int
    roadmap: str
    temperature_k: float
    feature_size_m: float
    vdd_v: float
    vth_v: float
    gate_length_m: float
    cap_ideal_gate_f_per_m: float
    cap_fringe_f_per_m: float
    cap_overlap_f_per_m: float
    cap_polywire_f_per_m: float
    resistance_multiplier: float
    gm_current_n_a_per_m: float
    gm_current_p_a_per_m: float
    on_current_n_a_per_m: float
    on_current_p_a_per_m: float
    off_current_n_a_per_m: float
    off_current_p_a_per_m: float
    pn_size_ratio: float
    cap_junction_f_per_m2: float
    cap_sidewall_f_per_m: float
    cap_drain_to_channel_f_per_m: float
    fin_height_m: float
    fin_width_m: float
    fin_pitch_m: float

    @property
    def finfet(self) -> bool:
        """FinFET nodes (< 22 nm) quantise widths to fins (formula.cpp: featureSize < 22 nm)."""
        return self.node_nm < 22

    @property
    def cap_gate_f_per_m(self) -> float:
        """Total gate capacitance per metre of width: ideal + overlap + fringe."""
        return self.cap_ideal_gate_f_per_m + self.cap_overlap_f_per_m + self.cap_fringe_f_per_m


def _temperature_index(temperature_k: float) -> int:
    """Kelvins above 300 as NeuroSim indexes its tables: ``(int)T - 300`` (formula.cpp)."""
    lo, hi = TEMPERATURE_RANGE_K
    if not lo <= temperature_k < hi + 1:
        raise ValueError(f"temperature {temperature_k} K is outside NeuroSim's tables ({lo:g}..{hi:g} K)")
    return int(temperature_k) - 300


def _at_temperature(grid: tuple[float, ...], index: int) -> float:
    """Linear interpolation between the 10 K grid points.

    Technology.cpp:Technology::Initialize (the "Interpolate" loops).
    """
    lo, rest = divmod(index, 10)
    if rest == 0:
        return grid[lo]
    a, b = grid[lo], grid[lo + 1]
    return a + (b - a) * rest / 10


def technology(node_nm: int, roadmap: Roadmap | str = "LSTP", temperature_k: float = 300.0) -> Technology:
    """The technology constants of a node and roadmap at a temperature (300..400 K).

    Technology.cpp:Technology::Initialize. The temperature is truncated to whole kelvins (NeuroSim
    holds it in an int, which also feeds the ADC power fits); the p/n size ratio always uses the
    300 K currents.
    """
    if node_nm not in NODES_NM:
        raise ValueError(f"node {node_nm} nm is not one of NeuroSim's nodes {NODES_NM}")
    if roadmap not in ROADMAPS:
        raise ValueError(f"roadmap {roadmap!r} is not one of {ROADMAPS}")
    index = _temperature_index(temperature_k)
    card = CARDS[(node_nm, roadmap)]
    vdd = card.vdd_v
    ratio = card.on_n_a_per_m[0] / card.on_p_a_per_m[0]
    if node_nm < 22:
        ratio = float(int(ratio))  # Technology.cpp: (int) cast at FinFET nodes -> 1
    return Technology(
        node_nm=node_nm,
        roadmap=roadmap,
        temperature_k=float(300 + index),  # NeuroSim's temperature is an int (Param.h, InputParameter.h)
        feature_size_m=node_nm * 1e-9,
        vdd_v=vdd,
        vth_v=card.vth_v,
        gate_length_m=card.gate_length_m,
        cap_ideal_gate_f_per_m=card.cap_ideal_gate_f_per_m,
        cap_fringe_f_per_m=card.cap_fringe_f_per_m,
        # Technology.cpp:Technology::Initialize: overlap = 20 % of the ideal gate cap for bulk
        # nodes; the FinFET cards already include it.
        cap_overlap_f_per_m=0.2 * card.cap_ideal_gate_f_per_m if node_nm >= 22 else 0.0,
        cap_polywire_f_per_m=0.0,
        resistance_multiplier=card.resistance_multiplier,
        gm_current_n_a_per_m=card.gm_current_n_a_per_m,
        gm_current_p_a_per_m=card.gm_current_p_a_per_m,
        on_current_n_a_per_m=_at_temperature(card.on_n_a_per_m, index),
        on_current_p_a_per_m=_at_temperature(card.on_p_a_per_m, index),
        off_current_n_a_per_m=_at_temperature(card.off_n_a_per_m, index),
        off_current_p_a_per_m=_at_temperature(card.off_p_a_per_m, index),
        pn_size_ratio=ratio,
        # Technology.cpp:Technology::Initialize: junction caps at zero bias scaled to Vdd
        cap_junction_f_per_m2=_CAP_JUNCTION_BOTTOM_F_PER_M2 / (1 + vdd / _BUILT_IN_POTENTIAL_V) ** _GRADING_BOTTOM,
        cap_sidewall_f_per_m=_CAP_SIDEWALL_ISOLATION_F_PER_M / (1 + vdd / _BUILT_IN_POTENTIAL_V) ** _GRADING_SIDEWALL,
        cap_drain_to_channel_f_per_m=(_CAP_SIDEWALL_GATE_EDGE_F_PER_M
                                      / (1 + vdd / _BUILT_IN_POTENTIAL_V) ** _GRADING_SIDEWALL),
        fin_height_m=card.fin_height_m,
        fin_width_m=card.fin_width_m,
        fin_pitch_m=card.fin_pitch_m,
    )


# Param.cpp:Param::Param -- wireWidth (nm) -> (aspect ratio, resistivity in ohm*m at 300 K)
_WIRE_TABLE: dict[int, tuple[float, float]] = {
    200: (2.10, 2.42e-8),
    100: (2.30, 2.73e-8),
    50: (2.34, 3.91e-8),
    40: (1.90, 4.03e-8),
    32: (1.90, 4.51e-8),
    22: (2.00, 5.41e-8),
    14: (2.10, 7.43e-8),
}
# Param.cpp comments: the wire width that goes with each node (10 nm follows the header comment, 14 nm).
WIRE_WIDTH_NM_FOR_NODE: dict[int, int] = {130: 200, 90: 200, 65: 100, 45: 50, 32: 40, 22: 32, 14: 22, 10: 14, 7: 14}


@dataclass(frozen=True)
class Wire:
    """A metal line of NeuroSim's interconnect: width, aspect ratio, resistivity, R and C per metre."""

    width_nm: int
    aspect_ratio: float
    resistivity_ohm_m: float
    temperature_k: float
    capacitance_f_per_m: float = WIRE_CAPACITANCE_F_PER_M

    @property
    def width_m(self) -> float:
        """Wire width in metres."""
        return self.width_nm * 1e-9

    @property
    def unit_length_resistance_ohm_per_m(self) -> float:
        """rho / (w^2 * AR). Param.cpp:Param::Param (unitLengthWireResistance)."""
        return self.resistivity_ohm_m / (self.width_m * self.width_m * self.aspect_ratio)

    def cell_segment_resistance_ohm(self, cell_size_f: float) -> float:
        """Wire resistance across one cell of ``cell_size_f`` wire widths.

        Param.cpp:Param::Param (wireResistanceRow/Col = unit R x wireWidth x cell size in F); NeuroSim
        measures the cell in *wire widths*, not in transistor feature sizes.
        """
        return self.unit_length_resistance_ohm_per_m * self.width_m * cell_size_f


def wire(node_nm: int, temperature_k: float = 300.0, width_nm: int | None = None) -> Wire:
    """The interconnect wire of a node (or of an explicit ``width_nm`` row of the table).

    Param.cpp:Param::Param: ``Rho *= 1 + 0.00451 |T - 300|`` with T in whole kelvins. NeuroSim's
    default keeps wireWidth = 40 nm whatever the node; pass ``width_nm=40`` to reproduce that.
    """
    if width_nm is None:
        if node_nm not in WIRE_WIDTH_NM_FOR_NODE:
            raise ValueError(f"node {node_nm} nm has no wire width in NeuroSim's table {tuple(WIRE_WIDTH_NM_FOR_NODE)}")
        width_nm = WIRE_WIDTH_NM_FOR_NODE[node_nm]
    if width_nm not in _WIRE_TABLE:
        raise ValueError(f"wire width {width_nm} nm is not in NeuroSim's table {tuple(_WIRE_TABLE)}")
    _temperature_index(temperature_k)
    aspect_ratio, rho = _WIRE_TABLE[width_nm]
    rho *= 1 + 0.00451 * abs(int(temperature_k) - 300)
    return Wire(width_nm=width_nm, aspect_ratio=aspect_ratio, resistivity_ohm_m=rho, temperature_k=float(temperature_k))
