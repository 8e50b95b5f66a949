"""The 1T1R sub-array (simcim.hardware.circuits.subarray) worked by hand from SubArray.cpp and
ProcessingUnit.cpp, and its default configuration against the compiled NeuroSim V2.1 (128 x 128 FeFET,
8 columns per ADC, 64 levels, all columns at 10 kOhm, input activity 0.5, wireWidth 40 nm)."""

from __future__ import annotations

import math

import pytest

from simcim.hardware.circuits.subarray import (
    Subarray,
    SubarrayDesign,
    WriteUpdate,
    column_resistance_ohm,
    column_resistances_ohm,
)
from simcim.hardware.circuits.technology import Technology, technology, wire

NODES = [32, 22]
VW = math.sqrt(32.0)


def build(node: int, **design: object) -> Subarray:
    return Subarray(technology(node), wire(node, width_nm=40), SubarrayDesign(**design))  # type: ignore[arg-type]


def access_by_hand(t: Technology) -> tuple[float, float, float]:
    """SubArray.cpp:SubArray::Initialize: access width (in F) = R_on(F) 0.2 / (0.25 R_on,cell); its gate and
    drain caps (drain in a 4 F cell, unfolded)."""
    f = t.feature_size_m
    width_f = 1.77 * t.vdd_v / (t.on_current_n_a_per_m * f) * 0.2 / (0.25 * 240e3)
    w = width_f * f
    gate = t.cap_gate_f_per_m * w
    drain = 2.8 * f * w * t.cap_junction_f_per_m2 + (5.6 * f + w) * t.cap_sidewall_f_per_m + w * t.cap_drain_to_channel_f_per_m
    return width_f, gate, drain


@pytest.mark.parametrize("node, array_m2, width_f", [(32, 2.684355e-10, 0.276470), (22, 1.268777e-10, 0.287858)])
def test_geometry_and_lines_by_hand(node: int, array_m2: float, width_f: float) -> None:
    """SubArray.cpp:SubArray::Initialize / CalculateArea: (128 x 4 F)^2 array; capRow2 = 0.2 fF/um x length +
    128 access gates; capCol = wire + 128 access drains; resRow = length x unit R."""
    s = build(node)
    t = s.tech
    f = t.feature_size_m
    length = 128 * 4 * f
    assert s.area.array_m2 == pytest.approx(length * length, rel=1e-12)
    assert s.area.array_m2 == pytest.approx(array_m2, rel=1e-6)
    w_f, gate, drain = access_by_hand(t)
    assert s.access_width_f == pytest.approx(w_f, rel=1e-12)
    assert w_f == pytest.approx(width_f, rel=1e-5)
    assert s.cap_row2_f == pytest.approx(length * 2e-10 + 128 * gate, rel=1e-12)
    assert s.cap_col_f == pytest.approx(length * 2e-10 + 128 * drain, rel=1e-12)
    assert s.res_row_ohm == pytest.approx(length * 4.03e-8 / (40e-9 ** 2 * 1.9), rel=1e-12)
    assert s.res_mem_avg_ohm == pytest.approx(60e3 + (240e3 + 24e6) / 2)


def test_worked_line_values_32nm() -> None:
    """capRow2 5.191388e-15 F, capCol 8.180736e-15 F, resRow 217.1958 ohm (32 nm); 22 nm: 3.411806e-15, 5.649492e-15."""
    s = build(32)
    assert (s.cap_row2_f, s.cap_col_f, s.res_row_ohm) == pytest.approx((5.191388e-15, 8.180736e-15, 217.1958), rel=1e-6)
    s = build(22)
    assert (s.cap_row2_f, s.cap_col_f) == pytest.approx((3.411806e-15, 5.649492e-15), rel=1e-6)


