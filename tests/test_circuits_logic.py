"""DFF, Adder, ShiftAdd, AdderTree and BitShifter (simcim.hardware.circuits.logic) against NeuroSim's
formulas worked by hand, plus values printed by the compiled NeuroSim V2.1 classes (a scratch driver
linking DFF.cpp, Adder.cpp, AdderTree.cpp, BitShifter.cpp)."""

from __future__ import annotations

import math

import pytest

from simcim.hardware.circuits.logic import DFF, Adder, AdderTree, BitShifter, ShiftAdd, adder_tree_stages
from simcim.hardware.circuits.technology import Technology, technology

NODES = [32, 22]


def hz(tr: float, ramp: float = 1e20) -> tuple[float, float]:
    """formula.cpp:horowitz with beta = vs = 0.5."""
    d = tr * math.sqrt(math.log(0.5) ** 2 + 2 * (1 / (ramp * tr)) * 0.5 * 0.5)
    return d, 0.5 / d


def caps(t: Technology, nand: bool) -> tuple[float, float]:
    """(C_in, C_out) of the unfolded minimum INV (2F / pn 2F) or NAND2 (4F / pn 2F) (formula.cpp)."""
    f, cj, csw, cd = t.feature_size_m, t.cap_junction_f_per_m2, t.cap_sidewall_f_per_m, t.cap_drain_to_channel_f_per_m
    wp = t.pn_size_ratio * 2 * f
    wn = 4 * f if nand else 2 * f
    cin = t.cap_gate_f_per_m * (wn + wp)
    if nand:
        cout = (5.6 * f * wn + 2.8 * f * wp) * cj + (11.2 * f + wn + 5.6 * f) * csw + (wn + wp) * cd
    else:
        cout = 2.8 * f * (wn + wp) * cj + (11.2 * f + wn + wp) * csw + (wn + wp) * cd
    return cin, cout


def r_on(t: Technology, width: float, nmos: bool) -> float:
    current = t.on_current_n_a_per_m if nmos else t.on_current_p_a_per_m
    return t.resistance_multiplier * t.vdd_v / (current * width)


def dff_energy_by_hand(t: Technology, count: int, active: int, reads: float) -> float:
    """DFF.cpp:DFF::CalculatePower: clock on all, D->Q on the active ones."""
    cin, cout = caps(t, nand=False)
    f = t.feature_size_m
    gates = t.cap_gate_f_per_m * (2 * f + t.pn_size_ratio * 2 * f)
    per = 4 * (cin + cout) * count + 2 * gates * count + ((3 * cout + cin) + (cout + cout) + (cin + cout)) * min(active, count)
    return per * t.vdd_v ** 2 * reads


def adder_latency_by_hand(t: Technology, bits: int, load: float) -> float:
    """Adder.cpp:Adder::CalculateLatency, ramps chained s1 .. s7."""
    f = t.feature_size_m
    cin, cout = caps(t, nand=True)
    rdn, rup = 2 * r_on(t, 4 * f, True), r_on(t, t.pn_size_ratio * 2 * f, False)
    s1, r = hz(rdn * (cout + 3 * cin))
    s2, r = hz(rup * (cout + 2 * cin), r)
    s3, r = hz(rdn * (cout + 3 * cin), r)
    s4, r = hz(rup * (cout + 2 * cin), r)
    s5, r = hz(rdn * (cout + 3 * cin), r)
    s6, r = hz(rup * (cout + cin), r)
    s7, _ = hz(rdn * (cout + load), r)
    return s1 + s2 + (bits - 2) * (s3 + s4) + s5 + s6 + s7


def add_energy_by_hand(t: Technology, bits: int) -> float:
    """Adder.cpp:Adder::CalculatePower, one add."""
    ci, co = caps(t, nand=True)
    e = (6 * ci + 2 * co) + (7 * ci + 3 * co) * (bits - 1) + 2 * (co + ci) + (co + 2 * ci) + (co + 3 * ci) + (co + ci)
    e += ((co + 3 * ci) + (co + ci) + 2 * (co + ci)) * (bits - 1)
    return e * t.vdd_v ** 2


@pytest.mark.parametrize("node", NODES)
def test_dff_by_hand(node: int) -> None:
    """DFF.cpp:DFF::CalculateArea/CalculateLatency/CalculatePower."""
    t = technology(node)
    f = t.feature_size_m
    d = DFF(t, 240, 1e9)
    assert d.cell == pytest.approx((28 * f, 91.2 * f))
    # under a 512 F width: floor(512 / 91.2) = 5 per row -> 48 rows
    assert d.footprint(width_m=512 * f) == pytest.approx((48 * 28 * f, 512 * f))
    # under a 512 F height: 18 per column -> 14 columns
    assert d.footprint(height_m=512 * f) == pytest.approx((512 * f, 14 * 91.2 * f))
    assert d.latency_s(8) == pytest.approx(8 / 1e9 / 2)
    assert d.area_m2() == pytest.approx(28 * f * 91.2 * f * 240)
    assert d.energy_j(8, 100) == pytest.approx(dff_energy_by_hand(t, 240, 100, 8), rel=1e-12)
    leak = (2 * f * t.off_current_n_a_per_m + t.pn_size_ratio * 2 * f * t.off_current_p_a_per_m) / 2
    assert d.leakage_w == pytest.approx(leak * t.vdd_v * 8 * 240, rel=1e-12)


