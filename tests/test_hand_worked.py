"""1- and 2-layer nets on a 4x4-subarray chip, every latency and energy worked out by hand.

Chip (tests/data/tiny-chip.yaml), at the 45 nm / 0.9 V reference point so CMOS energies are unscaled:
  cell read  = 1 V^2 * 0.75 uS * 2 ns  = 0.0015 pJ      cell write = 4 V^2 * 0.75 uS * 10 ns = 0.03 pJ
  ADC        = 250 fJ * 2^2            = 1 pJ, 1 ns     add16 = 2 * 0.03 = 0.06 pJ (Horowitz 8-bit add x2)
  SRAM       = 10 pJ / 64 bit          = 0.15625 pJ/bit; passing the global buffer = 2x = 0.3125 pJ/bit
  MAC (WG)   = 0.2 + 0.1               = 0.3 pJ;   WG unit: 1 array 4x4 / (2 error bits * 2 mux) = 4 MAC/ns
  links 8 bit x 1 GHz = 8 Gb/s (bottleneck; DRAM channel 16 Gb/s), wires 0 pJ, DRAM 1 pJ/bit
Bits: weights 4 (1 cell), activations 2, errors 2, gradients 2. One image, one WU pulse per cell.
"""

from __future__ import annotations

import pytest

from helpers_spine import DATA, check_invariants, run
from simcim.hardware.area import tile_area_um2, tile_pitch_mm
from simcim.spec import load_architecture

CHIP = DATA / "tiny-chip.yaml"


def test_one_layer_4x2_every_number() -> None:
    sim, r = run(CHIP, DATA / "one-layer.yaml")
    check_invariants(sim, r)
    tasks = {t.name: t for t in sim.records.tasks}
    # FW: 8 bits in over the link (1 ns) | 2 input bits x (2 ns read + 2 x 1 ns ADC) + 1 ns shift-add = 9 ns
    #     | 8 bits out (2 outputs x 2 bits + error 2 x 2 bits) (1 ns)
    assert (tasks["L1.FW"].start_ps, tasks["L1.FW"].end_ps) == (0, 11_000)
    # FW energy: arrays 2 bits x 0.5 x 8 cells x 0.0015 = 0.012; ADC 2 bits x 2 columns x 1 pJ = 4;
    # shift-add 4 x 0.06 = 0.24; buffers (4 x 2 + 2 x 2) bits x 0.15625 = 1.875;
    # transfers 2 x 8 bits x (0.3125 buffer + 1 DRAM) = 21  -> 27.127 pJ
    assert tasks["L1.FW"].energy_pj == pytest.approx(27.127, rel=1e-12)
    # WG: read 4x2 + 2x2 + 8 weights x 2 bits = 28 bits (3.5 ns) | 8 MACs / 4 per ns + 1 ns = 3 ns
    #     | write 16 bits (2 ns) = 8.5 ns; energy 8 x 0.3 + 44 bits x 1 pJ = 46.4 pJ
    assert (tasks["L1.WG"].start_ps, tasks["L1.WG"].end_ps) == (11_000, 19_500)
    assert tasks["L1.WG"].energy_pj == pytest.approx(46.4, rel=1e-12)
    # WU: read 16 gradient bits (2 ns) | 4 rows x (LTP + LTD) x 1 pulse x 10 ns = 80 ns
    #     energy 8 cells x 0.03 + 8 adds x 0.06 + 16 bits x 1.3125 = 21.72 pJ
    assert (tasks["L1.WU"].start_ps, tasks["L1.WU"].end_ps) == (19_500, 101_500)
    assert tasks["L1.WU"].energy_pj == pytest.approx(21.72, rel=1e-12)
    assert r["per_iteration"]["latency_s"] == pytest.approx(101.5e-9, rel=1e-12)
    assert r["per_iteration"]["energy_j"] == pytest.approx(95.247e-12, rel=1e-12)
    assert r["per_epoch"]["latency_s"] == pytest.approx(10 * 101.5e-9, rel=1e-12)
    e = {k: v * 1e12 for k, v in r["energy_j_by_component"].items()}
    assert e["arrays"] == pytest.approx(0.012 + 0.24)
    assert e["adc"] == pytest.approx(4.0)
    assert e["accumulation"] == pytest.approx(0.24 + 0.48)
    assert e["buffers"] == pytest.approx(1.875 + 16 * 0.3125 + 16 * 0.3125)
    assert e["dram"] == pytest.approx(16 + 44 + 16)
    assert e["wg_units"] == pytest.approx(2.4)
    assert e["interconnect"] == 0.0 and e["leakage"] == 0.0


