"""Versions of the two models whose numbers outlive a run: the chip's cost model (simulated latency,
energy, area) and the training model (accuracy, pulses, for a given seed).

A results store (`simcim sweep`, `simcim study`) keeps what made each point; the package version
alone does not move between development commits, so these do. Bump SIMULATION when a change moves a
simulated number on purpose (`python tools/golden.py --write` refuses to rewrite moved numbers under
the same version): every point records the cost model that simulated it, and a rerun simulates the
older ones again (a trained point keeps its training). Bump TRAINING when a change moves a training
result for the same seed (a different random stream counts): it is part of a trained point's key, so
those points train again instead of being mixed with the new ones. Version 1 is the model of
2026-12-02. tests/test_training_golden.py holds it to the numbers in tests/golden/training.json, bit for
bit, on the platform that file was written on (`python tools/training_golden.py --write` refuses to
rewrite moved numbers under the same version).

Versions: SIMULATION 2 -- the global buffer's gradient share sized as Chip.cpp:ChipInitialize does
(bufferOverHead is one subarray's gradient, doubled, not that times numArrayWriteParallel): chips
whose weights give floor(cells x batch bits / weight bits) >= 2 (4-bit weights in one cell, 7-8 bits
in two) had twice NeuroSim's buffer (area, leakage and bandwidth).
SIMULATION 3 -- three more places where a weight of several cells was counted per cell column, or a
layout argument taken for the other side (an audit against Chip.cpp, ProcessingUnit.cpp, Tile.cpp):
the adder trees of a PE and a tile run ceil(numColMuxed / numColPerSynapse) passes per vector, not
numColMuxed; a PE's and a tile's outputs (buffers, buses, H-tree) are per weight column, a tile's
1 + numAdderBit bits each (not + the tree's stages) and a PE's output DFFs without the tree's +1;
the chip's global accumulation is laid out to a width of a third of the global buffer's height, not
that height (VGG-8 accumulation area 10.92 -> 9.68 mm², NeuroSim's 9.68).
SIMULATION 4 -- a tile's accumulation over PE rows is added after its copies' speed-up divides the
PEs' latency, not divided by it (Tile.cpp:TileCalculatePerformance).
SIMULATION 5 -- the global buffer has ceil(bits / core) cores, as the study's fork counts them
(V2.1's integer division gave one fewer where the size is not a whole number of cores: every MLP;
VGG-8 unchanged). mlp5 BP on the study's chip 17.62 -> 16.05 s per epoch (the fork: 15.11 s).
"""

SIMULATION = 5
TRAINING = 1
