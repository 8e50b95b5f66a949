"""The cells that hold one weight matrix, and how a requested update becomes write pulses.

Three ways to hold a weight, picked by the switches (see settings.Nonidealities):
- float: an ideal memory, updated by exactly the requested amount;
- grid: quantization without a device model, the WAGE weight grid 2^(1-b) (Wu et al. 2018),
  updated in whole grid steps, i.e. a linear device with 2^b - 1 levels;
- device: a nonlinear cell with ``levels`` conductance states, Pmax = levels - 1 pulses from Gmin to
  Gmax, moved along its LTP or LTD curve (nonlinearity.py) by whole pulses, as NeuroSim's training
  model does.
Pulse counts are rounded stochastically (unbiased), so updates far below one pulse still act on
average. Cycle-to-cycle variation adds N(0, c2c * (Gmax - Gmin)) to each cell that was written
(NeuroSim V2.1; docs/reference.md); with weights normalized to [-1, 1], Gmax - Gmin = 2.

Per-layer scale (WAGE; DNN+NeuroSim V2.1 Training_pytorch/utee/wage_initializer.py, scale_limit, and
modules/quantization_cpu_np_infer.py, ``output / self.scale``). A cell holds a normalized value c in
[-1, 1]; the layer computes with w = c / alpha, alpha = max(1, 2^round(log2(Wm / sqrt(3 / fan_in)))),
Wm = 1.5 * 16 / 2^(bits-1) (0.75 for 6 bits). A layer's weights are small (|w| ~ sqrt(3/fan_in),
0.06 for fan_in 784), so without alpha they would sit on the few levels around the middle of the
cell: one pulse (2/63) would be as large as the weight itself, and the device's up/down asymmetry
would move every weight by whole levels. With alpha (16 for fan_in 784 or 1024, 64 levels) the
weights spread over the cell's range and a pulse is a fine step. Clipping at +-1 in the cell is
+-1/alpha in the layer, as in NeuroSim. Float runs (no quantization, no device) keep alpha = 1: the
value is the same, only its representation changes.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from simcim.training.nonlinearity import (LINEAR_A, a_of_label, ltd_conductance, ltd_pulses, ltp_conductance,
                                          ltp_pulses, retrace_conductance, retrace_pulses)
from simcim.training.quantize import clip_limit, peak_and_shift, quantize, step, stochastic_round
from simcim.training.settings import HardwareModel

RANGE = 2.0  # Gmax - Gmin in normalized weight units ([-1, 1])

# The "lr" DNN+NeuroSim V2.1 passes to QG (train.py: --grad_scale, default 1; divided by 8 at epochs
# 200 and 250 of its 32). Its SGD learning rate (alpha = 0.1) and momentum (gamma = 0.9) act earlier,
# on the velocity that QG receives; ours are the workload's lr and momentum.
NEUROSIM_GRAD_SCALE = 1.0


# WAGE's beta: the initial range of a cell is Wm = BETA / 2^(bits-1) (NeuroSim V2.1 wage_initializer.py,
# scale_limit: beta = 1.5 * 16).
WAGE_BETA = 1.5 * 16


def layer_scale(fan_in: int, bits: int) -> float:
    """WAGE's per-layer scale alpha = max(1, 2^round(log2(Wm / sqrt(3 / fan_in)))), Wm = 24 / 2^(bits-1).

    sqrt(3 / fan_in) is NeuroSim's float_limit (wage_init_ with factor 1). By hand: fan_in 784, 6 bits:
    Wm = 0.75, 0.75 / 0.0619 = 12.1 -> 2^4 = 16.
    """
    wm = WAGE_BETA / 2.0 ** (bits - 1)
    return max(1.0, 2.0 ** round(math.log2(wm / math.sqrt(3.0 / fan_in))))


def wage_init_limit(fan_in: int, bits: int) -> float:
    """Half-range of WAGE's initial weights, in weight units: max(Wm, sqrt(3 / fan_in)) / alpha.

    DNN+NeuroSim V2.1 utee/wage_initializer.py: wage_init_ (factor 1.0, as QLinear and QConv2d call
    it) draws the cells from U(-limit, limit), limit = scale_limit's max(Wm, float_limit), and the layer
    reads them divided by its scale alpha (:func:`layer_scale`). By hand: fan_in 1024, 6 bits:
    Wm = 0.75 > 0.054, alpha = 16, so 0.75 / 16 = 0.046875.
    """
    wm = WAGE_BETA / 2.0 ** (bits - 1)
    return max(wm, math.sqrt(3.0 / fan_in)) / layer_scale(fan_in, bits)


def _device_a(labels: tuple[float, float], d2d: float, shape: torch.Size, generator: torch.Generator
              ) -> tuple[Tensor, Tensor]:
    """Normalized (a_LTP, a_LTD) per cell. Device-to-device variation draws one N(0, d2d) per device
    and adds it to both labels, as DNN+NeuroSim V2.1 does (Training_pytorch/train.py: one
    ``d2dVariation`` per weight added to NL_LTP and NL_LTD): a device that bends more when
    potentiated bends more when depressed. A drawn label keeps its sign (GetParamA: A = sign(NL) *
    table(|NL|)), so it may cross 0 into the mirrored shape when d2d is large against the label."""
    if d2d == 0:
        return tuple(torch.full(shape, float(a_of_label(label))) for label in labels)  # type: ignore[return-value]
    draw = d2d * torch.randn(shape, generator=generator, dtype=torch.float64)
    a_ltp, a_ltd = (torch.from_numpy(a_of_label((label + draw).numpy())).to(torch.float32) for label in labels)
    return a_ltp, a_ltd


# Below this |a| (labels beyond ~8) e^(n/A) of the closed form overflows float32 for the pulse counts
# QG asks (|n| up to ~0.7 levels), and inf * 0 gives NaN at c = -1: such cells take the log/exp path.
CLOSED_FORM_MIN_A = 0.05


def _retrace_coefficients(a_ltp: Tensor, a_ltd: Tensor, levels: int
                          ) -> tuple[tuple[float | Tensor, float | Tensor], ...] | None:
    """(1/A, B - 1) per direction for the closed-form retrace update; scalars when every cell has
    the same a (no d2d spread). None when some cell is linear (a = inf): the general path handles it."""
    out = []
    for a in (a_ltp, a_ltd):
        if not bool((torch.isfinite(a) & (a.abs() < LINEAR_A) & (a.abs() >= CLOSED_FORM_MIN_A)).all()):
            return None
        big_a = a.to(torch.float64) * levels
        bm1 = 2.0 / -torch.expm1(-levels / big_a) - 1.0
        if bool((a == a.view(-1)[0]).all()):
            out.append((float(1.0 / big_a.view(-1)[0]), float(bm1.view(-1)[0])))
        else:
            out.append(((1.0 / big_a).to(torch.float32), bm1.to(torch.float32)))
    return tuple(out)


class CellArray:
    """One layer's weights as cells: read them, write an update, count the pulses it took."""

    def __init__(self, target: Tensor, hw: HardwareModel, generator: torch.Generator) -> None:
        self.hw = hw
        self.generator = generator
        fan_in = target.shape[0]  # crossbar orientation: (K inputs = rows, M outputs)
        if hw.pulse_mode:
            self.mode = "device"
            self.pmax = hw.levels - 1
            self.scale = layer_scale(fan_in, hw.weight_bits or round(math.log2(hw.levels)))
            self.pulse_step = RANGE / self.pmax / self.scale  # one pulse of a linear device, in w
            assert hw.nl_ltp is not None and hw.nl_ltd is not None
            self.retrace = hw.ltd_curve == "retrace"
            self.a_ltp, self.a_ltd = _device_a((hw.nl_ltp, hw.nl_ltd), hw.d2d, target.shape, generator)
            self._closed_form = _retrace_coefficients(self.a_ltp, self.a_ltd, hw.levels)
            # Program each cell from Gmin with whole LTP pulses to the level nearest the target.
            cell = (target * self.scale).clamp(-1, 1)
            p0 = torch.round(ltp_pulses(cell, self.a_ltp, self.pmax)).clamp(0, self.pmax)
            self.weight = ltp_conductance(p0, self.a_ltp, self.pmax) / self.scale
        elif hw.weight_bits is not None:
            self.mode = "grid"
            self.scale = layer_scale(fan_in, hw.weight_bits)
            self.pulse_step = step(hw.weight_bits) / self.scale
            self.limit = clip_limit(hw.weight_bits) / self.scale
            self.weight = quantize(target * self.scale, hw.weight_bits) / self.scale
        else:
            self.mode = "float"
            self.scale = 1.0
            # The layer scale the cells would have: sets the NeuroSim update's step in float runs.
            self.update_scale = layer_scale(fan_in, round(math.log2(hw.levels)))
            # Pulse accounting only: (Gmax - Gmin) / levels per pulse (NeuroSim V2.1 WU; docs/reference.md).
            self.pulse_step = RANGE / hw.levels
            self.weight = target.clone()

    def update(self, delta: Tensor) -> float:
        """Apply the requested change ``delta`` (same shape as the weights); return total pulses."""
        if self.mode == "float":
            pulses = torch.ceil(delta.abs() / self.pulse_step)
            self.weight += delta
            written = delta != 0
        else:
            signed = stochastic_round(delta / self.pulse_step, self.generator)
            pulses = signed.abs()
            written = signed != 0
            if self.mode == "grid":
                self.weight = torch.clamp(self.weight + signed * self.pulse_step, -self.limit, self.limit)
            else:
                self._pulse(signed, written)
        if self.hw.c2c > 0:
            self._add_c2c_noise(self.weight, written.to(self.weight.dtype), self.hw.c2c * RANGE / self.scale)
            if self.mode != "float":
                self.weight.clamp_(-1.0 / self.scale, 1.0 / self.scale)
        return float(pulses.sum())

    def update_neurosim(self, x: Tensor, grad_scale: float = NEUROSIM_GRAD_SCALE) -> float:
        """DNN+NeuroSim V2.1's update (Training_pytorch/utee/wage_quantizer.py QG, then W); returns pulses.

        ``x`` is the layer's velocity lr * v (as NeuroSim's train.py hands QG). In cell units c:
        1. x <- x / 2^round(log2 max|x|) (per layer);
        2. n = round(grad_scale * x / 2 * levels) pulses (n > 0 lowers the weight);
        3. p = G^-1(c) on the curve for the direction (A_LTP for pulses that raise the weight,
           A_LTD otherwise; retrace: both potentiation-shaped), new = G(p - n) clipped to
           +-(1 - 2^(1-bits_W)), d = c - new;
        4. c <- c - SR(d) / 2^(bits_G - 1): one gradient LSB (one level) with probability ~d;
        then W(): + N(0, 2 sigma_c2c) on the cells that moved, clip to +-(1 - 2^(1-bits_W)).
        Levels: NeuroSim's numLevel = max_level is the device's level count, also the curve's Pmax
        (its A = a * max_level). A cell without a device curve (quantization only) is linear.
        """
        scale = peak_and_shift(x)
        if scale is None:
            return 0.0
        peak, s = scale  # x is divided by s as QG does (quantize.peak_and_shift)
        levels = self.hw.levels
        bits_w = self.hw.weight_bits or round(math.log2(levels))
        bits_g = self.hw.gradient_bits or round(math.log2(levels))
        if self.mode == "float":
            # Ideal memory, same optimizer: the expected step of QG on a linear cell without its
            # roundings, -x / 2^round(log2 max|x|) gradient LSBs, in the layer's cell units, and W()'s
            # clip to the cell's range. A table row "ideal" then differs from "quantization only" in
            # the effect, not in the update. (Without the clip the fixed-size steps grow weights
            # without bound: FA mlp5 went to NaN.)
            lsb = grad_scale / 2.0 ** (bits_g - 1) / self.update_scale
            pulses = self.update(x.div(s).mul_(-lsb))
            bound = clip_limit(bits_w) / self.update_scale
            self.weight.clamp_(-bound, bound)
            return pulses
        limit = clip_limit(bits_w)
        # Dense over the layer: 30-55 % of the cells get pulses, too many for gather/scatter to pay.
        factor = grad_scale / 2.0 * levels
        # Divided by s first: factor / s overflows float32 when s is a vanishing gradient's shift
        # (2^-130 for FA's deep layers; tests/test_neurosim_training_parity.py).
        n = x.div(s).mul_(factor).round_()
        c = (self.weight * self.scale).clamp_(-1.0, 1.0)
        if self.mode == "device" and self.retrace and isinstance(self._closed_form, tuple) \
                and isinstance(self._closed_form[0][0], float):
            # Round and multiply are monotonic, so no |n| exceeds round(peak / s * factor).
            change = self._tabled_change(c, n, int(torch.round(peak.div(s).mul(factor))))
        elif self.mode == "device":
            change = self._curve_change(c, n, levels)
        else:  # linear device: G(p) = 2p / levels - 1, so c - G(G^-1(c) - n) = 2n / levels
            change = n * (2.0 / levels)
        new = torch.sub(c, change, out=change).clamp_(-limit, limit)
        d = torch.sub(c, new, out=new)  # in place: each fresh layer-sized tensor costs page faults
        # SR(d) = floor(d + u), u drawn for every cell as QG does; d = 0 where n = 0, so those stay.
        lsb = torch.floor_(d.add_(torch.rand(n.shape, generator=self.generator)))
        c.sub_(lsb, alpha=1.0 / 2.0 ** (bits_g - 1))
        moved = lsb.abs_()  # pulses per cell, whole numbers
        if self.hw.c2c > 0:
            # min(|lsb|, 1) is the written mask as 1.0/0.0: multiplying by it gives the same values
            # as by the bool mask (lsb != 0), without torch's slow bool-to-float promotion.
            self._add_c2c_noise(c, torch.clamp(moved, max=1.0), self.hw.c2c * RANGE)
        # W(): C(x, bits_W) on every weight.
        self.weight = c.clamp_(-limit, limit).div_(self.scale)
        return float(moved.sum())

    def _tabled_change(self, c: Tensor, n: Tensor, n_max: int) -> Tensor:
        """:meth:`_curve_change`'s closed form when every cell shares one curve per direction (no
        d2d spread): (B - 1 - c)(e^(n/A) - 1) with e^(n/A) - 1 and B - 1 looked up per whole pulse
        count n in [-n_max, n_max] instead of two torch.where and an expm1 per cell (those took
        half of the update). The table entries are computed by the same float32 operations, so
        the result is bit for bit the one of :meth:`_curve_change`."""
        (inv_a_ltp, bm1_ltp), (inv_a_ltd, bm1_ltd) = self._closed_form  # type: ignore[misc]
        # Padded to whole SIMD blocks: torch computes a tensor's tail element by element (a scalar
        # expm1 that may differ in the last bit from the vector one every layer-sized tensor uses).
        size = -(-(2 * n_max + 1) // 64) * 64
        k = torch.arange(size, dtype=n.dtype).sub_(n_max)
        up = k < 0
        inv_a = torch.where(up, inv_a_ltp, inv_a_ltd)
        grow = (k * inv_a).expm1_()
        bm1 = torch.where(up, bm1_ltp, bm1_ltd)
        index = n.add_(n_max).to(torch.int32).reshape(-1)
        return grow.index_select(0, index).view(c.shape).mul_(bm1.index_select(0, index).view(c.shape).sub_(c))

    def _add_c2c_noise(self, cells: Tensor, written: Tensor, sigma: float) -> None:
        """Add N(0, sigma) to the written cells (``written``: 1.0 where written, 0.0 elsewhere), in
        place. Drawn for every cell and masked: a third of the time of drawing for the written ones
        and scattering (30-55 % of a layer is written). One addcmul (cells + sigma * z * written)
        instead of two multiplies and an add: the same roundings, two passes fewer."""
        cells.addcmul_(torch.randn(written.shape, generator=self.generator), written, value=sigma)

    def _curve_change(self, c: Tensor, n: Tensor, levels: int) -> Tensor:
        """c - G(G^-1(c) - n) along each cell's curve for its direction (n < 0 raises the weight).

        Retrace with no linear cell has a closed form: from G(p) = B(1 - e^(-p/A)) - 1,
        G(G^-1(c) - n) = B - 1 - (B - 1 - c) e^(n/A), so the change is (B - 1 - c)(e^(n/A) - 1):
        one expm1 per cell instead of a log and an exp. A = a * levels (NeuroSim's numLevel).
        """
        up = n < 0
        if self.retrace and self._closed_form is not None:
            (inv_a_ltp, bm1_ltp), (inv_a_ltd, bm1_ltd) = self._closed_form
            inv_a = torch.where(up, inv_a_ltp, inv_a_ltd)
            bm1 = torch.where(up, bm1_ltp, bm1_ltd)
            return (n * inv_a).expm1_().mul_(bm1 - c)
        a = torch.where(up, self.a_ltp, self.a_ltd)
        if self.retrace:
            new = ltp_conductance(ltp_pulses(c, a, levels) - n, a, levels)
        else:  # mirrored LTD for the pulses that lower the weight
            p = torch.where(up, ltp_pulses(c, a, levels), ltd_pulses(c, a, levels))
            new = torch.where(up, ltp_conductance(p - n, a, levels), ltd_conductance(p - n, a, levels))
        # G(G^-1(c)) is c only up to rounding: a cell without pulses must not move.
        return torch.where(n == 0, 0.0, c - new)

    def _pulse(self, signed: Tensor, written: Tensor) -> None:
        """Move written cells along their LTP (up) or LTD (down) curve by whole pulses.

        Up: p = G_LTP^-1(c) + n on the LTP curve. Down (n < 0), retrace: p = G^-1(c) + n on the
        potentiation-shaped curve with A_LTD (NeuroSim V2.1 QG); mirrored: on the mirrored curve.
        """
        idx = written.nonzero(as_tuple=True)
        if idx[0].numel() == 0:
            return
        c = (self.weight[idx] * self.scale).clamp(-1.0, 1.0)
        n = signed[idx]
        a_ltp = self.a_ltp[idx]
        a_ltd = self.a_ltd[idx]
        up = n > 0
        pmax = self.pmax
        down_g, down_p = (retrace_conductance, retrace_pulses) if self.retrace else (ltd_conductance, ltd_pulses)
        p_up = (ltp_pulses(c, a_ltp, pmax) + n).clamp(0, pmax)
        p_dn = (down_p(c, a_ltd, pmax) + n).clamp(0, pmax)
        new = torch.where(up, ltp_conductance(p_up, a_ltp, pmax), down_g(p_dn, a_ltd, pmax))
        self.weight[idx] = new / self.scale
