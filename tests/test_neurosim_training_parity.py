"""Training as DNN+NeuroSim V2.1 trains (Training_pytorch/train.py, utee/wage_quantizer.py): the sign of a
nonlinearity label, one d2d draw per device for LTP and LTD, and its momentum buffer (`momentum: neurosim`)."""

import math

import numpy as np
import pytest
import torch

from simcim.errors import SpecError
from simcim.spec import load_architecture, load_workload
from simcim.spec.workload import Workload
from simcim.training.device import CellArray
from simcim.training.nonlinearity import a_of_label, label_of_a, ltd_conductance, ltp_conductance, ltp_pulses
from simcim.training.settings import Nonidealities, hardware_model
from simcim.training.trainer import TrainOptions, Trainer, neurosim_sized

torch.set_num_threads(1)
TINY = Workload.model_validate({"name": "tiny", "input_shape": [4],
                                "layers": [{"kind": "linear", "out_features": 3, "activation": "none"}]})
ARCH_FILE = "architectures/neurosim-fefet-22nm.yaml"


def test_a_negative_label_is_neurosims_formula_with_a_negative_a() -> None:
    # GetParamA keeps sign(NL): a = -0.849 (NL -1.46), Pmax = 63: A = -53.487,
    # B = 2 / (1 - e^(63/53.487)) = -0.889915; G(p) = B(1 - e^(-p/A)) - 1 worked in float64:
    # G(1) = -0.983206, G(21) = -0.572081, G(62) = 0.946472 (steps grow toward Gmax: the mirrored shape).
    a = a_of_label(-1.46)
    assert float(a) == pytest.approx(-float(a_of_label(1.46)))
    assert float(label_of_a(a)) == pytest.approx(-1.46, abs=1e-3)
    p = torch.tensor([0.0, 1.0, 21.0, 62.0, 63.0])
    g = ltp_conductance(p, torch.tensor(-0.849), 63)
    assert torch.allclose(g, torch.tensor([-1.0, -0.983206, -0.572081, 0.946472, 1.0]), atol=1e-5)
    assert torch.allclose(ltp_pulses(g, torch.tensor(-0.849), 63), p, atol=1e-3)
    # ... which is the |label| curve mirrored (the `ltd_curve: mirrored` shape).
    assert torch.allclose(g, ltd_conductance(p, torch.tensor(0.849), 63), atol=1e-6)


def test_strongly_bent_negative_labels_stay_finite() -> None:
    # a = -0.001: B = 2 / (1 - e^(1000)) overflows written directly; the mirror form does not.
    p = torch.linspace(0, 63, 64)
    g = ltp_conductance(p, torch.tensor(-0.001), 63)
    assert bool(torch.isfinite(g).all()) and float(g[0]) == -1.0 and float(g[-1]) == pytest.approx(1.0)


def _cells(overrides: dict[str, object], seed: int = 3) -> CellArray:
    arch = load_architecture(ARCH_FILE, overrides)
    hw = hardware_model(arch, TINY, Nonidealities(True, True, True, False, False), "neurosim")
    return CellArray(torch.zeros(64, 50), hw, torch.Generator().manual_seed(seed))


def test_negative_ltd_label_under_retrace_moves_cells_as_mirrored_does() -> None:
    neg = _cells({"device.nonlinearity.ltd": -1.46, "device.variation.c2c": 0.0})
    mir = _cells({"device.nonlinearity.ltd": 1.46, "device.nonlinearity.ltd_curve": "mirrored",
                  "device.variation.c2c": 0.0})
    g = torch.Generator().manual_seed(4)
    c = torch.rand(64, 50, generator=g) * 1.9 - 0.95
    n = torch.randint(-40, 41, (64, 50), generator=g).float()
    got = neg._curve_change(c.clone(), n, 64)
    want = mir._curve_change(c.clone(), n, 64)
    assert torch.allclose(got, want, atol=2e-5)
    # Down steps (n > 0) now differ from the positive label's retrace: the sign is not dropped.
    pos = _cells({"device.nonlinearity.ltd": 1.46, "device.variation.c2c": 0.0})
    other = pos._curve_change(c.clone(), n, 64)
    assert float((other - got)[n > 0].abs().max()) > 0.05


def test_d2d_draws_one_label_shift_per_device_for_both_directions() -> None:
    cells = _cells({"device.variation.d2d": 0.2})
    shift_ltp = label_of_a(cells.a_ltp.double().numpy()) - 1.75
    shift_ltd = label_of_a(cells.a_ltd.double().numpy()) - 1.46
    assert np.allclose(shift_ltp, shift_ltd, atol=2e-3)  # independent draws would differ by ~0.28 rms
    assert 0.17 < float(np.std(shift_ltp)) < 0.23


