"""Training on digits: BP and DFA reach their accuracies, DFA beats the shallow control and aligns;
same seed, same metrics.

The fast tests use the mlp3 workload at 8x8 input (no resize) and width 256 with batches of 50, so
that each trains in seconds; the full 784-1024-1024-10 network with the workload's own settings is
the `slow` test (and the numbers in docs/training.md).
"""

from typing import Any

import pytest
import torch

from simcim.spec import load_architecture, load_workload
from simcim.training.settings import Nonidealities
from simcim.training.trainer import TrainOptions, default_epochs, train

torch.set_num_threads(1)  # small nets: threads only add overhead
ARCH = load_architecture("architectures/neurosim-fefet-22nm.yaml")
SMALL = {"input_shape": [64], "layers.0.out_features": 256, "layers.1.out_features": 256,
         "training.batch_size": 50}


def _train(rule: str, overrides: dict[str, Any], on: Nonidealities, epochs: int | None = None,
           dataset: str = "digits", seed: int = 0) -> dict[str, Any]:
    wl = load_workload(f"workloads/mlp3-{'dfa' if rule == 'dfa' else 'bp'}.yaml", overrides)
    n = epochs or default_epochs(wl, dataset)
    return train(wl, ARCH, TrainOptions(rule, dataset, n, seed, on)).to_json()


@pytest.fixture(scope="module")
def ideal_runs() -> dict[str, dict[str, Any]]:
    return {rule: _train(rule, SMALL, Nonidealities.ideal()) for rule in ("bp", "dfa", "shallow")}


def test_default_epochs_on_digits() -> None:
    assert default_epochs(load_workload("workloads/mlp3-dfa.yaml"), "digits") == 50
    assert default_epochs(load_workload("workloads/mlp3-dfa.yaml", {"epochs": 500}), "digits") == 50
    assert default_epochs(load_workload("workloads/mlp3-dfa.yaml", {"epochs": 500}), "mnist") == 500


def test_bp_and_dfa_reach_their_accuracy(ideal_runs: dict[str, dict[str, Any]]) -> None:
    assert ideal_runs["bp"]["final_test_accuracy"] >= 0.96
    assert ideal_runs["dfa"]["final_test_accuracy"] >= 0.94


def test_dfa_beats_the_shallow_control(ideal_runs: dict[str, dict[str, Any]]) -> None:
    # Training the hidden layers with DFA must be worth something over random features.
    assert ideal_runs["dfa"]["final_test_accuracy"] >= ideal_runs["shallow"]["final_test_accuracy"] + 0.05


def test_dfa_aligns_with_the_bp_gradient(ideal_runs: dict[str, dict[str, Any]]) -> None:
    angles = ideal_runs["dfa"]["alignment_deg"]
    assert angles["fc1"] < 80 and angles["fc2"] < 80  # measured ~55 and ~51 degrees
    assert angles["fc3"] < 1  # the output layer gets the true error in DFA


@pytest.mark.parametrize("update", ["proportional", "neurosim"])
def test_same_seed_same_metrics(update: str) -> None:
    small = {"input_shape": [16], "layers.0.out_features": 32, "layers.1.out_features": 32,
             "batch_size": 32, "training.weight_update": update}
    on = Nonidealities()  # everything on: stochastic rounding, c2c noise, ADC
    a = _train("dfa", small, on, epochs=2, dataset="synthetic")
    b = _train("dfa", small, on, epochs=2, dataset="synthetic")
    c = _train("dfa", small, on, epochs=2, dataset="synthetic", seed=1)
    for run in (a, b, c):
        run.pop("seconds")
        run.pop("history")
    assert a == b
    assert a["train_loss"] != c["train_loss"]
    assert a["weight_update"] == update


def test_float_runs_ignore_the_weight_update() -> None:
    small = {"input_shape": [16], "layers.0.out_features": 32, "layers.1.out_features": 32,
             "batch_size": 32}
    runs = [_train("dfa", {**small, "training.weight_update": u}, Nonidealities.ideal(), epochs=2,
                   dataset="synthetic") for u in ("proportional", "neurosim")]
    for run in runs:
        run.pop("seconds")
        run.pop("history")
    assert runs[0] == runs[1] and runs[0]["weight_update"] == "float"


@pytest.mark.slow
def test_full_mlp3_on_digits_with_the_workload_settings() -> None:
    bp = _train("bp", {}, Nonidealities.ideal())
    dfa = _train("dfa", {}, Nonidealities.ideal())
    assert bp["final_test_accuracy"] >= 0.96 and dfa["final_test_accuracy"] >= 0.94
    assert max(dfa["alignment_deg"].values()) < 90


@pytest.mark.parametrize("update", ["proportional", "neurosim"])
@pytest.mark.parametrize("rule", ["bp", "dfa"])
def test_default_nonidealities_stay_well_above_chance(rule: str, update: str) -> None:
    # Guard against the collapse to chance that the study's default device (64-level FeFET, NL
    # 1.75/1.46, c2c 0.003, 5-bit ADC) caused on the study's 784-1024-1024-10 MLP while its weights
    # sat on the few levels around the middle of each cell (no WAGE layer scale). 5 epochs of the
    # workload's settings: measured 0.88 (BP) and 0.72 (DFA); before the fix 0.20 and 0.10. Chance 0.1.
    # With DNN+NeuroSim's update (training.weight_update: neurosim): measured 0.94 and 0.75 (commit 505929a).
    run = _train(rule, {"training.weight_update": update}, Nonidealities(), epochs=5)
    assert run["final_test_accuracy"] >= 0.5
