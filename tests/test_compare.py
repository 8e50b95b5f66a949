"""`simcim compare`: the cases it runs, the numbers it reports, the files it writes, its errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers_trace import ARCH, WORKLOADS

from helpers_golden import golden

from simcim.analysis import validate_trace
from simcim.cli import UserError, main
from simcim.commands.compare import parse_depths

SMALL = ["--set", "workload.batch_size=2"]


def _golden_latency_s(workload: str) -> float:
    """Per-iteration latency of a bundled workload (batch 200) on the default chip, as recorded."""
    return golden("neurosim-fefet-22nm", workload)["iteration"]["latency_s"]


def _trace_latency_and_energy(path: Path) -> tuple[float, float]:
    """Latency (last task end) and dynamic energy (sum over tasks) recomputed from a trace with json alone."""
    events = json.loads(path.read_text())["traceEvents"]
    tasks = [e["args"] for e in events if e["ph"] == "X" and e["pid"] == 1]
    return max(t["t1_ps"] for t in tasks) * 1e-12, sum(t["energy_pj"] for t in tasks) * 1e-12


@pytest.fixture(scope="module")
def depth_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled workloads at their own batch (200), so their numbers are the golden file's."""
    out = tmp_path_factory.mktemp("depth-report")
    assert main(["compare", str(ARCH), "--rule", "bp", "--rule", "dfa", "--depths", "2-3,5",
                 "--out", str(out), "--quiet"]) == 0
    return out


def test_report_files_and_numbers(depth_report: Path) -> None:
    names = {p.name for p in depth_report.iterdir()}
    assert {"index.html", "report.md", "results.json", "timeline.png", "latency.png", "energy.png", "area.png",
            "depth.png", "traces"} <= names
    data = json.loads((depth_report / "results.json").read_text())
    bp, dfa = data["cases"]
    assert (bp["label"], dfa["label"]) == ("BP", "DFA")
    assert (bp["workload"], dfa["workload"]) == ("mlp5-bp", "mlp5-dfa")
    # the numbers recorded for these workloads, and what the case's own trace file says
    assert bp["result"]["per_iteration"]["latency_s"] == pytest.approx(_golden_latency_s("mlp5-bp"), rel=1e-9)
    assert dfa["result"]["per_iteration"]["latency_s"] == pytest.approx(_golden_latency_s("mlp5-dfa"), rel=1e-9)
    for case in (bp, dfa):
        r = case["result"]
        latency_s, dynamic_j = _trace_latency_and_energy(depth_report / case["trace"])
        assert latency_s == pytest.approx(r["per_iteration"]["latency_s"], rel=1e-12)
        assert dynamic_j == pytest.approx(r["per_iteration"]["energy_j"] - r["energy_j_by_component"]["leakage"], rel=1e-9)
        cp = case["critical_path"]
        assert cp["total_ps"] == cp["latency_ps"] == round(case["result"]["per_iteration"]["latency_s"] * 1e12)
        assert validate_trace(depth_report / case["trace"]) == []
    ratio = bp["result"]["per_iteration"]["latency_s"] / dfa["result"]["per_iteration"]["latency_s"]
    assert data["speedups"] == {"BP / DFA": pytest.approx(ratio)}
    assert ratio > 1.5  # five layers: DFA overlaps what BP chains
    depths = {(p["label"], p["depth"]): p for p in data["depths"]}
    assert sorted(depths) == [("BP", 2), ("BP", 3), ("BP", 5), ("DFA", 2), ("DFA", 3), ("DFA", 5)]
    assert depths[("BP", 3)]["workload"] == "mlp3-bp"
    assert depths[("DFA", 2)]["latency_s"] == pytest.approx(_golden_latency_s("mlp2-dfa"), rel=1e-9)
    assert depths[("BP", 5)]["latency_s"] == pytest.approx(bp["result"]["per_iteration"]["latency_s"], rel=1e-12)
    assert data["depth_speedups"]["3"] == pytest.approx(depths[("BP", 3)]["latency_s"] / depths[("DFA", 3)]["latency_s"])
    assert data["depth_speedups"]["2"] < data["depth_speedups"]["3"] < data["depth_speedups"]["5"]


def test_html_is_self_contained(depth_report: Path) -> None:
    html = (depth_report / "index.html").read_text()
    pngs = sorted(p.name for p in depth_report.glob("*.png"))
    srcs = re.findall(r'<img src="([^"]+)"', html)
    assert len(srcs) == len(pngs) == 5
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.search(r'(src|href)="(https?:)?//', html) and "<script" not in html and "<link" not in html
    md = (depth_report / "report.md").read_text()
    assert all(f"]({name})" in md for name in pngs)
    assert "| 5 |" in md and "BP / DFA" in md


def test_named_workloads_and_depths_built_from_one(tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert main(["compare", str(ARCH), str(WORKLOADS / "mlp2-bp.yaml"), "--rule", "bp", "--rule", "dfa",
                 "--depths", "1,3", "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "results.json").read_text())
    assert [c["label"] for c in data["cases"]] == ["BP", "DFA"]
    assert [c["rule"] for c in data["cases"]] == ["bp", "dfa"]
    depths = {(p["label"], p["depth"]): p for p in data["depths"]}
    assert depths[("DFA", 3)]["workload"] == "mlp2-bp-n3"
    # mlp2's first layer repeated twice then its output layer is the bundled mlp3 network
    assert depths[("BP", 3)]["latency_s"] == pytest.approx(_golden_latency_s("mlp3-bp"), rel=1e-9)


def test_two_workload_files_are_labelled_by_rule(tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert main(["compare", str(ARCH), str(WORKLOADS / "mlp2-bp.yaml"), str(WORKLOADS / "mlp2-dfa.yaml"),
                 *SMALL, "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "results.json").read_text())
    assert [c["label"] for c in data["cases"]] == ["BP", "DFA"]
    assert data["depths"] == [] and not (out / "depth.png").exists()


@pytest.mark.parametrize("text,expected", [("2-8", list(range(2, 9))), ("2,4,8", [2, 4, 8]),
                                           ("2-4,8,3", [2, 3, 4, 8]), (" 5 ", [5])])
def test_parse_depths(text: str, expected: list[int]) -> None:
    assert parse_depths(text) == expected


@pytest.mark.parametrize("text", ["", "8-2", "0-3", "two", "2-", "1-100", "2..8"])
def test_bad_depths(text: str) -> None:
    with pytest.raises(UserError, match="--depths"):
        parse_depths(text)


@pytest.mark.parametrize("argv,message", [
    (["--depths", "8-2"], "--depths '8-2'"),
    (["--depths", "9"], "no bundled workload mlp9-bp.yaml"),
    (["--set", "nonsense"], "expected KEY=VALUE"),
    (["missing.yaml"], "missing.yaml"),
])
def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(["compare", str(ARCH), *argv, *SMALL, "--out", str(tmp_path / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_depths_from_a_conv_workload_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(ARCH), str(WORKLOADS / "vgg8-cifar10-dfa.yaml"), "--depths", "2",
                 "--set", "workload.batch_size=1", "--out", str(tmp_path / "r"), "--quiet"]) == 2
    assert "only all-linear (MLP) workloads" in capsys.readouterr().err
