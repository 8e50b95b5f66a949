"""simcim.hardware.circuits.gates (formula.cpp primitives) against values worked by hand at 32 and 22 nm."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcim.hardware.circuits import gates as g
from simcim.hardware.circuits.technology import NODES_NM, Technology, technology

NODES = [32, 22]


def inv_output_cap_by_hand(t: Technology, wn: float, wp: float) -> float:
    """Unfolded bulk INV: drain stripes 2.8 F, sidewalls 2 x 2.8 F + W, gate-edge W (formula.cpp)."""
    f = t.feature_size_m
    return ((2.8 * f * wn + 2.8 * f * wp) * t.cap_junction_f_per_m2
            + ((5.6 * f + wn) + (5.6 * f + wp)) * t.cap_sidewall_f_per_m
            + (wn + wp) * t.cap_drain_to_channel_f_per_m)


@pytest.mark.parametrize("node", NODES)
def test_gate_cap_and_on_resistance_by_hand(node: int) -> None:
    """formula.cpp:CalculateGateCap and formula.cpp:CalculateOnResistance (bulk)."""
    t = technology(node)
    f = t.feature_size_m
    c_total = t.cap_ideal_gate_f_per_m * 1.2 + t.cap_fringe_f_per_m
    assert g.gate_cap_f(t, 3 * f) == pytest.approx(c_total * 3 * f, rel=1e-12)
    assert g.on_resistance_ohm(t, f, g.Mos.NMOS) == pytest.approx(1.77 * t.vdd_v / (t.on_current_n_a_per_m * f), rel=1e-12)
    assert g.on_resistance_ohm(t, 2 * f, g.Mos.PMOS) == pytest.approx(
        1.77 * t.vdd_v / (t.on_current_p_a_per_m * 2 * f), rel=1e-12)


def test_on_resistance_worked_value_32nm() -> None:
    """formula.cpp:CalculateOnResistance: R_on(F, N) at 32 nm LSTP = 1.77 x 0.9 / (600.2 x 32e-9) = 82 941.10 ohm."""
    assert g.on_resistance_ohm(technology(32), 32e-9, g.Mos.NMOS) == pytest.approx(82941.10, rel=1e-7)


def test_finfet_effective_width_by_hand() -> None:
    """formula.cpp:CalculateGateCap (FinFET): W x pitch/(2F) -> ceil(/pitch) fins x (2 h_fin + w_fin), 14 nm."""
    t = technology(14)
    f = t.feature_size_m
    per_fin = 2 * 23e-9 + 10e-9
    assert g.effective_width_m(t, 2 * f) == pytest.approx(1 * per_fin, rel=1e-12)  # 28 nm -> 32 nm -> 1 fin
    assert g.effective_width_m(t, 3 * f) == pytest.approx(2 * per_fin, rel=1e-12)  # 42 nm -> 48 nm -> 2 fins
    assert g.gate_cap_f(t, 2 * f) == pytest.approx(1.0572e-9 * per_fin, rel=1e-12)


def test_horowitz_by_hand() -> None:
    """formula.cpp:horowitz: beta forced to 0.5, vs = 0.5; a step input gives tr ln 2."""
    tr = 3e-11
    delay, ramp = g.horowitz(tr)
    assert delay == pytest.approx(tr * math.log(2), rel=1e-12)
    assert ramp == pytest.approx(0.5 / delay, rel=1e-12)
    chained, _ = g.horowitz(2e-11, ramp)
    alpha = 1 / (ramp * 2e-11)
    assert chained == pytest.approx(2e-11 * math.sqrt(math.log(0.5) ** 2 + alpha / 2), rel=1e-12)


@pytest.mark.parametrize("node", NODES)
def test_gate_area_by_hand(node: int) -> None:
    """formula.cpp:CalculateGateArea: INV 7.6 F, NAND2 11.4 F, NAND3 15.2 F wide in a 28 F cell; folding."""
    t = technology(node)
    f, pn, h = t.feature_size_m, t.pn_size_ratio, 28 * t.feature_size_m
    inv = g.gate_area(t, g.Gate.INV, 1, 2 * f, pn * 2 * f, h)
    assert (inv.height_m, inv.width_m) == pytest.approx((28 * f, 7.6 * f), rel=1e-12)
    assert g.gate_area(t, g.Gate.NAND, 2, 4 * f, pn * 2 * f, h).width_m == pytest.approx(11.4 * f, rel=1e-12)
    assert g.gate_area(t, g.Gate.NAND, 3, 6 * f, pn * 2 * f, h).width_m == pytest.approx(15.2 * f, rel=1e-12)
    # a lone 30 F NMOS exceeds 28 F - 3.6 F = 24.4 F: 2 folds, (2 + 1) x 3.8 F wide
    assert g.gate_area(t, g.Gate.INV, 1, 30 * f, 0.0, h).width_m == pytest.approx(11.4 * f, rel=1e-12)
    # a folded NOR shares no diffusion: n x unit width
    folded_nor = g.gate_area(t, g.Gate.NOR, 2, 30 * f, 0.5 * f, h)
    assert folded_nor.width_m == pytest.approx(2 * 3 * 3.8 * f, rel=1e-12)


@pytest.mark.parametrize("node", NODES)
def test_gate_capacitance_by_hand(node: int) -> None:
    """formula.cpp:CalculateGateCapacitance: unfolded INV and NAND2 drain/sidewall sums."""
    t = technology(node)
    f, pn, h = t.feature_size_m, t.pn_size_ratio, 28 * t.feature_size_m
    wn, wp = 2 * f, pn * 2 * f
    caps = g.gate_capacitance(t, g.Gate.INV, 1, wn, wp, h)
    c_total = t.cap_gate_f_per_m
    assert caps.input_f == pytest.approx(c_total * (wn + wp), rel=1e-12)
    assert caps.output_f == pytest.approx(inv_output_cap_by_hand(t, wn, wp), rel=1e-12)
    # NAND2: PMOS drain floor(3/2) stripes, sidewall 2 wd; NMOS 2 stripes, sidewall 2 wd + W
    wn = 4 * f
    nand = g.gate_capacitance(t, g.Gate.NAND, 2, wn, wp, h)
    wd_p, sw_p = 2.8 * f, 5.6 * f
    wd_n, sw_n = 5.6 * f, 11.2 * f + wn
    expected = ((wd_n * wn + wd_p * wp) * t.cap_junction_f_per_m2 + (sw_n + sw_p) * t.cap_sidewall_f_per_m
                + (wn + wp) * t.cap_drain_to_channel_f_per_m)
    assert nand.output_f == pytest.approx(expected, rel=1e-12)


def test_access_drain_cap_worked_value_32nm() -> None:
    """formula.cpp:CalculateDrainCap: the 1T1R access NMOS (0.276470 F) in a 4 F cell = 3.831200e-17 F."""
    t = technology(32)
    f = t.feature_size_m
    w = 82941.10 * 0.2 / 60e3 * f
    by_hand = 2.8 * f * w * t.cap_junction_f_per_m2 + (5.6 * f + w) * t.cap_sidewall_f_per_m + w * t.cap_drain_to_channel_f_per_m
    assert g.drain_cap_f(t, w, g.Mos.NMOS, 4 * f) == pytest.approx(by_hand, rel=1e-6)
    assert by_hand == pytest.approx(3.831200e-17, rel=1e-6)


@pytest.mark.parametrize("node", NODES)
def test_gate_leakage_by_hand(node: int) -> None:
    """formula.cpp:CalculateGateLeakage: INV average, NAND/NOR with the constant.h state ratios."""
    t = technology(node)
    f, pn = t.feature_size_m, t.pn_size_ratio
    i_n, i_p = t.off_current_n_a_per_m, t.off_current_p_a_per_m
    assert g.gate_leakage_a(t, g.Gate.INV, 1, 2 * f, pn * 2 * f) == pytest.approx((2 * f * i_n + pn * 2 * f * i_p) / 2, rel=1e-12)
    assert g.gate_leakage_a(t, g.Gate.NAND, 2, 4 * f, pn * 2 * f) == pytest.approx(0.48 * pn * 2 * f * i_p * 2, rel=1e-12)
    assert g.gate_leakage_a(t, g.Gate.NAND, 5, 4 * f, pn * 2 * f) == pytest.approx(0.31 * pn * 2 * f * i_p * 5, rel=1e-12)
    assert g.gate_leakage_a(t, g.Gate.NOR, 3, 2 * f, 3 * f) == pytest.approx(0.62 * 2 * f * i_n * 3, rel=1e-12)
    assert g.gate_leakage_a(t, g.Gate.NOR, 2, 2 * f, 3 * f) == pytest.approx(0.95 * 2 * f * i_n * 2, rel=1e-12)


@pytest.mark.parametrize("node", NODES)
def test_pass_gate_area_by_hand(node: int) -> None:
    """formula.cpp:CalculatePassGateArea (bulk): w = (folds + 1) 3.8 F, h = (W_P + W_N)/folds + 7.1 F."""
    t = technology(node)
    f = t.feature_size_m
    foot = g.pass_gate_area(t, 9 * f, 6 * f, 3)
    assert foot.width_m == pytest.approx(4 * 3.8 * f, rel=1e-12)
    assert foot.height_m == pytest.approx(6 * f / 3 + 9 * f / 3 + 7.1 * f, rel=1e-12)


def test_standard_cell_helpers() -> None:
    t = technology(32)
    f = t.feature_size_m
    assert g.cell_height_m(t) == pytest.approx(28 * f)
    assert g.min_inverter_widths_m(t) == pytest.approx((2 * f, 1.5005 * 2 * f))
    assert g.nand2_widths_m(t) == pytest.approx((4 * f, 1.5005 * 2 * f))
    inv, caps = g.min_inverter(t)
    assert inv.area_m2 == pytest.approx(212.8 * f * f)
    assert caps.output_f == pytest.approx(inv_output_cap_by_hand(t, 2 * f, 1.5005 * 2 * f))


def _inverter_delay_s(t: Technology) -> float:
    """Step-input delay of a minimum inverter driving four copies of itself."""
    inv, caps = g.min_inverter(t)
    r = g.on_resistance_ohm(t, g.min_inverter_widths_m(t)[0], g.Mos.NMOS)
    return g.horowitz(r * (caps.output_f + 4 * caps.input_f))[0]


BULK = sorted(n for n in NODES_NM if n >= 22)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.sampled_from(["LSTP", "HP"]), st.sampled_from(sorted(NODES_NM)), st.sampled_from(sorted(NODES_NM)))
def test_gate_area_grows_with_the_node(roadmap: str, a: int, b: int) -> None:
    """Standard cells scale with F^2: a larger node never gives a smaller INV or NAND2."""
    small, large = sorted((a, b))
    ts, tl = technology(small, roadmap), technology(large, roadmap)
    assert g.min_inverter(ts)[0].area_m2 <= g.min_inverter(tl)[0].area_m2
    assert g.nand2(ts)[0].area_m2 <= g.nand2(tl)[0].area_m2


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.sampled_from([(22, 32), (32, 45), (45, 65), (22, 65)]), st.sampled_from(["LSTP", "HP"]))
def test_gate_delay_grows_with_the_node(pair: tuple[int, int], roadmap: str) -> None:
    """Bulk 22-65 nm: a larger node is slower. (The 90 nm LSTP card's small ideal gate cap and the
    FinFET fin quantisation break strict monotonicity elsewhere; see docs/neurosim-port.md.)"""
    small, large = pair
    assert _inverter_delay_s(technology(small, roadmap)) < _inverter_delay_s(technology(large, roadmap))


def test_gate_delay_grows_with_the_node_hp_bulk() -> None:
    delays = [_inverter_delay_s(technology(n, "HP")) for n in BULK]
    assert delays == sorted(delays)
