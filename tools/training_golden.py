"""Golden training numbers: six hardware-aware steps of mlp3 on digits in a few rule / chip / effect
cases, as the SHA-256 of the weights, the last loss and the pulse count.

    python tools/training_golden.py            # compare with tests/golden/training.json
    python tools/training_golden.py --write    # rewrite it (refused for moved numbers under the same
                                               # simcim.model_version.TRAINING)

A speed-up of the training code must leave these bit for bit as they are: a results store keys trained
points by the training model's version (simcim/model_version.py), so numbers that move without a bump
would mix two models in one study. Floating-point results are the same only on the same kernels, so the
file records the platform (torch version, its CPU capability, BLAS) and the test skips elsewhere.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from simcim.atomic import atomic_open

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "training.json"
STEPS = 6

# (name, rule, weight update, architecture, effects): NeuroSim's update on the study's chip for three
# rules, with d2d spread and read noise (rram), the proportional update, quantization without a device
# curve, and float cells with c2c noise.
CASES = (
    ("dfa-neurosim-fefet", "dfa", None, "neurosim-fefet-22nm", "all"),
    ("bp-neurosim-fefet", "bp", None, "neurosim-fefet-22nm", "all"),
    ("fa-neurosim-fefet", "fa", None, "neurosim-fefet-22nm", "all"),
    ("dfa-neurosim-rram", "dfa", None, "rram-32nm", "all"),
    ("bp-proportional-rram", "bp", "proportional", "rram-32nm", "all"),
    ("dfa-proportional-grid", "dfa", "proportional", "neurosim-fefet-22nm", "grid"),
    ("bp-neurosim-float-c2c", "bp", None, "neurosim-fefet-22nm", "float-c2c"),
)


def platform() -> dict[str, str]:
    import torch

    config = torch.__config__.show()
    blas = next((line.split("BLAS_INFO=")[1].split(",")[0] for line in config.splitlines() if "BLAS_INFO=" in line), "")
    return {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(), "blas": blas}


def compute() -> dict[str, Any]:
    import torch

    from simcim import model_version
    from simcim.spec import load_architecture, load_workload
    from simcim.training.settings import Nonidealities
    from simcim.training.trainer import TrainOptions, Trainer

    effects = {
        "all": Nonidealities(),
        "grid": Nonidealities(quantization=True, nonlinearity=False, variation=True, adc=True, read_noise=False),
        "float-c2c": Nonidealities(quantization=False, nonlinearity=False, variation=True, adc=False, read_noise=False),
    }
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # results depend on the thread count
    try:
        workload = load_workload(ROOT / "workloads" / "mlp3-dfa.yaml")
        data = None
        cases: dict[str, Any] = {}
        for name, rule, update, arch, on in CASES:
            trainer = Trainer(workload, load_architecture(ROOT / "architectures" / f"{arch}.yaml"),
                              TrainOptions(rule, "digits", 1, 0, effects[on], weight_update=update), data)
            data = trainer.data
            b = trainer.batch_size
            with torch.no_grad():
                loss = [trainer.step(data.x_train[i * b:(i + 1) * b], data.y_train[i * b:(i + 1) * b])
                        for i in range(STEPS)][-1]
            digest = hashlib.sha256()
            for w in trainer.net.weights:
                digest.update(w.contiguous().numpy().tobytes())
            cases[name] = {"weights_sha256": digest.hexdigest(), "loss": loss, "pulses": trainer.pulses_total}
    finally:
        torch.set_num_threads(threads)
    return {"about": "simcim golden training numbers; regenerate with: python tools/training_golden.py --write",
            "training_model": model_version.TRAINING, "platform": platform(), "cases": cases}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for name in sorted(set(old["cases"]) | set(new["cases"])):
        a, b = old["cases"].get(name), new["cases"].get(name)
        if a != b:
            lines.append(f"{name}: {a} -> {b}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    new = compute()
    old = json.loads(GOLDEN.read_text()) if GOLDEN.is_file() else None
    lines = diff(old, new) if old else []
    print("\n".join(lines) or ("no training number moved" if old else f"no {GOLDEN.name} yet"))
    if not args.write:
        return 1 if lines else 0
    if old and lines and old["training_model"] == new["training_model"] and old["platform"] == new["platform"]:
        print("refused: numbers moved under the same training model; bump simcim/model_version.py's TRAINING",
              file=sys.stderr)
        return 2
    with atomic_open(GOLDEN, "w") as fh:
        fh.write(json.dumps(new, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
