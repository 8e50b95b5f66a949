"""Shapes of a workload's network: what each weight layer multiplies, per image, and how the weight
layers feed each other.

The workload's layer list is a graph: a layer takes its input from the layers its ``inputs`` name
(default: the layer before it), so residual adds and concatenations can be written. Both the
hardware mapping and the trainer read the network through this, so the two agree.

What the chip sees of the graph (docs/graphs.md):

- Weight layers (linear, conv2d) are matrices on tiles. A grouped convolution of ``g`` groups is
  held block-diagonally: the k*k*Cin x Cout matrix whose off-diagonal blocks are zero cells, read
  in one MVM per output position (the plain mapping of a grouped convolution on a crossbar;
  a depthwise one uses 1/Cin of its cells). Its parameters and MACs are the true ones (1/g).
- Batch norm is folded into the weights before it (a per-channel scale of the weights and a bias),
  activations run in the chip's activation unit after every weight layer: neither costs anything
  of its own.
- A pooling right after one weight layer (through activations and batch norms only, nobody else
  reading that layer's output) is done by the chip's pooling unit on that layer's outputs, as in a
  chain. Every other residual add and pooling is done after the highest-numbered weight layer that
  feeds it (the last one to finish), which then waits for every weight layer the operation reads
  (``waits``); concatenation is free (the maps sit side by side in the buffer).
- ``preds`` of a weight layer: the weight layers whose outputs reach its input through non-weight
  layers only; ``consumers``: the reverse. The error of a layer with several consumers is the sum
  of their errors (BP waits for all of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from simcim.spec.workload import WEIGHT_KINDS, Workload
from simcim.spec.yamlload import key_text

INPUT = -1  # the network's input, as an input position


class NetworkError(ValueError):
    """A network that cannot be built: ``key`` is the dotted spec key (``layers.3.inputs``)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{written_key(key)}: {message}")
        self.key = key
        self.message = message


def written_key(key: str) -> str:
    """``layers.3.inputs`` as a user writes it, ``layers[3].inputs`` (as the loader's errors do)."""
    return key_text(tuple(int(p) if p.isdigit() else p for p in key.split(".")))


@dataclass(frozen=True)
class PostOp:
    """A residual add or a pooling that a weight layer's forward task does after its own outputs."""

    kind: str  # "add" | "maxpool" | "avgpool" | "adaptive_avgpool"
    name: str
    in_elems: int  # elements of one input map
    out_elems: int  # elements of the result
    inputs: int  # maps read


@dataclass(frozen=True)
class WeightLayer:
    """One layer that holds weights, as a matrix-vector product repeated ``mvms`` times per image."""

    index: int  # 1-based among weight layers
    name: str
    kind: str  # "linear" | "conv2d"
    rows: int  # K: inputs of one MVM (k*k*Cin for conv, unrolled)
    cols: int  # M: outputs of one MVM (Cout)
    mvms: int  # MVMs per image (output pixels for conv, 1 for linear)
    in_elems: int  # elements of the layer's input feature map
    out_elems: int  # elements of the layer's output feature map (before pooling)
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    activation: str
    kernel: int = 1  # k of a k x k convolution (1 for linear)
    pool: int = 0  # kernel of the pooling that follows this layer (0: none)
    pool_factor: float = 1  # output values per pooled value (kernel^2 for a k x k, stride-k pooling)
    groups: int = 1  # grouped convolution: held block-diagonally (the module docstring)
    stride: int = 1
    padding: int = 0
    preds: tuple[int, ...] = ()  # weight layers feeding this one (through non-weight layers)
    consumers: tuple[int, ...] = ()  # weight layers this one feeds
    waits: tuple[int, ...] = ()  # weight layers whose forward this one's waits for (preds + post ops' inputs)
    post_ops: tuple[PostOp, ...] = field(default=())

    @property
    def first(self) -> bool:
        """Whether only the network's input feeds this layer (no error goes below it)."""
        return not self.preds

    @property
    def weights(self) -> int:
        """Parameters (a grouped convolution's off-diagonal zero cells are not parameters)."""
        return self.rows * self.cols // self.groups

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one forward pass of this layer for one image."""
        return self.rows * self.cols * self.mvms // self.groups


def _prod(shape: Sequence[int]) -> int:
    n = 1
    for v in shape:
        n *= v
    return n


@dataclass(frozen=True)
class Network:
    """The layer list as a graph: each layer's input positions and output shape, and the weight layers."""

    inputs: tuple[tuple[int, ...], ...]  # per layer: positions it reads (INPUT for the network's input)
    shapes: tuple[tuple[int, ...], ...]  # per layer: its output shape
    layers: tuple[WeightLayer, ...]


