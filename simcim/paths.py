"""Where the bundled architectures and workloads live (a source checkout or an editable install)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURES = ROOT / "architectures"
WORKLOADS = ROOT / "workloads"
DEFAULT_ARCHITECTURE = ARCHITECTURES / "neurosim-fefet-22nm.yaml"
DEFAULT_WORKLOAD = WORKLOADS / "mlp5-dfa.yaml"
