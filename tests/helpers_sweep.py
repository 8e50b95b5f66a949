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
