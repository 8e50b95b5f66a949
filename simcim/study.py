"""Running cases for comparisons and studies: simulate each (and analyse its trace), train each, and
keep the numbers that reports draw.

The command decides *which* workloads to run; this module runs them (simulator and trainer) and
holds what they gave; simcim.report only draws and writes it: figures, the HTML page, the Markdown
file and results.json. torch is imported only when a case is trained.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from simcim.analysis.critical_path import CriticalPath, critical_path
from simcim.analysis.summary import TraceSummary, summarize_trace
from simcim.analysis.timeline import Timeline, read_timeline
from simcim.atomic import write_text_atomic
from simcim.errors import UserError
from simcim.api import simulate
from simcim.network import classes as network_classes
from simcim.result import Result
from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload
from simcim.trace import write_result_trace


@dataclass
class Case:
    """One (architecture, workload) simulated once, with what its trace tells."""

    label: str  # "BP", "DFA" or a workload name
    rule: str
    workload: str
    result: Result
    trace_path: Path | None = None
    critical: CriticalPath | None = None
    summary: TraceSummary | None = None
    timeline: Timeline | None = None

    @property
    def latency_s(self) -> float:
        return self.result.per_iteration.latency_s

    @property
    def energy_j(self) -> float:
        return self.result.per_iteration.energy_j

    @property
    def area_mm2(self) -> float:
        return self.result.area.total_mm2

    @property
    def closed_form_latency_s(self) -> float:
        return self.result.closed_form.latency_s

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "rule": self.rule, "workload": self.workload,
                               "result": self.result.to_json()}
        if self.trace_path is not None:
            out["trace"] = str(self.trace_path.relative_to(root) if root else self.trace_path)
        if self.critical is not None:
            c = self.critical
            out["critical_path"] = {
                "latency_ps": c.latency_ps, "total_ps": c.total_ps, "busy_ps": c.busy_ps, "wait_ps": c.wait_ps,
                "gap_ps": c.gap_ps, "tasks": len(c.steps), "busy_by_phase_ps": c.busy_by_phase_ps(),
                "by_task": [{"name": n, "tasks": k, "busy_ps": b, "wait_ps": w, "gap_ps": g}
                            for n, k, b, w, g in c.by_name()],
                "waits_by_resource_ps": c.blocked_on(),
            }
        if self.summary is not None:
            out["utilization_by_kind"] = {p.process: p.mean_utilization for p in self.summary.processes}
            out["busiest"] = [{"resource": r.name, "utilization": r.utilization} for r in self.summary.busiest(5)]
        return out


@dataclass(frozen=True)
class DepthPoint:
    """One point of a depth series: a network of ``depth`` weight layers under one rule."""

    label: str
    rule: str
    depth: int
    workload: str
    latency_s: float
    energy_j: float
    area_mm2: float
    closed_form_latency_s: float  # what an analytic tool would say (simcim.closed_form)


@dataclass
class TrainingRun:
    """Accuracy per epoch of one case's rule on the same chip (from `simcim train`'s metrics.json)."""

    label: str
    rule: str
    train_accuracy: list[float]
    test_accuracy: list[float]
    final_test_accuracy: float | None
    metrics_path: Path | None = None
    classes: int | None = None  # for the chance line (1 / classes)


@dataclass
class Comparison:
    architecture: str
    cases: list[Case]
    depth_points: list[DepthPoint] = field(default_factory=list)
    training: list[TrainingRun] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What made it: simcim's version and commit, the chip's and workloads' full parameters (provenance()).
    provenance: dict[str, Any] = field(default_factory=dict)

    def speedups(self) -> list[tuple[str, float]]:
        """Latency of the first case over each other case's: how much faster the others are."""
        if len(self.cases) < 2:
            return []
        base = self.cases[0]
        return [(f"{base.label} / {c.label}", base.latency_s / c.latency_s) for c in self.cases[1:] if c.latency_s]

    def closed_form_speedups(self) -> list[tuple[str, float]]:
        """The same ratios from the closed form (no queueing, NeuroSim's combination of layers)."""
        if len(self.cases) < 2:
            return []
        base = self.cases[0]
        return [(f"{base.label} / {c.label}", base.closed_form_latency_s / c.closed_form_latency_s)
                for c in self.cases[1:] if c.closed_form_latency_s]

    def depth_series(self) -> dict[str, list[DepthPoint]]:
        """Depth points per case label, by depth."""
        out: dict[str, list[DepthPoint]] = {}
        for p in self.depth_points:
            out.setdefault(p.label, []).append(p)
        return {k: sorted(v, key=lambda p: p.depth) for k, v in out.items()}

    def depth_speedups(self) -> list[tuple[int, float]]:
        """(depth, first label's latency / second label's latency) where both have that depth."""
        series = list(self.depth_series().values())
        if len(series) < 2:
            return []
        first = {p.depth: p.latency_s for p in series[0]}
        return [(p.depth, first[p.depth] / p.latency_s) for p in series[1] if p.depth in first and p.latency_s]

    def depth_closed_form_speedups(self) -> list[tuple[int, float]]:
        """As :meth:`depth_speedups`, from the closed form."""
        series = list(self.depth_series().values())
        if len(series) < 2:
            return []
        first = {p.depth: p.closed_form_latency_s for p in series[0]}
        return [(p.depth, first[p.depth] / p.closed_form_latency_s) for p in series[1]
                if p.depth in first and p.closed_form_latency_s]

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "architecture": self.architecture,
            "cases": [c.to_json(root) for c in self.cases],
            "speedups": dict(self.speedups()),
            "closed_form_speedups": dict(self.closed_form_speedups()),
            "depths": [vars(p) for p in self.depth_points],
            "depth_speedups": {str(d): s for d, s in self.depth_speedups()},
            "depth_closed_form_speedups": {str(d): s for d, s in self.depth_closed_form_speedups()},
            "training": [{"label": t.label, "rule": t.rule, "train_accuracy": t.train_accuracy,
                          "test_accuracy": t.test_accuracy, "final_test_accuracy": t.final_test_accuracy}
                         for t in self.training],
            "notes": self.notes,
            "provenance": self.provenance,
        }