def _inputs(workload: Workload) -> list[tuple[int, ...]]:
    """Each layer's input positions, from ``inputs`` names (checked: earlier layers or ``input``)."""
    names: dict[str, int] = {}
    out: list[tuple[int, ...]] = []
    for pos, layer in enumerate(workload.layers):
        if layer.inputs is None:
            out.append((pos - 1 if pos else INPUT,))
        else:
            found = []
            for j, ref in enumerate(layer.inputs):
                if ref == "input":
                    found.append(INPUT)
                elif ref in names:
                    found.append(names[ref])
                else:
                    later = any(other.name == ref for other in workload.layers[pos:])
                    raise NetworkError(f"layers.{pos}.inputs.{j}", f"no earlier layer is named {ref!r}" + (
                        " (a layer takes only layers listed before it)" if later else
                        " (inputs name earlier layers' `name`, or `input`)"))
            out.append(tuple(found))
        if layer.name is not None:
            if layer.name == "input":
                raise NetworkError(f"layers.{pos}.name", "'input' names the network's input; choose another name")
            if layer.name in names:
                raise NetworkError(f"layers.{pos}.name", f"{layer.name!r} is already the name of layers[{names[layer.name]}]")
            names[layer.name] = pos
        arity = len(out[-1])
        if layer.kind in ("add", "concat") and arity < 2:
            raise NetworkError(f"layers.{pos}.inputs", f"{layer.kind} needs two or more inputs, got {arity}")
        if layer.kind not in ("add", "concat") and arity != 1:
            raise NetworkError(f"layers.{pos}.inputs", f"{layer.kind} takes one input, got {arity}")
    return out


def _shape(pos: int, layer, ins: list[tuple[int, ...]]) -> tuple[int, ...]:  # noqa: C901 - one branch per kind
    """The output shape of layer ``pos`` from its input shapes (errors name the key)."""
    key = f"layers.{pos}"
    kind = layer.kind
    shape = ins[0]
    if kind == "linear":
        return (layer.out_features,)
    if kind in ("conv2d", "maxpool", "avgpool", "adaptive_avgpool") and len(shape) != 3:
        what = "conv2d" if kind == "conv2d" else "pooling"
        raise NetworkError(key, f"{what} needs a (C, H, W) input, got {shape}")
    if kind == "conv2d":
        c, h, w = shape
        if c % layer.groups or layer.out_channels % layer.groups:
            raise NetworkError(f"{key}.groups", f"{layer.groups} groups must divide the {c} input and "
                                                f"{layer.out_channels} output channels")
        ho = (h + 2 * layer.padding - layer.kernel) // layer.stride + 1
        wo = (w + 2 * layer.padding - layer.kernel) // layer.stride + 1
        if ho < 1 or wo < 1:
            raise NetworkError(f"{key}.kernel", f"kernel larger than the padded input {shape}")
        return (layer.out_channels, ho, wo)
    if kind in ("maxpool", "avgpool"):
        c, h, w = shape
        stride = layer.stride or layer.kernel
        ho = (h + 2 * layer.padding - layer.kernel) // stride + 1
        wo = (w + 2 * layer.padding - layer.kernel) // stride + 1
        if ho < 1 or wo < 1:
            raise NetworkError(f"{key}.kernel", f"pooling by {layer.kernel} leaves nothing of a {h}x{w} map")
        return (c, ho, wo)
    if kind == "adaptive_avgpool":
        # (an output larger than the map repeats its values, as torch's adaptive pooling does)
        return (shape[0], layer.output_size, layer.output_size)
    if kind == "flatten":
        return (_prod(shape),)
    if kind == "add":
        if any(s != shape for s in ins):
            raise NetworkError(f"{key}.inputs", f"add needs inputs of one shape, got {', '.join(map(str, ins))}")
        return shape
    if kind == "concat":
        if any(len(s) != len(shape) or s[1:] != shape[1:] for s in ins):
            raise NetworkError(f"{key}.inputs", "concat joins channels: the other dimensions must agree, got "
                                                f"{', '.join(map(str, ins))}")
        return (sum(s[0] for s in ins), *shape[1:])
    return shape  # batchnorm, activation


