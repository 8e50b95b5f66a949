"""Learning rules on tiny nets, worked by hand; BP against autograd (linear + conv + pooling)."""

import torch
import torch.nn.functional as F

from simcim.rules import RULES
from simcim.spec import load_architecture
from simcim.spec.workload import Workload
from simcim.training.chip import ChipNetwork
from simcim.training.datasets import Dataset
from simcim.training.backward import layer_errors, output_error, weight_gradients
from simcim.training.settings import Nonidealities, hardware_model
from simcim.training.trainer import TrainOptions, Trainer

ARCH = load_architecture("architectures/neurosim-fefet-22nm.yaml")
MLP = Workload.model_validate({"name": "hand", "input_shape": [3], "layers": [
    {"kind": "linear", "out_features": 2, "activation": "relu"},
    {"kind": "linear", "out_features": 2, "activation": "none"}]})
X = torch.tensor([[1.0, 0.5, 0.0]])
T = torch.tensor([[1.0, 0.0]])
W1 = torch.tensor([[0.2, -0.3], [0.4, 0.3], [0.1, 0.1]])  # a1 = [0.4, -0.15]: unit 2 is off
W2 = torch.tensor([[0.5, -0.5], [1.0, 0.25]])
B1 = torch.tensor([[1.0, -1.0], [0.5, 2.0]])  # classes x width


def _net(rule: str) -> ChipNetwork:
    hw = hardware_model(ARCH, MLP, Nonidealities.ideal())
    net = ChipNetwork(MLP, hw, rule, 2, torch.Generator().manual_seed(0))
    net.cells[0].weight = W1.clone()
    net.cells[1].weight = W2.clone()
    if rule in ("dfa", "drtp"):
        net.feedback[0] = B1.clone()
    if rule == "fa":
        net.feedback[1] = B1.clone()  # stands in for W2 (same 2x2 shape)
    return net


def _grads(rule: str) -> list:
    net = _net(rule)
    out, rec = net.forward(X)
    return weight_gradients(net, rec, layer_errors(net, rec, output_error(out, T, "mse"), T))


# By hand: h = relu([0.4, -0.15]) = [0.4, 0]; y = h W2 = [0.2, -0.2]; e = (y - t) / 2 = [-0.4, -0.1].
E = torch.tensor([[-0.4, -0.1]])
H = torch.tensor([[0.4, 0.0]])
FPRIME = torch.tensor([[1.0, 0.0]])


def test_dfa_update_is_b_e_times_fprime_outer_y() -> None:
    g1, g2 = _grads("dfa")
    # delta1 = (e B1) * f'(a1) = [-0.4 - 0.05, 0.4 - 0.2] * [1, 0] = [-0.45, 0]
    delta1 = (E @ B1) * FPRIME
    assert torch.allclose(delta1, torch.tensor([[-0.45, 0.0]]))
    assert torch.allclose(g1, X.t() @ delta1)
    assert torch.allclose(g1, torch.tensor([[-0.45, 0.0], [-0.225, 0.0], [0.0, 0.0]]))
    assert torch.allclose(g2, H.t() @ E)  # output layer: e y^T as in every rule
    assert torch.allclose(g2, torch.tensor([[-0.16, -0.04], [0.0, 0.0]]))


def test_bp_fa_drtp_shallow_by_hand() -> None:
    g1, _ = _grads("bp")  # delta1 = (e W2^T) * f' = [-0.2 + 0.05, -0.4 - 0.025] * [1, 0]
    assert torch.allclose(g1, X.t() @ torch.tensor([[-0.15, 0.0]]))
    g1, _ = _grads("fa")  # B1 in place of W2: e B1^T = [-0.4 + 0.1, -0.2 - 0.2]
    assert torch.allclose(g1, X.t() @ torch.tensor([[-0.3, 0.0]]))
    g1, _ = _grads("drtp")  # (-t) B1 = [-1, 1] * f'
    assert torch.allclose(g1, X.t() @ torch.tensor([[-1.0, 0.0]]))
    g1, g2 = _grads("shallow")
    assert g1 is None and torch.allclose(g2, H.t() @ E)


def test_trainer_step_applies_sgd_with_the_rule_update() -> None:
    data = Dataset("hand", X, torch.tensor([0]), X, torch.tensor([0]), 2)
    opts = TrainOptions("dfa", "synthetic", 1, 0, Nonidealities.ideal(), lr=0.5, momentum=0.0)
    tr = Trainer(MLP, ARCH, opts, data)
    tr.net.cells[0].weight = W1.clone()
    tr.net.cells[1].weight = W2.clone()
    tr.net.feedback[0] = B1.clone()
    tr.step(X, torch.tensor([0]))
    assert torch.allclose(tr.net.weights[0], W1 - 0.5 * X.t() @ ((E @ B1) * FPRIME))
    assert torch.allclose(tr.net.weights[1], W2 - 0.5 * H.t() @ E)


