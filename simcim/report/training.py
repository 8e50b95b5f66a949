"""Accuracy per epoch for each case's rule on the same chip, through the trainer of `simcim train`.

Runs in-process (simcim.training), with every nonideality of the chip's device model on, so that the
accuracy belongs to the same hardware the latency and energy columns describe. torch is imported only
here, so reports without --train never need it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from simcim.atomic import write_text_atomic
from simcim.cli import UserError
from simcim.report.study import TrainingRun
from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload


def train_case(arch: Architecture, workload: Workload, label: str, out_dir: Path, epochs: int | None) -> TrainingRun:
    """Train ``workload`` (its own rule) on ``arch``; write out_dir/metrics.json like `simcim train`."""
    try:
        from simcim.training.datasets import DatasetError
        from simcim.training.settings import Nonidealities
        from simcim.training.trainer import TrainOptions, default_epochs, train
    except ImportError as exc:  # torch / scikit-learn are the 'train' extra
        raise UserError(f"--train needs the training extra ({exc.name} is missing): pip install 'simcim[train]'") from None
    dataset = workload.training.dataset
    options = TrainOptions(rule=workload.rule, dataset=dataset,
                           epochs=epochs if epochs is not None else default_epochs(workload, dataset),
                           seed=workload.seed, nonidealities=Nonidealities())
    try:
        metrics: dict[str, Any] = train(workload, arch, options).to_json()
    except DatasetError as exc:
        raise UserError(f"--train {label}: {exc}") from None
    path = out_dir / "metrics.json"
    write_text_atomic(path, json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    return run_from_metrics(label, metrics, path)


def run_from_metrics(label: str, metrics: dict[str, Any], path: Path | None = None) -> TrainingRun:
    """A TrainingRun from a metrics.json dict (the format `simcim train --out DIR` writes)."""
    final = metrics.get("final_test_accuracy")
    return TrainingRun(label, str(metrics.get("rule", "")),
                       [float(a) for a in metrics.get("train_accuracy", [])],
                       [float(a) for a in metrics.get("test_accuracy", [])],
                       None if final is None else float(final), path)


def train_cases(arch: Architecture, cases: list[tuple[str, Workload]], out_dir: Path, epochs: int | None,
                say: Any = print) -> list[TrainingRun]:
    runs = []
    for label, workload in cases:
        say(f"training {label}: {workload.name} ({workload.rule}) on {workload.training.dataset}")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", label)
        runs.append(train_case(arch, workload, label, out_dir / safe, epochs))
    return runs
