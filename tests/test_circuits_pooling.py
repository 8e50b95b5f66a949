"""Comparator and MaxPooling (simcim.hardware.circuits.pooling) against hand-worked areas and leakage and
against values printed by the compiled NeuroSim V2.1 classes (Comparator.cpp, MaxPooling.cpp)."""

from __future__ import annotations

import pytest

from simcim.hardware.circuits.pooling import Comparator, MaxPooling, max_pooling_tree
from simcim.hardware.circuits.technology import technology

NODES = [32, 22]


def test_max_pooling_tree_counts() -> None:
    """MaxPooling.cpp:MaxPooling::Initialize: halving loop plus the odd remainder."""
    assert max_pooling_tree(4) == (3, 3)
    assert max_pooling_tree(9) == (4 + 2 + 1 + 1, 4 + 1)
    assert max_pooling_tree(2) == (1, 2)


@pytest.mark.parametrize("node", NODES)
def test_comparator_area_and_leakage_by_hand(node: int) -> None:
    """Comparator.cpp:CalculateUnitArea (4 INV 212.8 F^2, 4 NAND2 319.2 F^2, 3 NAND3 425.6 F^2 per bit) and
    Comparator.cpp:CalculatePower (leakage)."""
    t = technology(node)
    f, pn, vdd = t.feature_size_m, t.pn_size_ratio, t.vdd_v
    c = Comparator(t, 8, 3)
    assert c.unit_area_m2 == pytest.approx((4 * 212.8 + 4 * 319.2 + 3 * 425.6) * f * f * 8, rel=1e-12)
    inv = (2 * f * t.off_current_n_a_per_m + pn * 2 * f * t.off_current_p_a_per_m) / 2
    nand2 = 0.48 * pn * 2 * f * t.off_current_p_a_per_m * 2
    nand3 = 0.31 * pn * 2 * f * t.off_current_p_a_per_m * 3
    assert c.leakage_w == pytest.approx((4 * inv + 4 * nand2 + 3 * nand3) * vdd * 8 * 3, rel=1e-12)


@pytest.mark.parametrize("node, unit, latency, energy, leak", [
    (32, 2.789212160e-11, 1.131808380e-09, 1.575394147e-13, 2.068659899e-09),
    (22, 1.318338560e-11, 7.213631349e-10, 8.223412927e-14, 1.201560231e-09)])
def test_comparator_compiled_values(node: int, unit: float, latency: float, energy: float, leak: float) -> None:
    """Comparator.cpp compiled V2.1: 8 bits, 3 comparators, 1 fF load, 2 reads with 2 active."""
    c = Comparator(technology(node), 8, 3)
    assert c.unit_area_m2 == pytest.approx(unit, rel=1e-8)
    assert c.latency_s(1e-15, 2) == pytest.approx(latency, rel=1e-8)
    assert c.energy_j(2, 2) == pytest.approx(energy, rel=1e-8)
    assert c.leakage_w == pytest.approx(leak, rel=1e-8)


@pytest.mark.parametrize("node", NODES)
def test_max_pooling_area_and_leakage_by_hand(node: int) -> None:
    """MaxPooling.cpp:CalculateUnitArea: per N-bit comparator, N x (1-bit comparator 3404.8 F^2 + 5 INV),
    6 INV, NAND2 + INV, NOR2 (11.4 F wide) and the N-input NOR (32 F / pn 2F: both devices fold twice,
    so 8 x 3 x 3.8 F wide); window 4 -> 3 comparators. Leakage: one INV per comparator."""
    t = technology(node)
    f = t.feature_size_m
    m = MaxPooling(t, 8, 4, 1024)
    per_comparator = (3404.8 + 5 * 212.8) * 8 + 6 * 212.8 + (319.2 + 212.8) + 11.4 * 28 + 8 * 3 * 3.8 * 28
    assert m.unit_area_m2 == pytest.approx(per_comparator * 3 * f * f, rel=1e-12)
    assert m.area_m2 == pytest.approx(per_comparator * 3 * 1024 * f * f, rel=1e-12)
    inv = (2 * f * t.off_current_n_a_per_m + t.pn_size_ratio * 2 * f * t.off_current_p_a_per_m) / 2
    assert m.leakage_w == pytest.approx(inv * t.vdd_v * 3 * 1024, rel=1e-12)


@pytest.mark.parametrize("node, area, latency, energy, leak", [
    (32, 1.271880745e-07, 1.702789142e-08, 7.046530331e-10, 2.214494650e-08),
    (22, 6.011623834e-08, 1.109123461e-08, 3.672200973e-10, 1.332408088e-08)])
def test_max_pooling_compiled_values(node: int, area: float, latency: float, energy: float, leak: float) -> None:
    """MaxPooling.cpp compiled V2.1: 8-bit inputs, window 4, 1024 units, 10 reads, step input, no load.
    The 1-bit comparators count their middle stage -1 times, as the C++ does."""
    m = MaxPooling(technology(node), 8, 4, 1024)
    assert m.area_m2 == pytest.approx(area, rel=1e-8)
    assert m.latency_s(10) == pytest.approx(latency, rel=1e-8)
    assert m.energy_j(10) == pytest.approx(energy, rel=1e-8)
    assert m.leakage_w == pytest.approx(leak, rel=1e-8)
