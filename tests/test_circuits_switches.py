"""Analog mux, NewSwitchMatrix and SwitchMatrix (simcim.hardware.circuits.switches) worked by hand, plus the
sub-array values of the compiled NeuroSim V2.1 (32 nm LSTP, 128 x 128 FeFET sub-array)."""

from __future__ import annotations

import math

import pytest

from simcim.hardware.circuits.switches import Mux, NewSwitchMatrix, SwitchMatrix, tg_widths_m
from simcim.hardware.circuits.technology import Technology, technology

NODES = [32, 22]
R_MEM_ON = 240e3 + 0.25 * 240e3  # resMemCellOn of the default FeFET cell


def hz(tr: float) -> float:
    return tr * math.log(2)  # formula.cpp:horowitz with a step input


def inv_out(t: Technology, wn: float, wp: float) -> float:
    """Output cap of an unfolded bulk INV (formula.cpp:CalculateGateCapacitance)."""
    f = t.feature_size_m
    return (2.8 * f * (wn + wp) * t.cap_junction_f_per_m2 + (11.2 * f + wn + wp) * t.cap_sidewall_f_per_m
            + (wn + wp) * t.cap_drain_to_channel_f_per_m)


def r_on(t: Technology, width: float, nmos: bool = True) -> float:
    return 1.77 * t.vdd_v / ((t.on_current_n_a_per_m if nmos else t.on_current_p_a_per_m) * width)


def dff_energy(t: Technology, count: int, reads: float) -> float:
    """DFF.cpp:DFF::CalculatePower with every DFF active."""
    f = t.feature_size_m
    wn, wp = 2 * f, t.pn_size_ratio * 2 * f
    cin, cout = t.cap_gate_f_per_m * (wn + wp), inv_out(t, wn, wp)
    per = 4 * (cin + cout) + 2 * t.cap_gate_f_per_m * (wn + wp) + (3 * cout + cin) + 2 * cout + (cin + cout)
    return per * count * t.vdd_v ** 2 * reads


@pytest.mark.parametrize("node", NODES)
def test_tg_sizing_by_hand(node: int) -> None:
    """Mux.cpp:Mux::Initialize: W = R_on(F) F 0.2 / (2 x 0.25 x R_target)."""
    t = technology(node)
    f = t.feature_size_m
    wn, wp = tg_widths_m(t, 2343.75)
    assert wn == pytest.approx(r_on(t, f) * f * 0.2 / (2 * 585.9375), rel=1e-12)
    assert wp == pytest.approx(r_on(t, f, nmos=False) * f * 0.2 / (2 * 585.9375), rel=1e-12)


@pytest.mark.parametrize("node", NODES)
def test_mux_by_hand(node: int) -> None:
    """Mux.cpp:CalculateArea/CalculateLatency/CalculatePower: 16 inputs x 8 selections under a 512 F array."""
    t = technology(node)
    f = t.feature_size_m
    m = Mux(t, 16, 8, R_MEM_ON / 128, read_voltage_v=0.5)
    wn, wp = m.width_n_m, m.width_p_m
    # 128 TGs: floor(512 / 7.6) = 67 per row -> 2 rows of 64, 8 F each -> 1 fold -> h = W_P + W_N + 7.1 F
    assert m.footprint(512 * f).height_m == pytest.approx(2 * (wp + wn + 7.1 * f), rel=1e-12)
    assert m.footprint().width_m == pytest.approx(2 * 3.8 * f * 128, rel=1e-12)
    cd, cgn, cgp = inv_out(t, wn, wp), t.cap_gate_f_per_m * wn, t.cap_gate_f_per_m * wp
    assert m.cap_tg_drain_f == pytest.approx(cd, rel=1e-12)
    assert m.latency_s(8) == pytest.approx(2.3 * 2 * 585.9375 * (cd + 0.5 * cgn + 0.5 * cgp) * 8, rel=1e-12)
    assert m.energy_j(8) == pytest.approx((cgn * 16 * t.vdd_v ** 2 + 2 * cd * 16 * 0.25) * 8, rel=1e-12)


