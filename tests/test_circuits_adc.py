"""MLSA, encoder and SAR ADC (simcim.hardware.circuits.adc) worked by hand at 32 and 22 nm for 5- and 6-bit
precision (32 and 64 levels), plus property tests: area and energy grow with the bits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcim.hardware.circuits.adc import MultilevelSAEncoder, MultilevelSenseAmp, SarADC
from simcim.hardware.circuits.technology import NODES_NM, technology

# MultilevelSenseAmp.cpp:GetColumnPower, current mode LSTP: (k, c, e); SarADC.cpp:GetColumnPower LSTP: (k, c0, c, e)
MLSA_FIT = {32: (3.0875, 0.0649, -2.297), 22: (1.7, 0.0631, -2.303)}
SAR_FIT = {32: (1.1294, 8.8998, 0.079449, -2.297), 22: (0.538, 4.3753, 0.072341, -2.303)}
CASES = [(32, 32), (32, 64), (22, 32), (22, 64)]


@pytest.mark.parametrize("node, levels", CASES)
def test_mlsa_area_by_hand(node: int, levels: int) -> None:
    """MultilevelSenseAmp.cpp:CalculateArea: (48 A_N + 24 A_P) per S/A, L - 1 S/As; A_N = A_P = 212.8 F^2 (bulk)."""
    t = technology(node)
    f2 = t.feature_size_m ** 2
    assert MultilevelSenseAmp(t, 16, levels).area_m2 == pytest.approx(72 * 212.8 * f2 * (levels - 1) * 16, rel=1e-12)
    voltage = MultilevelSenseAmp(t, 1, levels, current_mode=False)
    assert voltage.area_m2 == pytest.approx(112 * 212.8 * f2 * (levels - 1), rel=1e-12)


@pytest.mark.parametrize("node, levels, area", [(32, 32, 4.863689e-10), (32, 64, 9.884271e-10),
                                                (22, 32, 2.298853e-10), (22, 64, 4.671862e-10)])
def test_mlsa_area_worked_values(node: int, levels: int, area: float) -> None:
    """MultilevelSenseAmp.cpp:CalculateArea -- one ADC: 486.37 um^2 (32 nm, 32 levels), 988.43 um^2 (64 levels)."""
    assert MultilevelSenseAmp(technology(node), 1, levels).area_m2 == pytest.approx(area, rel=1e-6)


def mlsa_fit_by_hand(levels: int, r_col: float) -> float:
    """MultilevelSenseAmp.cpp:GetColumnLatency, 45/32 nm LSTP fit, references Ron/128 + (i+1) Roff/128/L."""
    t_max = (0.0714 * math.log(r_col / 1000) + 0.7651) * 1e-9
    worst = 0.0
    for i in range(1, levels - 1):  # Rref[0] is never examined
        x = (240e3 / 128 + (i + 1) * (24e6 / 128) / levels) / r_col
        if x >= 20 or x <= 0.05:
            t = 1e-9
        elif x <= 0.9:
            t = t_max * (3.7949 * x ** 3 - 5.6685 * x ** 2 + 2.6492 * x + 0.4807)
        else:
            t = t_max * (1e-6 * x ** 4 - 6e-5 * x ** 3 + 0.0001 * x ** 2 - 0.0171 * x + 1.0057)
        worst = max(worst, t)
    return worst


@pytest.mark.parametrize("levels, fit", [(32, 9.132310e-10), (64, 9.178920e-10)])
def test_mlsa_latency_fit_32nm(levels: int, fit: float) -> None:
    """MultilevelSenseAmp.cpp:GetColumnLatency/CalculateLatency at 32 nm LSTP, R_col = 10 kOhm: the fit gives
    0.913/0.918 ns, clamped to 1 ns per conversion; 8 conversions take 8 ns. At 100 kOhm the fit (1.133 ns) stands."""
    m = MultilevelSenseAmp(technology(32), 16, levels)
    assert m.column_latency_s(10e3) == pytest.approx(mlsa_fit_by_hand(levels, 10e3), rel=1e-12)
    assert m.column_latency_s(10e3) == pytest.approx(fit, rel=1e-6)
    assert m.conversion_s([10e3] * 128) == 1e-9
    assert m.latency_s([10e3] * 128, 8) == pytest.approx(8e-9)
    assert m.conversion_s([100e3]) == pytest.approx(mlsa_fit_by_hand(levels, 100e3), rel=1e-12)
    # the slowest column sets the conversion time of all
    assert m.conversion_s([10e3, 100e3, math.nan]) == pytest.approx(mlsa_fit_by_hand(levels, 100e3), rel=1e-12)


def test_mlsa_latency_is_1ns_at_22nm_hp_and_voltage_mode() -> None:
    """GetColumnLatency: no fit at <= 22 nm LSTP nor on HP -> 1 ns; voltage mode is always 1 ns per conversion."""
    for t in (technology(22), technology(32, "HP")):
        m = MultilevelSenseAmp(t, 16, 64)
        assert m.conversion_s([2e3, 10e3, 100e3]) == 1e-9
    assert MultilevelSenseAmp(technology(65), 16, 64, current_mode=False).conversion_s([1e5]) == 1e-9
    # an idle column (no active row) contributes 0 and the clamp lifts it to 1 ns
    assert MultilevelSenseAmp(technology(32), 16, 64).conversion_s([math.inf]) == 1e-9


@pytest.mark.parametrize("node, levels", CASES)
def test_mlsa_energy_by_hand(node: int, levels: int) -> None:
    """MultilevelSenseAmp.cpp:GetColumnPower/CalculatePower: P = k (L-1) 1e-6 + c exp(e log10 R), x conversion time."""
    k, c, e = MLSA_FIT[node]
    m = MultilevelSenseAmp(technology(node), 16, levels)
    for r in (2e3, 10e3):
        p = k * (levels - 1) * 1e-6 + c * math.exp(e * math.log10(r))
        assert m.column_power_w(r) == pytest.approx(p, rel=1e-12)
        assert m.energy_j([r] * 128, 1) == pytest.approx(128 * p * 1e-9, rel=1e-12)
    assert m.column_power_w(math.inf) == 1e-6  # idle column
    assert m.leakage_w == 0.0


@pytest.mark.parametrize("node, levels, e_conv", [(32, 32, 1.023491e-13), (32, 64, 2.011491e-13),
                                                  (22, 32, 5.899954e-14), (22, 64, 1.133995e-13)])
def test_mlsa_energy_worked_values(node: int, levels: int, e_conv: float) -> None:
    """One conversion at 10 kOhm (MultilevelSenseAmp.cpp:CalculatePower)."""
    assert MultilevelSenseAmp(technology(node), 1, levels).energy_j([10e3]) == pytest.approx(e_conv, rel=1e-6)


def test_mlsa_temperature_and_read_voltage() -> None:
    """GetColumnPower: x (1 + 1.3e-3 (T - 300)); R is rescaled by 0.5 V / V_read before the fits."""
    k, c, e = MLSA_FIT[32]
    hot = MultilevelSenseAmp(technology(32, "LSTP", 350.0), 1, 32)
    assert hot.column_power_w(1e4) == pytest.approx((k * 31e-6 + c * math.exp(e * 4)) * (1 + 1.3e-3 * 50), rel=1e-12)
    low = MultilevelSenseAmp(technology(32), 1, 32, read_voltage_v=0.25)
    assert low.column_power_w(1e4) == pytest.approx(k * 31e-6 + c * math.exp(e * math.log10(2e4)), rel=1e-12)


@pytest.mark.parametrize("node, levels, height, latency, energy, leak", [
    (32, 32, 27.776e-6, 2.626167e-10, 3.380835e-14, 7.885796e-10),
    (32, 64, 56.448e-6, 4.382154e-10, 6.493144e-14, 1.600926e-09),
    (22, 32, 19.096e-6, 1.525073e-10, 1.775432e-14, 4.581298e-10),
    (22, 64, 38.808e-6, 2.533387e-10, 3.424980e-14, 9.289125e-10)])
def test_encoder(node: int, levels: int, height: float, latency: float, energy: float, leak: float) -> None:
    """MultilevelSAEncoder.cpp: one encoder is 2 INV + NAND2 + a (L/2)-input NAND wide, (L - 1) x 28 F tall;
    per-row packing uses ceil; latency counts the first two stages only. Values: compiled NeuroSim."""
    t = technology(node)
    f = t.feature_size_m
    enc = MultilevelSAEncoder(t, levels, 1)
    wide_nand = 3.8 * levels / 2 + 3.8  # unfolded n-input NAND: (3.8 n + 3.8) F
    assert enc.unit == pytest.approx(((levels - 1) * 28 * f, (2 * 7.6 + 11.4 + wide_nand) * f), rel=1e-12)
    assert enc.footprint(width_m=10e-6) == pytest.approx((height, 10e-6), rel=1e-6)
    assert enc.latency_s(1) == pytest.approx(latency, rel=1e-6)
    assert enc.energy_j(1) == pytest.approx(energy, rel=1e-6)
    assert enc.leakage_w == pytest.approx(leak, rel=1e-6)
    # 16 encoders 152 F wide under a 512 F width: ceil(512 / 152) = 4 per row -> 4 rows
    bank = MultilevelSAEncoder(t, 64, 16)
    assert bank.footprint(width_m=512 * f) == pytest.approx((4 * 63 * 28 * f, 512 * f), rel=1e-12)


@pytest.mark.parametrize("node, levels", CASES)
def test_sar_by_hand(node: int, levels: int) -> None:
    """SarADC.cpp: unit = 212.8 F^2 [(269 + 109 (b-1)) + (209 + 73 (b-1))]; (b + 1) ns; P = (k b + c0) 1e-6 + c exp(e log10 R)."""
    t = technology(node)
    b = math.log2(levels)
    sar = SarADC(t, 16, levels)
    assert sar.area_m2 == pytest.approx(212.8 * t.feature_size_m ** 2 * ((269 + 109 * (b - 1)) + (209 + 73 * (b - 1))) * 16,
                                        rel=1e-12)
    assert sar.latency_s(8) == pytest.approx((b + 1) * 1e-9 * 8, rel=1e-12)
    k, c0, c, e = SAR_FIT[node]
    p = (k * b + c0) * 1e-6 + c * math.exp(e * 4)
    assert sar.energy_j([10e3, math.nan, 10e3]) == pytest.approx(2 * p * (b + 1) * 1e-9, rel=1e-12)
    assert sar.column_power_w(math.inf) == 1e-6 and sar.column_power_w(0.0) == 0.0


@pytest.mark.parametrize("node, levels, area, e_conv", [(32, 32, 2.627961e-10, 1.360271e-13),
                                                        (32, 64, 3.024552e-10, 1.666041e-13),
                                                        (22, 32, 1.242122e-10, 8.572442e-14),
                                                        (22, 64, 1.429573e-10, 1.037778e-13)])
def test_sar_worked_values(node: int, levels: int, area: float, e_conv: float) -> None:
    """SarADC.cpp: one ADC's area and one conversion at 10 kOhm (6 ns / 7 ns)."""
    sar = SarADC(technology(node), 1, levels)
    assert sar.area_m2 == pytest.approx(area, rel=1e-6)
    assert sar.energy_j([10e3]) == pytest.approx(e_conv, rel=1e-6)


def test_unknown_node_falls_to_the_7nm_row() -> None:
    """The C++ if/else chain ends with the 7 nm coefficients; 14 nm has its own row."""
    m7 = MultilevelSenseAmp(technology(7), 1, 32)
    assert m7.column_power_w(1e4) == pytest.approx(0.35 * 31e-6 + 0.0235 * math.exp(-2.303 * 4), rel=1e-12)


levels_st = st.integers(min_value=1, max_value=8).map(lambda b: 2 ** b)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(NODES_NM)), st.sampled_from(["LSTP", "HP"]), levels_st, levels_st,
       st.floats(min_value=500.0, max_value=1e7))
def test_adc_area_and_energy_grow_with_bits(node: int, roadmap: str, a: int, b: int, r_col: float) -> None:
    """More bits never make an MLSA or a SAR ADC smaller or cheaper per conversion."""
    lo, hi = sorted((a, b))
    t = technology(node, roadmap)
    for kind in (MultilevelSenseAmp, SarADC):
        small, large = kind(t, 4, lo), kind(t, 4, hi)
        assert small.area_m2 <= large.area_m2
        assert small.energy_j([r_col] * 8) <= large.energy_j([r_col] * 8) * (1 + 1e-12)
