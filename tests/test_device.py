"""The device model: G(p), the NL -> a mapping, pulse updates, c2c / d2d variation, crossbar reads."""

import math

import numpy as np
import pytest
import torch

from simcim.spec import load_architecture
from simcim.spec.workload import Workload
from simcim.training.crossbar import ReadModel, adc_quantize, crossbar_mvm
from simcim.training.device import CellArray, layer_scale, wage_init_limit
from simcim.training.nonlinearity import (a_of_label, bend, label_of_a, ltd_conductance, ltd_pulses,
                                          ltp_conductance, ltp_pulses)
from simcim.training.settings import Nonidealities, hardware_model

ARCH = load_architecture("architectures/neurosim-fefet-22nm.yaml")
TINY = Workload.model_validate({"name": "tiny", "input_shape": [4],
                                "layers": [{"kind": "linear", "out_features": 3, "activation": "none"}]})


def test_nl_label_to_a_reproduces_the_published_pairs() -> None:
    # NeuroSim's Nonlinearity-NormA table: NL 1.75 -> 0.702, 1.46 -> 0.849, 2.4 -> 0.499; NL 0 is linear (a infinite).
    a = a_of_label([1.75, 1.46, 2.4, 0.0])
    assert np.allclose(a[:3], [0.702, 0.849, 0.499], atol=5e-4)
    assert math.isinf(a[3])
    # a falls as NL grows, and the inverse gives the label back.
    labels = np.array([0.3, 1.0, 2.0, 3.0, 5.0])
    a = a_of_label(labels)
    assert np.all(np.diff(a) < 0)
    assert np.allclose(label_of_a(a), labels, atol=1e-3)


def test_published_pairs_satisfy_the_bend_definition() -> None:
    # The pairs all satisfy NL = k * D(a) with one k (10.10): the definition nonlinearity.py solves.
    ks = [nl / float(bend(a)) for nl, a in ((1.46, 0.849), (1.75, 0.702), (2.4, 0.499))]
    assert max(ks) - min(ks) < 0.01 and abs(ks[0] - 10.10) < 0.01


def test_g_of_p_by_hand() -> None:
    # a = 0.702, Pmax = 63: A = 44.226, B = 2 / (1 - e^(-63/44.226)) = 2.63376;
    # G(21) = B (1 - e^(-21/44.226)) - 1 = -0.004409; G(1) = -0.941116.
    a = torch.tensor(0.702)
    g = ltp_conductance(torch.tensor([0.0, 1.0, 21.0, 63.0]), a, 63)
    assert torch.allclose(g, torch.tensor([-1.0, -0.941116, -0.004409, 1.0]), atol=1e-5)
    # Steps shrink along LTP (steep near Gmin) and the inverse recovers p.
    p = torch.arange(64.0)
    g = ltp_conductance(p, a, 63)
    assert torch.all(torch.diff(g)[1:] < torch.diff(g)[:-1])
    assert torch.allclose(ltp_pulses(g, a, 63), p, atol=1e-3)
    # LTD is the mirror: its steps are largest near Gmax, where depression starts.
    gd = ltd_conductance(p, torch.tensor(0.849), 63)
    assert gd[0] == pytest.approx(-1.0, abs=1e-6) and gd[-1] == pytest.approx(1.0, abs=1e-6)
    assert torch.diff(gd)[-1] > torch.diff(gd)[0]
    assert torch.allclose(ltd_pulses(gd, torch.tensor(0.849), 63), p, atol=1e-3)


def test_nl_zero_is_linear() -> None:
    p = torch.tensor([0.0, 31.5, 63.0])
    assert torch.allclose(ltp_conductance(p, torch.tensor(float("inf")), 63), torch.tensor([-1.0, 0.0, 1.0]))


def _cells(on: Nonidealities, w: torch.Tensor, seed: int = 0) -> CellArray:
    return CellArray(w, hardware_model(ARCH, TINY, on), torch.Generator().manual_seed(seed))


