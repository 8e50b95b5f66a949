"""Nonlinear conductance-vs-pulse curves of a synaptic device (DNN+NeuroSim's training model).

After p potentiation pulses the normalized conductance is G(p) = B(1 - e^(-p/A)) - 1 in [-1, 1] with
B = 2 / (1 - e^(-Pmax/A)) and A = a(NL) * Pmax (NeuroSim V2.1 wage_quantizer.py; docs/reference.md). A label of 0 is the linear device.

Depression (LTD), two shapes (architecture key ``device.nonlinearity.ltd_curve``):
- retrace (default): back down the *same potentiation-shaped* curve, with A from the LTD label.
  This is what DNN+NeuroSim V2.1's training code does (Training_pytorch/utee/wage_quantizer.py, QG:
  the pulse position is found by inverting B(1 - e^(-p/A)) - 1 with A = A_LTD for pulses that lower
  the weight, and the new weight is that curve at p - n). With A_LTP = A_LTD a pulse up and a pulse
  down cancel exactly; with the FeFET's labels the up and down steps at a weight w differ by
  (B_LTP - 1 - w)/A_LTP versus (B_LTD - 1 - w)/A_LTD, a few percent near w = 0.
- mirrored: the point-mirrored curve 1 - B(1 - e^(-(Pmax - p)/A)), steps largest near Gmax where
  depression starts (many measured devices). Random-sign pulses then pull every cell toward the
  conductance where an up step equals a down step (near the middle).
A negative label is NeuroSim's own way to ask for the mirrored shape (train.py: "negative if LTP and
LTD are asymmetric"): a_of_label keeps the sign, and the potentiation formula with a negative A is
the mirrored curve (proof in a_of_label). So ``ltd: -1.46`` with ``ltd_curve: retrace`` is exactly
``ltd: 1.46`` with ``ltd_curve: mirrored``; the two mirrorings of ``ltd: -1.46`` with ``mirrored``
cancel.

The label -> a mapping. NeuroSim labels a curve by how far it bends. Writing x = p / Pmax and
g(x) = (1 - e^(-x/a)) / (1 - e^(-1/a)) for the curve normalized to [0, 1], the largest deviation from
the ideal line, D(a) = max_x (g(x) - x), has a closed form (below). The three published pairs
(NeuroSim's Nonlinearity-NormA table: NL 1.46 -> a 0.849, 1.75 -> 0.702, 2.4 -> 0.499) all satisfy NL = k * D(a) with
k = 10.10 +- 0.005 (checked in tests/test_device_curve.py), so the label is 10x the bend, in percent
of the range / 10. We therefore *solve that definition* for a, and interpolate k between the three
published pairs (constant outside them) so that those pairs come out exactly. Solving rather than a
lookup table gives every label from 0 to ~10 (the range NeuroSim uses) a value, which d2d variation
needs since it draws a label per device.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

# (NL label, normalized a) published for NeuroSim's device model (Documents/Nonlinearity-NormA.htm).
PUBLISHED_PAIRS: tuple[tuple[float, float], ...] = ((1.46, 0.849), (1.75, 0.702), (2.4, 0.499))

# a above this is indistinguishable from linear in float32 (the bend is < 1e-4 of the range).
LINEAR_A = 1.0e3


def bend(a: np.ndarray | float) -> np.ndarray:
    """D(a) = max over x in [0, 1] of g(x) - x, for the normalized LTP curve with parameter a.

    g'(x) = 1 at x* = -a ln(a (1 - e^(-1/a))); then D = g(x*) - x*.
    """
    a = np.asarray(a, dtype=np.float64)
    span = -np.expm1(-1.0 / a)  # 1 - e^(-1/a), accurate for large a
    x_star = -a * np.log(a * span)
    return -np.expm1(-x_star / a) / span - x_star


def _k_of_label(nl: np.ndarray) -> np.ndarray:
    labels = np.array([p[0] for p in PUBLISHED_PAIRS])
    ks = np.array([p[0] / float(bend(p[1])) for p in PUBLISHED_PAIRS])
    return np.interp(nl, labels, ks)


# D(a) on a dense log grid of a, for inverting it (D falls monotonically as a grows).
_A_GRID = np.logspace(-3, np.log10(LINEAR_A), 4000)
_D_GRID = bend(_A_GRID)


def a_of_label(nl: np.ndarray | float) -> np.ndarray:
    """Normalized a for a NeuroSim nonlinearity label (0 -> inf, the linear device), signed as the label.

    |a| comes from |label|. Labels at or beyond the curve's limit (D -> 1 as a -> 0) get the smallest
    a on the grid. A negative label gives a negative a: with A < 0, B = 2 / (1 - e^(-Pmax/A)) < 0 and
    G(p) = B(1 - e^(-p/A)) - 1 = 2(e^(p/|A|) - 1) / (e^(Pmax/|A|) - 1) - 1 = -G_|a|(Pmax - p), the
    curve mirrored through its centre (steps largest near Gmax). DNN+NeuroSim V2.1 reads a negative
    LTD label this way (train.py: "negative if LTP and LTD are asymmetric"; utee/wage_quantizer.py,
    GetParamA keeps sign(NL)), and every formula below takes a negative a unchanged.
    """
    signed = np.asarray(nl, dtype=np.float64)
    nl = np.abs(signed)
    target = nl / _k_of_label(nl)
    # np.interp needs ascending x: D_GRID descends with a, so reverse both.
    log_a = np.interp(target, _D_GRID[::-1], np.log(_A_GRID[::-1]))
    a = np.where(target <= _D_GRID[-1], np.inf, np.exp(log_a))
    # NeuroSim's sign convention (GetParamA: A = sign(NL) * table(|NL|)): a negative label gives a
    # negative A, and the same formula G(p) = B(1 - e^(-p/A)) - 1 is then the point-mirrored curve.
    return np.where(signed < 0, -a, a)


def label_of_a(a: np.ndarray | float) -> np.ndarray:
    """The inverse of :func:`a_of_label` (for tests and reports), signed as a."""
    signed = np.asarray(a, dtype=np.float64)
    d = bend(np.abs(signed))
    # k depends on the label itself; two fixed-point passes are exact to 1e-6 since k barely moves.
    nl = 10.1 * d
    for _ in range(3):
        nl = _k_of_label(nl) * d
    return np.where(signed < 0, -nl, nl)


def _params(a: Tensor, pmax: int) -> tuple[Tensor, Tensor]:
    big_a = a * pmax
    b = 2.0 / -torch.expm1(-pmax / big_a)
    return big_a, b


def _linear(a: Tensor) -> Tensor:
    return ~torch.isfinite(a) | (a.abs() >= LINEAR_A)


def _split(a: Tensor) -> tuple[Tensor | None, Tensor]:
    """The mask of linear cells (None when there are none: the common case, two fewer passes)
    and an ``a`` that is safe to put in the exponent everywhere."""
    lin = _linear(a)
    if not bool(lin.any()):
        return None, a
    return lin, torch.where(lin, torch.ones_like(a), a)


def _concave_conductance(p: Tensor, a: Tensor, pmax: int) -> Tensor:
    lin, a_safe = _split(a)
    big_a, b = _params(a_safe, pmax)
    curved = b * -torch.expm1(-p / big_a) - 1.0
    return curved if lin is None else torch.where(lin, 2.0 * p / pmax - 1.0, curved)


def _concave_pulses(g: Tensor, a: Tensor, pmax: int) -> Tensor:
    lin, a_safe = _split(a)
    big_a, b = _params(a_safe, pmax)
    curved = -big_a * torch.log1p(-(g + 1.0) / b)
    return curved if lin is None else torch.where(lin, (g + 1.0) * pmax / 2.0, curved)


def ltp_conductance(p: Tensor, a: Tensor, pmax: int) -> Tensor:
    """G(p) = B(1 - e^(-p/A)) - 1 after p potentiation pulses from Gmin (p in [0, Pmax]).

    A cell with a < 0 (a negative label) takes the same formula, written as the mirror of the
    |a| curve, -G_|a|(Pmax - p) (equal, see a_of_label): B = 2 / (1 - e^(Pmax/|A|)) itself
    overflows float32 for the strongly bent labels d2d variation can draw."""
    neg = a < 0
    if not bool(neg.any()):
        return _concave_conductance(p, a, pmax)
    mag = a.abs()
    return torch.where(neg, -_concave_conductance(pmax - p, mag, pmax), _concave_conductance(p, mag, pmax))


def ltp_pulses(g: Tensor, a: Tensor, pmax: int) -> Tensor:
    """Inverse of :func:`ltp_conductance`: the (fractional) pulse position of conductance g."""
    neg = a < 0
    if not bool(neg.any()):
        return _concave_pulses(g, a, pmax)
    mag = a.abs()
    return torch.where(neg, pmax - _concave_pulses(-g, mag, pmax), _concave_pulses(g, mag, pmax))


def retrace_conductance(p: Tensor, a: Tensor, pmax: int) -> Tensor:
    """Retraced depression: the potentiation-shaped curve with the LTD label's a (NeuroSim V2.1)."""
    return ltp_conductance(p, a, pmax)


def retrace_pulses(g: Tensor, a: Tensor, pmax: int) -> Tensor:
    """Inverse of :func:`retrace_conductance`."""
    return ltp_pulses(g, a, pmax)


def ltd_conductance(p: Tensor, a: Tensor, pmax: int) -> Tensor:
    """Depression curve: the LTP curve mirrored, G(p) = 1 - B(1 - e^(-(Pmax-p)/A)).

    p counts the position from Gmin as for LTP, so a depression pulse lowers p by one; steps are
    largest near Gmax, where depression starts, as in measured devices.
    """
    return -ltp_conductance(pmax - p, a, pmax)


def ltd_pulses(g: Tensor, a: Tensor, pmax: int) -> Tensor:
    """Inverse of :func:`ltd_conductance`."""
    return pmax - ltp_pulses(-g, a, pmax)
