"""Analytic cost of one task: latency and dynamic energy by component, plus its DRAM traffic.

Never one event per MAC: a task's compute time and energy come from these closed forms
(NeuroSim-style: bit-serial inputs, column-muxed ADCs, shift-add and adder trees), and the engine
adds the time and energy of moving data over the chip's graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from simcim.hardware import constants as C
from simcim.hardware.energies import device_energies
from simcim.mapping import ArrayGroup, LayerPlacement, Placement
from simcim.rules import LearningRule
from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload

# Energy components, in the order reports show them.
COMPONENTS = ("arrays", "adc", "accumulation", "buffers", "interconnect", "dram", "wg_units", "leakage")
PS_PER_NS = 1000


@dataclass(frozen=True)
class OpCost:
    """Cost of one task's compute, plus the bits it reads from and writes to DRAM."""

    latency_ps: int
    energy_pj: dict[str, float] = field(default_factory=dict)
    macs: int = 0  # multiply-accumulates (for TOPS: 2 ops each)
    dram_read_bits: int = 0  # before compute
    dram_write_bits: int = 0  # after compute


def _ns_to_ps(ns: float) -> int:
    return int(round(ns * PS_PER_NS))


def mvm_cost(arch: Architecture, *, in_bits: int, out_bits: int, in_values: int, out_values: int,
             conversions_per_bit: int, tree_inputs: int, cells_read: int, cells_per_value: int,
             mvms: int) -> OpCost:
    """Bit-serial matrix-vector products on crossbars, repeated ``mvms`` times.

    Every subarray works in parallel; per input bit, each ADC converts its ``cols_per_adc``
    multiplexed lines one after another, then shift-add and an adder tree over ``tree_inputs``
    partial sums finish the product.
    """
    sa, dev = arch.subarray, arch.device
    e = device_energies(arch)
    clk_ns = 1.0 / arch.technology.clock_ghz
    per_bit_ns = dev.read.pulse_ns + sa.cols_per_adc * sa.adc.latency_ns
    tree_ns = (math.ceil(math.log2(tree_inputs)) + 1) * clk_ns if tree_inputs > 1 else clk_ns
    latency_ps = mvms * _ns_to_ps(in_bits * per_bit_ns + tree_ns)
    conversions = in_bits * conversions_per_bit
    energy = {
        "arrays": mvms * in_bits * C.INPUT_BIT_ACTIVITY * cells_read * e.cell_read_pj,
        "adc": mvms * conversions * e.adc_conversion_pj,
        # shift-add of every conversion, then the tree and the merge of a value's cells
        "accumulation": mvms * (conversions + out_values * (tree_inputs - 1 + cells_per_value - 1)) * e.add16_pj,
        "buffers": mvms * (in_values * in_bits + out_values * out_bits) * e.sram_bit_pj,
    }
    return OpCost(latency_ps=latency_ps, energy_pj=energy)


def forward_read(arch: Architecture, g: ArrayGroup, in_bits: int, out_bits: int, in_values: int,
                 out_values: int, mvms: int) -> OpCost:
    """A matrix read the ordinary way (W for FW, B for FA's AG and DFA's PROJ): inputs on the rows,
    every used column of every row group converted, then a tree over the row groups."""
    return mvm_cost(arch, in_bits=in_bits, out_bits=out_bits, in_values=in_values, out_values=out_values,
                    conversions_per_bit=g.row_groups * out_values * g.cells_per_value,
                    tree_inputs=g.row_groups, cells_read=in_values * out_values * g.cells_per_value,
                    cells_per_value=g.cells_per_value, mvms=mvms)


def _with_traffic(cost: OpCost, macs: int, read_bits: int, write_bits: int) -> OpCost:
    return OpCost(cost.latency_ps, cost.energy_pj, macs, read_bits, write_bits)


def forward_cost(arch: Architecture, wl: Workload, lp: LayerPlacement, is_last: bool, classes: int) -> OpCost:
    """FW of one layer for one image: inputs on rows, outputs from columns."""
    q, layer = wl.quantization, lp.layer
    cost = forward_read(arch, lp.weights, q.activation_bits, q.activation_bits, layer.rows, layer.cols, layer.mvms)
    # NeuroSim keeps every activation in DRAM for the backward pass; the last layer also writes
    # the output error e = y - onehot.
    writes = layer.out_elems * q.activation_bits + (classes * q.error_bits if is_last else 0)
    return _with_traffic(cost, layer.macs, layer.in_elems * q.activation_bits, writes)


def transposed_cost(arch: Architecture, wl: Workload, lp: LayerPlacement) -> OpCost:
    """AG through the layer's own arrays (BP, SS): the error enters on the columns of W and leaves
    on its rows (W^T read)."""
    q, layer, g = wl.quantization, lp.layer, lp.weights
    cost = mvm_cost(arch, in_bits=q.error_bits, out_bits=q.error_bits,
                    in_values=layer.cols, out_values=layer.rows,
                    conversions_per_bit=g.col_groups * layer.rows, tree_inputs=g.col_groups,
                    cells_read=layer.weights * g.cells_per_value,
                    cells_per_value=g.cells_per_value, mvms=layer.mvms)
    return _error_traffic(cost, wl, lp)


