"""Shapes of a workload's network: what each weight layer multiplies, per image.

Both the hardware mapping and the trainer read the network through this, so the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from simcim.spec.workload import Conv2d, Flatten, Linear, Pool, Workload


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

    @property
    def weights(self) -> int:
        return self.rows * self.cols

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one forward pass of this layer for one image."""
        return self.rows * self.cols * self.mvms


def _prod(shape: tuple[int, ...]) -> int:
    n = 1
    for v in shape:
        n *= v
    return n


def weight_layers(workload: Workload) -> list[WeightLayer]:
    """Walk the layer list, tracking the feature-map shape, and describe every weight layer."""
    shape: tuple[int, ...] = tuple(workload.input_shape)
    out: list[WeightLayer] = []
    for pos, layer in enumerate(workload.layers):
        if isinstance(layer, Linear):
            k = _prod(shape)
            new = (layer.out_features,)
            out.append(WeightLayer(len(out) + 1, layer.name or f"fc{len(out) + 1}", "linear", k,
                                   layer.out_features, 1, k, layer.out_features, shape, new,
                                   layer.activation))
            shape = new
        elif isinstance(layer, Conv2d):
            if len(shape) != 3:
                raise ValueError(f"layers[{pos}]: conv2d needs a (C, H, W) input, got {shape}")
            c, h, w = shape
            ho = (h + 2 * layer.padding - layer.kernel) // layer.stride + 1
            wo = (w + 2 * layer.padding - layer.kernel) // layer.stride + 1
            if ho < 1 or wo < 1:
                raise ValueError(f"layers[{pos}]: kernel larger than the padded input {shape}")
            new = (layer.out_channels, ho, wo)
            out.append(WeightLayer(len(out) + 1, layer.name or f"conv{len(out) + 1}", "conv2d",
                                   layer.kernel * layer.kernel * c, layer.out_channels, ho * wo,
                                   _prod(shape), _prod(new), shape, new, layer.activation, kernel=layer.kernel))
            shape = new
        elif isinstance(layer, Pool):
            if len(shape) != 3:
                raise ValueError(f"layers[{pos}]: pooling needs a (C, H, W) input, got {shape}")
            c, h, w = shape
            shape = (c, h // layer.kernel, w // layer.kernel)
            if shape[1] < 1 or shape[2] < 1:
                raise ValueError(f"layers[{pos}]: pooling by {layer.kernel} leaves nothing of a {h}x{w} map")
            if out and not out[-1].pool:
                out[-1] = replace(out[-1], pool=layer.kernel)
        elif isinstance(layer, Flatten):
            shape = (_prod(shape),)
    return out


def classes(workload: Workload) -> int:
    """Number of output classes: the workload's ``classes`` or the last layer's width."""
    return workload.classes or weight_layers(workload)[-1].cols
