"""Circuit models of DNN+NeuroSim V2.1, ported to Python (github.com/neurosim/DNN_NeuroSim_V2.1,
Training_pytorch/NeuroSIM). SI units throughout; every ported formula cites its ``File.cpp:Function``.
docs/neurosim-port.md lists what is ported from where, each NeuroSim quirk and the decision taken.

Modules:

- ``technology``: ``Technology`` / ``technology()`` (PTM cards per node, roadmap, temperature) and
  ``Wire`` / ``wire()`` (interconnect table, 0.2 fF/um); ``technology_cards`` holds the raw cards.
- ``gates``: formula.cpp primitives (gate cap, on-resistance, Horowitz delay, gate area with folding,
  gate/drain capacitance, leakage, pass gate) and the constant.h layout constants.
- ``logic``: DFF, Adder, ShiftAdd, AdderTree, BitShifter (the ReLU unit).
- ``pooling``: Comparator, MaxPooling.
- ``decoder``: RowDecoder (buffer word-line decoder, mux-select decoder).
- ``switches``: analog Mux, NewSwitchMatrix (1T1R row drivers), SwitchMatrix (row/column drivers).
- ``sram_periphery``: Precharger, SRAMWriteDriver.
- ``adc``: MultilevelSenseAmp (flash ADC), MultilevelSAEncoder, SarADC.
- ``subarray``: Subarray (1T1R FeFET/RRAM, conventionalParallel, optional transposed periphery),
  SubarrayArea, ReadCost, WriteCost; ``subarray_inputs``: SubarrayDesign, WriteUpdate and the
  column-resistance helpers (re-exported by ``subarray``).
- ``interconnect``: Buffer (register file or SRAM), Bus, HTree.
- ``wg_unit``: WeightGradientUnit.
- ``dram``: Dram (GDDR5, HBM2).
"""

from simcim.hardware.circuits.adc import MultilevelSAEncoder, MultilevelSenseAmp, SarADC
from simcim.hardware.circuits.decoder import RowDecoder
from simcim.hardware.circuits.dram import DRAM_KINDS, Dram
from simcim.hardware.circuits.gates import Footprint, Gate, GateCaps, Mos, horowitz
from simcim.hardware.circuits.interconnect import Buffer, Bus, HTree
from simcim.hardware.circuits.logic import DFF, Adder, AdderTree, BitShifter, ShiftAdd
from simcim.hardware.circuits.pooling import Comparator, MaxPooling
from simcim.hardware.circuits.sram_periphery import Precharger, SRAMWriteDriver
from simcim.hardware.circuits.subarray import (
    ReadCost,
    Subarray,
    SubarrayArea,
    SubarrayDesign,
    WriteCost,
    WriteUpdate,
    column_resistance_ohm,
    column_resistances_ohm,
)
from simcim.hardware.circuits.switches import Mux, NewSwitchMatrix, SwitchMatrix
from simcim.hardware.circuits.technology import NODES_NM, ROADMAPS, Technology, Wire, technology, wire
from simcim.hardware.circuits.wg_unit import WeightGradientUnit

__all__ = [
    "DFF", "DRAM_KINDS", "NODES_NM", "ROADMAPS",
    "Adder", "AdderTree", "BitShifter", "Buffer", "Bus", "Comparator", "Dram", "Footprint", "Gate", "GateCaps",
    "HTree", "MaxPooling", "Mos", "MultilevelSAEncoder", "MultilevelSenseAmp", "Mux", "NewSwitchMatrix",
    "Precharger", "ReadCost", "RowDecoder", "SRAMWriteDriver", "SarADC", "ShiftAdd", "Subarray", "SubarrayArea",
    "SubarrayDesign", "SwitchMatrix", "Technology", "WeightGradientUnit", "Wire", "WriteCost", "WriteUpdate",
    "column_resistance_ohm", "column_resistances_ohm", "horowitz", "technology", "wire",
]