def test_one_pulse_moves_a_cell_one_level_along_its_curve() -> None:
    on = Nonidealities(quantization=False, nonlinearity=True, variation=False, adc=False, read_noise=False)
    cells = _cells(on, torch.zeros(4, 3))
    a = float(a_of_label(1.75))
    start = cells.weight.clone()
    p0 = ltp_pulses(start, torch.tensor(a), 63)
    assert torch.allclose(p0, p0.round(), atol=1e-3)  # programmed onto a level
    pulses = cells.update(torch.full((4, 3), 2.0 / 63))  # exactly one linear pulse up
    assert pulses == 12
    assert torch.allclose(cells.weight, ltp_conductance(p0 + 1, torch.tensor(a), 63), atol=1e-5)


def _one_cell(curve: str, nl: float) -> CellArray:
    arch = load_architecture("architectures/neurosim-fefet-22nm.yaml", {
        "device.nonlinearity.ltp": nl, "device.nonlinearity.ltd": nl, "device.nonlinearity.ltd_curve": curve})
    on = Nonidealities(quantization=False, nonlinearity=True, variation=False, adc=False, read_noise=False)
    return CellArray(torch.full((4, 3), 0.3), hardware_model(arch, TINY, on), torch.Generator().manual_seed(0))


def test_retrace_returns_to_the_start_and_mirrored_does_not() -> None:
    # A_LTP = A_LTD (NL 1.75 both, a = 0.702, A = 44.226, B = 2.63376), fan_in 4 so alpha = 1.
    # The cell starts at the level nearest 0.3: p0 = round(-A ln(1 - 1.3/B)) = round(30.09) = 30,
    # G(30) = B(1 - e^(-30/A)) - 1 = 0.29723 (atol covers a_of_label(1.75) = 0.702 +- 5e-4).
    one = 2.0 / 63  # a requested change of exactly one (linear) pulse
    retrace = _one_cell("retrace", 1.75)
    assert retrace.scale == 1.0
    start = retrace.weight.clone()
    assert torch.allclose(start, torch.tensor(0.29723), atol=3e-4)
    retrace.update(torch.full((4, 3), one))  # up to G(31) = 0.32711
    assert torch.allclose(retrace.weight, torch.tensor(0.32711), atol=3e-4)
    retrace.update(torch.full((4, 3), -one))  # retrace: back down the same curve to G(30)
    assert torch.allclose(retrace.weight, start, atol=1e-6)
    # Mirrored: down runs on 1 - B(1 - e^(-(63 - p)/A)). 0.32711 sits at p = 63 + A ln(1 - 0.67289/B)
    # = 49.952 there; one pulse down gives p = 48.952 and G = 1 - B(1 - e^(-14.048/A)) = 0.28327:
    # the down step (0.0438) is larger than the up step (0.0299), so the cell ends below its start.
    mirrored = _one_cell("mirrored", 1.75)
    mirrored.update(torch.full((4, 3), one))
    mirrored.update(torch.full((4, 3), -one))
    assert torch.allclose(mirrored.weight, torch.tensor(0.28327), atol=3e-4)
    assert not torch.allclose(mirrored.weight, start, atol=1e-3)


def test_wage_layer_scale_by_hand() -> None:
    # alpha = max(1, 2^round(log2(0.75 / sqrt(3 / fan_in)))) for 6 bits (NeuroSim V2.1 wage_initializer).
    assert layer_scale(784, 6) == 16  # 0.75 / 0.0619 = 12.1
    assert layer_scale(1024, 6) == 16  # 0.75 / 0.0541 = 13.9
    assert layer_scale(64, 6) == 4  # 0.75 / 0.2165 = 3.46
    assert layer_scale(4, 6) == 1  # 0.75 / 0.866 < 1 -> 1
    assert layer_scale(784, 5) == 32  # Wm = 1.5 for 5 bits


