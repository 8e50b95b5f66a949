"""A training run's state at the end of an epoch, saved so that a killed run resumes there.

What a run changes as it trains: every layer's cells (weights, and the per-device curve parameters
they were drawn with), the fixed feedback matrices, the momentum buffers, the random generator, the
pulse counters and the epochs' metrics. Everything else (the data, the read models, the network's
ops) is rebuilt from the same inputs. A resumed run therefore continues bit for bit where the
saved one stopped (tests/test_training_checkpoint.py). Written to a temporary file and renamed, so
a kill during the write leaves the previous epoch's file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from simcim.spec.architecture import Architecture
    from simcim.spec.workload import Workload
    from simcim.training.trainer import EpochMetrics, Trainer, TrainOptions

FORMAT = 1


class CheckpointError(ValueError):
    """The file is not a readable checkpoint of this run."""

_NOT_SAVED = ("hw", "generator")  # a cell's links to the run's settings and generator, restored by the run


def save(trainer: "Trainer", history: list["EpochMetrics"], path: Path, identity: str = "") -> None:
    """``identity``: what the run is (e.g. a hash of its settings); :func:`restore` refuses another."""
    state: dict[str, Any] = {
        "format": FORMAT,
        "identity": identity,
        "history": [asdict(m) for m in history],
        "generator": trainer.generator.get_state(),
        "velocity": trainer.velocity,
        "cells": [{k: v for k, v in vars(c).items() if k not in _NOT_SAVED} for c in trainer.net.cells],
        "feedback": trainer.net.feedback,
        "pulses_total": trainer.pulses_total,
        "pulses_by_layer": trainer.pulses_by_layer,
        "batches_done": trainer.batches_done,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def restore(trainer: "Trainer", path: Path, identity: str = "") -> list["EpochMetrics"]:
    """Load ``path`` into ``trainer`` (built from the same inputs); return the finished epochs' metrics."""
    from simcim.training.trainer import EpochMetrics

    try:
        with warnings.catch_warnings():  # a damaged file draws torch's pickle warnings before it fails
            warnings.simplefilter("ignore")
            state = torch.load(path, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many kinds for a file it cannot read
        raise CheckpointError(f"{path}: not a readable checkpoint ({type(exc).__name__})") from None
    if (not isinstance(state, dict) or state.get("format") != FORMAT or state.get("identity") != identity
            or len(state["cells"]) != len(trainer.net.cells)):
        raise CheckpointError(f"{path}: a checkpoint of another run (other specs, options, threads or simcim version)")
    trainer.generator.set_state(state["generator"])
    trainer.velocity = state["velocity"]
    for cell, saved in zip(trainer.net.cells, state["cells"]):
        vars(cell).update(saved)
    trainer.net.feedback = state["feedback"]
    trainer.pulses_total = state["pulses_total"]
    trainer.pulses_by_layer = state["pulses_by_layer"]
    trainer.batches_done = state["batches_done"]
    return [EpochMetrics(**m) for m in state["history"]]


def run_identity(workload: "Workload", arch: "Architecture", options: "TrainOptions", threads: int) -> str:
    """A hash of everything that decides a run's numbers: both specs as validated, the options, the
    torch thread count (CPU kernels are deterministic per thread count), simcim's and its training
    model's versions."""
    from simcim import __version__
    from simcim.model_version import TRAINING

    what = {"simcim": __version__, "training_model": TRAINING, "threads": threads,
            "workload": workload.model_dump(mode="json"), "architecture": arch.model_dump(mode="json"),
            "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()}}
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode("utf-8")).hexdigest()
