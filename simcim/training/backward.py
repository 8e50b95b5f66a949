"""The backward pass of training: the output error, the error each weight layer is updated with
(delta_l, shaped like layer l's pre-activation a_l), and the weight gradients.

With delta_l the update of every rule is the same outer product, dW_l = y_{l-1}^T delta_l / N (rows
x columns, see trainer.py); rules differ only in where delta_l comes from, which their definition in
simcim.rules says:

- chain (bp, fa, ss): delta_L = e * f'(a_L); delta_l = (M_{l+1}^T delta_{l+1}) * f'(a_l), layer by
  layer, with M the rule's matrix: W (BP), a fixed random B of W's shape (FA, Lillicrap et al. 2016),
  sign(W) (SS, Liao et al. 2016).
- broadcast (dfa, drtp): delta_l = (B_l s) * f'(a_l), B_l fixed random (classes -> layer width),
  s the output error e (DFA, Noekland 2016) or -t, the one-hot target (DRTP, Frenkel et al. 2021;
  the sign is immaterial for a symmetric random B; -t equals e when the output is 0).
- none (shallow): only the output layer learns; hidden layers keep their initial weights (control).

e = y - t for the squared-error loss, softmax(y) - t for cross-entropy. Errors are quantized per
layer (WAGE) unless ``exact``; errors sent through arrays go through the crossbar read model.
"""

from __future__ import annotations

import torch
from torch import Tensor

from simcim.rules import LearningRule
from simcim.training.chip import ChipNetwork, LayerRecord
from simcim.training.model import derivative, hidden_derivative


def output_error(output: Tensor, target: Tensor, loss: str) -> Tensor:
    """dLoss/dy per image: (y - t) / C for the squared error, softmax(y) - t for cross-entropy.

    The squared error is averaged over the C outputs (torch's MSELoss 'mean' without its factor
    2): summed over outputs, the study's lr 0.1 with momentum 0.9 diverges on digits in float math.
    """
    if loss == "cross_entropy":
        return torch.softmax(output, dim=1) - target
    return (output - target) / output.shape[1]


def loss_value(output: Tensor, target: Tensor, loss: str) -> float:
    """Mean over the batch of the loss that :func:`output_error` differentiates."""
    if loss == "cross_entropy":
        return float(-(torch.log_softmax(output, dim=1) * target).sum(dim=1).mean())
    return float(0.5 * ((output - target) ** 2).mean(dim=1).mean())


def layer_errors(net: ChipNetwork, records: list[LayerRecord], error: Tensor, target: Tensor,
                 rule: LearningRule | None = None, weights: list[Tensor] | None = None, exact: bool = False
                 ) -> list[Tensor | None]:
    """delta_l per weight layer (None: the layer is not trained by this rule); ``rule`` defaults
    to the network's."""
    rule = rule or net.rule
    weights = weights if weights is not None else net.weights
    qe = (lambda t: t) if exact else net.quantize_error
    layers = net.layers
    last = len(layers) - 1
    deltas: list[Tensor | None] = [None] * len(layers)
    e = qe(error)
    if net.graph is not None:  # along every edge (chain rules), else to the output layer only
        deltas = net.graph.errors(net, records, e, rule, weights, exact, qe)
        if rule.error_path == "broadcast":
            signal = e if rule.signal == "error" else -target
            for i in range(last):
                deltas[i] = qe(net.project(i, signal, exact)
                               * net.broadcast_derivative(records[i].pre, layers[i].spec.activation))
        return deltas
    deltas[last] = qe(e * derivative(records[last].pre, layers[last].spec.activation))
    if rule.error_path == "chain":
        d = deltas[last]
        assert d is not None
        for i in range(last, 0, -1):
            matrix = rule.backward_operand(weights[i], net.feedback[i])
            back = net.backward_through(i, d, matrix, exact)
            d = qe(back * hidden_derivative(records[i - 1].pre, layers[i - 1].spec.activation))
            deltas[i - 1] = d
    elif rule.error_path == "broadcast":
        signal = e if rule.signal == "error" else -target
        for i in range(last):
            projected = net.project(i, signal, exact)
            deltas[i] = qe(projected * net.broadcast_derivative(records[i].pre, layers[i].spec.activation))
    return deltas


def weight_gradients(net: ChipNetwork, records: list[LayerRecord], deltas: list[Tensor | None]
                     ) -> list[Tensor | None]:
    """dLoss/dW_l estimate per layer: y_{l-1}^T delta_l / N, in crossbar orientation (K, M)."""
    grads: list[Tensor | None] = []
    for op, rec, d, mask in zip(net.layers, records, deltas, net.masks):
        g = None if d is None else rec.rows.t() @ op.from_map(d) / rec.batch
        grads.append(g if g is None or mask is None else g * mask)  # grouped: only the diagonal blocks
    return grads