def test_c2c_noise_statistics() -> None:
    # After each update the written cells get + N(0, c2c * (Gmax - Gmin)), Gmax - Gmin = 2 here.
    on = Nonidealities(quantization=True, nonlinearity=False, variation=True, adc=False, read_noise=False)
    w = torch.zeros(200, 250)
    cells = _cells(on, w)
    before = cells.weight.clone()
    step = cells.pulse_step
    cells.update(torch.full_like(w, step))  # one grid step on every cell
    drift = (cells.weight - before - step) * cells.scale  # in cell units ([-1, 1])
    assert cells.scale == 8  # WAGE alpha for fan_in 200: 0.75 / sqrt(3/200) = 6.1 -> 2^3
    sigma = ARCH.device.variation.c2c * 2.0
    assert abs(float(drift.mean())) < 4 * sigma / math.sqrt(w.numel())
    assert float(drift.std()) == pytest.approx(sigma, rel=0.02)
    # Cells that are not written get no noise.
    unchanged = cells.weight.clone()
    cells.update(torch.zeros_like(w))
    assert torch.equal(cells.weight, unchanged)


def test_d2d_spreads_the_label_per_device() -> None:
    arch = load_architecture("architectures/rram-32nm.yaml")  # d2d 0.05 around NL 2.4
    hw = hardware_model(arch, TINY, Nonidealities())
    cells = CellArray(torch.zeros(100, 100), hw, torch.Generator().manual_seed(3))
    labels = label_of_a(cells.a_ltp.double().numpy())
    assert labels.mean() == pytest.approx(2.4, abs=0.01)
    assert labels.std() == pytest.approx(0.05, rel=0.05)


def test_exact_read_is_a_matmul_and_adc_error_is_within_half_a_bin() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(16, 300, generator=g)
    w = torch.rand(300, 5, generator=g) * 2 - 1
    exact = ReadModel(128, None, 0.0, 10.0)
    assert torch.allclose(crossbar_mvm(x, w, exact, g), x @ w)
    # 5-bit ADC per 128-row group: three groups, each off by at most half a bin (in weight units).
    adc = ReadModel(128, 5, 0.0, 10.0)
    y = crossbar_mvm(x, w, adc, g)
    bound = 0.0
    for lo in range(0, 300, 128):
        part = x[:, lo:lo + 128] @ w[lo:lo + 128]
        bound += float(part.max() - part.min()) / 32 / 2
    assert float((y - x @ w).abs().max()) <= bound + 1e-4
    assert float((y - x @ w).abs().max()) > 0
    q = adc_quantize(torch.tensor([0.0, 0.49, 0.51, 1.0]), torch.tensor(0.0), torch.tensor(1.0), 1)
    assert q.tolist() == [0.25, 0.25, 0.75, 0.75]


def test_read_noise_grows_as_the_on_off_ratio_falls() -> None:
    # The common mode Gref * sum(x) carries noise too: a low ratio (large Gmin) is noisier.
    g = torch.Generator().manual_seed(0)
    x = torch.rand(400, 128, generator=g)
    w = torch.zeros(128, 8)
    err = {}
    for ratio in (2.0, 100.0):
        y = crossbar_mvm(x, w, ReadModel(128, None, 0.01, ratio), g)
        err[ratio] = float(y.std())
    assert err[2.0] > 1.5 * err[100.0]


def test_scaled_layers_are_read_in_cell_units() -> None:
    # A layer with WAGE alpha holds w * alpha in its cells: the read is of those, divided by alpha.
    g = torch.Generator().manual_seed(0)
    x = torch.rand(16, 300, generator=g)
    w = (torch.rand(300, 5, generator=g) * 2 - 1) / 16
    adc = ReadModel(128, 5, 0.0, 10.0)
    assert torch.allclose(crossbar_mvm(x, w, adc, g, scale=16.0), crossbar_mvm(x, w * 16, adc, g) / 16, atol=1e-6)
    # Read noise is relative to the cell currents (weight signal plus reference): reading the
    # unscaled w would make the same noise 16x larger against the signal.
    noisy = ReadModel(128, None, 0.01, 10.0)
    err_cells = float((crossbar_mvm(x, w, noisy, g, scale=16.0) - x @ w).std())
    err_flat = float((crossbar_mvm(x, w, noisy, g) - x @ w).std())
    assert err_cells < err_flat / 4