@pytest.mark.parametrize("node", NODES)
def test_array_read_energy_and_settling_by_hand(node: int) -> None:
    """SubArray.cpp:CalculatePower: E_array = (C_BL V_r^2 x 16 + capRow2 Vdd^2 x 128 a) x 8 (booked as ADC);
    SubArray.cpp:CalculateLatency: colDelay = capCol R_avg / 64 x 0.2 x 8, amortised over the 8 input bits."""
    s = build(node)
    t = s.tech
    length = 128 * 4 * t.feature_size_m
    e_array = (length * 2e-10 * 0.25 * 16 + s.cap_row2_f * t.vdd_v ** 2 * 128 * 0.3) * 8
    forward = s.forward_read(0.3, 10e3)
    mlsa = s.adc.energy_j([10e3] * 128) + s.encoder.energy_j(8)  # type: ignore[union-attr]
    assert forward.adc_energy_j - mlsa == pytest.approx(e_array, rel=1e-9)
    assert forward.array_energy_j == pytest.approx(e_array, rel=1e-12)
    assert forward.converter_energy_j == pytest.approx(mlsa, rel=1e-9)
    col_delay = s.cap_col_f * s.res_mem_avg_ohm / 64 * 0.2 * 8
    drive = s.row_driver.read_latency_s(s.cap_row2_f, s.res_row_ohm, 8)
    assert forward.other_latency_s == pytest.approx(drive + col_delay / 8, rel=1e-12)
    # transposed: the same bit-line term, capRow2 x activity 0.5, and the row settling over 8 error bits
    e_array_ag = (length * 2e-10 * 0.25 * 16 + s.cap_row2_f * t.vdd_v ** 2 * 128 * 0.5) * 8
    ag = s.transposed_read(None, 10e3)
    mlsa_ag = s.adc_ag.energy_j([10e3] * 128) + s.encoder_ag.energy_j(8)  # type: ignore[union-attr]
    assert ag.adc_energy_j - mlsa_ag == pytest.approx(e_array_ag, rel=1e-9)
    cap_row = length * 2e-10 + 128 * access_by_hand(t)[2]
    row_delay = cap_row * s.res_mem_avg_ohm / 64 * 0.2 * 8
    sl = s.source_line.read_latency_s(s.cap_col_f, s.res_col_ohm, 8)
    assert ag.other_latency_s == pytest.approx(sl + row_delay / 8, rel=1e-12)
    # an explicit activity replaces NeuroSim's fixed 0.5 in the array term only
    e_array_03 = (length * 2e-10 * 0.25 * 16 + s.cap_row2_f * t.vdd_v ** 2 * 128 * 0.3) * 8
    assert s.transposed_read(0.3, 10e3).array_energy_j == pytest.approx(e_array_03, rel=1e-12)
    assert s.transposed_read(0.3, 10e3).latency_s == ag.latency_s
    # the bounding box is what lays out the PE around the sub-array
    assert s.footprint == (s.area.height_m, s.area.width_m)


def test_default_subarray_compiled_values_32nm() -> None:
    """Compiled V2.1 default sub-array, 32 nm LSTP, MLSA: per input bit 1.739058e-8 s / 4.935409e-11 J forward,
    2.062065e-8 s / 4.879270e-11 J transposed, leakage 1.184481e-7 W; usedArea 43 745.27 um^2 in a
    1307.84 x 1186.18 um box; colDelay 2.491034e-9 s; E_array 2.257830e-12 J."""
    s = build(32)
    f = s.forward_read(0.5, 10e3)
    a = s.transposed_read(None, 10e3)
    assert (f.latency_s, f.energy_j) == pytest.approx((1.739058e-8, 4.935409e-11), rel=1e-6)
    assert (a.latency_s, a.energy_j) == pytest.approx((2.062065e-8, 4.879270e-11), rel=1e-6)
    assert s.leakage_w == pytest.approx(1.184481e-7, rel=1e-6)
    assert s.area.total_m2 == pytest.approx(43745.27e-12, rel=1e-6)
    assert (s.area.height_m, s.area.width_m) == pytest.approx((1307.84e-6, 1186.18e-6), rel=1e-5)
    # breakdown: ADC = 2 x 16 MLSAs + both encoder banks; accumulation = both shift-adds
    assert f.adc_latency_s == pytest.approx(8e-9 + 3.505723e-9, rel=1e-6)
    assert f.accumulation_latency_s == pytest.approx(1.304081e-9, rel=1e-6)
    assert f.other_latency_s == pytest.approx(4.269396e-9 + 2.491034e-9 / 8, rel=1e-6)
    assert f.adc_energy_j == pytest.approx(2.257830e-12 + 2.574709e-11 + 8.311224e-12, rel=1e-6)
    assert f.accumulation_energy_j == pytest.approx(9.670524e-12, rel=1e-6)
    assert f.other_energy_j == pytest.approx(3.348847e-12 + (1.058568e-13 + 4.273145e-14) / 8, rel=1e-6)
    assert s.area.adc_m2 == pytest.approx((2 * 15814.8 + 3699.38 + 4393.01) * 1e-12, rel=1e-5)
    assert s.area.accumulation_m2 == pytest.approx((1130.36 + 1055.92) * 1e-12, rel=1e-5)
    assert s.area.array_m2 + s.area.adc_m2 + s.area.accumulation_m2 + s.area.other_m2 == s.area.total_m2


