"""Sign-symmetric feedback (ss; Liao, Leibo & Poggio 2016), added as one definition in simcim.rules:
its cost, its schedule and its accuracy, each checked here.

SS sends the error back through sign(W)^T instead of W^T: layer by layer like BP, read on the layer's
own (transposable) arrays, one shared weight-gradient unit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from helpers_spine import DEFAULT_ARCH, ROOT, check_invariants, run
from simcim.cli import main
from simcim.spec import load_architecture, load_workload
from simcim.training.backward import layer_errors, output_error, weight_gradients
from simcim.training.settings import Nonidealities
from simcim.training.trainer import TrainOptions, train

WORKLOADS = ROOT / "workloads"


def test_ss_costs_what_bp_costs() -> None:
    """Same arrays (W read transposed), same phases, same WG unit: every number equals BP's."""
    _, bp = run(DEFAULT_ARCH, WORKLOADS / "mlp3-bp.yaml", work_over={"batch_size": 3})
    sim, ss = run(DEFAULT_ARCH, WORKLOADS / "mlp3-bp.yaml", work_over={"batch_size": 3, "rule": "ss"})
    assert ss["rule"] == "ss"
    assert {k: v for k, v in ss.items() if k != "rule"} == {k: v for k, v in bp.items() if k != "rule"}
    assert [layer["feedback_tiles"] for layer in ss["layers"]] == [0, 0, 0]  # no B arrays
    assert ss["mapping"]["wg_units"] == 1
    # AG runs on the layer's own tiles: the hold of L2.AG is on L2's tile group.
    l2_tiles = {h.resource.name for h in sim.records.holds if h.name == "L2.FW" and h.kind == "compute"}
    assert {h.resource.name for h in sim.records.holds if h.name == "L2.AG" and h.kind == "compute"} == l2_tiles


def test_ss_schedule_is_a_chain() -> None:
    sim, r = run(DEFAULT_ARCH, WORKLOADS / "mlp4-bp.yaml", work_over={"batch_size": 2, "rule": "ss"})
    check_invariants(sim, r)  # deps: AG(l) <- AG(l+1), WG(l) <- AG(l+1)
    ag = {t.layer: (t.start_ps, t.end_ps) for t in sim.records.tasks if t.phase == "AG" and t.image == 0}
    assert sorted(ag) == [2, 3, 4]
    assert ag[3][0] >= ag[4][1] and ag[2][0] >= ag[3][1]  # the error walks back one layer at a time
    assert {ph for layer in r["layers"] for ph in layer["phases"]} == {"FW", "AG", "WG", "WU"}


def test_ss_needs_transposable_arrays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(DEFAULT_ARCH), str(WORKLOADS / "mlp2-bp.yaml"), "--rule", "ss", "--quiet",
                 "--set", "arch.subarray.transposable=false"]) == 2
    assert "rule ss reads sign(W)^T" in capsys.readouterr().err


def test_ss_error_by_hand() -> None:
    """delta1 = (e sign(W2)^T) * f'(a1), on the tiny net of test_training_rules."""
    from test_training_rules import FPRIME, X, _net

    net = _net("ss")
    out, rec = net.forward(X)
    t = torch.tensor([[1.0, 0.0]])
    g1, g2 = weight_gradients(net, rec, layer_errors(net, rec, output_error(out, t, "mse"), t))
    # e = [-0.4, -0.1]; sign(W2) = [[1, -1], [1, 1]]; e sign(W2)^T = [-0.4 + 0.1, -0.4 - 0.1] = [-0.3, -0.5]
    delta1 = torch.tensor([[-0.3, -0.5]]) * FPRIME
    assert torch.allclose(g1, X.t() @ delta1)
    assert torch.allclose(g1, torch.tensor([[-0.3, 0.0], [-0.15, 0.0], [0.0, 0.0]]))


def test_ss_learns_digits_and_its_update_aligns_with_bp() -> None:
    """Ideal devices, the small mlp3 of test_training: SS learns (Liao et al. find it close to BP)
    and, unlike BP, reports its angle to the BP gradient, which stays below 90 degrees."""
    torch.set_num_threads(1)
    arch = load_architecture(DEFAULT_ARCH)
    small = {"input_shape": [64], "layers.0.out_features": 256, "layers.1.out_features": 256,
             "training.batch_size": 50}
    wl = load_workload(WORKLOADS / "mlp3-bp.yaml", small)
    ss = train(wl, arch, TrainOptions("ss", "digits", 20, 0, Nonidealities.ideal())).to_json()
    shallow = train(wl, arch, TrainOptions("shallow", "digits", 20, 0, Nonidealities.ideal())).to_json()
    assert ss["final_test_accuracy"] >= 0.93
    assert ss["final_test_accuracy"] > shallow["final_test_accuracy"]
    assert ss["alignment_deg"] is not None and max(ss["alignment_deg"].values()) < 90


def test_ss_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "train"
    assert main(["train", str(DEFAULT_ARCH), str(WORKLOADS / "mlp2-bp.yaml"), "--rule", "ss", "--dataset",
                 "synthetic", "--epochs", "1", "--threads", "1", "--quiet", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["rule"] == "ss" and metrics["final_test_accuracy"] is not None