def _neurosim_cells(on: Nonidealities, w: torch.Tensor) -> CellArray:
    cells = CellArray(w, hardware_model(ARCH, TINY, on, "neurosim"), torch.Generator().manual_seed(0))
    assert cells.scale == 1.0  # fan_in 2: alpha = max(1, 2^round(log2(0.75 / 1.22))) = 1
    cells.weight = w.clone()  # hand-picked cell values (the rounding onto levels is tested above)
    return cells


def test_neurosim_update_by_hand_on_a_linear_cell() -> None:
    # DNN+NeuroSim V2.1 QG with quantization only (a linear cell, G(p) = 2p/64 - 1), 6-bit W and G.
    cells = _neurosim_cells(Nonidealities(True, False, False, False, False),
                            torch.tensor([[0.5, -0.25], [0.90625, 0.125]]))
    x = torch.tensor([[0.3, -0.2], [-0.2, 0.003]])
    # 1. max|x| = 0.3, 2^round(log2 0.3) = 2^-2: x / 0.25 = [[1.2, -0.8], [-0.8, 0.012]].
    # 2. n = round(x / 2 * 64) = [[38, -26], [-26, 0]] (0.384 rounds to no pulse at all).
    # 3. new = c - n/32 = [[-0.6875, 0.5625], [1.71875 -> clipped to 31/32, 0.125]],
    #    d = c - new = [[1.1875, -0.8125], [-0.0625, 0]].
    # 4. seed 0 draws u = [[0.4963, 0.7682], [0.0885, 0.1320]]; floor(d + u) = [[1, -1], [0, 0]]:
    #    c -= that / 32.
    pulses = cells.update_neurosim(x)
    assert pulses == 2
    assert torch.allclose(cells.weight, torch.tensor([[0.46875, -0.21875], [0.90625, 0.125]]))


def test_neurosim_update_by_hand_along_the_device_curve() -> None:
    # FeFET NL 1.75 (LTP, a 0.702) / 1.46 (LTD, a 0.849), retrace, numLevel = 64 = the curve's Pmax.
    cells = _neurosim_cells(Nonidealities(True, True, False, False, False), torch.zeros(2, 1))
    # x / 2^round(log2 0.25) = [0.5, -1] -> n = [16, -32] (16 down, 32 up) from c = 0.
    # Down, A_LTD = 0.849 * 64 = 54.336, B = 2 / (1 - e^(-64/54.336)) = 2.88992:
    #   p = -A ln(1 - 1/B) = 23.076; G(23.076 - 16) = B (1 - e^(-7.076/A)) - 1 = -0.6471, d = 0.6471.
    # Up, A_LTP = 0.702 * 64 = 44.928, B = 2.63376: p = 21.454; G(53.454) = 0.8323, d = -0.8323.
    # (A linear cell would give d = 0.5 and -1.0.) Seed 0: u = [0.4963, 0.7682]:
    # floor(0.6471 + 0.4963) = 1, floor(-0.8323 + 0.7682) = -1: one LSB (1/32) down and one up.
    pulses = cells.update_neurosim(torch.tensor([[0.125], [-0.25]]))
    assert pulses == 2
    assert torch.allclose(cells.weight, torch.tensor([[-1 / 32], [1 / 32]]))
    # The curve step itself (d), checked with the same draws shifted: u = 0 would give floor(d).
    a = torch.tensor([float(a_of_label(1.46)), float(a_of_label(1.75))])
    p = ltp_pulses(torch.zeros(2), a, 64) - torch.tensor([16.0, -32.0])
    assert torch.allclose(ltp_conductance(p, a, 64), torch.tensor([-0.6471, 0.8323]), atol=1e-4)