def test_mux_compiled_values_32nm() -> None:
    """Mux.cpp in the compiled default sub-array: 2.955886e-11 s and 1.058568e-13 J for 8 reads."""
    m = Mux(technology(32), 16, 8, R_MEM_ON / 128)
    assert m.latency_s(8) == pytest.approx(2.955886e-11, rel=1e-6)
    assert m.energy_j(8) == pytest.approx(1.058568e-13, rel=1e-6)


@pytest.mark.parametrize("node", NODES)
def test_new_switch_matrix_by_hand(node: int) -> None:
    """NewSwitchMatrix.cpp: 128 rows against a 512 F array: 8 columns of 16 TGs (32 F tall), 8 DFF columns;
    tr = R_tg (5 C_d + C_L) + R_L C_L / 2; read energy per active row 2 C_d V_acc^2 + 5 C_d V_r^2 + 3 C_g Vdd^2."""
    t = technology(node)
    f, vdd = t.feature_size_m, t.vdd_v
    s = NewSwitchMatrix(t, 128, 512 * f)
    assert s.footprint == pytest.approx((512 * f, 4 * 7.6 * f * 8 + 8 * 91.2 * f), rel=1e-12)
    wn, wp = 2 * f, t.pn_size_ratio * 2 * f
    cd, cg = inv_out(t, wn, wp), t.cap_gate_f_per_m * (wn + wp)
    res_tg = r_on(t, 2 * f) * 0.2
    load_f, load_ohm = 5e-15, 200.0
    tr = res_tg * (5 * cd + load_f) + load_ohm * load_f / 2
    assert s.read_latency_s(load_f, load_ohm, 8) == pytest.approx(hz(tr) * 8 + 8 / 2e9, rel=1e-12)
    assert s.write_latency_s(load_f, load_ohm, 8, 256) == pytest.approx(hz(tr) * 256 + 8 / 2e9, rel=1e-12)
    assert s.write_latency_s(load_f, load_ohm, 8, 0) == 0.0
    per_row = 2 * cd * 1.1 ** 2 + 5 * cd * 0.5 ** 2 + 3 * cg * vdd ** 2
    assert s.read_energy_j(8, 0.5) == pytest.approx(per_row * 128 * 0.5 * 8 + dff_energy(t, 128, 8), rel=1e-12)
    per_write = 2 * cd * 1.1 ** 2 + 5 * cg * vdd ** 2
    assert s.write_energy_j(8, 256) == pytest.approx(per_write * 256 + dff_energy(t, 128, 8), rel=1e-12)


def test_new_switch_matrix_compiled_values_32nm() -> None:
    """Default sub-array (capRow2 5.191388e-15 F, resRow 217.1958 ohm): read 4.269396e-9 s / 3.348847e-12 J
    (8 reads, activity 0.5), leakage 7.381649e-9 W, write 1.262069e-8 s / 3.142088e-12 J (256 writes)."""
    t = technology(32)
    s = NewSwitchMatrix(t, 128, 512 * t.feature_size_m)
    assert s.read_latency_s(5.191388e-15, 217.1958, 8) == pytest.approx(4.269396e-9, rel=1e-6)
    assert s.read_energy_j(8, 0.5) == pytest.approx(3.348847e-12, rel=1e-6)
    assert s.leakage_w == pytest.approx(7.381649e-9, rel=1e-6)
    assert s.write_latency_s(5.191388e-15, 217.1958, 8, 256) == pytest.approx(1.262069e-8, rel=1e-6)
    assert s.write_energy_j(8, 256) == pytest.approx(3.142088e-12, rel=1e-6)


