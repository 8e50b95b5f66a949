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
(facts.md); with weights normalized to [-1, 1], Gmax - Gmin = 2.
"""

from __future__ import annotations

import torch
from torch import Tensor

from simcim.training.nonlinearity import a_of_label, ltd_conductance, ltd_pulses, ltp_conductance, ltp_pulses
from simcim.training.quantize import clip_limit, quantize, step, stochastic_round
from simcim.training.settings import HardwareModel

RANGE = 2.0  # Gmax - Gmin in normalized weight units ([-1, 1])


def _device_a(label: float, d2d: float, shape: torch.Size, generator: torch.Generator) -> Tensor:
    """Normalized a per cell: label + N(0, d2d) per device (facts.md), clamped at linear (0)."""
    if d2d == 0:
        return torch.full(shape, float(a_of_label(label)))
    labels = (label + d2d * torch.randn(shape, generator=generator, dtype=torch.float64)).clamp_min(0)
    return torch.from_numpy(a_of_label(labels.numpy())).to(torch.float32)


class CellArray:
    """One layer's weights as cells: read them, write an update, count the pulses it took."""

    def __init__(self, target: Tensor, hw: HardwareModel, generator: torch.Generator) -> None:
        self.hw = hw
        self.generator = generator
        if hw.pulse_mode:
            self.mode = "device"
            self.pmax = hw.levels - 1
            self.pulse_step = RANGE / self.pmax  # one pulse of a linear device
            assert hw.nl_ltp is not None and hw.nl_ltd is not None
            self.a_ltp = _device_a(hw.nl_ltp, hw.d2d, target.shape, generator)
            self.a_ltd = _device_a(hw.nl_ltd, hw.d2d, target.shape, generator)
            # Program each cell from Gmin with whole LTP pulses to the level nearest the target.
            p0 = torch.round(ltp_pulses(target.clamp(-1, 1), self.a_ltp, self.pmax)).clamp(0, self.pmax)
            self.weight = ltp_conductance(p0, self.a_ltp, self.pmax)
        elif hw.weight_bits is not None:
            self.mode = "grid"
            self.pulse_step = step(hw.weight_bits)
            self.limit = clip_limit(hw.weight_bits)
            self.weight = quantize(target, hw.weight_bits)
        else:
            self.mode = "float"
            # Pulse accounting only: (Gmax - Gmin) / levels per pulse (facts.md, NeuroSim WU).
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
            idx = written.nonzero(as_tuple=True)
            noise = torch.randn(idx[0].shape, generator=self.generator) * (self.hw.c2c * RANGE)
            self.weight[idx] += noise
            if self.mode != "float":
                self.weight.clamp_(-1.0, 1.0)
        return float(pulses.sum())

    def _pulse(self, signed: Tensor, written: Tensor) -> None:
        """Move written cells along their LTP (up) or LTD (down) curve by whole pulses."""
        idx = written.nonzero(as_tuple=True)
        if idx[0].numel() == 0:
            return
        w = self.weight[idx]
        n = signed[idx]
        a_ltp = self.a_ltp[idx]
        a_ltd = self.a_ltd[idx]
        up = n > 0
        p_up = (ltp_pulses(w, a_ltp, self.pmax) + n).clamp(0, self.pmax)
        p_dn = (ltd_pulses(w, a_ltd, self.pmax) + n).clamp(0, self.pmax)
        new = torch.where(up, ltp_conductance(p_up, a_ltp, self.pmax), ltd_conductance(p_dn, a_ltd, self.pmax))
        self.weight[idx] = new
