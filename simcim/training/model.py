"""The workload's network as explicit layers, with forward and backward passes written out.

No autograd: every learning rule needs the per-layer pieces (inputs, pre-activations, the error at
each layer) and BP's error pass must go through the same crossbar model as the forward pass.
Weights are stored the way a crossbar holds them: (K inputs = rows, M outputs = columns). Layers
have no bias, as in WAGE and NeuroSim's training model (a bias would need its own cells).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from simcim.network import WeightLayer, weight_layers
from simcim.spec.workload import Conv2d, Flatten, Linear, Pool, Workload
from simcim.training.device import wage_init_limit

Mvm = Callable[[Tensor, Tensor], Tensor]  # (N, K) x (K, M) -> (N, M), possibly on a crossbar


def activate(a: Tensor, kind: str) -> Tensor:
    if kind == "relu":
        return torch.relu(a)
    if kind == "relu6":  # MobileNet's
        return torch.clamp(a, 0.0, 6.0)
    if kind == "sigmoid":
        return torch.sigmoid(a)
    if kind == "tanh":
        return torch.tanh(a)
    return a


def derivative(a: Tensor, kind: str) -> Tensor:
    """f'(a) for the activation ``kind``."""
    if kind == "relu":
        return (a > 0).to(a.dtype)
    if kind == "relu6":
        return ((a > 0) & (a < 6)).to(a.dtype)
    if kind == "sigmoid":
        s = torch.sigmoid(a)
        return s * (1 - s)
    if kind == "tanh":
        return 1 - torch.tanh(a) ** 2
    return torch.ones_like(a)


# Hidden activations live in [-1, 1] on the chip: they are stored and sent as 8-bit fractions, and
# WAGE clips every layer output to +-(1 - 2^(1-b)) before quantizing it (DNN+NeuroSim V2.1
# utee/wage_quantizer.py, WAGEQuantizer_f: C(x, bits_A), then Q; clamp passes no gradient where it
# clips). We clip hidden layers in every mode, float included, so that the ideal row models the same
# network. Without the bound, DFA's hidden updates (which never see the layers above) let deep nets'
# activations grow until the output layer's step diverges: mlp5 DFA at lr 0.1 / momentum 0.9 went to
# NaN in float math within 30 steps (docs/training.md).
HIDDEN_RANGE = 1.0


def hidden_activate(a: Tensor, kind: str) -> Tensor:
    """A hidden layer's output: f(a) clipped to [-1, 1]."""
    return activate(a, kind).clamp(-HIDDEN_RANGE, HIDDEN_RANGE)


def hidden_derivative(a: Tensor, kind: str) -> Tensor:
    """Derivative of :func:`hidden_activate`: f'(a), zero where the clip holds the output."""
    return derivative(a, kind) * (activate(a, kind).abs() < HIDDEN_RANGE).to(a.dtype)


@dataclass
class WeightOp:
    """A linear or conv layer with its activation: y = f(x W)."""

    spec: WeightLayer
    kernel: int = 1
    stride: int = 1
    padding: int = 0

    @property
    def is_conv(self) -> bool:
        return self.spec.kind == "conv2d"

    def to_rows(self, x: Tensor) -> Tensor:
        """The layer input as crossbar input vectors: (N*L, K) (im2col for conv)."""
        if not self.is_conv:
            return x.reshape(x.shape[0], -1)
        cols = F.unfold(x, self.kernel, padding=self.padding, stride=self.stride)  # (N, K, L)
        return cols.transpose(1, 2).reshape(-1, cols.shape[1])

    def to_map(self, flat: Tensor, n: int) -> Tensor:
        """(N*L, M) crossbar outputs -> the layer's output shape (N, *out_shape)."""
        if not self.is_conv:
            return flat
        c, h, w = self.spec.out_shape
        return flat.reshape(n, h * w, c).transpose(1, 2).reshape(n, c, h, w)

    def from_map(self, t: Tensor) -> Tensor:
        """Inverse of :meth:`to_map`: (N, *out_shape) -> (N*L, M)."""
        if not self.is_conv:
            return t.reshape(t.shape[0], -1)
        n, c = t.shape[0], t.shape[1]
        return t.reshape(n, c, -1).transpose(1, 2).reshape(-1, c)

    def input_grad(self, delta_rows: Tensor, w: Tensor, n: int, mvm: Mvm) -> Tensor:
        """Error at the layer input from the error at its output, through w^T (BP) or B^T (FA)."""
        d_rows = mvm(delta_rows, w.t().contiguous())  # (N*L, K)
        if not self.is_conv:
            return d_rows.reshape(n, *self.spec.in_shape)
        c, h, w_ = self.spec.in_shape
        d_cols = d_rows.reshape(n, -1, d_rows.shape[1]).transpose(1, 2)
        return F.fold(d_cols, (h, w_), self.kernel, padding=self.padding, stride=self.stride)