def git_commit() -> str | None:
    """The commit of the checkout simcim runs from, or None (an installed wheel, no git)."""
    import subprocess

    from simcim.paths import CHECKOUT

    if not (CHECKOUT / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(CHECKOUT), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def provenance(arch: Architecture, workloads: dict[str, Workload]) -> dict[str, Any]:
    """simcim's version and commit, and every parameter of the chip and of each case's workload."""
    from simcim import __version__

    return {"simcim_version": __version__, "commit": git_commit(),
            "architecture": arch.model_dump(mode="json"),
            "workloads": {label: wl.model_dump(mode="json") for label, wl in workloads.items()}}


def run_case(arch: Architecture, workload: Workload, label: str, trace_path: Path | None) -> Case:
    """Simulate one iteration; with ``trace_path``, write its trace and analyse it from the file."""
    result = simulate(arch, workload, trace_queues=trace_path is not None)
    case = Case(label, workload.rule, workload.name, result)
    if trace_path is not None:
        write_result_trace(trace_path, result)
        case.trace_path = trace_path
        case.critical = critical_path(trace_path)
        case.summary = summarize_trace(trace_path)
        case.timeline = read_timeline(trace_path, label)
    return case


def depth_point(arch: Architecture, workload: Workload, label: str, depth: int) -> DepthPoint:
    result = simulate(arch, workload)
    return DepthPoint(label, workload.rule, depth, workload.name, result.per_iteration.latency_s,
                      result.per_iteration.energy_j, result.area.total_mm2, result.closed_form.latency_s)


def train_case(arch: Architecture, workload: Workload, label: str, out_dir: Path, epochs: int | None) -> TrainingRun:
    """Train ``workload`` (its own rule) on ``arch`` with every nonideality of the chip's device model
    on, so that the accuracy belongs to the hardware the cost columns describe; write
    out_dir/metrics.json as `simcim train` does."""
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
    run = run_from_metrics(label, metrics, path)
    run.classes = network_classes(workload)
    return run


def run_from_metrics(label: str, metrics: dict[str, Any], path: Path | None = None) -> TrainingRun:
    """A TrainingRun from a metrics.json dict (the format `simcim train --out DIR` writes)."""
    final = metrics.get("final_test_accuracy")
    return TrainingRun(label, str(metrics.get("rule", "")),
                       [float(a) for a in metrics.get("train_accuracy", [])],
                       [float(a) for a in metrics.get("test_accuracy", [])],
                       None if final is None else float(final), path)


def train_cases(arch: Architecture, cases: list[tuple[str, Workload]], out_dir: Path, epochs: int | None,
                say: Callable[[str], Any] = print) -> list[TrainingRun]:
    runs = []
    for label, workload in cases:
        say(f"training {label}: {workload.name} ({workload.rule}) on {workload.training.dataset}")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", label)
        runs.append(train_case(arch, workload, label, out_dir / safe, epochs))
    return runs