@pytest.mark.parametrize("node", NODES)
def test_adder_by_hand(node: int) -> None:
    """Adder.cpp:Adder::CalculateArea/Latency/Power: 9 NAND2 per bit, ripple carry."""
    t = technology(node)
    f = t.feature_size_m
    a = Adder(t, 7, 16)
    assert a.footprint() == pytest.approx((28 * f, 9 * 11.4 * f * 7 * 16))
    assert a.area_m2(width_m=512 * f) == pytest.approx(4 * 7 * 28 * f * 512 * f)
    # width-constrained: floor(512 / 102.6) = 4 adders per row, each 7 x 28 F tall
    assert a.footprint(width_m=512 * f) == pytest.approx((4 * 7 * 28 * f, 512 * f))
    # height-constrained: floor(512/28) = 18 per column >= 16 -> one column of 718.2 F
    assert a.footprint(height_m=512 * f) == pytest.approx((512 * f, 718.2 * f))
    load = caps(t, nand=False)[1]
    assert a.latency_s(load, reads=3) == pytest.approx(3 * adder_latency_by_hand(t, 7, load), rel=1e-12)
    assert a.energy_j(2, 5) == pytest.approx(add_energy_by_hand(t, 7) * 5 * 2, rel=1e-12)
    leak = 0.48 * t.pn_size_ratio * 2 * f * t.off_current_p_a_per_m * 2
    assert a.leakage_w == pytest.approx(leak * t.vdd_v * 9 * 7 * 16, rel=1e-12)


def test_adder_worked_values_32nm() -> None:
    """Adder.cpp at 32 nm, 7 bits: 2.059223e-11 m2, 7.979698e-10 s (no load), 3.471900e-14 J, 5.232441e-10 W."""
    t = technology(32)
    a = Adder(t, 7, 1)
    assert a.footprint().area_m2 == pytest.approx(2.059223e-11, rel=1e-6)
    assert a.latency_s() == pytest.approx(7.979698e-10, rel=1e-6)
    assert a.energy_j(1, 1) == pytest.approx(3.471900e-14, rel=1e-6)
    assert a.leakage_w == pytest.approx(5.232441e-10, rel=1e-6)


@pytest.mark.parametrize("node, area, area_t", [(32, 1.130365e-9, 1.055916e-9), (22, 5.342740e-10, 4.990853e-10)])
def test_shift_add_by_hand(node: int, area: float, area_t: float) -> None:
    """ShiftAdd.cpp: (7 + 1 + 8 - 1) x 16 DFFs; width-constrained h = 784 F + 28 F + 1344 F under 512 F;
    latency = adder(load = DFF drain) + half a clock, the rest hidden under the 10 ns read pulse."""
    t = technology(node)
    f = t.feature_size_m
    s = ShiftAdd(t, 16, 7, 8)
    assert s.dff_count == (7 + 1 + 8 - 1) * 16 == 240
    foot = s.footprint(width_m=512 * f)
    assert foot.height_m == pytest.approx(2156 * f, rel=1e-12)
    assert foot.area_m2 == pytest.approx(area, rel=1e-6)
    # height-constrained: 718.2 F adders + 7.6 F INV + 11.4 F NAND2 + 14 x 91.2 F DFFs
    assert s.footprint(height_m=512 * f).width_m == pytest.approx((718.2 + 7.6 + 11.4 + 1276.8) * f, rel=1e-12)
    assert s.footprint(height_m=512 * f).area_m2 == pytest.approx(area_t, rel=1e-6)
    one = adder_latency_by_hand(t, 7, caps(t, nand=False)[1]) + 0.5e-9
    assert s.latency_s(8) == pytest.approx(one, rel=1e-12)
    assert s.energy_j(8) == pytest.approx(add_energy_by_hand(t, 7) * 16 * 8 + dff_energy_by_hand(t, 240, 240, 8), rel=1e-12)


def test_shift_add_worked_values_32nm() -> None:
    """ShiftAdd.cpp at 32 nm (16 units, 7 bits, 8 pulses): 1.304081e-9 s, 9.670524e-12 J, 2.221250e-8 W."""
    s = ShiftAdd(technology(32), 16, 7, 8)
    assert s.latency_s(8) == pytest.approx(1.304081e-9, rel=1e-6)
    assert s.energy_j(8) == pytest.approx(9.670524e-12, rel=1e-6)
    assert s.leakage_w == pytest.approx(2.221250e-8, rel=1e-6)


def test_shift_add_excess_over_read_pulse() -> None:
    """ShiftAdd.cpp:CalculateLatency: with a 0.5 ns read pulse the excess of each add shows (numRead - 1) times."""
    t = technology(32)
    s = ShiftAdd(t, 16, 7, 8, read_pulse_s=0.5e-9)
    one = adder_latency_by_hand(t, 7, caps(t, nand=False)[1]) + 0.5e-9
    assert s.latency_s(8) == pytest.approx(one + (one - 0.5e-9) * 7, rel=1e-12)


