"""simcim.hardware.circuits.technology against NeuroSim's Technology.cpp / Param.cpp, worked by hand."""

from __future__ import annotations

import math

import pytest

from simcim.hardware.circuits.technology import NODES_NM, technology, wire

# PTM card values typed from Technology.cpp (conventional CMOS, LSTP): vdd, C_ideal, C_fringe, Ion_N, Ion_P at 300 K
CARD = {32: (0.9, 8.375279e-10, 6.856677e-10, 600.2, 400.0), 22: (0.85, 5.245e-10, 8.004e-10, 791.9, 600.2)}


@pytest.mark.parametrize("node", [32, 22])
def test_derived_constants_by_hand(node: int) -> None:
    """Technology.cpp:Technology::Initialize -- feature size, overlap cap, p/n ratio, junction caps."""
    vdd, c_ideal, c_fringe, ion_n, ion_p = CARD[node]
    t = technology(node, "LSTP")
    assert t.feature_size_m == pytest.approx(node * 1e-9, rel=1e-15)
    assert t.cap_overlap_f_per_m == pytest.approx(0.2 * c_ideal, rel=1e-12)
    assert t.cap_gate_f_per_m == pytest.approx(c_ideal * 1.2 + c_fringe, rel=1e-12)
    assert t.pn_size_ratio == pytest.approx(ion_n / ion_p, rel=1e-12)
    assert t.cap_junction_f_per_m2 == pytest.approx(1e-3 / (1 + vdd / 0.9) ** 0.5, rel=1e-12)
    assert t.cap_sidewall_f_per_m == pytest.approx(2.5e-10 / (1 + vdd / 0.9) ** 0.33, rel=1e-12)
    assert t.cap_drain_to_channel_f_per_m == pytest.approx(0.5e-10 / (1 + vdd / 0.9) ** 0.33, rel=1e-12)
    assert not t.finfet


def test_temperature_interpolation_by_hand() -> None:
    """Technology.cpp:Technology::Initialize (Interpolate loops): X[i] = X[10k] + (X[10k+10] - X[10k]) (i mod 10)/10."""
    t = technology(32, "LSTP", 305.0)
    assert t.on_current_n_a_per_m == pytest.approx(600.2 + (562.8 - 600.2) * 5 / 10, rel=1e-12)
    t = technology(22, "LSTP", 317.9)  # (int)T - 300 = 17
    assert t.temperature_k == 317.0
    assert t.on_current_p_a_per_m == pytest.approx(561.3 + (525.5 - 561.3) * 7 / 10, rel=1e-12)
    assert t.off_current_n_a_per_m == pytest.approx(0.0001473 + (0.0002121 - 0.0001473) * 7 / 10, rel=1e-12)
    # the p/n ratio stays the 300 K one
    assert t.pn_size_ratio == pytest.approx(791.9 / 600.2, rel=1e-12)
    assert technology(32, "HP", 400.0).on_current_n_a_per_m == 1080.0


def test_finfet_nodes_truncate_pn_ratio_and_drop_overlap() -> None:
    """Technology.cpp:Technology::Initialize -- (int) p/n ratio and no overlap term at 14/10/7 nm."""
    t = technology(14, "LSTP")
    assert t.finfet and t.pn_size_ratio == 1.0 == float(int(893 / 820))
    assert t.cap_overlap_f_per_m == 0.0
    assert (t.fin_height_m, t.fin_width_m, t.fin_pitch_m) == (2.3e-08, 1e-08, 3.2e-08)
    # the 10 nm HP PMOS off-current typo is kept
    assert technology(10, "HP").off_current_p_a_per_m == 0.0016268


def test_every_node_and_roadmap_builds() -> None:
    assert NODES_NM == (130, 90, 65, 45, 32, 22, 14, 10, 7)
    for node in NODES_NM:
        for roadmap in ("LSTP", "HP"):
            t = technology(node, roadmap)
            assert t.vdd_v > t.vth_v > 0 and t.on_current_n_a_per_m > 0


@pytest.mark.parametrize("node, roadmap, temperature", [(28, "LSTP", 300.0), (32, "LP", 300.0), (32, "LSTP", 299.0),
                                                        (32, "LSTP", 401.0)])
def test_unsupported_inputs_raise(node: int, roadmap: str, temperature: float) -> None:
    with pytest.raises(ValueError):
        technology(node, roadmap, temperature)


@pytest.mark.parametrize("node, width_nm, aspect, rho", [(32, 40, 1.90, 4.03e-8), (22, 32, 1.90, 4.51e-8)])
def test_wire_unit_resistance_by_hand(node: int, width_nm: int, aspect: float, rho: float) -> None:
    """Param.cpp:Param::Param -- unitLengthWireResistance = Rho / (w^2 AR); Rho x (1 + 0.00451 |T - 300|)."""
    w = wire(node)
    assert w.width_nm == width_nm
    assert w.unit_length_resistance_ohm_per_m == pytest.approx(rho / ((width_nm * 1e-9) ** 2 * aspect), rel=1e-12)
    assert w.capacitance_f_per_m == pytest.approx(2e-10, rel=1e-12)
    hot = wire(node, 350.0)
    assert hot.unit_length_resistance_ohm_per_m == pytest.approx(
        rho * (1 + 0.00451 * 50) / ((width_nm * 1e-9) ** 2 * aspect), rel=1e-12)
    # per-cell segment of a 1T1R cell: unit R x wireWidth x 4
    assert w.cell_segment_resistance_ohm(4) == pytest.approx(
        rho / ((width_nm * 1e-9) ** 2 * aspect) * width_nm * 1e-9 * 4, rel=1e-12)


def test_wire_default_param_value_and_override() -> None:
    """Param.cpp default (wireWidth 40): 1.325658e7 ohm/m, 2.121053 ohm per 1T1R cell, whatever the node."""
    w = wire(22, width_nm=40)
    assert w.unit_length_resistance_ohm_per_m == pytest.approx(1.325658e7, rel=1e-6)
    assert w.cell_segment_resistance_ohm(4) == pytest.approx(2.121053, rel=1e-6)
    assert wire(10).width_nm == 14 and wire(7).width_nm == 14 and wire(130).width_nm == 200
    with pytest.raises(ValueError):
        wire(32, width_nm=41)
    with pytest.raises(ValueError):
        wire(28)
    assert math.isfinite(wire(7, 400.0).unit_length_resistance_ohm_per_m)
