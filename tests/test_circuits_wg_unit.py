"""WeightGradientUnit (simcim.hardware.circuits.wg_unit) worked by hand from WeightGradientUnit.cpp, and
against the compiled NeuroSim V2.1 class (FeFET main cell, wireWidth 40 nm, 128 reads)."""

from __future__ import annotations

import math

import pytest

from simcim.hardware.circuits.technology import Technology, technology, wire
from simcim.hardware.circuits.wg_unit import WeightGradientUnit

NODES = [32, 22]


def unit(node: int, rows: int, cols: int, activity: float = 0.3) -> WeightGradientUnit:
    return WeightGradientUnit(technology(node), wire(node, width_nm=40), rows, cols, activity=activity)


def drain(t: Technology, width_f: float, nmos: bool) -> float:
    """Unfolded single-transistor drain cap in the 20 F SRAM cell (formula.cpp:CalculateDrainCap)."""
    f = t.feature_size_m
    w = width_f * f
    return 2.8 * f * w * t.cap_junction_f_per_m2 + (5.6 * f + w) * t.cap_sidewall_f_per_m + w * t.cap_drain_to_channel_f_per_m


def r_on(t: Technology, width_f: float, nmos: bool) -> float:
    current = t.on_current_n_a_per_m if nmos else t.on_current_p_a_per_m
    return 1.77 * t.vdd_v / (current * width_f * t.feature_size_m)


@pytest.mark.parametrize("mem, arrays, precision", [((900, 1024), (7, 8), 15), ((200, 300), (1, 2), 12),
                                                    ((4096, 512), (32, 4), 17), ((1, 1024), (1, 8), 12),
                                                    ((60, 8), (1, 1), 12)])
def test_sizing(mem: tuple[int, int], arrays: tuple[int, int], precision: int) -> None:
    """WeightGradientUnit.cpp:Initialize: floor(mem / 128) arrays, clamped to >= 1 (the study fork's fix);
    outPrecision = log2(16) + 8 + ceil(log2 arrays_in_row)."""
    wg = unit(32, *mem)
    assert (wg.arrays_in_row, wg.arrays_in_col) == arrays
    assert wg.out_precision_bits == precision
    assert wg.accumulation.trees == math.ceil(arrays[1] * 128 / 8)


@pytest.mark.parametrize("node", NODES)
def test_cell_and_line_quantities_by_hand(node: int) -> None:
    """WeightGradientUnit.cpp:Initialize/CalculateLatency/CalculatePower: 8 F x 20 F cells; the ADCs see
    (R_access(1.31 F) + R_wire,col) / ceil(128 a); C_cell = access + 2.08 F N + 1.23 F P drains + both gates."""
    t = technology(node)
    f, vdd = t.feature_size_m, t.vdd_v
    wg = unit(node, 900, 1024)
    assert (wg.length_row_m, wg.length_col_m) == pytest.approx((128 * 20 * f, 128 * 8 * f), rel=1e-12)
    seg = 4.03e-8 / (40e-9 ** 2 * 1.9) * 40e-9 * 4
    assert wg.column_ohm == pytest.approx((r_on(t, 1.31, True) + seg) / math.ceil(128 * 0.3), rel=1e-12)
    c_cell = (drain(t, 1.31, True) + drain(t, 2.08, True) + drain(t, 1.23, False)
              + t.cap_gate_f_per_m * (2.08 + 1.23) * f)
    assert wg.cap_sram_cell_f == pytest.approx(c_cell, rel=1e-12)
    # write: the flip of 128 a rows, ln 2 x mean pull resistance x C_cell each
    flip = math.log(2) * (r_on(t, 2.08, True) + r_on(t, 1.23, False)) / 2 * c_cell * 128 * 0.3
    rest = (wg.switch_matrix.write_latency_s(wg.cap_row_f, wg.res_row_ohm, 64, 2 * 128 * 0.3)
            + wg.precharger.latency_s(wg.cap_col_f, 128 * 0.3)
            + wg.write_driver.latency_s(wg.cap_col_f, wg.res_col_ohm, 128 * 0.3))
    assert wg.write_latency_peak_s == pytest.approx(flip + rest, rel=1e-12)
    # write energy: drivers + C_cell Vdd^2 x 2 x (128 a)^2 per array
    cells = c_cell * vdd ** 2 * 2 * (128 * 0.3) ** 2
    drivers = (wg.switch_matrix.write_energy_j(64, 2 * 128 * 0.3, 0.3) + wg.precharger.write_energy_j(wg.cap_col_f, 128 * 0.3)
               + wg.write_driver.write_energy_j(128 * 0.3))
    assert wg.write_energy_peak_j == pytest.approx((cells + drivers) * 56, rel=1e-12)
    # leakage: two SRAM inverters per cell (2.08 F / 1.23 F) per array, plus periphery
    inv = (2.08 * f * t.off_current_n_a_per_m + 1.23 * f * t.off_current_p_a_per_m) / 2
    periphery = (wg.switch_matrix.leakage_w + wg.precharger.leakage_w + wg.write_driver.leakage_w
                 + wg.encoder.leakage_w + wg.shift_add.leakage_w)  # type: ignore[union-attr]
    assert wg.leakage_w == pytest.approx((inv * vdd * 2 * 128 * 128 + periphery) * 56, rel=1e-12)