def _error_traffic(cost: OpCost, wl: Workload, lp: LayerPlacement) -> OpCost:
    """An error pass reads delta_l and the f'(a) mask (1 bit each) and writes delta_{l-1}."""
    q, layer = wl.quantization, lp.layer
    reads = layer.out_elems * q.error_bits + layer.in_elems
    return _with_traffic(cost, layer.macs, reads, layer.in_elems * q.error_bits)


def feedback_ag_cost(arch: Architecture, wl: Workload, lp: LayerPlacement) -> OpCost:
    """AG through a fixed B (FA; M x K) held in arrays of its own, read forward."""
    assert lp.feedback is not None
    q, layer = wl.quantization, lp.layer
    cost = forward_read(arch, lp.feedback, q.error_bits, q.error_bits, layer.cols, layer.rows, layer.mvms)
    return _error_traffic(cost, wl, lp)


def projection_cost(arch: Architecture, wl: Workload, lp: LayerPlacement, rule: LearningRule, classes: int) -> OpCost:
    """PROJ of DFA (B_l e) or DRTP (B_l onehot): one MVM from the classes to the layer's outputs."""
    assert lp.feedback is not None
    q, layer = wl.quantization, lp.layer
    in_bits = rule.signal_bits(q.error_bits)  # DRTP projects the one-hot target
    cost = forward_read(arch, lp.feedback, in_bits, q.error_bits, classes, layer.out_elems, 1)
    reads = classes * in_bits + layer.out_elems  # e (or the target) and the f'(a_l) mask
    return _with_traffic(cost, classes * layer.out_elems, reads, layer.out_elems * q.error_bits)


def weight_gradient_cost(arch: Architecture, wl: Workload, lp: LayerPlacement) -> OpCost:
    """WG of one layer for one image on an SRAM-CIM weight-gradient unit: dW += delta y^T.

    The running gradient is read from and written back to DRAM each image (NeuroSim's model).
    """
    q, layer, wg = wl.quantization, lp.layer, arch.chip.weight_gradient
    e = device_energies(arch)
    clk_ns = 1.0 / arch.technology.clock_ghz
    # Each SRAM array takes y into its cells and delta bit-serially on its rows; its ADCs share
    # cols_per_adc columns as in the weight arrays.
    macs_per_ns = wg.arrays * wg.rows * wg.cols / (q.error_bits * arch.subarray.cols_per_adc * clk_ns)
    latency_ps = _ns_to_ps(math.ceil(layer.macs / macs_per_ns) + clk_ns)
    grad_bits = layer.weights * q.gradient_bits
    energy = {"wg_units": layer.macs * e.mac8_pj}
    reads = layer.in_elems * q.activation_bits + layer.out_elems * q.error_bits + grad_bits
    return OpCost(latency_ps, energy, layer.macs, reads, grad_bits)


def weight_update_cost(arch: Architecture, wl: Workload, lp: LayerPlacement) -> OpCost:
    """WU of one layer per batch: write pulses row by row, LTP then LTD, all subarrays at once."""
    q, layer, g = wl.quantization, lp.layer, lp.weights
    e = device_energies(arch)
    pulses = wl.update_activity.pulses_per_cell
    rows_per_subarray = min(layer.rows, arch.subarray.rows)
    latency_ps = _ns_to_ps(rows_per_subarray * 2 * pulses * arch.device.write.pulse_ns)
    cells = layer.weights * g.cells_per_value
    energy = {
        "arrays": cells * pulses * e.cell_write_pj,
        # pulse counts from the gradient: one add per weight in the periphery
        "accumulation": layer.weights * e.add16_pj,
    }
    return OpCost(latency_ps, energy, 0, layer.weights * q.gradient_bits, 0)


@dataclass(frozen=True)
class LayerCosts:
    """The cost of each phase of one layer (None where the rule has no such phase)."""

    FW: OpCost
    AG: OpCost | None
    PROJ: OpCost | None
    WG: OpCost | None
    WU: OpCost | None


def layer_costs(arch: Architecture, wl: Workload, placement: Placement) -> list[LayerCosts]:
    """Cost of every phase of every layer for the placement's rule."""
    out: list[LayerCosts] = []
    n = len(placement.layers)
    rule = placement.rule
    for lp in placement.layers:
        i = lp.layer.index
        fw = forward_cost(arch, wl, lp, i == n, placement.classes)
        ag = proj = None
        if rule.has_phase("AG", i, n):
            # the error through the layer's own arrays, transposed, or through B on arrays of its own
            ag = transposed_cost(arch, wl, lp) if rule.reads_transposed else feedback_ag_cost(arch, wl, lp)
        if rule.has_phase("PROJ", i, n):
            proj = projection_cost(arch, wl, lp, rule, placement.classes)
        wg = weight_gradient_cost(arch, wl, lp) if rule.has_phase("WG", i, n) else None
        wu = weight_update_cost(arch, wl, lp) if rule.has_phase("WU", i, n) else None
        out.append(LayerCosts(fw, ag, proj, wg, wu))
    return out
