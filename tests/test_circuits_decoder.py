"""RowDecoder (simcim.hardware.circuits.decoder) worked by hand from RowDecoder.cpp, and the compiled
NeuroSim V2.1 values of the sub-array's 3-bit mux decoder at 32 nm."""

from __future__ import annotations

import math

import pytest

from simcim.hardware.circuits.decoder import RowDecoder
from simcim.hardware.circuits.technology import Technology, technology

NODES = [32, 22]


def inv_caps(t: Technology, wn: float, wp: float) -> tuple[float, float]:
    """Unfolded bulk INV (formula.cpp:CalculateGateCapacitance)."""
    f = t.feature_size_m
    cout = (2.8 * f * (wn + wp) * t.cap_junction_f_per_m2 + (11.2 * f + wn + wp) * t.cap_sidewall_f_per_m
            + (wn + wp) * t.cap_drain_to_channel_f_per_m)
    return t.cap_gate_f_per_m * (wn + wp), cout


def nand2_caps(t: Technology) -> tuple[float, float]:
    f = t.feature_size_m
    wn, wp = 4 * f, t.pn_size_ratio * 2 * f
    cout = ((5.6 * f * wn + 2.8 * f * wp) * t.cap_junction_f_per_m2 + (11.2 * f + wn + 5.6 * f) * t.cap_sidewall_f_per_m
            + (wn + wp) * t.cap_drain_to_channel_f_per_m)
    return t.cap_gate_f_per_m * (wn + wp), cout


def nor2_caps(t: Technology, wn: float, wp: float) -> tuple[float, float]:
    """Unfolded 2-input NOR: PMOS drains 2 x 2.8 F (sidewall 2 wd + h_p), NMOS floor(3/2) stripes (2 wd)."""
    f = t.feature_size_m
    wd_p, sw_p = 5.6 * f, 11.2 * f + wp
    wd_n, sw_n = 2.8 * f, 5.6 * f
    cout = ((wd_n * wn + wd_p * wp) * t.cap_junction_f_per_m2 + (sw_n + sw_p) * t.cap_sidewall_f_per_m
            + (wn + wp) * t.cap_drain_to_channel_f_per_m)
    return t.cap_gate_f_per_m * (wn + wp), cout


@pytest.mark.parametrize("node", NODES)
def test_mux_decoder_counts_footprint_energy_leakage_by_hand(node: int) -> None:
    """RowDecoder.cpp (REGULAR_ROW, MUX, 3 address bits): 3 INV, 4 NAND2, 8 NOR2 (P = 2 pn 2F), 6 metal lines.
    Unconstrained: h = max(8, 4) x 28 F, w = INV + NAND2 + 2.8 F x 6 + NOR2 + NAND2 + 2 INV = 73.8 F."""
    t = technology(node)
    f, pn, vdd = t.feature_size_m, t.pn_size_ratio, t.vdd_v
    d = RowDecoder(t, 3, mux=True)
    assert (d.inv_count, d.nand_count, d.nor_count, d.metal_count, d.nor_inputs) == (3, 4, 8, 6, 2)
    assert d.footprint() == pytest.approx((8 * 28 * f, (7.6 + 11.4 + 16.8 + 11.4 + 11.4 + 15.2) * f), rel=1e-12)
    inv_in, inv_out = inv_caps(t, 2 * f, pn * 2 * f)
    nand_in, nand_out = nand2_caps(t)
    nor_in, nor_out = nor2_caps(t, 2 * f, 2 * pn * 2 * f)
    energy = ((inv_in + 2 * nand_in) * 2 + (inv_in + nor_in * 8 / 2) * 1 + (nand_out + nor_in * 8 / 4) * 4 / 4
              + (nor_out + nand_in) + (nand_out + inv_in) + (inv_out + inv_in) + inv_out) * vdd ** 2
    assert d.energy_j(8) == pytest.approx(8 * energy, rel=1e-12)
    i_n, i_p = t.off_current_n_a_per_m, t.off_current_p_a_per_m
    inv = (2 * f * i_n + pn * 2 * f * i_p) / 2
    nand = 0.48 * pn * 2 * f * i_p * 2
    nor = 0.95 * 2 * f * i_n * 2
    assert d.leakage_w == pytest.approx(vdd * (inv * 3 + nand * 4 + nor * 8 + nand * 8 + 2 * inv * 8), rel=1e-12)


def test_mux_decoder_compiled_values_32nm() -> None:
    """Compiled default sub-array: 7.168 x 2.3616 um, 1.006219e-8 s and 4.273145e-14 J for 8 decodes, leakage
    3.242693e-10 W; loads are the 16 mux TG gates (N: 1.495770e-17 x ..., as built by Mux)."""
    from simcim.hardware.circuits.switches import Mux

    t = technology(32)
    d = RowDecoder(t, 3, mux=True)
    mux = Mux(t, 16, 8, 300e3 / 128)
    assert d.footprint() == pytest.approx((7.168e-6, 2.3616e-6), rel=1e-6)
    assert d.latency_s(mux.cap_tg_gate_n_f * 16, mux.cap_tg_gate_p_f * 16, 8) == pytest.approx(1.006219e-8, rel=1e-6)
    assert d.energy_j(8) == pytest.approx(4.273145e-14, rel=1e-6)
    assert d.leakage_w == pytest.approx(3.242693e-10, rel=1e-6)


@pytest.mark.parametrize("node", NODES)
def test_regular_decoder_two_bits_latency_by_hand(node: int) -> None:
    """RowDecoder.cpp (REGULAR, 2 bits: no NOR): INV -> NAND2 -> driver INV (6F / 3 pn 2F) -> driver INV, chained."""
    t = technology(node)
    f, pn = t.feature_size_m, t.pn_size_ratio
    d = RowDecoder(t, 2)
    assert (d.inv_count, d.nand_count, d.nor_count, d.metal_count) == (2, 4, 0, 0)
    inv_in, inv_out = inv_caps(t, 2 * f, pn * 2 * f)
    nand_in, nand_out = nand2_caps(t)
    drv_in, drv_out = inv_caps(t, 6 * f, 3 * pn * 2 * f)

    def r(width: float, nmos: bool) -> float:
        return 1.77 * t.vdd_v / ((t.on_current_n_a_per_m if nmos else t.on_current_p_a_per_m) * width)

    def hz(tr: float, ramp: float) -> tuple[float, float]:
        delay = tr * math.sqrt(math.log(0.5) ** 2 + 0.5 / (ramp * tr))
        return delay, 0.5 / delay

    load = 3e-15
    d1, ramp = hz(r(2 * f, True) * (inv_out + 2 * nand_in), 1e20)
    d2, _ = hz(2 * r(4 * f, True) * (nand_out + load), ramp)
    d3, ramp = hz(r(6 * f, True) * (drv_out + drv_in), 1e20)  # the NOR ramp stays a step without NORs
    d4, _ = hz(r(3 * pn * 2 * f, False) * (drv_out + load), ramp)
    assert d.latency_s(load, reads=5) == pytest.approx(5 * (d1 + d2 + d3 + d4), rel=1e-12)
    # height-constrained: one INV column, one NAND column, no NOR column
    assert d.footprint(28 * 4 * f).width_m == pytest.approx((7.6 + 11.4) * f, rel=1e-12)
