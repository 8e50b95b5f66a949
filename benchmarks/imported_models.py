"""torchvision models imported and simulated, run by hand: `python benchmarks/imported_models.py`.

Each of resnet18, resnet50, mobilenet_v2 and vgg16 (ImageNet size, 1000 classes) through
`simcim import`, then one iteration of batch 1 under BP and DFA on the default chip. Prints a
Markdown table (weights and MACs as simcim counts them -- tests/test_import.py checks them against
torch's own per-layer count -- tiles, and latency and energy per image) and writes it to
benchmarks/results/imported_models.md.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from simcim.api import simulate
from simcim.cli import main as cli
from simcim.network import weight_layers
from simcim.spec.loader import load_architecture, load_workload

ROOT = Path(__file__).resolve().parent.parent
ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"


def main() -> None:
    rows = ["| model | weight layers | weights | MACs / image | tiles (bp) | bp latency / image | bp energy / image "
            "| dfa latency / image | dfa energy / image |", "|---|---|---|---|---|---|---|---|---|"]
    arch = load_architecture(ARCH)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("resnet18", "resnet50", "mobilenet_v2", "vgg16"):
            path = Path(tmp) / f"{name}.yaml"
            assert cli(["import", f"torchvision:{name}", "--input-shape", "3,224,224", "--batch-size", "1",
                        "-o", str(path)]) == 0
            layers = weight_layers(load_workload(path))
            res = {rule: simulate(arch, load_workload(path, {"rule": rule})) for rule in ("bp", "dfa")}
            bp, dfa = res["bp"], res["dfa"]
            rows.append(f"| {name} | {len(layers)} | {sum(wl.weights for wl in layers):,} | "
                        f"{sum(wl.macs for wl in layers):,} | {bp.mapping.tiles_used} | "
                        f"{bp.per_iteration.latency_s * 1e3:.2f} ms | {bp.per_iteration.energy_j * 1e3:.3f} mJ | "
                        f"{dfa.per_iteration.latency_s * 1e3:.2f} ms | {dfa.per_iteration.energy_j * 1e3:.3f} mJ |")
    text = "\n".join(rows) + "\n"
    (ROOT / "benchmarks" / "results" / "imported_models.md").write_text(
        "# torchvision models on neurosim-fefet-22nm (3x224x224, 1000 classes, batch 1)\n\n"
        "Made by `python benchmarks/imported_models.py`.\n\n" + text)
    print(text)


if __name__ == "__main__":
    main()
