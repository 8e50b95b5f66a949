"""What the sweep tests share: the bundled specs and a small training sweep."""

from simcim.paths import ROOT

ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"
WORKLOADS = ROOT / "workloads"
# Two points (BP, DFA) of mlp2 with training: two batches of 50 per epoch, fast, not converged.
TRAIN_SWEEP = f"""
name: trained
architecture: {ARCH}
workload: {WORKLOADS}/mlp2-bp.yaml
axes:
  workload.rule: [bp, dfa]
set:
  workload.batch_size: 4
  workload.iterations_per_epoch: 2
  workload.training.batch_size: 50
train: {{epochs: 1}}
"""

# A study of two depths and two rules on a 64-wide MLP, with every kind of point (tests/test_study.py).
TINY_STUDY = f"""
name: tiny
description: a tiny study for the tests
architecture: {ARCH}
workload: {WORKLOADS}/mlp2-bp.yaml
rules: [bp, dfa]
depths: [2, 3]
width: 64
reference_depth: 3
simulate:
  workload.batch_size: [2, 4]
train:
  dataset: digits
  epochs: 1
  seeds: [0, 1]
  nonidealities: [all, none]
  effects: [adc]
  vary: {{arch.subarray.adc.bits: [3, 5]}}
  set: {{workload.training.batch_size: 50, workload.iterations_per_epoch: 2}}
"""
# 2 depths x 2 rules x 3 hardware + 1 axis x 2 values x 2 rules; 2 seeds x 2 rules x (2 depths x 2 sets + 1 effect + 2 settings)
