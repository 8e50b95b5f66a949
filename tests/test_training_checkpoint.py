"""A training run killed after an epoch resumes from its checkpoint with the numbers of a run that
never stopped: every metric, every weight, the random stream."""

from pathlib import Path

import pytest
import torch

from simcim.spec import load_architecture
from simcim.spec.workload import Workload
from simcim.training import checkpoint
from simcim.training.checkpoint import CheckpointError
from simcim.training.settings import Nonidealities
from simcim.training import trainer as trainer_module
from simcim.training.trainer import EpochMetrics, TrainOptions, Trainer

ARCH = load_architecture("architectures/neurosim-fefet-22nm.yaml")
NET = Workload.model_validate({
    "name": "ckpt", "input_shape": [64], "batch_size": 50, "iterations_per_epoch": 3,
    "layers": [{"kind": "linear", "out_features": 32, "activation": "relu"},
               {"kind": "linear", "out_features": 32, "activation": "relu"},
               {"kind": "linear", "out_features": 10, "activation": "none"}]})


class Killed(Exception):
    pass


class KillAfter:
    """A progress sink that stops the run after ``epochs`` epochs (after the checkpoint is written)."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def start(self, total_batches: int) -> None: pass
    def batch(self, loss: float) -> None: pass

    def epoch(self, metrics: EpochMetrics, epochs: int) -> None:
        if metrics.epoch == self.epochs:
            raise Killed

    def close(self) -> None: pass


def _trainer(rule: str) -> Trainer:
    return Trainer(NET, ARCH, TrainOptions(rule, "digits", 4, 3, Nonidealities()))


def _numbers(result: dict) -> dict:
    result = dict(result, seconds=None, resumed_after_epoch=None)
    result["history"] = [dict(h, seconds=None) for h in result["history"]]
    return result


@pytest.fixture
def save_every_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """These epochs take milliseconds: save after each (the default waits CHECKPOINT_EVERY_S)."""
    monkeypatch.setattr(trainer_module, "CHECKPOINT_EVERY_S", 0.0)


@pytest.mark.parametrize("rule", ["bp", "dfa"])
def test_resumed_run_equals_a_run_that_never_stopped(rule: str, tmp_path: Path, save_every_epoch: None) -> None:
    straight = _trainer(rule)
    whole = straight.run().to_json()

    ckpt = tmp_path / "point.pt"
    with pytest.raises(Killed):
        _trainer(rule).run(KillAfter(2), checkpoint=ckpt)
    assert ckpt.is_file()
    resumed_trainer = _trainer(rule)
    resumed = resumed_trainer.run(checkpoint=ckpt).to_json()

    assert _numbers(resumed) == _numbers(whole)
    assert resumed["resumed_after_epoch"] == 2 and whole["resumed_after_epoch"] == 0
    assert len(resumed["history"]) == 4 and resumed["history"][0]["epoch"] == 1
    for a, b in zip(resumed_trainer.net.weights, straight.net.weights):
        assert torch.equal(a, b)
    assert torch.equal(resumed_trainer.generator.get_state(), straight.generator.get_state())
    assert resumed_trainer.pulses_total == straight.pulses_total > 0


def test_a_checkpoint_of_another_network_is_not_used(tmp_path: Path, save_every_epoch: None) -> None:
    ckpt = tmp_path / "point.pt"
    with pytest.raises(Killed):
        _trainer("bp").run(KillAfter(1), checkpoint=ckpt)
    other = NET.model_copy(update={"layers": NET.layers[1:]})  # two weight layers, not three
    fresh = Trainer(other, ARCH, TrainOptions("bp", "digits", 4, 3, Nonidealities())).run().to_json()
    result = Trainer(other, ARCH, TrainOptions("bp", "digits", 4, 3, Nonidealities())).run(checkpoint=ckpt)
    assert result.checkpoint_discarded is not None and "a checkpoint of another run" in result.checkpoint_discarded
    assert result.resumed_after_epoch == 0 and _numbers(result.to_json()) == _numbers(fresh)
    with pytest.raises(CheckpointError, match="a checkpoint of another run"):  # the file now is the new run's
        checkpoint.restore(_trainer("bp"), ckpt)


def test_a_sweep_point_killed_after_an_epoch_resumes_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          save_every_epoch: None) -> None:
    """Through the sweep runner and the real point function: the first run dies after epoch 1 of
    each training point (recorded as an error, its checkpoint left behind); the retry restores the
    checkpoint and gives exactly the metrics of a sweep that never stopped, and leaves no file."""
    from concurrent.futures import ThreadPoolExecutor

    from helpers_sweep import TRAIN_SWEEP
    from simcim.sweep.executors import Pool
    from simcim.sweep.points import expand
    from simcim.sweep.runner import checkpoint_dir, run_sweep
    from simcim.sweep.spec import load_sweep
    from simcim.sweep.store import Store
    from simcim.training import trainer

    spec = tmp_path / "t.yaml"
    spec.write_text(TRAIN_SWEEP.replace("train: {epochs: 1}", "train: {epochs: 3}"))
    sweep = load_sweep(spec)
    points = expand(sweep)

    resumed_epochs: list[int] = []  # what each finished point tells a progress log

    def run(db: Path, retry: bool) -> dict[str, dict]:
        resumed_epochs.clear()
        with Store(db) as store, ThreadPoolExecutor(1) as ex:
            run_sweep(sweep, points, store, Pool(ex, 1, "1 thread"), retry_errors=retry, progress=False,
                      checkpoints=checkpoint_dir(db), on_done=lambda p, o: resumed_epochs.append(o.resumed_epochs))
            return {r.key: (r.status, r.metrics) for r in store.rows()}

    clean = run(tmp_path / "clean.db", False)
    assert {s for s, _ in clean.values()} == {"ok"} and len(clean) == 2
    assert resumed_epochs == [0, 0]

    db = tmp_path / "killed.db"
    with monkeypatch.context() as m:
        m.setattr(trainer._Silent, "epoch", lambda self, metrics, epochs: (_ for _ in ()).throw(Killed()) if metrics.epoch == 1 else None)
        first = run(db, False)
    assert {s for s, _ in first.values()} == {"error"}
    assert len(list(checkpoint_dir(db).glob("*.pt"))) == 2  # one per training point, after epoch 1

    restored = []
    real_restore = checkpoint.restore
    monkeypatch.setattr(checkpoint, "restore", lambda t, p, i="": restored.append(p) or real_restore(t, p, i))
    again = run(db, True)
    assert len(restored) == 2
    assert resumed_epochs == [1, 1]  # each trained epochs 2 and 3 only
    assert again == clean  # the same metrics, bit for bit
    assert not checkpoint_dir(db).exists()  # every point ended: the folder is gone


def test_short_epochs_are_not_saved_until_the_interval_has_passed(tmp_path: Path) -> None:
    ckpt = tmp_path / "point.pt"
    with pytest.raises(Killed):
        _trainer("bp").run(KillAfter(3), checkpoint=ckpt)  # three epochs of milliseconds, < 30 s
    assert trainer_module.CHECKPOINT_EVERY_S == 30.0 and not ckpt.exists()
