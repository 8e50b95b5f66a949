"""Versions of the two models whose numbers outlive a run: the chip's cost model (simulated latency,
energy, area) and the training model (accuracy, pulses, for a given seed).

A results store (`simcim sweep`, `simcim study`) keys every point by what made it; the package
version alone does not move between development commits, so these do. Bump SIMULATION when a change
moves a simulated number on purpose (`python tools/golden.py --write` refuses to rewrite moved
numbers under the same version), and TRAINING when a change moves a training result for the same
seed (a different random stream counts): the points a store holds from the older model are then
run again instead of being mixed with the new ones. Version 1 is the model of 2026-12-02.
"""

SIMULATION = 1
TRAINING = 1
