"""What each task does on the chip: compute inside the unit it holds (simcim.hardware.chip) and the
data it moves over the shared paths -- DRAM, the global buffer, the chip bus -- in order.

The engine turns each Traffic into a transfer that holds the path's resources (simcim.engine.plans).
Data movement is counted as DNN+NeuroSim V2.1 counts it (Chip.cpp:ChipCalculatePerformance), with the
tensors' real sizes where NeuroSim shortens them:

- FW: the layer's input map is in the global buffer (NeuroSim sizes it for the largest one; the first
  layer's comes from DRAM); the im2col input vectors go from the buffer over the bus to the tiles
  (Cin*k*k values per output position; a novel-mapping tile reuses inputs across kernel columns, so
  k-fold fewer), the outputs come back (pooled) into the buffer for the next layer, and the output
  map also goes to DRAM for the backward pass.
- AG (error through W^T or B): the error from the buffer to the tiles and back, as the forward's
  traffic (NeuroSim charges the forward's again); the f'(a) bit mask from DRAM; the new error also to
  DRAM for its layer's weight gradient.
- PROJ (DFA, DRTP): the output error (or target) to the shared B arrays, one value per output channel
  back; the f'(a) mask from DRAM, the layer's error to DRAM.
- WG: the layer's input map and errors from DRAM through the layer's share of the buffer into the WG
  unit (NeuroSim's "reload activation and gradient" pass); the image's weight gradient, at the unit's
  output precision, to DRAM and back to be added into the batch's (NeuroSim's per-image gradient round
  trip, which dominates training energy).
- WU (per batch): one bit per weight of update direction over the bus to the tiles, then write pulses.

NeuroSim counts activation traffic to DRAM without the channel count (H*W*bits per map); we move
whole tensors. It counts the global-buffer passes of the forward traffic twice; we count each pass once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from simcim.hardware.chip import COMPONENTS, ChipModel, Cost
from simcim.mapping import LayerPlacement, Placement

__all__ = ["COMPONENTS", "Compute", "Traffic", "Step", "OpCost", "LayerCosts", "layer_costs"]

PS_PER_S = 1e12
PJ_PER_J = 1e12

Path = Literal["dram", "buffer", "bus"]


@dataclass(frozen=True)
class Compute:
    """Work inside the task's unit: latency and dynamic energy by component."""

    latency_ps: int
    energy_pj: dict[str, float]


@dataclass(frozen=True)
class Traffic:
    """``bits`` over one shared path: DRAM (channels), the global buffer (its port), the chip bus.
    ``layer_share``: through the global buffer's share of the task's layer (the weight-gradient unit
    reading that layer's data), not the share of the unit the task holds."""

    path: Path
    bits: int
    layer_share: bool = False


Step = Compute | Traffic


@dataclass(frozen=True)
class OpCost:
    steps: tuple[Step, ...]
    macs: int  # multiply-accumulates (2 ops each, for TOPS)


@dataclass(frozen=True)
class LayerCosts:
    """The cost of each phase of one layer (None where the rule has no such phase)."""

    FW: OpCost
    AG: OpCost | None
    PROJ: OpCost | None
    WG: OpCost | None
    WU: OpCost | None


def _compute(cost: Cost) -> Compute:
    return Compute(int(round(cost.latency_s * PS_PER_S)), {k: v * PJ_PER_J for k, v in cost.energy_j.items() if v})


def _traffic(path: Path, bits: float, layer_share: bool = False) -> list[Step]:
    return [Traffic(path, int(math.ceil(bits)), layer_share)] if bits > 0 else []


def _vector_bits(chip: ChipModel, lp: LayerPlacement, bits_per_value: int) -> tuple[float, float]:
    """(bits sent to the tiles, bits returned) per image: im2col inputs and (pooled) outputs."""
    layer = lp.layer
    to_tiles = layer.rows * bits_per_value * layer.mvms / (layer.kernel if lp.floorplan.novel else 1)
    back = layer.cols * bits_per_value * layer.mvms / layer.pool_factor
    return to_tiles, back


def forward_cost(chip: ChipModel, lp: LayerPlacement, last: bool) -> OpCost:
    layer, q = lp.layer, chip.workload.quantization
    to_tiles, back = _vector_bits(chip, lp, q.activation_bits)
    map_in = layer.in_elems * q.activation_bits if layer.first else 0  # later layers' are in the buffer
    map_out = layer.out_elems * q.activation_bits / layer.pool_factor
    if last:  # the output error e = y - onehot leaves with the last layer's outputs
        map_out += chip.placement.classes * q.error_bits
    steps = [*_traffic("dram", map_in), *_traffic("buffer", map_in + to_tiles), *_traffic("bus", to_tiles),
             _compute(chip.forward(lp)),
             *_traffic("bus", back), *_traffic("buffer", back + map_out), *_traffic("dram", map_out)]
    for op in layer.post_ops:  # residual adds and poolings after this layer (simcim.network): maps in, result out
        bits = (op.in_elems * op.inputs + op.out_elems) * q.activation_bits
        steps += [*_traffic("buffer", bits), _compute(chip.post_op(op))]
    return OpCost(tuple(steps), layer.macs)


