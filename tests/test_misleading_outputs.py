"""Output that misled new users (issue 12), each fixed: the title names an overridden rule, events are
named for what they count, TOPS/W comes with energy per image and per MAC, the compare table's
per-epoch columns exist, the alignment angle says what it means, and the report records what made
it, shows on-chip energy without DRAM, drops empty timeline rows and draws the chance line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import simcim
from helpers_trace import simulate_to_trace
from simcim.cli import main
from simcim.commands.run import run_title


def test_title_says_when_the_rule_is_overridden(capsys) -> None:
    assert main(["run", "neurosim-fefet-22nm", "mlp5-bp", "--rule", "fa", "--set", "workload.batch_size=2"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "mlp5-bp's network, run with fa (fa, layer_by_layer)" in out
    assert "mlp5-bp (fa," not in out
    assert run_title("mlp5-bp", "bp") == "mlp5-bp" and run_title("my-net", "dfa") == "my-net"
    assert run_title("vgg8-cifar10-dfa", "drtp") == "vgg8-cifar10-dfa's network, run with drtp"


def test_run_and_summary_name_their_events(tmp_path: Path, capsys) -> None:
    trace = tmp_path / "t.json"
    assert main(["run", "--set", "workload.batch_size=2", "--trace", str(trace)]) == 0
    run_out = " ".join(capsys.readouterr().out.split())
    assert "SimPy events" in run_out
    assert main(["trace", "summary", str(trace)]) == 0
    sum_out = " ".join(capsys.readouterr().out.split())
    assert "trace events" in sum_out and "components" in sum_out


def test_energy_per_image_and_per_mac_beside_tops(tmp_path: Path, capsys) -> None:
    res = {}
    for rule in ("bp", "dfa"):
        out = tmp_path / f"{rule}.json"
        assert main(["run", "neurosim-fefet-22nm", f"mlp3-{rule}", "--set", "workload.batch_size=4",
                     "--json", str(out), "--quiet"]) == 0
        res[rule] = json.loads(out.read_text())
    for r in res.values():
        e = r["per_iteration"]["energy_j"]
        assert r["energy_per_image_j"] == pytest.approx(e / 4)
        assert r["energy_per_mac_j"] == pytest.approx(e / (r["ops_per_iteration"] / 2))
        # TOPS/W is ops per joule: the same numbers, so the definitions cannot drift apart
        assert r["tops_per_w"] == pytest.approx(r["ops_per_iteration"] / e / 1e12)
    # DFA does fewer MACs per iteration than BP: its TOPS counts fewer operations
    assert res["dfa"]["ops_per_iteration"] < res["bp"]["ops_per_iteration"]
    assert main(["run", "--set", "workload.batch_size=2"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "compare energy per image" in out and "per MAC" in out


def test_compare_terminal_table_has_per_epoch_columns(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # headers on one line each
    assert main(["compare", "neurosim-fefet-22nm", "mlp2-bp", "mlp2-dfa", "--set", "workload.batch_size=2",
                 "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    assert "Per iteration (one batch) and per epoch" in " ".join(out.split())
    for header in ("latency / epoch", "energy / epoch", "energy / image"):
        assert header in out, header
    results = json.loads((tmp_path / "rep" / "results.json").read_text())
    prov = results["provenance"]
    assert prov["simcim_version"] == simcim.__version__
    assert prov["architecture"]["name"] == "neurosim-fefet-22nm"
    assert prov["architecture"]["chip"]["dram"]["channels"] == 8  # defaults included
    assert set(prov["workloads"]) == {"BP", "DFA"} and prov["workloads"]["BP"]["batch_size"] == 2
    md = (tmp_path / "rep" / "report.md").read_text()
    assert f"Made by simcim {simcim.__version__}" in md and "without DRAM" in md


def test_timeline_leaves_out_rows_that_would_be_empty(tmp_path: Path) -> None:
    from simcim.analysis.timeline import read_timeline
    from simcim.report.figures import MIN_ROW_SHARE, drawn_rows

    trace, _ = simulate_to_trace(tmp_path, "mlp5-dfa", batch_size=4)
    t = read_timeline(trace, "DFA")
    kept = drawn_rows(t)
    assert 0 < len(kept.rows) < len(t.rows)  # interconnect links of a few ns are left out
    assert all(r.busy_ps >= MIN_ROW_SHARE * t.latency_ps for r in kept.rows)
    assert {r.process for r in kept.rows} >= {"tiles", "wg_units", "dram"}


def test_accuracy_figure_names_chip_and_draws_chance() -> None:
    from simcim.report.figures import accuracy_figure
    from simcim.study import TrainingRun

    fig = accuracy_figure([TrainingRun("BP", "bp", [0.5, 0.6], [0.4, 0.5], 0.5, classes=10)], "neurosim-fefet-22nm")
    ax = fig.axes[0]
    assert "neurosim-fefet-22nm" in ax.get_title()
    chance = [ln for ln in ax.get_lines() if ln.get_label().startswith("chance")]
    assert len(chance) == 1 and chance[0].get_ydata()[0] == pytest.approx(10.0)


def test_train_explains_the_angle(tmp_path: Path, capsys) -> None:
    pytest.importorskip("torch")
    assert main(["train", "neurosim-fefet-22nm", "mlp2-dfa", "--epochs", "1", "--set",
                 "workload.training.dataset=synthetic", "--out", str(tmp_path / "t"), "--threads", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "angle to the BP gradient" in out and "0° = same direction" in out and "90° = unrelated" in out
