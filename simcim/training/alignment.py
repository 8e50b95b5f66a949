"""How well a rule's updates point along the true gradient: the angle to BP's, per layer.

Computed in float math on the current weights (the chip's quantization and noise would measure
the hardware, not the rule). An angle below 90 degrees means the update still descends the loss;
DFA's "alignment" (Noekland 2016) is the forward weights learning to make it small.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from simcim.training.chip import ChipNetwork
from simcim.rules import RULES
from simcim.training.backward import layer_errors, output_error, weight_gradients


def angle_deg(a: Tensor, b: Tensor) -> float:
    """Angle between two tensors seen as vectors, in degrees (90 if either is zero)."""
    na, nb = a.norm(), b.norm()
    if not (torch.isfinite(na) and torch.isfinite(nb)):
        return float("nan")  # a diverged run has no direction
    if na == 0 or nb == 0:
        return 90.0
    cos = float((a.flatten() @ b.flatten()) / (na * nb))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def alignment(net: ChipNetwork, x: Tensor, target: Tensor, loss: str) -> dict[str, float]:
    """Angle between the rule's weight update and BP's gradient, per trained weight layer."""
    with torch.no_grad():
        weights = [w.clone() for w in net.weights]
        out, records = net.forward(x, weights, exact=True)
        e = output_error(out, target, loss)
        bp = weight_gradients(net, records, layer_errors(net, records, e, target, RULES["bp"], weights, exact=True))
        mine = weight_gradients(net, records, layer_errors(net, records, e, target, None, weights, exact=True))
    result: dict[str, float] = {}
    for op, g_bp, g in zip(net.layers, bp, mine):
        if g is not None and g_bp is not None:
            result[op.spec.name] = round(angle_deg(g, g_bp), 3)
    return result