def test_adder_tree_stages_use_integer_halving() -> None:
    """AdderTree.cpp: ceil(log2 n) stages, idiv(j, 2) adders, one more bit per stage."""
    assert adder_tree_stages(7, 13) == [(13, 3), (14, 1), (15, 0)]
    assert adder_tree_stages(8, 20) == [(20, 4), (21, 2), (22, 1)]
    assert adder_tree_stages(1, 5) == []
    with pytest.raises(ValueError):
        adder_tree_stages(0, 5)


@pytest.mark.parametrize("node", NODES)
def test_adder_tree_by_hand(node: int) -> None:
    """AdderTree.cpp:CalculateArea/Latency/Power for 7 inputs of 13 bits, 64 trees."""
    t = technology(node)
    f = t.feature_size_m
    tree = AdderTree(t, 7, 13, 64)
    assert tree.stage_count == 3
    # area: 13 x 3 + 14 x 1 = 53 full-adder bits per tree, laid out as one 53-bit adder per tree
    width = 1e-4
    per_row = int(width / (9 * 11.4 * f))
    height = 53 * 28 * f * math.ceil(64 / per_row)
    assert tree.footprint(width_m=width).area_m2 == pytest.approx(height * width, rel=1e-12)
    lat = sum(adder_latency_by_hand(t, b, 0.0) for b in (13, 14, 15))
    assert tree.latency_s(8) == pytest.approx(8 * lat, rel=1e-12)
    energy = (add_energy_by_hand(t, 13) * 3 + add_energy_by_hand(t, 14) * 1) * 64
    assert tree.energy_j(5) == pytest.approx(5 * energy, rel=1e-12)
    # with 2 inputs only one 13-bit stage
    assert tree.energy_j(1, inputs=2) == pytest.approx(add_energy_by_hand(t, 13) * 64, rel=1e-12)
    leak_nand = 0.48 * t.pn_size_ratio * 2 * f * t.off_current_p_a_per_m * 2 * t.vdd_v
    assert tree.leakage_w == pytest.approx(leak_nand * 9 * (13 * 3 + 14 * 1) * 64, rel=1e-12)


@pytest.mark.parametrize("node, area, latency, energy, leak, area7", [
    (32, 9.031680000e-08, 7.342676227e-09, 1.363306860e-10, 2.066664712e-06, 5.220288000e-08),
    (22, 4.435200000e-08, 4.342773175e-09, 6.954215635e-11, 1.178754646e-06, 3.588948000e-08)])
def test_adder_tree_compiled_values(node: int, area: float, latency: float, energy: float, leak: float,
                                    area7: float) -> None:
    """AdderTree.cpp, compiled V2.1: (8 inputs, 20 bits, 192 trees) under a 100 um width; (7, 13, 64) under 300 um height."""
    t = technology(node)
    tree = AdderTree(t, 8, 20, 192)
    assert tree.area_m2(width_m=1e-4) == pytest.approx(area, rel=1e-8)
    assert tree.latency_s(1) == pytest.approx(latency, rel=1e-8)
    assert tree.energy_j(1) == pytest.approx(energy, rel=1e-8)
    assert tree.leakage_w == pytest.approx(leak, rel=1e-8)
    assert AdderTree(t, 7, 13, 64).area_m2(height_m=3e-4) == pytest.approx(area7, rel=1e-8)
    # without a side (NeuroSim exits): one row of 53-bit adders per tree
    f = t.feature_size_m
    assert AdderTree(t, 7, 13, 64).area_m2() == pytest.approx(28 * f * 9 * 11.4 * f * 53 * 64, rel=1e-12)


@pytest.mark.parametrize("node, area, energy, leak", [(32, 4.016465510e-09, 4.181193776e-11, 8.857978601e-08),
                                                      (22, 1.898407526e-09, 2.167220320e-11, 5.329632352e-08)])
def test_bit_shifter(node: int, area: float, energy: float, leak: float) -> None:
    """BitShifter.cpp (ReLU): 192 units x 8 bits of DFFs; latency = reads / (2 f). Compiled V2.1 values."""
    t = technology(node)
    f = t.feature_size_m
    r = BitShifter(t, 192, 8)
    assert r.area_m2 == pytest.approx(28 * f * 91.2 * f * 192 * 8, rel=1e-12)
    assert r.area_m2 == pytest.approx(area, rel=1e-8)
    assert r.footprint(width_m=1e-4).height_m == pytest.approx(area / 1e-4, rel=1e-8)
    assert r.latency_s(10) == pytest.approx(10 / 2e9)
    assert r.energy_j(10) == pytest.approx(dff_energy_by_hand(t, 1536, 1536, 10), rel=1e-12)
    assert r.energy_j(10) == pytest.approx(energy, rel=1e-8)
    assert r.leakage_w == pytest.approx(leak, rel=1e-8)