def analyze(workload: Workload) -> Network:
    """Walk the layer graph, tracking feature-map shapes, and describe every weight layer and how
    they feed each other. NetworkError (with the spec key) where the graph cannot be built."""
    specs = workload.layers
    n = len(specs)
    inputs = _inputs(workload)
    shapes: list[tuple[int, ...]] = []

    def shape_of(pos: int) -> tuple[int, ...]:
        return tuple(workload.input_shape) if pos == INPUT else shapes[pos]

    for pos, layer in enumerate(specs):
        shapes.append(_shape(pos, layer, [shape_of(i) for i in inputs[pos]]))
    consumers: list[list[int]] = [[] for _ in range(n)]
    for pos, ins in enumerate(inputs):
        for i in ins:
            if i != INPUT:
                consumers[i].append(pos)
    for pos in range(n - 1):
        if not consumers[pos]:
            raise NetworkError(f"layers.{pos}", "this layer's output goes nowhere: no later layer names it "
                                                "in `inputs` (only the last layer is the network's output)")
    # Weight layers, numbered in list order; anc[pos]: the weight layers whose outputs reach pos's
    # output through non-weight layers only.
    index: dict[int, int] = {}
    for pos, layer in enumerate(specs):
        if layer.kind in WEIGHT_KINDS:
            index[pos] = len(index) + 1
    if not index:
        raise NetworkError("layers", "the network needs at least one linear or conv2d layer")
    anc: list[frozenset[int]] = []
    for pos in range(n):
        if pos in index:
            anc.append(frozenset((index[pos],)))
        else:
            anc.append(frozenset().union(*(anc[i] for i in inputs[pos] if i != INPUT)))
    last_weight = len(index)
    if anc[n - 1] != {last_weight}:
        raise NetworkError(f"layers.{n - 1}", "the network's output must come from its last weight layer "
                                              "alone (through pooling, flatten or activations)")
    # Poolings done by the pooling unit of the weight layer right before them (as in a chain).
    folded: dict[int, int] = {}  # weight pos -> pool pos
    owned: dict[int, list[int]] = {}  # weight index -> post-op positions
    for pos, layer in enumerate(specs):
        if layer.kind not in ("maxpool", "avgpool", "adaptive_avgpool", "add"):
            continue
        if layer.kind != "add":
            cur = inputs[pos][0]
            alone = True
            while cur != INPUT and cur not in index and specs[cur].kind in (
                    "activation", "batchnorm", "maxpool", "avgpool", "adaptive_avgpool"):
                alone = alone and len(consumers[cur]) == 1
                cur = inputs[cur][0]
            if cur in index and cur not in folded and alone and len(consumers[cur]) == 1:
                folded[cur] = pos
                continue
        if anc[pos]:
            owned.setdefault(max(anc[pos]), []).append(pos)
        # an operation on the network's input alone (no weight layer before it) is not simulated
    out: list[WeightLayer] = []
    for pos, layer in enumerate(specs):
        if pos not in index:
            continue
        i = index[pos]
        in_shape = shape_of(inputs[pos][0])
        new = shapes[pos]
        preds = tuple(sorted(anc[inputs[pos][0]])) if inputs[pos][0] != INPUT else ()
        post = []
        waits = set(preds)
        for op_pos in owned.get(i, []):
            op = specs[op_pos]
            first_in = shape_of(inputs[op_pos][0])
            post.append(PostOp(op.kind, op.name or f"{op.kind}{op_pos}", _prod(first_in), _prod(shapes[op_pos]),
                               len(inputs[op_pos])))
            waits.update(anc[op_pos])
        waits.discard(i)
        pool, factor = 0, 1
        if pos in folded:
            p = specs[folded[pos]]
            pool_in = shape_of(inputs[folded[pos]][0])
            pooled = shapes[folded[pos]]
            if p.kind != "adaptive_avgpool" and (p.stride or p.kernel) == p.kernel and not p.padding:
                pool, factor = p.kernel, p.kernel * p.kernel
            else:
                pool = p.kernel if p.kind != "adaptive_avgpool" else pool_in[1]
                ratio = _prod(pool_in) / _prod(pooled)
                factor = int(ratio) if ratio == int(ratio) else ratio
        if layer.kind == "linear":
            k = _prod(in_shape)
            out.append(WeightLayer(i, layer.name or f"fc{i}", "linear", k, layer.out_features, 1, k,
                                   layer.out_features, in_shape, new, layer.activation, pool=pool,
                                   pool_factor=factor, preds=preds, waits=tuple(sorted(waits)), post_ops=tuple(post)))
        else:
            c = in_shape[0]
            out.append(WeightLayer(i, layer.name or f"conv{i}", "conv2d", layer.kernel * layer.kernel * c,
                                   layer.out_channels, new[1] * new[2], _prod(in_shape), _prod(new), in_shape, new,
                                   layer.activation, kernel=layer.kernel, pool=pool, pool_factor=factor,
                                   groups=layer.groups, stride=layer.stride, padding=layer.padding, preds=preds,
                                   waits=tuple(sorted(waits)), post_ops=tuple(post)))
    users: dict[int, list[int]] = {}
    for wl in out:
        for p in wl.preds:
            users.setdefault(p, []).append(wl.index)
    layers = tuple(replace(wl, consumers=tuple(users.get(wl.index, ()))) for wl in out)
    return Network(tuple(inputs), tuple(shapes), layers)


def weight_layers(workload: Workload) -> list[WeightLayer]:
    """Every weight layer of the workload's network, in list order (simcim.network.analyze)."""
    return list(analyze(workload).layers)


def classes(workload: Workload) -> int:
    """Number of output classes: the workload's ``classes`` or the last layer's width."""
    return workload.classes or weight_layers(workload)[-1].cols


def total_macs(layers: Sequence[WeightLayer]) -> int:
    """Multiply-accumulates of one image's forward pass through every weight layer."""
    return sum(layer.macs for layer in layers)


__all__ = ["INPUT", "Network", "NetworkError", "PostOp", "WeightLayer", "analyze", "classes", "total_macs",
           "weight_layers"]