@dataclass
class PoolOp:
    kind: str  # maxpool | avgpool
    kernel: int
    cache: dict[str, Tensor] = field(default_factory=dict)

    def forward(self, x: Tensor) -> Tensor:
        self.cache["shape"] = torch.tensor(x.shape)
        if self.kind == "maxpool":
            y, idx = F.max_pool2d(x, self.kernel, return_indices=True)
            self.cache["idx"] = idx
            return y
        return F.avg_pool2d(x, self.kernel)

    def backward(self, d: Tensor) -> Tensor:
        shape = tuple(int(v) for v in self.cache["shape"])
        if self.kind == "maxpool":
            return F.max_unpool2d(d, self.cache["idx"], (self.kernel, self.kernel), output_size=shape[-2:])
        up = d.repeat_interleave(self.kernel, dim=2).repeat_interleave(self.kernel, dim=3)
        up = up / (self.kernel * self.kernel)
        return F.pad(up, (0, shape[3] - up.shape[3], 0, shape[2] - up.shape[2]))


@dataclass
class FlattenOp:
    shape: tuple[int, ...] = ()

    def forward(self, x: Tensor) -> Tensor:
        self.shape = tuple(x.shape[1:])
        return x.reshape(x.shape[0], -1)

    def backward(self, d: Tensor) -> Tensor:
        return d.reshape(d.shape[0], *self.shape)


Op = WeightOp | PoolOp | FlattenOp


def group_mask(spec: WeightLayer) -> Tensor | None:
    """Which cells of a grouped convolution's block-diagonal matrix hold weights (simcim.network):
    row r = input channel r // (k*k) (unfold's channel-major order) and column j belong to one group."""
    if spec.groups == 1:
        return None
    k2 = spec.kernel * spec.kernel
    cin, cout = spec.rows // k2, spec.cols
    row_group = torch.arange(spec.rows) // k2 // (cin // spec.groups)
    col_group = torch.arange(cout) // (cout // spec.groups)
    return (row_group[:, None] == col_group[None, :]).to(torch.float32)


def is_chain(workload: Workload) -> bool:
    """Whether the chain code (the op list below) runs the network: no ``inputs``, only linear,
    conv2d, stride-k poolings without padding and flatten. Anything else is a graph
    (simcim.training.graph)."""
    for layer in workload.layers:
        if layer.inputs is not None or not isinstance(layer, (Linear, Conv2d, Pool, Flatten)):
            return False
        if isinstance(layer, Conv2d) and layer.groups != 1:
            return False
        if isinstance(layer, Pool) and (layer.stride not in (None, layer.kernel) or layer.padding):
            return False
    return True


def build_ops(workload: Workload) -> list[Op]:
    """The layer list as ops, in order; weight ops carry the shapes from simcim.network."""
    if not is_chain(workload):  # a graph: its weight layers; simcim.training.graph runs the rest
        return [WeightOp(spec, spec.kernel, spec.stride, spec.padding) for spec in weight_layers(workload)]
    specs = iter(weight_layers(workload))
    ops: list[Op] = []
    for layer in workload.layers:
        if isinstance(layer, Linear):
            ops.append(WeightOp(next(specs)))
        elif isinstance(layer, Conv2d):
            ops.append(WeightOp(next(specs), layer.kernel, layer.stride, layer.padding))
        elif isinstance(layer, Pool):
            ops.append(PoolOp(layer.kind, layer.kernel))
        elif isinstance(layer, Flatten):
            ops.append(FlattenOp())
    return ops


# Forward weights start at half the Glorot-uniform scale. DFA aligns only once the learned part of
# the forward weights outgrows their random start (Noekland 2016; Refinetti et al. 2021, "Align,
# then memorise"): at the full Glorot or WAGE (sqrt(6/fan_in)) scale, DFA's angle to the BP
# gradient on digits stayed at 90-100 degrees for 30 epochs and DFA lost to the shallow control;
# at half it falls to ~57/77 degrees (docs/training.md). Every rule gets the same start.
INIT_GAIN = 0.5


def init_weight(spec: WeightLayer, generator: torch.Generator, init: str = "glorot-half",
                weight_bits: int = 6) -> Tensor:
    """U(-L, L): ``glorot-half`` L = INIT_GAIN * sqrt(6 / (fan_in + fan_out)); ``wage`` NeuroSim's
    WAGE start (simcim.training.device.wage_init_limit, from the workload's weight bits).

    glorot-half does not widen L to WAGE's 1.5 weight steps (Wu et al. 2018, sec. 3.3.1), so about
    half of its 6-bit start rounds to zero and the rest to +-1 step. Either way quantized and float
    runs start from the same weights.
    """
    if init == "wage":
        limit = wage_init_limit(spec.rows, weight_bits)
    else:
        limit = INIT_GAIN * math.sqrt(6.0 / (spec.rows + spec.cols))
    return (torch.rand((spec.rows, spec.cols), generator=generator) * 2 - 1) * limit


def xavier_uniform(rows: int, cols: int, generator: torch.Generator) -> Tensor:
    """Xavier-uniform: the DFA fork's feedback matrices (github.com/ChWol/Thesis; docs/reference.md)."""
    limit = math.sqrt(6.0 / (rows + cols))
    return (torch.rand((rows, cols), generator=generator) * 2 - 1) * limit
