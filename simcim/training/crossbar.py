"""Analog matrix-vector products on crossbar subarrays: reference column, read noise, ADC.

Weight representation (the on/off-ratio choice). A weight w in [-1, 1] is one cell of conductance
G = Gmin + (w + 1)/2 (Gmax - Gmin), read against a reference column held at the middle conductance
Gref = (Gmax + Gmin)/2, as DNN+NeuroSim's python model does with its "dummy" column. With Gmax = 1
and Gmin = 1/on_off_ratio, a column current is I = h * (x . w) + Gref * sum(x), h = (Gmax - Gmin)/2.
The reference current is subtracted in analog before the ADC (a current mirror per column), so
the ADC sees h * (x . w). Digitizing the two columns separately, as NeuroSim's python does, lets
the common mode Gref * sum(x) -- 10-50x the weight signal for on/off 10 and 128 rows of
non-negative inputs -- take the 5-bit ADC's whole range, and training collapses to chance; we
measured that and chose the analog subtraction that CIM macros use. The on/off ratio therefore
costs through read noise: each column current, common mode included, gets relative noise, so a
low ratio (a large Gmin) means more noise on the same signal. With an exact read it costs nothing.

ADC. Each subarray sums ``rows`` rows into one analog partial sum per column; that sum is digitized
to 2^bits levels over the range [min, max] of the partial sums of that subarray row-group in the
batch, as NeuroSim's python ``LinearQuantizeOut`` does (an ADC whose references are set to the
signal's range), before digital accumulation across row groups. We digitize each group's sum once
per MVM rather than once per input bit: bit-serial reading would cost ``activation_bits`` times
the matmuls (see docs/training.md). Inputs may be signed (errors in the transposed read); a chip
would apply the two signs in two phases, which this model folds into one signed sum.
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
    # In place on one temporary: this runs on every partial sum of every read (the step's hot spot).
    index = (current - lo).div_(width).floor_().clamp_(0, levels - 1)
    return index.add_(0.5).mul_(width).add_(lo)


def crossbar_mvm(x: Tensor, w: Tensor, model: ReadModel, generator: torch.Generator,
                 scale: float = 1.0) -> Tensor:
    """x (N, K) times w (K, M) read from subarrays of ``group_rows`` rows: (N, M).

    ``scale`` is the layer's WAGE alpha (device.py): the cells hold w * alpha, so the read (and its
    noise against the reference column) happens in cell units and the result is divided by alpha.
    """
    if model.exact:
        return x @ w
    if scale != 1.0 and model.read_noise > 0:
        # Without read noise the read is scale-free (the ADC range follows the signal), so the
        # scaling is only needed, and only done, when noise is on.
        return crossbar_mvm(x, w * scale, model, generator) / scale
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
    if model.read_noise == 0:
        # Column current minus reference is h * signal; the ADC's range follows it, so digitize the
        # signal directly (the same bins, two fewer passes over the partial sums).
        if model.adc_bits is not None:
            lo = signal.amin(dim=(1, 2), keepdim=True)  # one range per subarray row-group
            hi = signal.amax(dim=(1, 2), keepdim=True)
            signal = adc_quantize(signal, lo, hi, model.adc_bits)
        return signal.sum(dim=0)
    gmin = 1.0 / model.on_off_ratio
    half_range = (1.0 - gmin) / 2.0  # h: conductance per unit weight, Gmax = 1
    diff = half_range * signal  # (G, N, M): column current minus reference current
    if model.read_noise > 0:
        g_ref = (1.0 + gmin) / 2.0
        ref = g_ref * xg.sum(dim=2, keepdim=True)  # (G, N, 1): reference column current
        col = diff + ref
        noise_col = torch.randn(col.shape, generator=generator, dtype=col.dtype)
        noise_ref = torch.randn(ref.shape, generator=generator, dtype=ref.dtype)
        diff = diff + model.read_noise * (col * noise_col - ref * noise_ref)
    if model.adc_bits is not None:
        lo = diff.amin(dim=(1, 2), keepdim=True)  # one range per subarray row-group
        hi = diff.amax(dim=(1, 2), keepdim=True)
        diff = adc_quantize(diff, lo, hi, model.adc_bits)
    return (diff / half_range).sum(dim=0)
