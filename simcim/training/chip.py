"""The network as it runs on the chip: weights in cells, fixed feedback arrays, crossbar reads.

It knows how to run the forward pass (quantizing activations, reading every MVM through the
crossbar model) and how to send an error backward through a weight or feedback array; the
learning rules (simcim.rules, applied in backward.py) decide which of these to use.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from simcim.rules import get_rule
from simcim.spec.workload import Workload
from simcim.training.crossbar import ReadModel, crossbar_mvm
from simcim.training.device import CellArray
from simcim.training.graph import GraphRunner
from simcim.training.model import (FlattenOp, Op, PoolOp, WeightOp, activate, build_ops, derivative, group_mask,
                                   hidden_activate, hidden_derivative, init_weight, is_chain, xavier_uniform)
from simcim.training.quantize import peak_and_shift, quantize, quantize_scaled, quantize_stochastic
from simcim.training.settings import HardwareModel


@dataclass
class LayerRecord:
    """What one weight layer saw in a forward pass, kept for its update."""

    rows: Tensor  # crossbar inputs (N*L, K)
    pre: Tensor  # pre-activation a, shape (N, *out_shape)
    batch: int


class ChipNetwork:
    """Weights (as cells), feedback matrices and read models for one training run."""

    def __init__(self, workload: Workload, hw: HardwareModel, rule: str, classes: int,
                 generator: torch.Generator) -> None:
        self.hw = hw
        self.rule = get_rule(rule)
        # f' for the error a broadcast rule projects to a hidden layer (workload training.dfa_derivative).
        self.broadcast_derivative = (derivative if workload.training.dfa_derivative == "unclipped"
                                     else hidden_derivative)
        self.classes = classes
        self.generator = generator
        self.ops: list[Op] = build_ops(workload)
        # Graphs (residual adds, concatenation, ...) run node by node (simcim.training.graph).
        self.graph: GraphRunner | None = None if is_chain(workload) else GraphRunner(workload)
        self.layers: list[WeightOp] = [op for op in self.ops if isinstance(op, WeightOp)]
        # Draw all initial weights first, then the feedback matrices, so that a rule change
        # keeps the same initial network for the same seed (fair comparisons).
        # The same targets in every mode (no WAGE floor): a table row then differs from the one
        # above only in how the cells hold and change them.
        # A grouped convolution's cells off its diagonal blocks hold zero and are never updated.
        self.masks = [group_mask(op.spec) for op in self.layers]
        init, bits = workload.training.init, workload.quantization.weight_bits
        targets = [init_weight(op.spec, generator, init, bits) * (1.0 if m is None else m)
                   for op, m in zip(self.layers, self.masks)]
        self.cells = [CellArray(t, hw, generator) for t in targets]
        self.feedback: list[Tensor | None] = [self._feedback(op, i) for i, op in enumerate(self.layers)]
        self.forward_read = ReadModel(hw.rows, hw.adc_bits, hw.read_noise, hw.on_off_ratio)
        # The transposed (error) read sums over a subarray's columns.
        self.backward_read = ReadModel(hw.cols, hw.adc_bits, hw.read_noise, hw.on_off_ratio)

    def _feedback(self, op: WeightOp, index: int) -> Tensor | None:
        """The fixed random matrix a rule sends errors through for this layer, if any."""
        shape = self.rule.feedback_shape(op.spec, len(self.layers), self.classes)
        if shape is None:
            return None
        if self.rule.error_path == "chain":
            b = xavier_uniform(shape.outputs, shape.inputs, self.generator)  # stands in for W (K x M)
        else:
            b = xavier_uniform(shape.inputs, shape.outputs, self.generator)  # e -> layer
        # Held in arrays like the weights, so quantized like them (the DFA fork of DNN+NeuroSim quantizes B
        # as it quantizes W; docs/reference.md).
        return quantize(b, self.hw.weight_bits) if self.hw.weight_bits is not None else b

    # -- reads -------------------------------------------------------------------------------
    def mvm(self, x: Tensor, w: Tensor, scale: float = 1.0) -> Tensor:
        return crossbar_mvm(x, w, self.forward_read, self.generator, scale)

    def mvm_transposed(self, x: Tensor, w_t: Tensor, scale: float = 1.0) -> Tensor:
        return crossbar_mvm(x, w_t, self.backward_read, self.generator, scale)

    def quantize_activation(self, y: Tensor) -> Tensor:
        bits = self.hw.activation_bits
        return quantize(y, bits) if bits is not None else y

    def quantize_error(self, e: Tensor) -> Tensor:
        bits = self.hw.error_bits
        return quantize_scaled(e, bits) if bits is not None else e

    def quantize_gradient(self, g: Tensor) -> Tensor:
        """Gradients: scaled by a power of two like errors, then WAGE's stochastic Q_G."""
        bits = self.hw.gradient_bits
        if bits is None:
            return g
        scale = peak_and_shift(g)
        if scale is None:
            return g
        s = scale[1]
        return quantize_stochastic(g / s, bits, self.generator) * s

    @property
    def weights(self) -> list[Tensor]:
        return [c.weight for c in self.cells]

    # -- passes ------------------------------------------------------------------------------
    def forward(self, x: Tensor, weights: list[Tensor] | None = None, exact: bool = False
                ) -> tuple[Tensor, list[LayerRecord]]:
        """Run the network; ``exact`` uses float math on ``weights`` (for alignment checks)."""
        weights = weights if weights is not None else self.weights
        quant = (lambda t: t) if exact else self.quantize_activation
        if self.graph is not None:
            return self.graph.forward(self, x, weights, exact, quant)
        records: list[LayerRecord] = []
        h = quant(x)
        last = len(self.layers) - 1
        i = 0
        for op in self.ops:
            if isinstance(op, WeightOp):
                n = h.shape[0]
                rows = op.to_rows(h)
                prod = rows @ weights[i] if exact else self.mvm(rows, weights[i], self.cells[i].scale)
                pre = op.to_map(prod, n)
                records.append(LayerRecord(rows, pre, n))
                if i < last:
                    h = quant(hidden_activate(pre, op.spec.activation))
                else:
                    h = activate(pre, op.spec.activation)
                i += 1
            elif isinstance(op, (PoolOp, FlattenOp)):
                h = op.forward(h)
        return h, records

    def backward_through(self, index: int, delta: Tensor, matrix: Tensor, exact: bool = False) -> Tensor:
        """Error at the output of the ops before weight layer ``index`` (i.e. at layer index-1's
        activation output), sending ``delta`` (layer ``index``'s error) back through ``matrix``
        (its W for BP, its B for FA) and through any pooling/flatten in between."""
        op = self.layers[index]
        # The weights' own cells (BP) are read in cell units; a feedback array B is held unscaled.
        scale = self.cells[index].scale if matrix is self.cells[index].weight else 1.0
        mvm = (lambda a, b: a @ b) if exact else (lambda a, b: self.mvm_transposed(a, b, scale))
        d = op.input_grad(op.from_map(delta), matrix, delta.shape[0], mvm)
        # Walk back over the non-weight ops between layer index-1 and layer index.
        pos = self.ops.index(op)
        for prev in reversed(self.ops[:pos]):
            if isinstance(prev, WeightOp):
                break
            d = prev.backward(d)
        return d

    def project(self, index: int, signal: Tensor, exact: bool = False) -> Tensor:
        """Feedback projection B_l signal for DFA/DRTP, shaped like layer ``index``'s output: one value
        per output channel (simcim.rules.LearningRule.feedback_shape), the same over a conv map."""
        b = self.feedback[index]
        assert b is not None
        out = signal @ b if exact else self.mvm(signal, b)  # (N, channels)
        shape = self.layers[index].spec.out_shape
        if len(shape) == 3:
            return out[:, :, None, None].expand(-1, -1, shape[1], shape[2])
        return out.reshape(signal.shape[0], *shape)
