"""Import from ONNX (the ``onnx`` package): the graph's nodes, in the file's (topological) order,
turned into generic ops. Weight shapes come from the initializers; ONNX records no source lines,
so an unsupported op is named by its type and node name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simcim.errors import UserError
from simcim.importers.ops import INPUT_ID, Op, UnsupportedOp


def _attrs(node: Any) -> dict[str, Any]:
    import onnx

    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _square(values: list[int] | None, what: str, node: Any, default: int) -> int:
    if not values:
        return default
    if len(set(values)) != 1:
        raise UnsupportedOp(node.op_type, node.name, None, f"{what} {list(values)} is not square / symmetric")
    return int(values[0])


def load_onnx(path: str) -> tuple[list[Op], str, tuple[int, ...] | None]:
    """(generic ops, the output's id, the input shape without the batch where the file fixes it)."""
    try:
        import onnx
        from onnx import numpy_helper
    except ModuleNotFoundError:
        raise UserError("importing ONNX needs the onnx package (pip install 'simcim[onnx]')") from None
    if not Path(path).is_file():
        raise UserError(f"{path}: no such file")
    try:
        model = onnx.load(path, load_external_data=False)
    except Exception as exc:  # a damaged or non-ONNX file
        raise UserError(f"{path}: not an ONNX model ({type(exc).__name__})") from None
    g = model.graph
    shapes: dict[str, tuple[int, ...]] = {i.name: tuple(i.dims) for i in g.initializer}
    values: dict[str, Any] = {}
    inputs = [i for i in g.input if i.name not in shapes]
    if len(inputs) != 1:
        raise UserError(f"{path}: the model has {len(inputs)} inputs; one is supported")
    dims = [d.dim_value if d.HasField("dim_value") else 0 for d in inputs[0].type.tensor_type.shape.dim]
    input_shape = tuple(dims[1:]) if len(dims) > 1 and all(dims[1:]) else None
    ids: dict[str, str] = {inputs[0].name: INPUT_ID}
    ops: list[Op] = []

    def constant(name: str) -> Any:
        if name in values:
            return values[name]
        for init in g.initializer:
            if init.name == name:
                return numpy_helper.to_array(init)
        return None

    for node in g.node:
        t, a = node.op_type, _attrs(node)
        data = [i for i in node.input if i and i in ids]  # inputs that carry the network's data
        if t == "Constant":
            values[node.output[0]] = numpy_helper.to_array(a["value"]) if "value" in a else None
            shapes[node.output[0]] = ()
            continue
        if not data:  # an op on constants only (Identity of a weight, ...): a constant too
            for out in node.output:
                shapes[out] = shapes.get(node.input[0], ()) if node.input else ()
                if node.input and node.input[0] in values:
                    values[out] = values[node.input[0]]
            continue
        kind, attrs = "identity", {}
        if t == "Conv":
            w = shapes.get(node.input[1])
            if w is None or len(w) != 4:
                raise UnsupportedOp(t, node.name, None, "a 2-d convolution with a constant weight")
            pads = list(a.get("pads", [0, 0, 0, 0]))
            if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or _square(a.get("dilations"), "dilations", node, 1) != 1:
                raise UnsupportedOp(t, node.name, None, "auto_pad or dilation")
            kind = "conv2d"
            attrs = {"in_size": int(w[1]) * int(a.get("group", 1)), "out_channels": int(w[0]), "kernel": _square(a.get("kernel_shape", list(w[2:])), "kernel", node, 1),
                     "stride": _square(a.get("strides"), "strides", node, 1), "padding": _square(pads, "pads", node, 0),
                     "groups": int(a.get("group", 1))}
        elif t in ("Gemm", "MatMul"):
            w = shapes.get(node.input[1])
            if w is None or len(w) != 2 or (t == "Gemm" and (a.get("transA", 0) or a.get("alpha", 1.0) != 1.0)):
                raise UnsupportedOp(t, node.name, None, "a matrix product with a constant weight")
            kind = "linear"
            transposed = t == "Gemm" and a.get("transB", 0)
            attrs = {"in_size": int(w[1] if transposed else w[0]), "out_features": int(w[0] if transposed else w[1])}
        elif t == "Add" and len(data) == 1:  # a bias
            kind = "identity"
        elif t == "Add":
            kind = "add"
        elif t == "Concat":
            if a.get("axis") != 1:
                raise UnsupportedOp(t, node.name, None, f"concatenation along axis {a.get('axis')}")
            kind = "concat"
        elif t == "BatchNormalization":
            kind = "batchnorm"
        elif t in ("Relu", "Sigmoid", "Tanh"):
            kind, attrs = "activation", {"function": t.lower()}
        elif t == "Clip":
            lo = constant(node.input[1]) if len(node.input) > 1 and node.input[1] else a.get("min")
            hi = constant(node.input[2]) if len(node.input) > 2 and node.input[2] else a.get("max")
            if lo is None or hi is None or float(lo) != 0.0 or float(hi) not in (6.0,):
                raise UnsupportedOp(t, node.name, None, "a clip other than ReLU6 (0..6)")
            kind, attrs = "activation", {"function": "relu6"}
        elif t in ("MaxPool", "AveragePool"):
            if a.get("ceil_mode", 0) or _square(a.get("dilations"), "dilations", node, 1) != 1:
                raise UnsupportedOp(t, node.name, None, "ceil_mode or dilation")
            kernel = _square(a.get("kernel_shape"), "kernel", node, 1)
            kind = "maxpool" if t == "MaxPool" else "avgpool"
            attrs = {"kernel": kernel, "stride": _square(a.get("strides"), "strides", node, 1),
                     "padding": _square(list(a.get("pads", [0, 0, 0, 0])), "pads", node, 0)}
        elif t == "GlobalAveragePool":
            kind, attrs = "adaptive_avgpool", {"output_size": 1}
        elif t == "Flatten":
            if a.get("axis", 1) != 1:
                raise UnsupportedOp(t, node.name, None, f"flatten from axis {a.get('axis')}")
            kind = "flatten"
        elif t in ("Identity", "Dropout"):
            kind = "identity"
        else:
            raise UnsupportedOp(t, node.name or node.output[0])
        out = node.output[0]
        ids[out] = out
        ops.append(Op(out, kind, [ids[i] for i in data], attrs, node.name or out))
    outputs = [o.name for o in g.output]
    if len(outputs) != 1 or outputs[0] not in ids:
        raise UserError(f"{path}: the model must have one output computed from its input")
    return ops, ids[outputs[0]], input_shape