@pytest.mark.parametrize("node, adc, values", [
    (32, "sar", (6.188486e-8, 3.662110e-11, 6.511493e-8, 3.605972e-11, 6.721848e-8, 13701.785e-12)),
    (22, "mlsa", (1.540211e-8, 2.697320e-11, 1.763421e-8, 2.666366e-11, 6.964668e-8, 20676.466e-12)),
    (22, "sar", (6.137540e-8, 2.135764e-11, 6.360750e-8, 2.104811e-11, 3.992148e-8, 6476.225e-12))])
def test_subarray_variants_compiled_values(node: int, adc: str, values: tuple[float, ...]) -> None:
    """Compiled V2.1: readLatency, readDynamicEnergy, readLatencyAG, readDynamicEnergyAG, leakage, usedArea."""
    s = build(node, adc_kind=adc)
    f, a = s.forward_read(0.5, 10e3), s.transposed_read(None, 10e3)
    got = (f.latency_s, f.energy_j, a.latency_s, a.energy_j, s.leakage_w, s.area.total_m2)
    assert got == pytest.approx(values, rel=1e-6)


@pytest.mark.parametrize("node", NODES)
def test_without_transposed_periphery(node: int) -> None:
    """SubArray.cpp:CalculateArea/CalculatePower: without training the row-side blocks and the second count
    of the source-line matrix's leakage disappear."""
    full, forward = build(node), build(node, transposed=False)
    ag_parts = ("mux_ag", "mux_decoder_ag", "adc_ag", "encoder_ag", "shift_add_input_ag")
    assert forward.area.total_m2 == pytest.approx(
        full.area.total_m2 - sum(full.area.parts[k].area_m2 for k in ag_parts), rel=1e-12)
    assert forward.leakage_w == pytest.approx(full.forward_leakage_w, rel=1e-12)
    extra = (full.source_line.leakage_w + full.mux_decoder_ag.leakage_w  # type: ignore[union-attr]
             + full.encoder_ag.leakage_w + full.shift_add_input_ag.leakage_w)  # type: ignore[union-attr]
    assert full.leakage_w == pytest.approx(full.forward_leakage_w + extra, rel=1e-12)
    with pytest.raises(ValueError):
        forward.transposed_read(None, 10e3)


def test_column_resistances_by_hand() -> None:
    """ProcessingUnit.cpp:GetColumnResistance: G_j = sum over active rows of 1/(1/G + (j+1) r_row + (n-i) r_col)."""
    w = wire(32)
    seg = 4.03e-8 / (40e-9 ** 2 * 1.9) * 40e-9 * 4
    g = [[1e-6, 2e-6], [3e-6, 4e-6]]
    fefet = SubarrayDesign()
    got = column_resistances_ohm(w, fefet, [1, 1], g)
    expect = [1 / (1 / (1 / 1e-6 + 1 * seg + 2 * seg) + 1 / (1 / 3e-6 + 1 * seg + 1 * seg)),
              1 / (1 / (1 / 2e-6 + 2 * seg + 2 * seg) + 1 / (1 / 4e-6 + 2 * seg + 1 * seg))]
    assert got == pytest.approx(expect, rel=1e-12)
    assert column_resistances_ohm(w, fefet, [0, 0], g) == [math.inf, math.inf]
    rram = SubarrayDesign(cell="rram")
    assert column_resistances_ohm(w, rram, [0, 1], g)[0] == pytest.approx(1 / 3e-6 + 1 * seg + 1 * seg + 15e3, rel=1e-12)


