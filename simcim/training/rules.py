"""Learning rules: the error each weight layer is updated with, delta_l, written out per layer.

With delta_l (shaped like layer l's pre-activation a_l) the update of every rule is the same
outer product, dW_l = y_{l-1}^T delta_l / N (rows x columns, see trainer.py); rules differ only in
where delta_l comes from:

- bp:      delta_L = e * f'(a_L); delta_l = (W_{l+1}^T delta_{l+1}) * f'(a_l), sequential.
- fa:      as bp but through a fixed random B_{l+1} of W's shape (Lillicrap et al. 2016).
- dfa:     delta_l = (B_l e) * f'(a_l), B_l fixed random (classes -> layer width), the output
           error broadcast to all layers at once (Noekland 2016; facts.md).
- drtp:    delta_l = (B_l (-t)) * f'(a_l): the one-hot target t in place of e (Frenkel et al. 2021).
           The sign is immaterial for a symmetric random B; -t equals e when the output is 0.
- shallow: only the output layer learns; hidden layers keep their initial weights (control).

e = y - t for the squared-error loss, softmax(y) - t for cross-entropy. Errors are quantized per
layer (WAGE) unless ``exact``; errors sent through arrays go through the crossbar read model.
"""

from __future__ import annotations

import torch
from torch import Tensor

from simcim.training.chip import ChipNetwork, LayerRecord
from simcim.training.model import derivative, hidden_derivative

RULES = ("bp", "fa", "dfa", "drtp", "shallow")


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
                 rule: str | None = None, weights: list[Tensor] | None = None, exact: bool = False
                 ) -> list[Tensor | None]:
    """delta_l per weight layer (None: the layer is not trained by this rule)."""
    rule = rule or net.rule
    weights = weights if weights is not None else net.weights
    qe = (lambda t: t) if exact else net.quantize_error
    layers = net.layers
    last = len(layers) - 1
    deltas: list[Tensor | None] = [None] * len(layers)
    e = qe(error)
    deltas[last] = qe(e * derivative(records[last].pre, layers[last].spec.activation))
    if rule == "shallow":
        return deltas
    if rule in ("bp", "fa"):
        d = deltas[last]
        assert d is not None
        for i in range(last, 0, -1):
            matrix = weights[i] if rule == "bp" else net.feedback[i]
            assert matrix is not None
            back = net.backward_through(i, d, matrix, exact)
            d = qe(back * hidden_derivative(records[i - 1].pre, layers[i - 1].spec.activation))
            deltas[i - 1] = d
        return deltas
    if rule in ("dfa", "drtp"):
        signal = e if rule == "dfa" else -target
        for i in range(last):
            projected = net.project(i, signal, exact)
            deltas[i] = qe(projected * hidden_derivative(records[i].pre, layers[i].spec.activation))
        return deltas
    raise ValueError(f"unknown learning rule {rule!r}; expected one of {', '.join(RULES)}")


def weight_gradients(net: ChipNetwork, records: list[LayerRecord], deltas: list[Tensor | None]
                     ) -> list[Tensor | None]:
    """dLoss/dW_l estimate per layer: y_{l-1}^T delta_l / N, in crossbar orientation (K, M)."""
    grads: list[Tensor | None] = []
    for op, rec, d in zip(net.layers, records, deltas):
        grads.append(None if d is None else rec.rows.t() @ op.from_map(d) / rec.batch)
    return grads
