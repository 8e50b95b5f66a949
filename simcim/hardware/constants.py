"""Physical constants of the cost model, each with its source. All at 45 nm, 0.9 V unless named.

The 45 nm figures are M. Horowitz, "Computing's energy problem (and what we can do about it)",
ISSCC 2014, Fig. 1.1.9 (energy) and the accompanying area table; they are scaled to other nodes
by :mod:`simcim.hardware.scaling`.
"""

from __future__ import annotations

REFERENCE_NODE_NM = 45.0  # Horowitz ISSCC 2014 numbers are for 45 nm
REFERENCE_VDD_V = 0.9  # ... at 0.9 V

# Energy per operation, pJ (Horowitz ISSCC 2014).
ADD8_ENERGY_PJ = 0.03  # 8-bit integer add
ADD32_ENERGY_PJ = 0.1  # 32-bit integer add
MULT8_ENERGY_PJ = 0.2  # 8-bit integer multiply
# SRAM access: 10 pJ per 64-bit read of an 8 KB array -> per bit.
SRAM_ENERGY_PJ_PER_BIT = 10.0 / 64.0

# Area per unit, um^2 (Horowitz ISSCC 2014 area table).
ADD8_AREA_UM2 = 36.0
ADD32_AREA_UM2 = 137.0
# 6T SRAM bit cell, Intel 45 nm: 0.346 um^2 (K. Mistry et al., IEDM 2007); x1.5 for the array's
# decoders, sense amplifiers and wiring (typical array efficiency ~2/3).
SRAM_CELL_AREA_UM2 = 0.346
SRAM_ARRAY_OVERHEAD = 1.5

# Wordline driver / switch-matrix cell per row of a CIM subarray: assumed one eighth of an 8-bit
# adder (a few transistors and a level shifter); NeuroSim models it from transistor widths.
ROW_DRIVER_AREA_UM2 = ADD8_AREA_UM2 / 8.0

# Wire pitch for interconnect area: 4 F per bit of link width (minimum-pitch metal is ~2 F; twice
# that for shielding and vias), an assumption of this model.
WIRE_PITCH_F = 4.0

# Average input bit is 1 with probability 1/2: the array read energy counts half of the rows as
# driven (NeuroSim makes the same average-activity assumption when no trace is given).
INPUT_BIT_ACTIVITY = 0.5