def test_bp_matches_autograd_on_a_conv_net() -> None:
    wl = Workload.model_validate({"name": "conv", "input_shape": [2, 6, 6], "layers": [
        {"kind": "conv2d", "out_channels": 3, "kernel": 3, "padding": 1},
        {"kind": "maxpool", "kernel": 2}, {"kind": "flatten"},
        {"kind": "linear", "out_features": 7, "activation": "tanh"},
        {"kind": "linear", "out_features": 4, "activation": "none"}]})
    hw = hardware_model(ARCH, wl, Nonidealities.ideal())
    net = ChipNetwork(wl, hw, "bp", 4, torch.Generator().manual_seed(0))
    g = torch.Generator().manual_seed(1)
    x = torch.rand(5, 2, 6, 6, generator=g)
    t = F.one_hot(torch.tensor([0, 1, 2, 3, 0]), 4).float()
    out, rec = net.forward(x)
    mine = weight_gradients(net, rec, layer_errors(net, rec, output_error(out, t, "mse"), t))
    w = [v.clone().requires_grad_() for v in net.weights]
    h = F.conv2d(x, w[0].t().reshape(3, 2, 3, 3), padding=1).relu()
    h = torch.tanh(F.max_pool2d(h, 2).flatten(1) @ w[1])
    loss = (0.5 * ((h @ w[2] - t) ** 2).mean(1)).mean()
    loss.backward()
    for a, b in zip(mine, w):
        assert b.grad is not None and torch.allclose(a, b.grad, atol=1e-6)


def test_bp_training_follows_autograd_and_torch_sgd_on_a_deep_mlp() -> None:
    """Eight weight layers, plain SGD with momentum (the ideal memory's optimizer): twenty steps of
    the trainer land on the weights torch.optim.SGD reaches from the same start on the same batches,
    hidden layers ReLU clipped at 1 (simcim.training.model.HIDDEN_RANGE, WAGE's C(x, bits_A)).
    The study's deep BP points (N = 8) rest on this: their accuracy is what BP itself gives."""
    layers = [{"kind": "linear", "out_features": 16, "activation": "relu"} for _ in range(7)]
    wl = Workload.model_validate({"name": "deep", "input_shape": [12], "rule": "bp", "batch_size": 8,
                                  "layers": [*layers, {"kind": "linear", "out_features": 3, "activation": "none"}]})
    g = torch.Generator().manual_seed(3)
    x = 6 * torch.rand(40, 12, generator=g)  # large enough that the clip at 1 holds some units
    y = torch.randint(0, 3, (40,), generator=g)
    data = Dataset("hand", x, y, x, y, 3)
    opts = TrainOptions("bp", "synthetic", 1, 0, Nonidealities.ideal(), lr=0.1, momentum=0.9, loss="mse")
    tr = Trainer(wl, ARCH, opts, data)
    w = [v.clone().requires_grad_() for v in tr.net.weights]
    sgd = torch.optim.SGD(w, lr=0.1, momentum=0.9)
    clipped = 0
    for step in range(20):
        idx = torch.arange(step * 8, step * 8 + 8) % 40
        tr.step(x[idx], y[idx])
        h = x[idx]
        for v in w[:-1]:
            pre = h @ v
            clipped += int((pre > 1).sum())
            h = pre.clamp(0.0, 1.0)
        loss = (0.5 * ((h @ w[-1] - F.one_hot(y[idx], 3).float()) ** 2).mean(1)).mean()
        sgd.zero_grad()
        loss.backward()
        sgd.step()
    moved = max(float((a - b.detach()).abs().max()) for a, b in zip(tr.net.weights, w))
    start = Trainer(wl, ARCH, opts, data).net.weights
    assert moved < 1e-5
    assert clipped > 0
    assert max(float((a - b).abs().max()) for a, b in zip(tr.net.weights, start)) > 1e-3  # it did train


def test_dfa_derivative_unclipped_keeps_pushing_a_unit_at_the_clip() -> None:
    """x = 3 * X: a1 = [1.2, -0.45], h = clip(relu(a1), 0, 1) = [1, 0]; y = h W2 = [0.5, -0.5],
    e = (y - t) / 2 = [-0.25, -0.25], e B1 = [-0.375, -0.25]. clipped: f' = [0, 0] (the unit sits at
    the clip); unclipped (the DFA fork's a > 0): f' = [1, 0]."""
    x3 = 3 * X
    grads = {}
    for mode in ("clipped", "unclipped"):
        wl = MLP.model_copy(update={"training": MLP.training.model_copy(update={"dfa_derivative": mode})})
        for rule in ("dfa", "bp"):
            hw = hardware_model(ARCH, wl, Nonidealities.ideal())
            net = ChipNetwork(wl, hw, rule, 2, torch.Generator().manual_seed(0))
            net.cells[0].weight, net.cells[1].weight = W1.clone(), W2.clone()
            if rule == "dfa":
                net.feedback[0] = B1.clone()
            out, rec = net.forward(x3)
            assert torch.allclose(out, torch.tensor([[0.5, -0.5]]))
            grads[mode, rule] = weight_gradients(net, rec, layer_errors(net, rec, output_error(out, T, "mse"), T))[0]
    assert torch.equal(grads["clipped", "dfa"], torch.zeros(3, 2))
    assert torch.allclose(grads["unclipped", "dfa"], torch.tensor([[-1.125, 0.0], [-0.5625, 0.0], [0.0, 0.0]]))
    # BP's chain always uses the derivative of the activation as it runs: the setting is DFA's only,
    # as the rule table says (the study plans its points by it).
    assert torch.equal(grads["clipped", "bp"], grads["unclipped", "bp"])
    assert [r for r in RULES if RULES[r].reads_setting("training.dfa_derivative")] == ["dfa", "drtp"]
    assert all(rule.reads_setting("training.lr") for rule in RULES.values())
    assert torch.equal(grads["clipped", "bp"], torch.zeros(3, 2))
