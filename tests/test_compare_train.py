"""`simcim compare --train`: accuracy per epoch per rule on the same chip, joined with the costs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_trace import ARCH, WORKLOADS

from simcim.cli import main

pytest.importorskip("torch")
pytest.importorskip("sklearn")


def test_train_adds_accuracy_curves_and_the_joined_table(tmp_path: Path) -> None:
    out = tmp_path / "r"
    # simulate a batch of 2 (fast), train with batches of 200 (fast too: few steps per epoch)
    assert main(["compare", str(ARCH), str(WORKLOADS / "mlp2-bp.yaml"), str(WORKLOADS / "mlp2-dfa.yaml"), "--train",
                 "--epochs", "1", "--set", "workload.batch_size=2", "--set", "workload.training.batch_size=200",
                 "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "results.json").read_text())
    runs = {t["label"]: t for t in data["training"]}
    assert set(runs) == {"BP", "DFA"}
    for label, run in runs.items():
        metrics = json.loads((out / "training" / label / "metrics.json").read_text())
        assert metrics["rule"] == label.lower() and metrics["epochs"] == 1
        assert run["test_accuracy"] == metrics["test_accuracy"] and len(run["test_accuracy"]) == 1
        assert run["final_test_accuracy"] == metrics["final_test_accuracy"]
        assert 0.0 <= run["final_test_accuracy"] <= 1.0
    assert runs["BP"]["final_test_accuracy"] > 0.3  # ten digit classes: well above chance after 1 epoch
    assert (out / "accuracy.png").exists()
    md = (out / "report.md").read_text()
    bp_row = next(line for line in md.splitlines() if line.startswith("| BP | bp | 1 |"))
    assert f"{100 * runs['BP']['final_test_accuracy']:.2f} %" in bp_row
    assert "mm²" in bp_row  # joined with the area of the same chip
