"""Buffer, Bus and HTree (simcim.hardware.circuits.interconnect) worked by hand from Buffer.cpp, Bus.cpp and
HTree.cpp, and against values printed by the compiled NeuroSim V2.1 classes (wireWidth 40 nm; the H-tree
latency with its loop resistance initialised to the Param value, see docs/neurosim-port.md)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcim.hardware.circuits.interconnect import Buffer, Bus, HTree
from simcim.hardware.circuits.technology import Technology, technology, wire

NODES = [32, 22]


def setup(node: int) -> tuple[Technology, object]:
    return technology(node), wire(node, width_nm=40)


def inv_leak(t: Technology, wn: float, wp: float) -> float:
    return (wn * t.off_current_n_a_per_m + wp * t.off_current_p_a_per_m) / 2


@pytest.mark.parametrize("node", NODES)
def test_register_file_area_and_leakage_by_hand(node: int) -> None:
    """Buffer.cpp:CalculateArea/CalculatePower (DFF based), 16384 bits in 128-bit lines: 12 INV-wide DFF per bit
    plus a 7-bit regular decoder laid out to 128 x 28 F: one column each of INV (7.6 F), NAND2 (11.4 F),
    4-input NOR (19 F), two driver INVs (7.6 F) and 14 M3 tracks (2.8 F)."""
    t, w = setup(node)
    f, pn, vdd = t.feature_size_m, t.pn_size_ratio, t.vdd_v
    b = Buffer(t, w, 16384, 128)  # type: ignore[arg-type]
    decoder_m2 = 3584 * f * (7.6 + 11.4 + 2.8 * 14 + 19.0 + 2 * 7.6) * f
    assert b.area_m2() == pytest.approx(91.2 * 28 * 16384 * f * f + decoder_m2, rel=1e-12)
    assert b.footprint(width_m=1e-4).height_m == pytest.approx(b.area_m2() / 1e-4, rel=1e-12)
    i_n = t.off_current_n_a_per_m
    dec_leak = (inv_leak(t, 2 * f, pn * 2 * f) * 7 + 0.48 * pn * 2 * f * t.off_current_p_a_per_m * 2 * 12
                + 0.62 * 2 * f * i_n * 4 * 128 + 2 * inv_leak(t, 6 * f, 3 * pn * 2 * f) * 128) * vdd
    assert b.leakage_w == pytest.approx(inv_leak(t, 2 * f, pn * 2 * f) * vdd * 8 * 16384 + dec_leak, rel=1e-12)
    # every line: decode + half a clock (Buffer.cpp:CalculateLatency)
    load = 91.2 * f * 128 * 2e-10
    assert b.line_latency_s == pytest.approx(b.decoder.latency_s(load) + 0.5e-9, rel=1e-12)
    assert b.line_write_latency_s == b.line_latency_s


@pytest.mark.parametrize("node, line_s, ebit_j, area_m2, leak_w", [
    (32, 2.131239486e-09, 3.550445719e-15, 4.318140826e-08, 9.523676963e-07),
    (22, 1.517740404e-09, 1.798087560e-15, 2.040996250e-08, 5.730995700e-07)])
def test_register_file_compiled_values(node: int, line_s: float, ebit_j: float, area_m2: float, leak_w: float) -> None:
    """Compiled V2.1 global-buffer core (16384 bits, 128-bit lines, register file)."""
    t, w = setup(node)
    b = Buffer(t, w, 16384, 128)  # type: ignore[arg-type]
    assert (b.line_latency_s, b.energy_per_bit_j, b.area_m2(), b.leakage_w) == pytest.approx(
        (line_s, ebit_j, area_m2, leak_w), rel=1e-8)
    assert b.write_energy_per_bit_j == b.energy_per_bit_j


@pytest.mark.parametrize("node, values", [
    (32, (1.215665087e-09, 1.380051728e-09, 1.144514635e-14, 6.452775230e-15, 3.329228800e-09, 1.139178975e-08)),
    (22, (7.110461705e-10, 8.271404745e-10, 6.897728831e-15, 3.804612741e-15, 1.573580800e-09, 6.989042598e-09))])
def test_sram_buffer_compiled_values(node: int, values: tuple[float, ...]) -> None:
    """Buffer.cpp with SRAM = true (16384 bits, 128-bit lines): line read/write latency, read/write energy per
    bit, area, leakage -- compiled V2.1. The SRAM array is 128 x 20 F wide and 128 x 8 F tall."""
    t, w = setup(node)
    b = Buffer(t, w, 16384, 128, sram=True)  # type: ignore[arg-type]
    got = (b.line_latency_s, b.line_write_latency_s, b.energy_per_bit_j, b.write_energy_per_bit_j, b.area_m2(), b.leakage_w)
    assert got == pytest.approx(values, rel=1e-8)
    f = t.feature_size_m
    assert b.length_row_m * b.length_col_m == pytest.approx(128 * 20 * f * 128 * 8 * f, rel=1e-12)


def test_buffer_with_a_partial_line_compiled_values_32nm() -> None:
    """3000 bits in 128-bit lines: 24 lines decoded, the whole cost divided by the integer 23 (Buffer.cpp)."""
    t, w = setup(32)
    rf = Buffer(t, w, 3000, 128)  # type: ignore[arg-type]
    assert (rf.line_latency_s, rf.energy_per_bit_j, rf.area_m2(), rf.leakage_w) == pytest.approx(
        (1.532525927e-09, 2.886144023e-15, 7.918839398e-09, 1.748371187e-07), rel=1e-8)
    tile = Buffer(t, w, 1024, 32)  # type: ignore[arg-type]
    assert (tile.line_latency_s, tile.energy_per_bit_j, tile.area_m2()) == pytest.approx(
        (9.662323457e-10, 3.390661222e-15, 2.748658483e-09), rel=1e-8)


def unit_delay_by_hand(t: Technology, tree: HTree | Bus, r_w: float) -> float:
    """HTree.cpp/Bus.cpp: 0.7 [R (C_in + C_out + c d) + r c d^2 / 2 + r d C_in] / d per metre."""
    rep, d, c = tree.repeater, tree.repeater_spacing_m, 2e-10
    return 0.7 * (rep.resistance_ohm * (rep.cap_input_f + rep.cap_output_f + c * d) + 0.5 * r_w * d * c * d
                  + r_w * d * rep.cap_input_f) / d


@pytest.mark.parametrize("node", NODES)
def test_htree_root_to_leaf_by_hand(node: int) -> None:
    """HTree.cpp: 4 x 4 tree has 2 levels, centre 2, main bus min(4 - 2, 2) = 2 units. Latency walks
    2^S units halving (3h + 5w in all); energy and area start from half that (1.5h + 3.5w)."""
    t, w = setup(node)
    tree = HTree(t, w, 4, 4, 6048, 0.1)  # type: ignore[arg-type]
    h, wd = 1.1e-3, 0.9e-3
    assert (tree.levels, tree.x_center, tree.main_bus_units) == (2, 2, 2)
    r_w = 4.03e-8 / (40e-9 ** 2 * 1.9)
    assert tree.latency_per_transfer_s(h, wd) == pytest.approx((3 * h + 5 * wd) * unit_delay_by_hand(t, tree, r_w), rel=1e-12)
    rep, d = tree.repeater, tree.repeater_spacing_m
    e_unit = (rep.cap_input_f + rep.cap_output_f + 2e-10 * d) * t.vdd_v ** 2 / d * 0.25
    assert tree.energy_per_bit_j(h, wd) == pytest.approx((1.5 * h + 3.5 * wd) * e_unit, rel=1e-12)
    # area: one inner level (2h/2 = h, w) with cumulative widths, half of it counted, then the 2-unit main bus
    inv = rep.footprint
    area = 6048 * inv.width_m / 4 * h / 2 + 6048 * inv.height_m / 4 * wd / 2
    area += 6048 * inv.height_m / 4 * 2 * wd
    assert tree.area_m2(h, wd, 4) == pytest.approx(area, rel=1e-12)
    leak = inv_leak(t, rep.width_n_m, rep.width_p_m) * t.vdd_v / d
    assert tree.leakage_w(h, wd) == pytest.approx(leak * (h + wd + 2 * wd), rel=1e-12)


def test_htree_repeater_sizing_32nm() -> None:
    """HTree.cpp:Initialize at 32 nm: size floor(sqrt(R c / (C_in r))) then halved while within 10 %: 34,
    spacing 140.6 um."""
    t, w = setup(32)
    tree = HTree(t, w, 4, 4, 6048, 0.1)  # type: ignore[arg-type]
    assert tree.repeater_size == 34
    assert tree.repeater_spacing_m == pytest.approx(140.6e-6, rel=1e-3)


@pytest.mark.parametrize("node, index, rows, cols, latency, area, ebit, leak", [
    (32, 0, 4, 4, 5.307988761e-09, 4.059417600e-06, 2.644904514e-13, 6.623268929e-09),
    (32, 1, 8, 2, 1.013961956e-08, 7.702732800e-06, 4.353072013e-13, 1.202646200e-08),
    (32, 2, 16, 16, 2.286518235e-08, 2.270661120e-05, 1.024900499e-12, 3.067619293e-08),
    (22, 0, 4, 4, 3.988550258e-09, 2.929893120e-06, 2.337221651e-13, 7.117730476e-09),
    (22, 2, 16, 16, 1.718144726e-08, 1.714027392e-05, 9.056733898e-13, 3.296633063e-08)])
def test_htree_compiled_values(node: int, index: int, rows: int, cols: int, latency: float, area: float, ebit: float,
                               leak: float) -> None:
    """Compiled V2.1 HTree (bus 6048, tolerance 0.1, 1.1 x 0.9 mm units, folded ratio 4)."""
    t, w = setup(node)
    tree = HTree(t, w, rows, cols, 6048, 0.1)  # type: ignore[arg-type]
    got = (tree.latency_per_transfer_s(1.1e-3, 0.9e-3), tree.area_m2(1.1e-3, 0.9e-3, 4),
           tree.energy_per_bit_j(1.1e-3, 0.9e-3), tree.leakage_w(1.1e-3, 0.9e-3))
    assert got == pytest.approx((latency, area, ebit, leak), rel=1e-8)
    assert HTree(t, w, 1, 1, 64).latency_per_transfer_s(1e-3, 1e-3) == 0.0  # type: ignore[arg-type]


@pytest.mark.parametrize("node, tol, latency, energy, leak", [
    (32, 0.0, 5.362269051e-10, 5.978677186e-14, 2.258883298e-08),
    (32, 0.1, 5.947951432e-10, 8.434521825e-14, 4.630160615e-08),
    (22, 0.0, 4.029190153e-10, 5.262853031e-14, 2.427520710e-08),
    (22, 0.1, 4.433647494e-10, 7.582827549e-14, 5.159331886e-08)])
def test_bus(node: int, tol: float, latency: float, energy: float, leak: float) -> None:
    """Bus.cpp: horizontal bus over 4 units of 0.3 mm: length 3 x 0.3 mm; latency = length x unit delay;
    leakage over length x (rows + cols); zero area when it overlaps the PEs. Compiled V2.1 values."""
    t, w = setup(node)
    bus = Bus(t, w, 4, 4, 128, 2e-4, 3e-4, horizontal=True, delay_tolerance=tol)  # type: ignore[arg-type]
    r_w = 4.03e-8 / (40e-9 ** 2 * 1.9)
    assert bus.length_m == pytest.approx(9e-4)
    assert bus.latency_per_transfer_s == pytest.approx(9e-4 * unit_delay_by_hand(t, bus, r_w), rel=1e-12)
    assert (bus.latency_per_transfer_s, bus.energy_per_bit_j, bus.leakage_w) == pytest.approx(
        (latency, energy, leak), rel=1e-8)
    assert bus.area_m2() == 0.0
    assert bus.energy_j(128, 3) == pytest.approx(energy * 128 * 3, rel=1e-8)
    assert bus.latency_s(5) == pytest.approx(5 * latency, rel=1e-8)
    vertical = Bus(t, w, 3, 1, 128, 2e-4, 3e-4, horizontal=False)  # type: ignore[arg-type]
    assert vertical.length_m == pytest.approx(4e-4)
    assert Bus(t, w, 1, 1, 128, 2e-4, 3e-4).latency_per_transfer_s == 0.0  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.floats(min_value=1e-5, max_value=5e-3), st.floats(min_value=1e-5, max_value=5e-3),
       st.floats(min_value=1.01, max_value=4.0), st.sampled_from([(2, 2), (4, 4), (8, 2), (16, 16)]))
def test_htree_latency_grows_with_length(height: float, width: float, scale: float, grid: tuple[int, int]) -> None:
    """Longer units (a larger tile or chip) never make the H-tree faster or cheaper per bit."""
    t, w = setup(32)
    tree = HTree(t, w, grid[0], grid[1], 1024, 0.1)  # type: ignore[arg-type]
    assert tree.latency_per_transfer_s(height, width) < tree.latency_per_transfer_s(height * scale, width * scale)
    assert tree.energy_per_bit_j(height, width) < tree.energy_per_bit_j(height * scale, width)


def test_htree_latency_quirk_documented_value() -> None:
    """The compiled binary reads an uninitialised resistance in the latency loop; we use the Param value:
    4 x 4 tree of 1 mm tiles at 32 nm -> (3 + 5) mm x the unit delay."""
    t, w = setup(32)
    tree = HTree(t, w, 4, 4, 6048, 0.1)  # type: ignore[arg-type]
    assert tree.latency_per_transfer_s(1e-3, 1e-3) == pytest.approx(
        8e-3 * unit_delay_by_hand(t, tree, w.unit_length_resistance_ohm_per_m), rel=1e-12)  # type: ignore[attr-defined]
    assert math.isclose(tree.latency_per_transfer_s(1e-3, 1e-3), 5.444e-9, rel_tol=1e-3)
