"""`simcim run` end to end: every bundled pair, the no-argument default, files, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers_spine import ROOT
from simcim.cli import main
from simcim.network import weight_layers
from simcim.spec.loader import load_workload

ARCHS = sorted((ROOT / "architectures").glob("*.yaml"))
WORKLOADS = sorted((ROOT / "workloads").glob("*.yaml"))


@pytest.mark.parametrize("arch", ARCHS, ids=lambda p: p.stem)
def test_every_bundled_pair_runs(arch: Path, tmp_path: Path, capsys) -> None:
    for workload in WORKLOADS:
        out = tmp_path / f"{workload.stem}.json"
        # batch 10 instead of 200 keeps 48 runs quick; every file is still parsed, mapped and simulated
        assert main(["run", str(arch), str(workload), "--set", "workload.batch_size=10", "--json", str(out), "--quiet"]) == 0
        r = json.loads(out.read_text())
        assert r["architecture"] == arch.stem and r["workload"] == workload.stem
        assert r["rule"] in ("bp", "dfa")
        # An epoch stays 50,000 images when the batch changes: 5,000 iterations of 10, scaled from one.
        assert r["epoch"] == {"images": 50_000, "iterations": 5_000, "iterations_run": 1, "per_epoch": "scaled",
                              "fast_forwarded_iterations": 0, "pattern_start_iteration": None, "period_s": None}
        assert r["iterations_per_epoch"] == 5_000
        assert r["per_epoch"]["latency_s"] == pytest.approx(r["per_iteration"]["latency_s"] * 5_000)
        assert r["per_iteration"]["latency_s"] > 0 and r["per_iteration"]["energy_j"] > 0
        assert r["area_mm2"]["total"] > 0 and r["tops"] > 0 and r["tops_per_w"] > 0
        names = [layer["name"] for layer in r["layers"]]
        assert len(names) == len(weight_layers(load_workload(workload)))
        family = workload.stem.split("-")[0]
        assert len(names) == {"vgg8": 8, "resnet18": 21, "mobilenetv2": 53}.get(family) or int(family[3:])
        for layer in r["layers"]:
            assert "FW" in layer["phases"] and "WG" in layer["phases"]
            assert set(layer["phases"]["FW"]) >= {"latency_s", "energy_j"}
    assert capsys.readouterr().out == ""


def test_no_arguments_runs_bundled_default() -> None:
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run([sys.executable, "-m", "simcim.cli", "run"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "mlp5-dfa" in proc.stdout and "per epoch" in proc.stdout and "dram" in proc.stdout


def test_json_and_trace_are_deterministic(tmp_path: Path) -> None:
    files = []
    for k in range(2):
        j, t = tmp_path / f"r{k}.json", tmp_path / f"t{k}.json"
        assert main(["run", str(ARCHS[1]), str(ROOT / "workloads" / "mlp3-dfa.yaml"), "--set", "workload.batch_size=4",
                     "--json", str(j), "--trace", str(t), "--quiet"]) == 0
        files.append((j.read_bytes(), t.read_bytes()))
    assert files[0] == files[1]
    trace = json.loads(files[0][1])
    slices = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert {e["args"]["t0_ps"] for e in slices} and all(e["args"]["t1_ps"] >= e["args"]["t0_ps"] for e in slices)
    tasks = [e for e in slices if e["pid"] == 1]
    assert len(tasks) == 4 * (3 + 2 + 3) + 3  # per image FW x3, PROJ x2, WG x3; WU x3
    assert max(e["args"]["t1_ps"] for e in tasks) * 1e-12 == pytest.approx(
        json.loads(files[0][0])["per_iteration"]["latency_s"])
    assert (tmp_path / "t0.json").stat().st_mode & 0o044  # readable by others, as a plain write would be


def test_trace_filter_keeps_only_chosen_components(tmp_path: Path) -> None:
    t = tmp_path / "dram.json"
    assert main(["run", str(ARCHS[1]), str(ROOT / "workloads" / "mlp2-bp.yaml"), "--set", "workload.batch_size=2",
                 "--trace", str(t), "--trace-filter", "dram", "--quiet"]) == 0
    pids = {e["pid"] for e in json.loads(t.read_text())["traceEvents"]}
    assert pids == {5}


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simcim.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


@pytest.mark.parametrize("content, expected", [
    ("name: x\ndevice:\n  cell: fefet\n  bits_per_cell: 12\n", "bad.yaml:4: device.bits_per_cell: Input should be less than or equal to 8 (got 12)"),
    ("name: x\nsubarray:\n  rows: 128\n  colz: 128\n", "bad.yaml:4: subarray.colz: unknown key"),
    ("name: x\ntechnology: {node_nm: twenty}\n", "bad.yaml:2: technology.node_nm: Input should be 7, 10, 14, 22, 32, 45, 65, 90 or 130"),
    ("name: x\nchip: [1, 2\n", "bad.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>' "
                               "(while parsing a flow sequence started on line 2)"),
    ("name: x\nsubarray: {cols: 128, cols_per_adc: 7}\n", "bad.yaml:2: subarray: Value error, cols_per_adc (7) must divide cols (128)"),
    ("name: x\nchip: {tiles: 3}\n", "bad.yaml:2: chip.tiles: the network needs 9 tiles for rule bp, the chip has 3"),
])
def test_bad_architecture_is_one_line_with_file_line_key(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "bad.yaml").write_text(content)
    proc = _cli(["run", "bad.yaml", str(ROOT / "workloads" / "mlp5-bp.yaml"), "--json", "out.json"], tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simcim: error: ") and expected in lines[0], proc.stderr
    assert not (tmp_path / "out.json").exists()


def test_bad_workload_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text("name: w\ninput_shape: [4]\nlayers:\n  - {kind: linear, out_features: 2}\n"
                                     "  - {kind: linear, out_feature: 2}\n")
    proc = _cli(["run", str(ARCHS[0]), "w.yaml"], tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip() == "simcim: error: w.yaml:5: layers[1].out_feature: unknown key"
    proc = _cli(["run", "nope.yaml", "w.yaml"], tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip() == "simcim: error: nope.yaml: file not found"
    proc = _cli(["run", str(ARCHS[0]), str(ROOT / "workloads" / "mlp2-bp.yaml"), "--set", "device.levels=3"], tmp_path)
    assert proc.returncode == 2 and "must start with 'arch.' or 'workload.'" in proc.stderr


def test_failed_run_leaves_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "keep.json"
    out.write_text('{"mine": true}\n')
    code = main(["run", str(ARCHS[0]), str(ROOT / "workloads" / "mlp2-bp.yaml"), "--set", "arch.chip.tiles=1",
                 "--json", str(out)])
    assert code == 2 and out.read_text() == '{"mine": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]  # no temp files left behind


def test_bp_on_non_transposable_arrays_is_refused(tmp_path: Path, capsys) -> None:
    code = main(["run", str(ARCHS[1]), str(ROOT / "workloads" / "mlp2-bp.yaml"), "--set", "arch.subarray.transposable=false"])
    err = capsys.readouterr().err
    assert code == 2 and "subarray.transposable" in err and "rule bp reads W^T" in err
