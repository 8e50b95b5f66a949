"""Analog matrix-vector products on crossbar subarrays: reference column, read noise, ADC.

Weight representation (the on/off-ratio choice). A weight w in [-1, 1] is one cell of conductance
G = Gmin + (w + 1)/2 (Gmax - Gmin), read against a reference column held at the middle conductance
Gref = (Gmax + Gmin)/2, as DNN+NeuroSim's python model does with its "dummy" column. With Gmax = 1
and Gmin = 1/on_off_ratio, a column current is I = h * (x . w) + Gref * sum(x), h = (Gmax - Gmin)/2,
and the weight term is (I - Iref)/h. With an exact read the offset cancels, so the on/off ratio
costs nothing; it costs through the ADC and read noise, because the common-mode current Gref*sum(x)
takes up the ADC's range and adds noise (a low ratio means a large Gmin and a large common mode).

ADC. Each subarray sums ``rows`` rows into one analog partial sum per column; that sum (and the
reference column's) is digitized to 2^bits levels over the range [min, max] of the partial sums
of that subarray row-group in the batch, as NeuroSim's python ``LinearQuantizeOut`` does, before
digital accumulation across row groups. We digitize each group's sum once per MVM rather than once
per input bit: bit-serial reading would cost ``activation_bits`` times the matmuls (see
docs/training.md). Inputs may be signed (errors in the transposed read); a chip would apply the
two signs in two phases, which this model folds into one signed sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


@dataclass(frozen=True)
class ReadModel:
    """How one crossbar read behaves. ``adc_bits=None`` and ``read_noise=0`` is an exact read."""

    group_rows: int
    adc_bits: int | None
    read_noise: float
    on_off_ratio: float

    @property
    def exact(self) -> bool:
        return self.adc_bits is None and self.read_noise == 0


def adc_quantize(current: Tensor, lo: Tensor, hi: Tensor, bits: int) -> Tensor:
    """Digitize to 2^bits uniform bins over [lo, hi] (per group), returning bin centres.

    NeuroSim's LinearQuantizeOut returns the lower bin edge (a bias of half a bin); the centre
    keeps the error zero-mean.
    """
    levels = 2**bits
    width = (hi - lo).clamp_min(1e-12) / levels
    index = torch.clamp(torch.floor((current - lo) / width), 0, levels - 1)
    return lo + (index + 0.5) * width


def crossbar_mvm(x: Tensor, w: Tensor, model: ReadModel, generator: torch.Generator) -> Tensor:
    """x (N, K) times w (K, M) read from subarrays of ``group_rows`` rows: (N, M)."""
    if model.exact:
        return x @ w
    n, k = x.shape
    m = w.shape[1]
    r = model.group_rows
    groups = -(-k // r)
    pad = groups * r - k
    if pad:
        x = F.pad(x, (0, pad))
        w = F.pad(w, (0, 0, 0, pad))
    xg = x.reshape(n, groups, r).transpose(0, 1)  # (G, N, R)
    signal = torch.bmm(xg, w.reshape(groups, r, m))  # (G, N, M), in weight units
    gmin = 1.0 / model.on_off_ratio
    half_range = (1.0 - gmin) / 2.0  # h: conductance per unit weight, Gmax = 1
    g_ref = (1.0 + gmin) / 2.0
    ref = g_ref * xg.sum(dim=2, keepdim=True)  # (G, N, 1): the reference column's current
    current = half_range * signal + ref
    if model.read_noise > 0:
        current = current * (1.0 + model.read_noise * torch.randn(
            current.shape, generator=generator, dtype=current.dtype))
        ref = ref * (1.0 + model.read_noise * torch.randn(
            ref.shape, generator=generator, dtype=ref.dtype))
    if model.adc_bits is not None:
        # One range per subarray row-group; the reference column shares its subarray's ADC.
        lo = torch.minimum(current.amin(dim=(1, 2), keepdim=True), ref.amin(dim=(1, 2), keepdim=True))
        hi = torch.maximum(current.amax(dim=(1, 2), keepdim=True), ref.amax(dim=(1, 2), keepdim=True))
        current = adc_quantize(current, lo, hi, model.adc_bits)
        ref = adc_quantize(ref, lo, hi, model.adc_bits)
    return ((current - ref) / half_range).sum(dim=0)
