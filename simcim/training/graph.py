"""Training a graph network (residual adds, concatenation, layers fed by several others): the
forward pass node by node and BP's error pass back along every edge.

A chain keeps the chain code of chip.py and backward.py; this runs only for workloads that are
not chains (simcim.network). What it does, beside the chain's:

- forward: each layer reads its ``inputs``' values; an add sums them (and is quantized like an
  activation), a concatenation joins channels, poolings of any stride and padding, adaptive
  average pooling, standalone activations (the derivative from their input), batch norm as the
  identity (it is folded into the weights before it: no separate scale and shift is trained);
- BP's error (and FA's, SS's): from the output back over the nodes in reverse order; an add passes
  its error to every input, a node read by several others gets the sum of their errors (the
  branch point), a weight layer's error delta_l = (sum of what reaches its output) * f'(a_l), sent
  below through W^T (or B, sign(W)) as in a chain;
- DFA / DRTP: unchanged (every hidden layer's delta from the output error through its B).

Poolings, the adaptive pooling and flatten send the error back by torch's own derivative of the
op (a vector-Jacobian product): they have no weights and no learning-rule choice.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from simcim.network import INPUT, analyze
from simcim.spec.workload import WEIGHT_KINDS, Workload
from simcim.training.model import activate, derivative, hidden_activate, hidden_derivative


class GraphRecords(list):
    """The weight layers' records (a list, as the chain's) and every non-weight node's inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[int, list[Tensor]] = {}
        self.output_pos = 0


class GraphRunner:
    """The layer graph of a workload, for the forward and the error pass."""

    def __init__(self, workload: Workload) -> None:
        net = analyze(workload)
        self.specs = workload.layers
        self.inputs = net.inputs
        self.weight_index = {}
        for pos, layer in enumerate(self.specs):
            if layer.kind in WEIGHT_KINDS:
                self.weight_index[pos] = len(self.weight_index)
        self.last = max(self.weight_index.values())
        self.consumers: dict[int, int] = {}
        for ins in self.inputs:
            for i in ins:
                self.consumers[i] = self.consumers.get(i, 0) + 1

    def _op(self, pos: int, ins: list[Tensor]) -> Tensor:
        layer = self.specs[pos]
        kind = layer.kind
        x = ins[0]
        if kind == "add":
            return torch.stack(ins).sum(dim=0)
        if kind == "concat":
            return torch.cat(ins, dim=1)
        if kind == "maxpool":
            return F.max_pool2d(x, layer.kernel, layer.stride or layer.kernel, layer.padding)
        if kind == "avgpool":
            return F.avg_pool2d(x, layer.kernel, layer.stride or layer.kernel, layer.padding)
        if kind == "adaptive_avgpool":
            return F.adaptive_avg_pool2d(x, layer.output_size)
        if kind == "flatten":
            return x.reshape(x.shape[0], -1)
        if kind == "activation":
            return activate(x, layer.function)
        return x  # batchnorm: folded into the weights before it

    def forward(self, net, x: Tensor, weights: list[Tensor], exact: bool, quant: Callable[[Tensor], Tensor]):
        from simcim.training.chip import LayerRecord

        records = GraphRecords()
        records.extend([None] * len(self.weight_index))
        values: dict[int, Tensor] = {INPUT: quant(x)}
        for pos, layer in enumerate(self.specs):
            ins = [values[i] for i in self.inputs[pos]]
            if pos in self.weight_index:
                i = self.weight_index[pos]
                op = net.layers[i]
                n = ins[0].shape[0]
                rows = op.to_rows(ins[0])
                prod = rows @ weights[i] if exact else net.mvm(rows, weights[i], net.cells[i].scale)
                pre = op.to_map(prod, n)
                records[i] = LayerRecord(rows, pre, n)
                values[pos] = (quant(hidden_activate(pre, op.spec.activation)) if i < self.last
                               else activate(pre, op.spec.activation))
            else:
                records.inputs[pos] = ins
                out = self._op(pos, ins)
                values[pos] = quant(out) if layer.kind in ("add", "activation") else out
        records.output_pos = len(self.specs) - 1
        return values[len(self.specs) - 1], records

    def _back(self, pos: int, g: Tensor, ins: list[Tensor]) -> list[Tensor]:
        """The error at each input of non-weight node ``pos`` from the error ``g`` at its output."""
        layer = self.specs[pos]
        kind = layer.kind
        if kind == "add":
            return [g] * len(ins)
        if kind == "concat":
            return list(torch.split(g, [t.shape[1] for t in ins], dim=1))
        if kind == "activation":
            return [g * derivative(ins[0], layer.function)]
        if kind == "batchnorm":
            return [g]
        if kind == "flatten":
            return [g.reshape(ins[0].shape)]
        with torch.enable_grad():  # poolings: torch's derivative of the op itself
            x = ins[0].detach().requires_grad_(True)
            y = self._op(pos, [x])
            (d,) = torch.autograd.grad(y, x, g)
        return [d]

    def errors(self, net, records: GraphRecords, e: Tensor, rule, weights: list[Tensor], exact: bool,
               qe: Callable[[Tensor], Tensor]) -> list[Tensor | None]:
        """BP-style deltas (chain rules) along every edge of the graph; e: dLoss/d(output)."""
        deltas: list[Tensor | None] = [None] * len(self.weight_index)
        grads: dict[int, Tensor] = {records.output_pos: e}
        for pos in range(len(self.specs) - 1, -1, -1):
            g = grads.pop(pos, None)
            if g is None:
                continue
            if pos in self.weight_index:
                i = self.weight_index[pos]
                op = net.layers[i]
                pre = records[i].pre
                if i == self.last:
                    d = qe(g * derivative(pre, op.spec.activation))
                else:
                    d = qe(g * hidden_derivative(pre, op.spec.activation))
                deltas[i] = d
                src = self.inputs[pos][0]
                if src == INPUT or rule.error_path != "chain":
                    continue
                matrix = rule.backward_operand(weights[i], net.feedback[i])
                scale = net.cells[i].scale if matrix is net.cells[i].weight else 1.0
                mvm = (lambda a, b: a @ b) if exact else (lambda a, b, s=scale: net.mvm_transposed(a, b, s))
                back = [op.input_grad(op.from_map(d), matrix, d.shape[0], mvm)]
            else:
                back = self._back(pos, g, records.inputs[pos])
            for src, b in zip(self.inputs[pos], back):
                if src != INPUT:
                    grads[src] = grads[src] + b if src in grads else b
        return deltas