def test_neurosim_c2c_only_on_cells_that_moved() -> None:
    # W(x, grad, bits, sigma): + N(0, 2 sigma) where the applied update is nonzero, then clip.
    on = Nonidealities(True, True, True, False, False)
    start = torch.linspace(-0.5, 0.5, 400).reshape(2, 200)
    cells = _neurosim_cells(on, start)
    x = torch.zeros(2, 200)
    x[0] = 1.0  # 32 pulses down in row 0; row 1 gets no pulse
    cells.update_neurosim(x)
    assert torch.equal(cells.weight[1], start[1])
    moved = cells.weight[0] - start[0]
    # A cell moves by SR(d) LSBs (1/32; d shrinks toward the clip at -31/32) plus c2c noise of
    # sigma 2 * 0.003, or not at all (SR(d) = 0: no write, no noise).
    changed = moved != 0
    assert 100 < int(changed.sum()) < 200
    lsbs = torch.round(-moved[changed] * 32)
    assert set(lsbs.tolist()) <= {0.0, 1.0, 2.0}
    noise = moved[changed] + lsbs / 32
    assert 0.004 < float(noise.std()) < 0.008


@pytest.mark.parametrize("d2d", [0.0, 0.3, 5.0])  # 5.0: some labels clamp to 0, linear cells
def test_neurosim_closed_form_retrace_matches_the_curve(d2d: float) -> None:
    # The fast path's c - G(G^-1(c) - n) = (B - 1 - c)(e^(n/A) - 1) against log/exp on the curve.
    arch = load_architecture("architectures/neurosim-fefet-22nm.yaml", {"device.variation.d2d": d2d})
    hw = hardware_model(arch, TINY, Nonidealities(True, True, True, False, False), "neurosim")  # d2d needs variation on
    cells = CellArray(torch.zeros(64, 50), hw, torch.Generator().manual_seed(3))
    assert (cells._closed_form is None) == (d2d == 5.0)
    g = torch.Generator().manual_seed(4)
    c = torch.rand(64, 50, generator=g) * 1.9 - 0.95
    n = torch.randint(-40, 41, (64, 50), generator=g).float()
    got = cells._curve_change(c.clone(), n, 64)
    a = torch.where(n < 0, cells.a_ltp, cells.a_ltd)
    want = c - ltp_conductance(ltp_pulses(c, a, 64) - n, a, 64)
    assert torch.allclose(got, want, atol=2e-4)
    assert float(got[n == 0].abs().max()) == 0.0
    assert bool((got[n > 0] > 0).all()) and bool((got[n < 0] < 0).all())  # n > 0 lowers the weight


def test_tabled_change_is_bit_for_bit_the_closed_form() -> None:
    # The per-pulse-count lookup must reproduce the closed form exactly (same seed, same weights),
    # on a layer-sized tensor (vectorized expm1) and on an odd-sized one (scalar tail).
    arch = load_architecture("architectures/neurosim-fefet-22nm.yaml")
    hw = hardware_model(arch, TINY, Nonidealities(True, True, True, False, False), "neurosim")
    for shape in ((784, 1024), (37, 3)):
        cells = CellArray(torch.zeros(shape), hw, torch.Generator().manual_seed(3))
        assert isinstance(cells._closed_form, tuple) and isinstance(cells._closed_form[0][0], float)
        g = torch.Generator().manual_seed(5)
        c = torch.rand(shape, generator=g) * 1.9 - 0.95
        n = torch.randint(-45, 46, shape, generator=g).float()
        want = cells._curve_change(c.clone(), n, 64)
        got = cells._tabled_change(c.clone(), n.clone(), 45)
        assert torch.equal(got, want)
        assert float(got[n == 0].abs().max()) == 0.0