@pytest.mark.parametrize("node, index, mem, values", [
    (32, 0, (900, 1024), (6.380468535e-07, 2.132141633e-05, 5.898886407e-08, 6.925877284e-06, 1.757950658e-09,
                          1.169619973e-05)),
    (32, 1, (200, 300), (2.190002094e-08, 1.633628452e-05, 5.898886407e-08, 2.471995834e-07, 6.278395207e-11,
                         4.177214189e-07)),
    (32, 2, (4096, 512), (1.522269815e-06, 2.524811579e-05, 5.898886407e-08, 1.583812798e-05, 4.018172933e-09,
                          2.673417081e-05)),
    (22, 0, (900, 1024), (3.015768331e-07, 1.786080835e-05, 5.069913700e-08, 4.684051819e-06, 9.544470393e-10,
                          7.417229902e-06)),
    (22, 2, (4096, 512), (7.195103423e-07, 2.018377408e-05, 5.069913700e-08, 1.071025592e-05, 2.181593233e-09,
                          1.695366835e-05))])
def test_compiled_values(node: int, index: int, mem: tuple[int, int], values: tuple[float, ...]) -> None:
    """Compiled V2.1 WeightGradientUnit (activity 0.3, 128 reads): area, readLatencyPeak, writeLatencyPeak,
    readDynamicEnergyPeak, writeDynamicEnergyPeak, leakage. At 32 nm the 7 x 8 unit reads in 21.3214 us."""
    wg = unit(node, *mem)
    got = (wg.area_m2, wg.read_latency_peak_s(128), wg.write_latency_peak_s, wg.read_energy_peak_j(128),
           wg.write_energy_peak_j, wg.leakage_w)
    assert got == pytest.approx(values, rel=1e-8)


def test_compiled_values_at_another_activity_32nm() -> None:
    """Compiled V2.1, activity 0.55: the write and the read energy follow the activity, the read latency not."""
    wg = unit(32, 900, 1024, activity=0.55)
    assert (wg.read_latency_peak_s(128), wg.write_latency_peak_s, wg.read_energy_peak_j(128), wg.write_energy_peak_j) \
        == pytest.approx((2.132141633e-05, 8.147958412e-08, 8.882232304e-06, 2.959397013e-09), rel=1e-8)


def test_read_scales_with_reads_and_sar_option() -> None:
    """readLatencyPeak = one read x numRead; the accumulation energy also scales with numRead."""
    wg = unit(32, 900, 1024)
    assert wg.read_latency_peak_s(7) == pytest.approx(7 * wg.read_latency_peak_s(1), rel=1e-12)
    assert wg.read_energy_peak_j(7) == pytest.approx(7 * wg.read_energy_peak_j(1), rel=1e-12)
    sar = WeightGradientUnit(technology(32), wire(32), 900, 1024, adc_kind="sar")
    assert sar.encoder is None and sar.area_m2 < wg.area_m2
    with pytest.raises(ValueError):
        WeightGradientUnit(technology(32), wire(32), 900, 1024, adc_kind="flash")
