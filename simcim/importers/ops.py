"""The importers' common ground: a network as a list of generic ops (what torch.fx or ONNX gave,
in execution order) and its translation into the workload's layer list.

Both importers make the same ops for the same network, and the translation is done once here, so a
model and its ONNX export give the same YAML. What the translation does:

- batch norm is folded into the convolution or linear layer before it (the chip folds it into the
  weights; ``torch.onnx.export`` in eval mode does the same, so the two sources agree); a batch
  norm after anything else stays a ``batchnorm`` layer;
- an activation right after a weight layer that nobody else reads becomes that layer's
  ``activation``; identities (dropout, ``nn.Identity``, ONNX ``Identity``) disappear;
- poolings that do nothing (1 x 1, stride 1; an adaptive pooling to the size it has) disappear, and
  an adaptive average pooling that divides its input evenly is written as the plain average pooling
  it is (which is what ONNX exports);
- a layer that does not read the layer listed just before it names its inputs; a layer so named is
  called as simcim calls it anyway if it has weights (``conv3``, ``fc54``), else by its kind and
  position (``add12``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from simcim.errors import UserError
from simcim.network import NetworkError, _prod, _shape

INPUT_ID = "<input>"
WEIGHT_KINDS = ("conv2d", "linear")


class UnsupportedOp(UserError):
    """An op the workload cannot express: names the op, the node and, where known, the source line."""

    def __init__(self, op: str, node: str, where: str | None = None, why: str = "") -> None:
        at = f" ({where})" if where else ""
        super().__init__(f"unsupported op {op} at node {node!r}{at}{': ' + why if why else ''}; nothing written")


@dataclass
class Op:
    """One node of the source graph: ``kind`` one of the workload's layer kinds or ``identity``."""

    id: str
    kind: str
    inputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # the node's name (and source line) in the source, for errors


# The attribute order each kind is written in (a fixed order: same text from every source).
_ORDER = {
    "conv2d": ("out_channels", "kernel", "stride", "padding", "groups", "activation"),
    "linear": ("out_features", "activation"),
    "maxpool": ("kernel", "stride", "padding"),
    "avgpool": ("kernel", "stride", "padding"),
    "adaptive_avgpool": ("output_size",),
    "activation": ("function",),
}


def _node(op: Op) -> SimpleNamespace:
    a = {"groups": 1, "padding": 0, "stride": None, **op.attrs}
    return SimpleNamespace(kind=op.kind, **a)