def test_neurosim_update_in_float_math_by_hand() -> None:
    # Ideal memory, NeuroSim's step without its roundings: -x / 2^round(log2 max|x|) / 2^(bits_G-1)
    # in cell units, divided by the layer scale alpha the cells would have (fan_in 1024: 16).
    hw = hardware_model(ARCH, TINY, Nonidealities.ideal(), "neurosim")
    assert hw.weight_update == "neurosim" and hw.weight_bits is None
    w = torch.zeros(1024, 2)
    cells = CellArray(w, hw, torch.Generator().manual_seed(0))
    assert cells.mode == "float" and cells.update_scale == 16
    x = torch.zeros(1024, 2)
    x[0] = torch.tensor([0.3, -0.003])  # max 0.3 -> shift 0.25: x / 0.25 = [1.2, -0.012]
    cells.update_neurosim(x)
    assert torch.allclose(cells.weight[0], torch.tensor([-1.2, 0.012]) / 32 / 16)
    assert float(cells.weight[1:].abs().max()) == 0.0
    # W()'s clip holds too: +-(1 - 2^-5) in cell units, /16 in the layer.
    for _ in range(40):
        cells.update_neurosim(x)
    assert float(cells.weight[0, 0]) == pytest.approx(-31 / 32 / 16)
    # Without a named rule an ideal memory trains by plain SGD.
    assert hardware_model(ARCH, TINY, Nonidealities.ideal()).weight_update == "float"


def test_wage_init_limit_by_hand() -> None:
    # NeuroSim V2.1 wage_init_ (factor 1): cells U(+-max(Wm, sqrt(3 / fan_in))), read divided by alpha.
    assert wage_init_limit(1024, 6) == 0.75 / 16  # Wm 0.75 > 0.054
    assert wage_init_limit(784, 6) == 0.75 / 16
    assert wage_init_limit(64, 6) == 0.75 / 4
    assert abs(wage_init_limit(4, 6) - math.sqrt(3 / 4)) < 1e-12  # float_limit 0.866 > Wm, alpha 1
    assert wage_init_limit(784, 5) == 1.5 / 32


def _deep(init: str, width: int = 256, depth: int = 8) -> Workload:
    hidden = [{"kind": "linear", "out_features": width, "activation": "relu"}] * (depth - 1)
    return Workload.model_validate({"name": "deep", "input_shape": [784], "training": {"init": init},
                                    "layers": [*hidden, {"kind": "linear", "out_features": 10, "activation": "none"}]})


def test_wage_init_draws_neurosim_cells_and_keeps_a_deep_net_alive() -> None:
    from simcim.training.chip import ChipNetwork

    x = torch.rand(200, 784, generator=torch.Generator().manual_seed(5))
    alive = {}
    for init in ("glorot-half", "wage"):
        wl = _deep(init)
        net = ChipNetwork(wl, hardware_model(ARCH, wl, Nonidealities.ideal()), "bp", 10, torch.Generator().manual_seed(0))
        w = net.weights[1]  # 256 x 256
        limit = wage_init_limit(256, 6) if init == "wage" else 0.5 * math.sqrt(6 / 512)
        assert float(w.abs().max()) <= limit and float(w.abs().max()) > 0.99 * limit
        assert abs(float(w.std()) - limit / math.sqrt(3)) < 0.01 * limit  # uniform: sd = L / sqrt(3)
        quantized = ChipNetwork(wl, hardware_model(ARCH, wl, Nonidealities()), "bp", 10, torch.Generator().manual_seed(0))
        _, records = quantized.forward(x)
        alive[init] = float((records[-1].rows > 0).float().mean())  # the last layer's inputs
    # Seven ReLU layers with 8-bit activations: the small start fades below one step, WAGE's does not.
    assert alive["glorot-half"] < 0.05 < 0.3 < alive["wage"]
