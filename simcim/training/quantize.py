"""WAGE quantizers (Wu et al. 2018, "Training and inference with integers in deep neural networks").

Q(x, b) = round(x * 2^(b-1)) / 2^(b-1), clipped to +-(1 - 2^(1-b)) (Wu et al., ICLR 2018). Errors and gradients
are first divided by a power of two, 2^round(log2 max|x|), so that their largest entry lands near 1
before Q; we keep that power of two with the tensor (a block-floating-point exponent, one shift in
hardware) so that the workload's learning rate means the same in quantized and float runs. WAGE
drops it because its own gradient normalization makes the scale irrelevant.
"""

from __future__ import annotations

import torch
from torch import Tensor


def step(bits: int) -> float:
    """The quantizer's resolution sigma(b) = 2^(1-b) (WAGE eq. 1)."""
    return 2.0 ** (1 - bits)


def clip_limit(bits: int) -> float:
    """Largest magnitude Q(x, b) can return: 1 - 2^(1-b)."""
    return 1.0 - step(bits)


def quantize(x: Tensor, bits: int) -> Tensor:
    """WAGE's Q(x, b): round to the 2^(1-b) grid, clip to +-(1 - 2^(1-b))."""
    scale = 2.0 ** (bits - 1)
    limit = clip_limit(bits)
    return torch.clamp(torch.round(x * scale) / scale, -limit, limit)


def shift(x: Tensor) -> Tensor:
    """WAGE's Shift(x) = 2^round(log2 x): the nearest power of two."""
    return torch.pow(2.0, torch.round(torch.log2(x)))


def abs_max(x: Tensor) -> Tensor:
    """max |x| as a 0-d tensor (NaN if x has one), from one aminmax pass instead of abs, then max."""
    lo, hi = torch.aminmax(x)
    return torch.maximum(hi, lo.neg())


def peak_and_shift(x: Tensor) -> tuple[Tensor, Tensor] | None:
    """max|x| and its Shift, the scale WAGE's QE and QG divide by; None when x is all zero or not
    finite (there is no scale to take). Callers divide by the shift rather than multiply by its
    reciprocal, which is beyond float32 for a vanishing tensor (max|x| ~ 1e-40)."""
    peak = abs_max(x)
    if not torch.isfinite(peak) or peak == 0:
        return None
    return peak, shift(peak)


def quantize_scaled(x: Tensor, bits: int) -> Tensor:
    """Errors and gradients: divide by Shift(max|x|), apply Q, and multiply the shift back.

    An all-zero tensor is returned unchanged (its scale is undefined).
    """
    scale = peak_and_shift(x)
    if scale is None:
        return x.clone()
    s = scale[1]
    return quantize(x / s, bits) * s


def quantize_stochastic(x: Tensor, bits: int, generator: torch.Generator) -> Tensor:
    """Q(x, b) with stochastic instead of nearest rounding: WAGE's gradient quantizer Q_G.

    Nearest rounding would zero every gradient entry below half a step, i.e. most of a large
    layer's gradient; stochastic rounding keeps each entry's expected value.
    """
    scale = 2.0 ** (bits - 1)
    limit = clip_limit(bits)
    return torch.clamp(stochastic_round(x * scale, generator) / scale, -limit, limit)


def stochastic_round(x: Tensor, generator: torch.Generator) -> Tensor:
    """Round to an integer up or down with the probability of the distance (unbiased, WAGE's Q_G).

    A device receives whole write pulses; rounding them stochastically keeps the expected update
    equal to the requested one even when it is far below one pulse.
    """
    noise = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return torch.floor(x + noise)