def test_average_column_resistance_by_hand() -> None:
    """Averaged GetColumnResistance: k active rows at the mid conductance and the mean wire position."""
    w, d = wire(32), SubarrayDesign()
    seg = w.cell_segment_resistance_ohm(4)
    g = (1 / 240e3 + 1 / 24e6) / 2
    assert column_resistance_ohm(w, d, 64) == pytest.approx((1 / g + 64.5 * seg + 64.5 * seg) / 64, rel=1e-12)
    assert column_resistance_ohm(w, d, 0) == math.inf
    assert build(32).column_resistance_ohm(10, 1e-6) == pytest.approx((1e6 + 129 * seg) / 10, rel=1e-12)


def test_write_update_from_conductances_by_hand() -> None:
    """ProcessingUnit.cpp:GetWriteUpdateEstimation: step = (G_max - G_min)/60; pulses = ceil(|dG|/step); a row with
    any set cell counts as set; per-row pulse maxima summed; dPr = |Pr_new + Ps| + |Pr_old + Ps|."""
    d = SubarrayDesign()
    step = (1 / 240e3 - 1 / 24e6) / 60
    g0 = 1e-6
    old = [[g0, g0, g0], [g0, g0, g0]]
    new = [[g0 + 2.5 * step, g0 - 1.2 * step, g0 + 0.5 * step], [g0 - 3.4 * step, g0 + 0.2 * step, g0]]
    u = WriteUpdate.from_conductances(d, new, old)
    assert (u.rows_set, u.rows_reset, u.cells_set, u.cells_reset) == (1, 1, 1, 2)
    assert (u.set_pulses, u.reset_pulses) == (3, 2 + 4)
    written = [(new[0][0], g0), (new[0][1], g0), (new[1][0], g0)]
    pr = sum(abs((gn / step - 30) * (40 / 60) + 20) + abs((go / step - 30) * (40 / 60) + 20) for gn, go in written)
    assert u.polarization_uc_per_cm2 == pytest.approx(pr, rel=1e-12)
    pulses = (3, 2, 4)
    conductance = sum(p / ((1 / gn + 1 / go) / 2) for p, (gn, go) in zip(pulses, written))
    assert u.pulse_conductance_s == pytest.approx(conductance, rel=1e-12)


@pytest.mark.parametrize("node", NODES)
def test_fefet_write_by_hand(node: int) -> None:
    """ProcessingUnit.cpp:GetWriteUpdateEstimation (FeFET) + SubArray.cpp write terms: polarisation on 2 F^2,
    capRow2 Vdd^2 per pulse, (capCol + C_FeFET rows) Vw^2 avg_cols per pulse; latency = pulses x 50 ns + drivers."""
    s = build(node)
    t = s.tech
    u = WriteUpdate(rows_set=3, rows_reset=2, cells_set=10, cells_reset=5, set_pulses=12, reset_pulses=7,
                    polarization_uc_per_cm2=55.0)
    cost = s.write_update(u)
    avg_set, avg_reset = 10 // 3, 5 // 2
    energy = 55.0 * 0.01 * VW * 2 * t.feature_size_m ** 2
    energy += s.cap_row2_f * t.vdd_v ** 2 * 12 + (s.cap_col_f + 2.1717e-18 * 3) * VW ** 2 * avg_set * 12
    energy += s.cap_row2_f * t.vdd_v ** 2 * 7 + (s.cap_col_f + 2.1717e-18 * 2) * VW ** 2 * avg_reset * 7
    assert cost.array_energy_j == pytest.approx(energy, rel=1e-12)
    assert cost.array_latency_s == pytest.approx(19 * 50e-9)
    # the drivers see 2 ceil(a_col) rows x a_row writes = rows_set + rows_reset = 5 writes
    activity_col = (avg_set + avg_reset) / 2 / 128
    writes = 5
    lat = max(s.row_driver.write_latency_s(s.cap_row2_f, s.res_row_ohm, 8, writes),
              s.source_line.write_latency_s(s.cap_col_f, s.res_col_ohm, 0, writes))
    e = s.row_driver.write_energy_j(8, writes) + s.source_line.write_energy_j(8, writes, activity_col)
    assert (cost.driver_latency_s, cost.driver_energy_j) == pytest.approx((lat, e), rel=1e-12)
    assert cost.latency_s == cost.array_latency_s + cost.driver_latency_s


