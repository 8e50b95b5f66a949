"""Import from PyTorch: the module's graph as torch.fx captures it (symbolic tracing, torch's own
graph capture: the ops the forward runs, not the names of its submodules), turned into generic ops.

The model is built on torch's ``meta`` device: shapes are all that is needed, so no weights are
allocated or initialized (a VGG-16 builds in milliseconds instead of seconds).
"""

from __future__ import annotations

import importlib
import importlib.util
import operator
import re
import sys
import types
from pathlib import Path
from typing import Any, Callable

from simcim.errors import UserError
from simcim.importers.ops import INPUT_ID, Op, UnsupportedOp

_LINE = re.compile(r'File "([^"]+)", line (\d+)')


def import_torchvision() -> types.ModuleType:
    """torchvision's models. A torchvision whose compiled ops do not match the installed torch fails
    on import while registering those ops (``operator torchvision::nms does not exist``); the models
    do not need them, so the two registration modules are skipped then."""
    try:
        import torchvision
    except ModuleNotFoundError:
        raise UserError("torchvision:NAME needs torchvision (pip install 'simcim[import]')") from None
    except RuntimeError:
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
        for name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
            sys.modules[name] = types.ModuleType(name)
        import torchvision
    return torchvision.models


def load_factory(source: str) -> Callable[..., Any]:
    """``torchvision:NAME``, ``path/to/file.py:function`` or ``package.module:function``."""
    where, _, attr = source.rpartition(":")
    if not where or not attr:
        raise UserError(f"{source}: expected torchvision:NAME, FILE.py:FUNCTION, PACKAGE.MODULE:FUNCTION or FILE.onnx")
    if where == "torchvision":
        models = import_torchvision()
        if attr not in models.list_models(module=models):
            raise UserError(f"{source}: torchvision has no model {attr!r} (e.g. resnet18, resnet50, mobilenet_v2, vgg16)")
        return lambda **kw: models.get_model(attr, weights=None, **kw)
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_file():
            raise UserError(f"{where}: no such file")
        spec = importlib.util.spec_from_file_location(f"simcim_import_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        try:
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        except Exception as exc:  # the user's file: say which and why, in one line
            raise UserError(f"{where}: could not be loaded: {type(exc).__name__}: {exc}") from None
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            raise UserError(f"{where}: cannot import it ({exc})") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise UserError(f"{source}: {where} has no function {attr!r}")
    return factory


def build_model(source: str, num_classes: int | None) -> Any:
    """The nn.Module the factory makes, on the meta device (shapes only), in eval mode."""
    import torch

    factory = load_factory(source)
    kwargs = {"num_classes": num_classes} if num_classes is not None else {}
    try:
        with torch.device("meta"):
            model = factory(**kwargs)
    except TypeError as exc:
        raise UserError(f"{source}: calling it failed: {exc}") from None
    if not isinstance(model, torch.nn.Module):
        raise UserError(f"{source}: returned a {type(model).__name__}, not a torch.nn.Module")
    return model.eval()


def _where(node: Any) -> str:
    """``file.py:line`` of the node's source line, where torch recorded it."""
    import torch

    torch_dir = str(Path(torch.__file__).parent) + "/"  # (not torchvision's folder, a model's source)
    found = [(p, n) for p, n in _LINE.findall(node.stack_trace or "") if not p.startswith(torch_dir)]
    if not found:
        return ""
    path, line = found[-1]  # the innermost frame outside torch: the model's own line
    return f"{Path(path).name}:{line}"


def _pair(value: Any, what: str, op: str, node: Any) -> int:
    """One number for a square kernel / stride / padding; unsupported otherwise."""
    if isinstance(value, (tuple, list)):
        if len(set(value)) != 1:
            raise UnsupportedOp(op, node.name, _where(node), f"{what} {tuple(value)} is not square")
        value = value[0]
    if not isinstance(value, int):
        raise UnsupportedOp(op, node.name, _where(node), f"{what} {value!r}")
    return value


def _module_op(node: Any, module: Any) -> tuple[str, dict[str, Any]]:
    from torch import nn

    name = type(module).__name__
    if isinstance(module, nn.Conv2d):
        if _pair(module.dilation, "dilation", name, node) != 1 or module.padding_mode != "zeros":
            raise UnsupportedOp(name, node.name, _where(node), "dilated or non-zero-padded convolution")
        return "conv2d", {"in_size": module.in_channels, "out_channels": module.out_channels, "kernel": _pair(module.kernel_size, "kernel", name, node),
                          "stride": _pair(module.stride, "stride", name, node),
                          "padding": _pair(module.padding, "padding", name, node), "groups": module.groups}
    if isinstance(module, nn.Linear):
        return "linear", {"in_size": module.in_features, "out_features": module.out_features}
    if isinstance(module, (nn.BatchNorm2d, nn.BatchNorm1d)):
        return "batchnorm", {}
    acts = {nn.ReLU: "relu", nn.ReLU6: "relu6", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh"}
    for cls, fn in acts.items():
        if type(module) is cls:
            return "activation", {"function": fn}
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        if module.ceil_mode or (isinstance(module, nn.MaxPool2d) and _pair(module.dilation, "dilation", name, node) != 1):
            raise UnsupportedOp(name, node.name, _where(node), "ceil_mode or dilation")
        kernel = _pair(module.kernel_size, "kernel", name, node)
        stride = _pair(module.stride if module.stride is not None else kernel, "stride", name, node)
        return ("maxpool" if isinstance(module, nn.MaxPool2d) else "avgpool"), {
            "kernel": kernel, "stride": stride, "padding": _pair(module.padding, "padding", name, node)}
    if isinstance(module, nn.AdaptiveAvgPool2d):
        return "adaptive_avgpool", {"output_size": _pair(module.output_size, "output size", name, node)}
    if isinstance(module, nn.Flatten):
        if module.start_dim != 1 or module.end_dim != -1:
            raise UnsupportedOp(name, node.name, _where(node), "flatten from a dimension other than 1")
        return "flatten", {}
    if isinstance(module, (nn.Dropout, nn.Dropout2d, nn.Identity)):
        return "identity", {}
    raise UnsupportedOp(name, node.name, _where(node))


def _tensor_args(node: Any) -> list[Any]:
    from torch import fx

    return [a for a in node.args if isinstance(a, fx.Node)]


def _function_op(node: Any) -> tuple[str, dict[str, Any], list[Any]]:
    """(kind, attributes, input nodes) of a call_function / call_method node."""
    import torch
    import torch.nn.functional as F

    target = node.target
    name = target if isinstance(target, str) else getattr(target, "__name__", str(target))
    args = node.args
    tensors = _tensor_args(node)
    acts = {torch.relu: "relu", F.relu: "relu", F.relu6: "relu6", torch.sigmoid: "sigmoid", torch.tanh: "tanh",
            "relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh"}
    if target in (operator.add, operator.iadd, torch.add, "add", "add_") and len(tensors) == 2 and len(args) == 2 \
            and not node.kwargs:
        return "add", {}, tensors
    if target in acts and len(tensors) == 1:
        return "activation", {"function": acts[target]}, tensors
    if target in (torch.flatten, "flatten") and len(tensors) == 1:
        start = args[1] if len(args) > 1 else node.kwargs.get("start_dim", 0 if target is torch.flatten else 0)
        end = args[2] if len(args) > 2 else node.kwargs.get("end_dim", -1)
        if start == 1 and end == -1:
            return "flatten", {}, tensors
    if target is torch.cat:
        items = args[0] if args else node.kwargs.get("tensors")
        dim = args[1] if len(args) > 1 else node.kwargs.get("dim", 0)
        if dim == 1 and isinstance(items, (list, tuple)):
            return "concat", {}, list(items)
    if target is F.adaptive_avg_pool2d and len(tensors) == 1:
        size = args[1] if len(args) > 1 else node.kwargs.get("output_size")
        return "adaptive_avgpool", {"output_size": _pair(size, "output size", name, node)}, tensors
    if target in (F.max_pool2d, F.avg_pool2d, torch.max_pool2d) and len(tensors) == 1:
        # (input, kernel_size, stride=None, padding=0, ...) by position or keyword
        names = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
        given = dict(zip(names, args[1:]), **node.kwargs)
        if given.get("ceil_mode") or given.get("dilation", 1) not in (1, (1, 1)) or given.get("return_indices"):
            raise UnsupportedOp(name, node.name, _where(node), "ceil_mode, dilation or return_indices")
        kernel = _pair(given["kernel_size"], "kernel", name, node)
        stride = given.get("stride") or kernel
        kind = "maxpool" if target in (F.max_pool2d, torch.max_pool2d) else "avgpool"
        return kind, {"kernel": kernel, "stride": _pair(stride, "stride", name, node),
                      "padding": _pair(given.get("padding", 0), "padding", name, node)}, tensors
    if target in (F.dropout, "contiguous") and len(tensors) == 1:
        return "identity", {}, tensors
    if target in ("view", "reshape", torch.reshape) and _is_flatten(node):
        return "flatten", {}, tensors[:1]
    raise UnsupportedOp(name, node.name, _where(node))


def _is_flatten(node: Any) -> bool:
    """``x.view(x.size(0), -1)`` / ``x.reshape(n, -1)`` / ``torch.reshape(x, (n, -1))``: a flatten
    that keeps the batch (the first size may be read from the tensor or written as a number)."""
    shape = list(node.args[1:])
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = list(shape[0])
    return len(shape) == 2 and shape[1] == -1


def _is_size(node: Any) -> bool:
    """A node that reads a tensor's size (``x.size(0)``, ``x.shape[0]``): a number, not data."""
    if node.op == "call_method" and node.target == "size":
        return True
    if node.op == "call_function" and node.target is getattr and node.args[1:] == ("shape",):
        return True
    return node.op == "call_function" and node.target is operator.getitem and any(
        _is_size(a) for a in node.args if hasattr(a, "op"))


def torch_ops(model: Any) -> tuple[list[Op], str]:
    """The model's forward as generic ops (execution order) and the id of its output."""
    from torch import fx

    tracer = fx.Tracer()
    tracer.record_stack_traces = True  # so that an error can name the source line
    try:
        graph = tracer.trace(model)
    except Exception as exc:  # torch.fx cannot follow data-dependent control flow
        raise UserError(f"torch.fx could not trace the model: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    modules = dict(model.named_modules())
    ops: list[Op] = []
    ids: dict[Any, str] = {}
    output = ""
    for node in graph.nodes:
        if node.op == "placeholder":
            if INPUT_ID in ids.values():
                raise UnsupportedOp("a second input", node.name, _where(node), "one input tensor only")
            ids[node] = INPUT_ID
            continue
        if node.op == "output":
            result = node.args[0]
            if not isinstance(result, fx.Node):
                raise UnsupportedOp("output", node.name, _where(node), "the model must return one tensor")
            output = ids[result]
            continue
        if node.op == "call_module":
            kind, attrs = _module_op(node, modules[node.target])
            inputs = _tensor_args(node)
            if len(inputs) != 1:
                raise UnsupportedOp(type(modules[node.target]).__name__, node.name, _where(node), "more than one input")
        elif node.op in ("call_function", "call_method") and _is_size(node):
            continue  # a size read for a reshape: no layer
        elif node.op in ("call_function", "call_method"):
            kind, attrs, inputs = _function_op(node)
        else:  # get_attr: a parameter used in the forward's own arithmetic
            raise UnsupportedOp(node.op, node.name, _where(node), "a tensor read from the module")
        ids[node] = node.name
        where = node.name + (f" at {_where(node)}" if _where(node) else "")
        ops.append(Op(node.name, kind, [ids[i] for i in inputs], attrs, where))
    return ops, output