@pytest.mark.parametrize("node", NODES)
def test_column_switch_matrix_by_hand(node: int) -> None:
    """SwitchMatrix.cpp COL_MODE: floor(512 / 15.2) = 33 pairs -> 4 rows of 32 pairs, 8 F per TG -> 1 fold;
    h = 4 (W_P + W_N + 7.1 F) + DFF rows; tr = R_tg (3 C_d + C_L) + R_L C_L / 2; column read energy = DFFs only."""
    t = technology(node)
    f, vdd = t.feature_size_m, t.vdd_v
    vw = math.sqrt(32)
    s = SwitchMatrix(t, 128, R_MEM_ON, rows=False, extent_m=512 * f, write_voltage_v=vw, write_pulses=0.0)
    wn, wp = s.width_n_m, s.width_p_m
    assert s.footprint == pytest.approx((4 * (wp + wn + 7.1 * f) + 26 * 28 * f, 512 * f), rel=1e-12)
    cd, cg = inv_out(t, wn, wp), t.cap_gate_f_per_m * (wn + wp)
    tr = 75000 * (3 * cd + 8e-15) + 217.0 * 8e-15 / 2
    assert s.read_latency_s(8e-15, 217.0, 8) == pytest.approx(hz(tr) * 8 + 4e-9, rel=1e-12)
    assert s.read_energy_j(8, 0.5) == pytest.approx(dff_energy(t, 128, 8), rel=1e-12)
    # write: pulses frozen at 0, so only unselected columns and the gates remain
    selected = min(128, 128 * 0.25)
    per_write = 3 * cd * vw ** 2 * (128 - selected / 2) + cg * vdd ** 2 * 128
    assert s.write_energy_j(8, 10, 0.25) == pytest.approx(per_write * 10 + dff_energy(t, 128, 8), rel=1e-12)
    pulsed = SwitchMatrix(t, 128, R_MEM_ON, rows=False, extent_m=512 * f, write_voltage_v=vw, write_pulses=3.0)
    extra = 2 * 3 * cd * vw ** 2 * 3 * selected / 2
    assert pulsed.write_energy_j(0, 10, 0.25) == pytest.approx((per_write + extra) * 10, rel=1e-12)


def test_column_switch_matrix_compiled_values_32nm() -> None:
    """Default sub-array source-line matrix: 24.2402 um tall, AG read 7.499467e-9 s / 2.787463e-12 J (8 reads,
    capCol 8.180736e-15 F, resCol 217.1958 ohm), write 1.159829e-7 s / 1.776606e-10 J (256 writes, activity 0.5,
    with the DFF scan of the 8-read transposed call)."""
    t = technology(32)
    s = SwitchMatrix(t, 128, R_MEM_ON, rows=False, extent_m=512 * t.feature_size_m)
    assert s.footprint.height_m == pytest.approx(24.2402e-6, rel=1e-6)
    assert s.read_latency_s(8.180736e-15, 217.1958, 8) == pytest.approx(7.499467e-9, rel=1e-6)
    assert s.read_energy_j(8, 0.5) == pytest.approx(2.787463e-12, rel=1e-6)
    assert s.write_latency_s(8.180736e-15, 217.1958, 8, 256) == pytest.approx(1.159829e-7, rel=1e-6)
    assert s.write_energy_j(8, 256, 0.5) == pytest.approx(1.776606e-10, rel=1e-6)


@pytest.mark.parametrize("node", NODES)
def test_row_switch_matrix_by_hand(node: int) -> None:
    """SwitchMatrix.cpp ROW_MODE against a 1024 F (128 x 8 F SRAM) height: floor(1024/28) = 36 -> 4 columns
    of 32 TGs 32 F tall; w = 2 x 7.6 F x 4 + DFF columns; read energy (3 C_d V_r^2 + C_g Vdd^2) N a per read;
    write per operation 2 C_g Vdd^2 (1T1R)."""
    t = technology(node)
    f, vdd = t.feature_size_m, t.vdd_v
    s = SwitchMatrix(t, 128, 60e3, rows=True, extent_m=1024 * f, write_pulses=1)
    dff_cols = math.ceil(128 / 36)
    assert s.footprint == pytest.approx((1024 * f, 2 * 7.6 * f * 4 + dff_cols * 91.2 * f), rel=1e-12)
    cd, cg = inv_out(t, s.width_n_m, s.width_p_m), t.cap_gate_f_per_m * (s.width_n_m + s.width_p_m)
    assert s.read_energy_j(64, 0.3) == pytest.approx((3 * cd * 0.25 + cg * vdd ** 2) * 128 * 0.3 * 64
                                                     + dff_energy(t, 128, 64), rel=1e-12)
    assert s.write_energy_j(64, 76.8, 0.3) == pytest.approx(2 * cg * vdd ** 2 * 76.8 + dff_energy(t, 128, 64), rel=1e-12)
    assert s.leakage_w > 0