def _trainer(momentum: object, update: str = "neurosim") -> Trainer:
    wl = load_workload("workloads/mlp3-bp.yaml", {
        "input_shape": [16], "layers.0.out_features": 32, "layers.1.out_features": 32, "batch_size": 32,
        "training.momentum": momentum, "training.weight_update": update})
    return Trainer(wl, load_architecture(ARCH_FILE), TrainOptions("bp", "synthetic", 1, 0, Nonidealities()))


def test_neurosim_momentum_keeps_the_buffer_normalized_by_qgs_shift() -> None:
    tr = _trainer("neurosim")
    assert tr.momentum == 0.9 and tr.momentum_buffer == "neurosim"
    x, y = tr.data.x_train[:32], tr.data.y_train[:32]
    for _ in range(3):
        tr.step(x, y)
        # train.py hands QG the velocity's storage; QG divides it by 2^round(log2 max|v|) in place.
        for v in tr.velocity:
            assert 2 ** -0.5 <= float(v.abs().max()) <= 2 ** 0.5
    plain = _trainer(0.9)
    assert plain.momentum_buffer == "sgd"
    plain.step(x, y)
    # The plain buffer is the sum of raw gradients: its size is the gradient's, far from 1.
    assert any(not 2 ** -0.5 <= float(v.abs().max()) <= 2 ** 0.5 for v in plain.velocity)
    # Proportional updates have no QG, so no shift to share: the plain buffer, gamma 0.9.
    prop = _trainer("neurosim", "proportional")
    assert prop.momentum == 0.9 and prop.momentum_buffer == "sgd"


def test_momentum_keyword_is_checked() -> None:
    with pytest.raises(SpecError, match="training.momentum"):
        load_workload("workloads/mlp3-bp.yaml", {"training.momentum": "neurosm"})
    assert math.isclose(load_workload("workloads/mlp3-bp.yaml", {"training.momentum": 0.5}).training.momentum, 0.5)


@pytest.mark.parametrize("overrides, on", [
    ({}, Nonidealities(True, True, True, False, False)),          # device cells, closed-form curve
    ({"device.variation.d2d": 0.3}, Nonidealities(True, True, True, False, False)),  # per-cell curves
    ({}, Nonidealities(True, False, False, False, False)),        # quantization only: linear cells
    ({}, Nonidealities.ideal()),                                  # float cells, NeuroSim's step
])
def test_neurosim_update_is_scale_free_down_to_vanishing_gradients(overrides, on) -> None:
    # QG divides x by Shift(max|x|): x and x * 2^-130 (max ~1e-39, FA's gradient after 7 random
    # matrices) are the same update, bit for bit. Multiplying by 1 / shift instead overflowed
    # float32 to inf and the run stopped ("cannot convert float infinity to integer").
    arch = load_architecture(ARCH_FILE, overrides)
    hw = hardware_model(arch, TINY, on, "neurosim")
    x = torch.randn(64, 50, generator=torch.Generator().manual_seed(5))
    moved = []
    for scale in (1.0, 2.0 ** -130):
        cells = CellArray(torch.rand(64, 50, generator=torch.Generator().manual_seed(6)) * 0.2 - 0.1, hw,
                          torch.Generator().manual_seed(7))
        pulses = cells.update_neurosim(x * scale)
        moved.append((pulses, cells.weight.clone()))
    assert bool(torch.isfinite(moved[1][1]).all())
    if on.quantization:  # whole pulses: the denormal input's lost low bits do not change one
        assert moved[0][0] == moved[1][0] > 0 and torch.equal(moved[0][1], moved[1][1])
    else:  # float cells take the step itself: x * 2^-130 is a float32 denormal, 1e-6 of its bits are gone
        assert torch.allclose(moved[0][1], moved[1][1], atol=1e-7, rtol=0)


def test_neurosim_gradient_size_divides_by_the_errors_shift() -> None:
    g = torch.tensor([[0.25, -0.5]])
    # max|delta| = 3 -> Shift = 4: g / 4, exactly
    assert torch.equal(neurosim_sized(g, torch.tensor([[3.0, -1.0]])), torch.tensor([[0.0625, -0.125]]))
    # a vanishing error (Shift 2^-130, a denormal): finite, g * 2^130 in float32 range
    tiny = neurosim_sized(torch.tensor([[2.0 ** -140]]), torch.tensor([[2.0 ** -130]]))
    assert bool(torch.isfinite(tiny).all()) and float(tiny) == 2.0 ** -10
    # a dead layer (all-zero error, so an all-zero gradient): zeros, not 0 / 0
    assert torch.equal(neurosim_sized(torch.zeros(2, 2), torch.zeros(3, 2)), torch.zeros(2, 2))
