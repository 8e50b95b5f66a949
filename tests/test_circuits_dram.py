"""Dram (simcim.hardware.circuits.dram) against DRAM.cpp, worked by hand."""

from __future__ import annotations

import pytest

from simcim.hardware.circuits.dram import DRAM_KINDS, Dram


def test_kinds_by_hand() -> None:
    """DRAM.cpp:DRAM::Initialize: GDDR5 4.288 Tbit/s, 14 pJ/bit; HBM2 15.2 Tbit/s, 3.9 pJ/bit."""
    assert DRAM_KINDS == ("gddr5", "hbm2")
    assert (Dram("gddr5").bandwidth_bit_per_s, Dram("gddr5").energy_per_bit_j) == (4.288e12, 14e-12)
    assert (Dram().bandwidth_bit_per_s, Dram().energy_per_bit_j) == (15.2e12, 3.9e-12)


def test_latency_and_energy_by_hand() -> None:
    """DRAM.cpp:CalculateLatency/CalculatePower: bits / bandwidth and bits x energy per bit. A VGG-8 conv2 image's
    weight-gradient traffic, 2 x 8192 + 2 x 2 211 840 bits, takes 292.11 ns and 17.316 uJ on HBM2."""
    bits = 2 * 8192 + 2 * 128 * 9 * 128 * 15
    hbm = Dram("hbm2")
    assert hbm.latency_s(bits) == pytest.approx(bits / 15.2e12, rel=1e-12)
    assert hbm.latency_s(bits) == pytest.approx(292.11e-9, rel=1e-4)
    assert hbm.energy_j(bits) == pytest.approx(17.316e-6, rel=1e-4)
    assert Dram("gddr5").latency_s(bits) == pytest.approx(1.0355e-6, rel=1e-4)


def test_unknown_kind_raises() -> None:
    with pytest.raises(ValueError):
        Dram("ddr4")