def test_two_layer_bp_contention_by_hand() -> None:
    """Two tasks wanting the one DRAM channel at the same instant: the older task (lower id) wins."""
    sim, r = run(CHIP, DATA / "two-layer.yaml")
    check_invariants(sim, r)
    spans = {t.name: (t.ready_ps, t.start_ps, t.end_ps) for t in sim.records.tasks}
    assert spans["L1.FW"] == (0, 0, 11_000)  # as the 1-layer FW (4x4: 4 columns -> ADC 8 pJ)
    assert spans["L2.FW"] == (11_000, 11_000, 22_000)
    # WG2 (id 2) and AG2 (id 3) both start at 22 ns and both read DRAM: WG2 first (22-25.5 ns),
    # AG2 reads 25.5-26.5, computes 9 ns, writes 35.5-36.5.
    assert spans["L2.WG"] == (22_000, 22_000, 30_500)
    assert spans["L2.AG"] == (22_000, 22_000, 36_500)
    # WU2 is ready at 30.5 ns but its tile is busy with AG2 until 36.5; then WG1 (id 4) beats
    # WU2 (id 6) to the channel: WG1 reads 48 bits 36.5-42.5, 16 MACs 5 ns, writes 32 bits 47.5-51.5.
    assert spans["L2.WU"] == (30_500, 36_500, 124_500)  # reads 42.5-44.5, pulses 80 ns
    assert spans["L1.WG"] == (36_500, 36_500, 51_500)
    assert spans["L1.WU"] == (51_500, 51_500, 135_500)  # reads 32 bits 4 ns, pulses 80 ns
    assert r["per_iteration"]["latency_s"] == pytest.approx(135.5e-9, rel=1e-12)
    # FW1 32.004 + FW2 27.127 + AG2 31.367 + WG2 46.4 + WG1 84.8 + WU2 21.72 + WU1 43.44
    assert r["per_iteration"]["energy_j"] == pytest.approx(286.858e-12, rel=1e-12)
    wu2 = r["layers"][1]["phases"]["WU"]
    assert wu2["wait_s"] == pytest.approx(6e-9, rel=1e-12)


def test_tiny_chip_area_by_hand() -> None:
    arch = load_architecture(CHIP)
    tile = tile_area_um2(arch)
    # 16 cells x 12 F^2 x (0.045 um)^2 + 4 row drivers x 36/8 um^2
    assert tile["arrays"] == pytest.approx(16 * 12 * 0.045**2 + 4 * 4.5)
    assert tile["adc"] == pytest.approx(2 * 10.0)
    assert tile["accumulation"] == pytest.approx(2 * 72.0)  # one 16-bit shift-add per ADC
    # PE buffer + tile buffer: 2 x 1 kB x 8192 bit x 0.346 um^2 x 1.5
    assert tile["buffers"] == pytest.approx(2 * 8192 * 0.346 * 1.5)
    assert tile_pitch_mm(arch) == pytest.approx(sum(tile.values()) ** 0.5 / 1000)
    _, r = run(CHIP, DATA / "one-layer.yaml")
    a = {k: v * 1e6 for k, v in r["area_mm2"]["by_component"].items()}
    assert a["buffers"] == pytest.approx(3 * 8192 * 0.346 * 1.5)  # + 1 kB global buffer
    assert a["wg_units"] == pytest.approx(16 * 0.346 * 1.5 + 4 * 137.0)  # SRAM + 4 accumulators
    # links tile0-gbuf and wg0-dram: 2 x 8 bits x pitch, at 4 F pitch per wire
    assert a["interconnect"] == pytest.approx(2 * 8 * tile_pitch_mm(arch) * 1000 * 4 * 0.045)
    assert r["area_mm2"]["total"] == pytest.approx(sum(a.values()) * 1e-6)
