"""Every figure: labelled axes with units, a legend, the same PNG bytes for the same numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_trace import ARCH, WORKLOADS
from matplotlib.figure import Figure

from simcim.report import figures as F
from simcim.study import Comparison, DepthPoint, run_case
from simcim.study import run_from_metrics
from simcim.report.write import build_sections
from simcim.spec import load_architecture, load_workload


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    tmp = tmp_path_factory.mktemp("figs")
    arch = load_architecture(ARCH)
    cases = [run_case(arch, load_workload(WORKLOADS / f"mlp3-{r}.yaml", {"batch_size": 2}), r.upper(), tmp / f"{r}.json")
             for r in ("bp", "dfa")]
    c = Comparison(arch.name, cases)
    c.depth_points = [DepthPoint(lab, lab.lower(), n, f"mlp{n}", lat * n, 1e-3 * n, 2.0 + n, 0.9 * lat * n)
                      for lab, lat in (("BP", 2e-3), ("DFA", 1e-3)) for n in (2, 3, 4)]
    c.training = [run_from_metrics(lab, {"rule": lab.lower(), "train_accuracy": [0.5, 0.8], "test_accuracy": [0.4, acc],
                                         "final_test_accuracy": acc}) for lab, acc in (("BP", 0.9), ("DFA", 0.85))]
    return c


def _figures(c: Comparison) -> dict[str, Figure]:
    return {"timeline": F.timeline_figure([case.timeline for case in c.cases if case.timeline]),
            "latency": F.latency_figure(c.cases), "energy": F.energy_figure(c.cases),
            "area": F.area_figure(c.cases), "depth": F.depth_figure(c), "accuracy": F.accuracy_figure(c.training)}


def test_axes_have_labels_with_units_and_legends(comparison: Comparison) -> None:
    for name, fig in _figures(comparison).items():
        for ax in fig.axes:
            assert ax.get_xlabel(), (name, "x label")
            ylabel = ax.get_ylabel()
            assert ylabel, (name, "y label")
            # a unit in brackets, except on the Gantt, whose rows are named resources
            assert "(" in ylabel or name == "timeline", (name, ylabel)
            assert ax.get_legend() is not None or fig.legends, (name, "legend")
    # x axes: time has a unit; the others count things (cases, layers, epochs)
    figs = _figures(comparison)
    assert figs["timeline"].axes[-1].get_xlabel().endswith("(ms)") or figs["timeline"].axes[-1].get_xlabel().endswith("(µs)")
    assert figs["depth"].axes[0].get_xlabel() == "depth N (weight layers)"
    assert figs["accuracy"].axes[0].get_xlabel() == "epoch"


def test_units_follow_the_numbers(comparison: Comparison) -> None:
    figs = _figures(comparison)
    assert figs["depth"].axes[0].get_ylabel() == "latency per iteration (ms)"  # 4-8 ms
    assert figs["depth"].axes[2].get_ylabel() == "chip area (mm²)"
    assert figs["depth"].axes[3].get_ylabel() == "speed-up (latency ratio, ×)"
    # the speed-up curve is 2 at every N here, the closed form's too, and y = N is drawn beside them
    lines = figs["depth"].axes[3].get_lines()
    assert list(lines[0].get_ydata()) == pytest.approx([2.0, 2.0, 2.0])
    assert list(lines[1].get_ydata()) == pytest.approx([2.0, 2.0, 2.0])
    assert list(lines[2].get_ydata()) == [2, 3, 4]
    # the critical-path bars stack to the latency of each case
    latency_ax = figs["latency"].axes[0]
    heights: dict[float, float] = {}
    for patch in latency_ax.patches:
        x = round(patch.get_x() + patch.get_width() / 2, 6)
        heights[x] = heights.get(x, 0.0) + patch.get_height()
    scale = 1e6 if "µs" in latency_ax.get_ylabel() else 1e3
    assert [heights[k] for k in sorted(heights)] == pytest.approx([c.latency_s * scale for c in comparison.cases])


def test_png_bytes_are_reproducible(comparison: Comparison) -> None:
    first = {k: F.png_bytes(v) for k, v in _figures(comparison).items()}
    second = {k: F.png_bytes(v) for k, v in _figures(comparison).items()}
    assert first == second
    assert all(b.startswith(b"\x89PNG") for b in first.values())
    assert all(b"Software" not in b[:200] for b in first.values())


def test_sections_hold_every_figure_once(comparison: Comparison) -> None:
    files = [item.file_name for _, items in build_sections(comparison) for item in items if hasattr(item, "png")]
    assert files == ["timeline.png", "latency.png", "energy.png", "area.png", "depth.png", "accuracy.png"]


def test_training_metrics_file_shape() -> None:
    run = run_from_metrics("DFA", {"rule": "dfa", "train_accuracy": [0.1], "test_accuracy": [0.2],
                                   "final_test_accuracy": 0.2}, Path("m.json"))
    assert (run.rule, run.test_accuracy, run.final_test_accuracy) == ("dfa", [0.2], 0.2)
