"""`simcim train` end to end: files written, the missing-IDX message, flags."""

import csv
import json
from pathlib import Path

import pytest

import torch

from simcim.cli import main
from simcim.spec import load_workload

torch.set_num_threads(1)  # tiny nets: threads only add overhead (and contention on a busy machine)

ARCH = "architectures/neurosim-fefet-22nm.yaml"
WORKLOAD = "workloads/mlp3-bp.yaml"
SMALL = ["--set", "workload.input_shape=[16]", "--set", "workload.layers.0.out_features=32",
         "--set", "workload.layers.1.out_features=32", "--set", "workload.batch_size=32"]


def test_train_writes_metrics_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    rc = main(["train", ARCH, WORKLOAD, *SMALL, "--dataset", "synthetic", "--epochs", "6",
               "--lr", "0.5", "--threads", "1", "--out", str(out)])
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["rule"] == "bp" and m["dataset"] == "synthetic" and m["epochs"] == 6
    assert len(m["train_accuracy"]) == 6 and len(m["test_accuracy"]) == 6
    assert m["final_test_accuracy"] == m["test_accuracy"][-1]
    assert m["final_test_accuracy"] > 0.6  # measured 0.875; chance is 0.1
    assert m["nonidealities"]["quantization"]["on"] and m["nonidealities"]["adc"]["bits"] == 5
    assert m["pulses_per_cell"] > 0
    assert m["alignment_deg"] is None  # only for rules that stand in for the gradient
    # The workload's training.weight_update (proportional unless the spec's default changes).
    assert m["weight_update"] == m["nonidealities"]["weight_update"] == load_workload(WORKLOAD).training.weight_update
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    assert float(rows[-1]["test_accuracy"]) == m["final_test_accuracy"]
    assert (out / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "epoch   6/6" in printed and "final test accuracy" in printed


def test_ideal_and_rule_override(tmp_path: Path) -> None:
    rc = main(["train", ARCH, WORKLOAD, *SMALL, "--dataset", "synthetic", "--epochs", "1",
               "--ideal", "--rule", "dfa", "--quiet", "--out", str(tmp_path)])
    assert rc == 0
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["rule"] == "dfa" and set(m["alignment_deg"]) == {"fc1", "fc2", "fc3"}
    assert not any(v["on"] for v in m["nonidealities"].values() if isinstance(v, dict))


def test_weight_update_flag(tmp_path: Path) -> None:
    losses = {}
    for flags, expected in ((["--weight-update", "neurosim"], "neurosim"),
                            (["--ideal"], "float"),  # plain SGD: the software baseline
                            (["--weight-update", "neurosim", "--ideal"], "neurosim")):  # its step in float
        rc = main(["train", ARCH, WORKLOAD, *SMALL, "--dataset", "synthetic", "--epochs", "1", *flags,
                   "--quiet", "--out", str(tmp_path)])
        assert rc == 0
        m = json.loads((tmp_path / "metrics.json").read_text())
        assert m["weight_update"] == m["nonidealities"]["weight_update"] == expected
        assert m["pulses_per_cell"] > 0
        losses[" ".join(flags)] = m["train_loss"]
    assert losses["--ideal"] != losses["--weight-update neurosim --ideal"]


def test_one_effect_off(tmp_path: Path) -> None:
    rc = main(["train", ARCH, WORKLOAD, *SMALL, "--dataset", "synthetic", "--epochs", "1",
               "--no-adc", "--no-variation", "--quiet", "--out", str(tmp_path)])
    assert rc == 0
    nonideal = json.loads((tmp_path / "metrics.json").read_text())["nonidealities"]
    assert sorted(k for k, v in nonideal.items() if isinstance(v, dict) and v["on"]) == [
        "nonlinearity", "quantization", "read_noise"]


def test_missing_idx_files_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["train", ARCH, WORKLOAD, "--dataset", "mnist", "--data-dir", str(tmp_path),
               "--out", str(tmp_path / "o")])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(tmp_path) in err and "train-images-idx3-ubyte" in err and "t10k-labels-idx1-ubyte" in err


def test_bad_epochs_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", ARCH, WORKLOAD, "--epochs", "0"]) == 2
    assert "--epochs" in capsys.readouterr().err


def test_default_threads_do_not_oversubscribe_a_small_machine() -> None:
    from simcim.training.threads import default_threads

    assert [default_threads(c) for c in (1, 2, 3, 4, 8, 16, 64)] == [1, 1, 1, 2, 4, 8, 8]


def test_interrupted_train_resumes_with_the_same_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from simcim.training import trainer
    from simcim.training.progress import ConsoleProgress

    monkeypatch.setattr(trainer, "CHECKPOINT_EVERY_S", 0.0)  # save after every (millisecond) epoch

    cmd = ["train", ARCH, WORKLOAD, *SMALL, "--dataset", "synthetic", "--epochs", "4", "--threads", "1", "--quiet"]

    def numbers(out: Path) -> dict:
        m = json.loads((out / "metrics.json").read_text())
        return {k: v for k, v in m.items() if k not in ("seconds", "resumed_after_epoch", "history")} | {
            "history": [{k: v for k, v in h.items() if k != "seconds"} for h in m["history"]]}

    clean = tmp_path / "clean"
    assert main([*cmd, "--out", str(clean)]) == 0
    assert not (clean / "checkpoint.pt").exists()  # removed once the run ends

    out = tmp_path / "run"
    real_epoch = ConsoleProgress.epoch

    def ctrl_c_at_2(self, m, epochs):  # type: ignore[no-untyped-def]
        if m.epoch == 2:
            raise KeyboardInterrupt
        real_epoch(self, m, epochs)

    with monkeypatch.context() as mp:
        mp.setattr(ConsoleProgress, "epoch", ctrl_c_at_2)
        assert main([*cmd, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "interrupted; the same command resumes after the last saved epoch" in err and "checkpoint.pt" in err
    assert (out / "checkpoint.pt").is_file() and not (out / "metrics.json").exists()

    assert main([*cmd, "--out", str(out)]) == 0
    assert json.loads((out / "metrics.json").read_text())["resumed_after_epoch"] == 2
    assert numbers(out) == numbers(clean)

    # Other settings into a folder holding a checkpoint: not resumed from it.
    with monkeypatch.context() as mp:
        mp.setattr(ConsoleProgress, "epoch", ctrl_c_at_2)
        assert main([*cmd, "--out", str(out)]) == 2
    capsys.readouterr()
    assert main([*cmd[:-1], "--lr", "0.05", "--out", str(out)]) == 0
    assert "a checkpoint of another run (other specs, options, threads or simcim version): trained from the start" \
        in capsys.readouterr().out
    assert json.loads((out / "metrics.json").read_text())["resumed_after_epoch"] == 0
    # A damaged file: the same.
    (out / "checkpoint.pt").write_bytes(b"\x80not a checkpoint")
    assert main([*cmd, "--out", str(out)]) == 0
    assert "not a readable checkpoint (" in capsys.readouterr().out
    assert not (out / "checkpoint.pt").exists() and numbers(out) == numbers(clean)
