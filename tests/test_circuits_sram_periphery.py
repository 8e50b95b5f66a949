"""Precharger and SRAMWriteDriver (simcim.hardware.circuits.sram_periphery) worked by hand at 32 and 22 nm."""

from __future__ import annotations

import math

import pytest

from simcim.hardware.circuits.sram_periphery import Precharger, SRAMWriteDriver
from simcim.hardware.circuits.technology import Technology, technology

NODES = [32, 22]


def drain_cap(t: Technology, w: float) -> float:
    """formula.cpp:CalculateDrainCap of one unfolded transistor in a 28 F cell."""
    f = t.feature_size_m
    return 2.8 * f * w * t.cap_junction_f_per_m2 + (5.6 * f + w) * t.cap_sidewall_f_per_m + w * t.cap_drain_to_channel_f_per_m


def hz(tr: float, ramp: float = 1e20) -> tuple[float, float]:
    delay = tr * math.sqrt(math.log(0.5) ** 2 + 0.5 / (ramp * tr))
    return delay, 0.5 / delay


@pytest.mark.parametrize("node", NODES)
def test_precharger_by_hand(node: int) -> None:
    """Precharger.cpp: a 6 F precharge PMOS + two 2 F equalisers per column (84 F x 7.6 F unit);
    tau = R_on,P(6F)(C_L + C_out) + R_L C_L / 2; read C_L Vdd^2 min(n, cols) 2, write C_L Vdd^2 min(n, cols a)."""
    t = technology(node)
    f, vdd = t.feature_size_m, t.vdd_v
    p = Precharger(t, 128, 300.0, activity_col_write=0.5)
    assert p.unit == pytest.approx((3 * 28 * f, 7.6 * f), rel=1e-12)
    per_row = int(2560 * f / (7.6 * f))
    assert p.footprint(2560 * f) == pytest.approx((math.ceil(128 / per_row) * 84 * f, 2560 * f), rel=1e-12)
    c_out = drain_cap(t, 6 * f) + drain_cap(t, 2 * f)
    assert p.cap_output_f == pytest.approx(c_out, rel=1e-12)
    r = 1.77 * vdd / (t.on_current_p_a_per_m * 6 * f)
    load = 2e-14
    assert p.latency_s(load, 64) == pytest.approx(hz(r * (load + c_out) + 300.0 * load / 2)[0] * 64, rel=1e-12)
    assert p.read_energy_j(load, 64) == pytest.approx(load * vdd ** 2 * 128 * 2 * 64, rel=1e-12)
    assert p.write_energy_j(load, 10) == pytest.approx(load * vdd ** 2 * 64 * 10, rel=1e-12)
    assert p.leakage_w == pytest.approx(6 * f * t.off_current_p_a_per_m / 2 * vdd * 128, rel=1e-12)


@pytest.mark.parametrize("node", NODES)
def test_write_driver_by_hand(node: int) -> None:
    """SRAMWriteDriver.cpp: three minimum inverters stacked per column; pull-up then pull-down into the line."""
    t = technology(node)
    f, pn, vdd = t.feature_size_m, t.pn_size_ratio, t.vdd_v
    w = SRAMWriteDriver(t, 128, activity_col_write=0.25)
    assert w.unit == pytest.approx((84 * f, 7.6 * f), rel=1e-12)
    wn, wp = 2 * f, pn * 2 * f
    cin = t.cap_gate_f_per_m * (wn + wp)
    cout = drain_cap(t, wn) + drain_cap(t, wp)  # unfolded INV = its two drains
    assert w.cap_inv_output_f == pytest.approx(cout, rel=1e-12)
    r_up = 1.77 * vdd / (t.on_current_p_a_per_m * wp)
    r_dn = 1.77 * vdd / (t.on_current_n_a_per_m * wn)
    d1, ramp = hz(r_up * (cout + cin))
    d2, _ = hz(r_dn * (3e-14 + cout) + 400.0 * 3e-14 / 2, ramp)
    assert w.latency_s(3e-14, 400.0, 7) == pytest.approx((d1 + d2) * 7, rel=1e-12)
    assert w.write_energy_j(7) == pytest.approx((cout + cin) * vdd ** 2 * 32 * 7, rel=1e-12)
    inv_leak = (wn * t.off_current_n_a_per_m + wp * t.off_current_p_a_per_m) / 2
    assert w.leakage_w == pytest.approx(inv_leak * vdd * 3 * 128, rel=1e-12)
