"""`simcim import`: a network from PyTorch (torch.fx) or ONNX as the workload's layer list."""

from __future__ import annotations

from typing import Any

from simcim.errors import UserError
from simcim.importers.ops import UnsupportedOp, to_layers, workload_yaml

__all__ = ["UnsupportedOp", "import_layers", "workload_yaml"]


def import_layers(source: str, input_shape: tuple[int, ...] | None, num_classes: int | None
                  ) -> tuple[list[dict[str, Any]], tuple[int, ...]]:
    """The workload's ``layers`` of the network ``source`` (torchvision:NAME, FILE.py:FUNCTION,
    PACKAGE.MODULE:FUNCTION or FILE.onnx) and the input shape (without the batch)."""
    if source.endswith(".onnx"):
        from simcim.importers.onnx_graph import load_onnx

        ops, output, shape = load_onnx(source)
        if input_shape is not None and shape is not None and tuple(input_shape) != shape:
            raise UserError(f"--input-shape {','.join(map(str, input_shape))}: the ONNX file's input is "
                            f"{','.join(map(str, shape))}")
        shape = tuple(input_shape) if input_shape is not None else shape
        if shape is None:
            raise UserError(f"{source}: the input's size is not fixed in the file; give --input-shape")
        if num_classes is not None:
            raise UserError("--num-classes applies to a model factory; an ONNX file's classes are fixed")
    else:
        try:
            import torch  # noqa: F401  (the 'train' / 'import' extras)
        except ModuleNotFoundError:
            raise UserError("importing from PyTorch needs torch (pip install torch==2.13.0 'simcim[import]')") from None
        from simcim.importers.torch_graph import build_model, torch_ops

        if input_shape is None:
            raise UserError("--input-shape C,H,W (or N for a flat input) is needed for a PyTorch model")
        shape = tuple(input_shape)
        ops, output = torch_ops(build_model(source, num_classes))
    return to_layers(ops, shape, output), shape