def test_rram_write_by_hand() -> None:
    """GetWriteUpdateEstimation (RRAM, 1T1R): Vw^2 t sum(pulses G) + per set pulse capRow2 Vdd^2 + capCol Vw^2
    (cols - avg) + capRow1 Vw^2 avg; per reset pulse capRow2 Vdd^2 + capCol Vw^2 avg + capRow1 Vw^2 (cols - avg)."""
    s = build(32, cell="rram")
    t = s.tech
    u = WriteUpdate(rows_set=4, rows_reset=0, cells_set=9, cells_reset=3, set_pulses=8, reset_pulses=5,
                    pulse_conductance_s=2e-5)
    vdd2, vw2 = t.vdd_v ** 2, VW ** 2
    energy = vw2 * 50e-9 * 2e-5
    energy += (s.cap_row2_f * vdd2 + s.cap_col_f * vw2 * (128 - 2) + s.cap_row1_f * vw2 * 2) * 8
    energy += (s.cap_row2_f * vdd2 + s.cap_col_f * vw2 * 0 + s.cap_row1_f * vw2 * 128) * 5
    assert s.write_update(u).array_energy_j == pytest.approx(energy, rel=1e-12)


def test_write_from_pulses_by_hand() -> None:
    """Mean update: every row written with 5 set pulses, 640 cells at the mid conductance."""
    s = build(32)
    d = s.design
    cost = s.write(5.0, 640)
    u = WriteUpdate.from_pulses(d, 5.0, 640)
    assert (u.rows_set, u.rows_reset, u.set_pulses, u.cells_set) == (128, 0, 640, 640)
    mid = (1 / 240e3 + 1 / 24e6) / 2
    assert u.polarization_uc_per_cm2 == pytest.approx(640 * 2 * mid / d.conductance_step_s * 40 / 60, rel=1e-12)
    assert cost == s.write_update(u)
    half = WriteUpdate.from_pulses(d, 5.0, 320, rows=64)
    assert (half.rows_set, half.set_pulses) == (64, 320)
    assert s.write(5.0, 320, rows=64) == s.write_update(half)
    # a per-row sequence: rows with zero pulses are not written; reset-only rows count as reset rows
    v = WriteUpdate.from_pulses(d, [3, 0, 2, 0], 5, [1, 4, 0, 0], 3)
    assert (v.rows_set, v.rows_reset, v.set_pulses, v.reset_pulses) == (2, 1, 5, 5)


def test_design_validation() -> None:
    with pytest.raises(ValueError):
        SubarrayDesign(cell="sram")
    with pytest.raises(ValueError):
        SubarrayDesign(adc_kind="flash")
    with pytest.raises(ValueError):
        SubarrayDesign(adc_levels=48)
    with pytest.raises(ValueError):
        SubarrayDesign(cols_per_adc=256)
    with pytest.raises(ValueError):  # the access transistor would not fit the 4 F cell
        build(32, r_on_ohm=10e3)
    assert SubarrayDesign(weight_bits=8, cell_bits=5).cells_per_synapse == 2


def test_weight_shift_add_and_single_column_mux() -> None:
    """SubArray.cpp: shiftAddWeight exists only with several cells per synapse; no mux when cols_per_adc = 1."""
    s = build(32, weight_bits=8, cell_bits=4, cols_per_adc=1, transposed=False)
    assert s.shift_add_weight is not None and s.mux is None and s.mux_decoder is None
    assert s.design.adcs == 128
    read = s.forward_read(0.5, 1e5)
    assert read.latency_s > 0 and read.energy_j > 0 and "shift_add_weight" in s.area.parts