def _error_steps(chip: ChipModel, lp: LayerPlacement, work: Cost) -> tuple[Step, ...]:
    """An error pass: delta_l from the buffer, the f'(a_{l-1}) mask from DRAM, delta_{l-1} out to the
    buffer (the next pass) and to DRAM (its layer's weight gradient), like the forward's traffic."""
    layer, q = lp.layer, chip.workload.quantization
    to_tiles, back = _vector_bits(chip, lp, q.error_bits)
    mask = layer.in_elems  # one bit per element: was the activation's derivative zero
    err_out = layer.in_elems * q.error_bits
    return (*_traffic("dram", mask), *_traffic("buffer", mask + to_tiles), *_traffic("bus", to_tiles),
            _compute(work),
            *_traffic("bus", back), *_traffic("buffer", back + err_out), *_traffic("dram", err_out))


def error_cost(chip: ChipModel, lp: LayerPlacement) -> OpCost:
    """AG: through the layer's own arrays transposed (BP, SS), or through its B (FA)."""
    rule = chip.placement.rule
    if rule.reads_transposed:
        work = chip.error_transposed(lp)
    else:
        block = next(b for b in chip.placement.feedback if lp.layer.index in b.layers)
        work = chip.feedback_read(block, lp.layer.mvms, chip.workload.quantization.error_bits)
    return OpCost(_error_steps(chip, lp, work), lp.layer.macs)


def projection_cost(chip: ChipModel, lp: LayerPlacement) -> OpCost:
    """PROJ (DFA, DRTP): the output error (or one-hot target) through this layer's B_l on the packed
    feedback arrays, one value per output channel; with the f'(a) mask it makes delta_l."""
    layer, q = lp.layer, chip.workload.quantization
    rule, n_cls = chip.placement.rule, chip.placement.classes
    bits_in = n_cls * rule.signal_bits(q.error_bits)
    block = next(b for b in chip.placement.feedback if layer.index in b.layers)
    work = chip.feedback_read(block, 1, rule.signal_bits(q.error_bits))
    back = layer.cols * q.error_bits
    mask = layer.out_elems
    delta = layer.out_elems * q.error_bits
    steps = [*_traffic("dram", bits_in + mask), *_traffic("buffer", bits_in + mask), *_traffic("bus", bits_in),
             _compute(work),
             *_traffic("bus", back), *_traffic("buffer", back + delta), *_traffic("dram", delta)]
    return OpCost(tuple(steps), n_cls * layer.cols)


def weight_gradient_cost(chip: ChipModel, lp: LayerPlacement) -> OpCost:
    """WG of one image: inputs and errors into the WG unit, the gradient round trip through DRAM,
    and its accumulation into the batch's gradient."""
    layer, q = lp.layer, chip.workload.quantization
    act_to_unit, err_to_unit = _vector_bits(chip, lp, q.activation_bits)[0], layer.out_elems * q.error_bits
    maps = layer.in_elems * q.activation_bits + layer.out_elems * q.error_bits
    grad = chip.gradient_bits(lp)
    wg, accumulate = chip.weight_gradient(lp)
    steps: list[Step] = []
    if len(layer.consumers) > 1 and chip.placement.rule.error_path == "chain":  # BP's error of a branch point: the consumers' errors read and added
        errors = layer.out_elems * q.error_bits
        steps += [*_traffic("buffer", errors * (len(layer.consumers) + 1)), _compute(chip.error_sum(lp))]
    steps += [*_traffic("dram", maps), *_traffic("buffer", maps + act_to_unit + err_to_unit, layer_share=True),
             _compute(wg),
             # the image's gradient into the buffer and out to DRAM, then back in and out to the adders
             *_traffic("buffer", 2 * grad), *_traffic("dram", grad),
             *_traffic("dram", grad), *_traffic("buffer", 2 * grad),
             _compute(accumulate)]
    return OpCost(tuple(steps), layer.macs)


def weight_update_cost(chip: ChipModel, lp: LayerPlacement) -> OpCost:
    """WU of one batch: the update directions (one bit per weight) to the tiles, then write pulses."""
    activity = chip.workload.update_activity
    by_layer = activity.pulses_per_cell_by_layer
    pulses = by_layer[lp.layer.index - 1] if by_layer is not None else activity.pulses_per_cell
    row = activity.row_pulses if activity.row_pulses is not None else math.ceil(pulses)
    bits = lp.layer.weights
    steps = [*_traffic("buffer", bits), *_traffic("bus", bits), _compute(chip.weight_update(lp, pulses, row))]
    return OpCost(tuple(steps), 0)


def layer_costs(chip: ChipModel) -> list[LayerCosts]:
    """Cost of every phase of every layer for the placement's rule."""
    placement: Placement = chip.placement
    rule = placement.rule
    n = len(placement.layers)
    out: list[LayerCosts] = []
    for lp in placement.layers:
        i = lp.layer.index
        out.append(LayerCosts(
            FW=forward_cost(chip, lp, i == n),
            AG=error_cost(chip, lp) if rule.has_phase("AG", i, n, lp.layer.first) else None,
            PROJ=projection_cost(chip, lp) if rule.has_phase("PROJ", i, n) else None,
            WG=weight_gradient_cost(chip, lp) if rule.has_phase("WG", i, n) else None,
            WU=weight_update_cost(chip, lp) if rule.has_phase("WU", i, n) else None))
    return out