def to_layers(ops: list[Op], input_shape: tuple[int, ...], output: str) -> list[dict[str, Any]]:
    """The workload's ``layers`` entries for ``ops`` (execution order) whose result is ``output``."""
    alias: dict[str, str] = {}

    def resolve(i: str) -> str:
        while i in alias:
            i = alias[i]
        return i

    by_id: dict[str, Op] = {}
    shapes: dict[str, tuple[int, ...]] = {INPUT_ID: tuple(input_shape)}
    for op in ops:
        op.inputs = [resolve(i) for i in op.inputs]
        src = op.inputs[0] if op.inputs else INPUT_ID
        ins = [shapes[i] for i in op.inputs]
        if op.kind == "identity":
            alias[op.id] = src
            continue
        if op.kind == "batchnorm" and src in by_id and by_id[src].kind in WEIGHT_KINDS:
            alias[op.id] = src  # folded into the weights before it
            continue
        if op.kind == "adaptive_avgpool" and len(ins[0]) == 3:
            _, h, w = ins[0]
            o = op.attrs["output_size"]
            if h == w == o:
                alias[op.id] = src
                continue
            if o > 1 and h == w and h % o == 0:
                op.kind, op.attrs = "avgpool", {"kernel": h // o, "stride": h // o, "padding": 0}
        if op.kind in ("maxpool", "avgpool") and op.attrs["kernel"] == 1 and op.attrs.get("stride", 1) == 1 \
                and not op.attrs.get("padding"):
            alias[op.id] = src
            continue
        if op.kind == "activation" and src in by_id and by_id[src].kind in WEIGHT_KINDS \
                and by_id[src].attrs.get("activation", "none") == "none" and _users(ops, src, alias) == 1:
            by_id[src].attrs["activation"] = op.attrs["function"]
            alias[op.id] = src
            continue
        expected = op.attrs.pop("in_size", None)  # what the model's weights take, to check the shapes
        if expected is not None and op.kind in WEIGHT_KINDS:
            got = ins[0][0] if op.kind == "conv2d" else _prod(ins[0])
            if got != expected:
                what = "input channels" if op.kind == "conv2d" else "inputs"
                raise UserError(f"node {op.where or op.id}: the model's layer takes {expected} {what}, the "
                                f"network gives it {got} (check --input-shape); nothing written")
        try:
            shapes[op.id] = _shape(0, _node(op), ins)
        except NetworkError as exc:
            raise UserError(f"node {op.where or op.id}: {exc.message}") from None
        by_id[op.id] = op
    kept = [op for op in ops if op.id in by_id]
    final = resolve(output)
    if not kept or kept[-1].id != final:
        raise UserError("the network's output is not its last operation; nothing written")
    # A layer another (not the next) reads gets a name: a weight layer the one simcim gives it anyway
    # (conv3, fc54: simcim.network), any other its kind and position (add12).
    names: dict[str, str] = {}
    weights = 0
    for n, op in enumerate(kept):
        if op.kind in WEIGHT_KINDS:
            weights += 1
            names[op.id] = f"{'conv' if op.kind == 'conv2d' else 'fc'}{weights}"
        else:
            kind = op.attrs["function"] if op.kind == "activation" else op.kind.replace("adaptive_", "")
            names[op.id] = f"{kind}{n}"
    named = set()
    for n, op in enumerate(kept):
        ins = [resolve(i) for i in op.inputs]
        if ins != ([kept[n - 1].id] if n else [INPUT_ID]):
            named.update(i for i in ins if i != INPUT_ID)
    out: list[dict[str, Any]] = []
    for n, op in enumerate(kept):
        entry: dict[str, Any] = {}
        if op.id in named:
            entry["name"] = names[op.id]
        entry["kind"] = op.kind
        ins = [resolve(i) for i in op.inputs]
        if ins != ([kept[n - 1].id] if n else [INPUT_ID]):
            entry["inputs"] = [names[i] if i != INPUT_ID else "input" for i in ins]
        entry.update(_attributes(op))
        out.append(entry)
    return out


def _attributes(op: Op) -> dict[str, Any]:
    """The op's keys in a fixed order, leaving out what equals the spec's default (a conv2d's
    padding is always written: the spec's default, 1, is not torch's, 0)."""
    a = dict(op.attrs)
    if op.kind in WEIGHT_KINDS:
        a.setdefault("activation", "none")
    if op.kind == "conv2d":
        a.setdefault("padding", 0)
        a.setdefault("stride", 1)
        a.setdefault("groups", 1)
    skip = {"stride": 1, "groups": 1} if op.kind == "conv2d" else {"padding": 0}
    if op.kind in ("maxpool", "avgpool") and a.get("stride") in (None, a["kernel"]):
        a.pop("stride", None)
    return {k: a[k] for k in _ORDER.get(op.kind, ()) if k in a and skip.get(k, object()) != a[k]}


def _users(ops: list[Op], op_id: str, alias: dict[str, str]) -> int:
    """How many ops read ``op_id`` once identities and folded layers are looked through."""
    def resolve(i: str) -> str:
        while i in alias:
            i = alias[i]
        return i

    count = 0
    for op in ops:
        if op.kind == "identity" or op.id in alias:
            continue
        count += sum(1 for i in op.inputs if resolve(i) == op_id)
    return count


def _flow(entry: dict[str, Any]) -> str:
    parts = []
    for k, v in entry.items():
        if isinstance(v, list):
            v = "[" + ", ".join(v) + "]"
        parts.append(f"{k}: {v}")
    return "{" + ", ".join(parts) + "}"


def workload_yaml(layers: list[dict[str, Any]], *, name: str, input_shape: tuple[int, ...], rule: str,
                  batch_size: int, header: list[str], dataset: str = "synthetic") -> str:
    """The workload file: header comments, then the network and the run's settings."""
    lines = [f"# {h}" for h in header]
    lines += [f"name: {name}", f"input_shape: [{', '.join(map(str, input_shape))}]", "layers:"]
    lines += [f"  - {_flow(e)}" for e in layers]
    lines += [f"rule: {rule}", f"batch_size: {batch_size}",
              "epoch_images: 50000          # training images per epoch",
              "epochs: 50",
              "quantization: {weight_bits: 6, activation_bits: 8, error_bits: 8, gradient_bits: 6}",
              "schedule: layer_by_layer",
              f"training: {{dataset: {dataset}, lr: 0.01, momentum: 0.9, loss: cross_entropy}}",
              "seed: 0", ""]
    return "\n".join(lines)
