"""Sweep YAML: loading, checking (errors name file:line:key), expansion and point keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simcim.cli import main
from simcim.paths import ROOT
from simcim.spec.errors import SpecError
from simcim.sweep.points import check_specs, expand
from simcim.sweep.spec import RangeAxis, load_sweep

ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"
WORKLOADS = ROOT / "workloads"


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text.replace("ARCH", str(ARCH)).replace("WORKLOADS", str(WORKLOADS)))
    return p


def error_of(path: Path) -> str:
    with pytest.raises(SpecError) as info:
        sweep = load_sweep(path)
        check_specs(sweep, expand(sweep))
    return str(info.value)


@pytest.mark.parametrize("name, points", [("depth-vs-rule", 14), ("adc-bits", 12), ("technology-node", 10),
                                          ("nonlinearity-accuracy", 8)])
def test_bundled_sweeps_load_and_check(name: str, points: int) -> None:
    sweep = load_sweep(ROOT / "sweeps" / f"{name}.yaml")
    expanded = expand(sweep)
    check_specs(sweep, expanded)
    assert len(expanded) == points
    assert len({p.key for p in expanded}) == points


def test_depth_sweep_fills_the_workload_template() -> None:
    points = expand(load_sweep(ROOT / "sweeps" / "depth-vs-rule.yaml"))
    assert [p.params["depth"] for p in points[:4]] == [2, 2, 3, 3]
    assert Path(points[0].task.workload.path).name == "mlp2-bp.yaml"
    assert Path(points[-1].task.workload.path).name == "mlp8-bp.yaml"
    assert points[1].task.workload_overrides["rule"] == "dfa"


@pytest.mark.parametrize("axis, integral, expected", [
    ({"start": 3, "stop": 8, "step": 1}, True, [3, 4, 5, 6, 7, 8]),
    ({"start": 0, "stop": 1, "step": 0.1}, False, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
    ({"start": 8, "stop": 3, "step": -2}, True, [8, 6, 4]),
    ({"start": 0, "stop": 2.4, "num": 4}, False, [0.0, 0.8, 1.6, 2.4]),
])
def test_ranges_include_stop_and_read_as_written(axis: dict, integral: bool, expected: list) -> None:
    assert RangeAxis(**axis).values(integral) == expected


def test_zip_pairs_axes(tmp_path: Path) -> None:
    p = write(tmp_path, """
name: z
architecture: ARCH
workload: WORKLOADS/mlp2-bp.yaml
mode: zip
axes:
  arch.subarray.adc.bits: [4, 5, 6]
  workload.rule: [bp, dfa, bp]
""")
    points = expand(load_sweep(p))
    assert [(q.params["arch.subarray.adc.bits"], q.params["workload.rule"]) for q in points] == \
        [(4, "bp"), (5, "dfa"), (6, "bp")]
    assert points[0].task.arch_overrides == {"subarray.adc.bits": 4}


def test_file_axis_and_seed(tmp_path: Path) -> None:
    shutil.copy(WORKLOADS / "mlp2-bp.yaml", tmp_path / "a.yaml")
    shutil.copy(WORKLOADS / "mlp3-bp.yaml", tmp_path / "b.yaml")
    p = write(tmp_path, """
architecture: ARCH
axes:
  workload.file: [a.yaml, b.yaml]
seed: 7
""")
    points = expand(load_sweep(p))
    assert [Path(q.task.workload.path).name for q in points] == ["a.yaml", "b.yaml"]
    assert all(q.task.seed == 7 and q.task.workload_overrides["seed"] == 7 for q in points)
    assert load_sweep(p).name == "s"  # default: the file's stem


@pytest.mark.parametrize("body, expected", [
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: [bp]\nmodee: zip\n",
     "s.yaml:5: modee: unknown key"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: bp\n",
     "s.yaml:4: axes.workload.rule: expected a list of values or a range"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: []\n",
     "s.yaml:4: axes.workload.rule:"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  arch.subarray.adc.bits: {start: 1, stopp: 3}\n",
     "s.yaml:4: axes.arch.subarray.adc.bits.stopp: unknown key"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  arch.subarray.adc.bits: {start: 1, stop: 3}\n",
     "give exactly one of step or num"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp{n}-bp.yaml\naxes:\n  depth: [2, 3]\n",
     "s.yaml:2: workload: {n} is not a variable axis"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  depth: [2, 3]\n",
     "s.yaml:4: axes.depth: variable 'depth' is not used"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\nmode: zip\naxes:\n  workload.rule: [bp, dfa]\n"
     "  workload.batch_size: [1, 2, 3]\n", "s.yaml:3: mode: zip needs axes of one length"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: [bp]\nmetrics: [latency_s, speed]\n",
     "s.yaml:5: metrics[1]: unknown metric 'speed'"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  accuracy: [1]\n",
     "s.yaml:4: axes.accuracy: 'accuracy' is a metric"),
    ("architecture: ARCH\nworkload: WORKLOADS/nope.yaml\naxes:\n  workload.rule: [bp]\n",
     "s.yaml:2: workload: "),
    # A typo in an override key is caught before anything runs, at the sweep line that wrote it.
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  arch.device.nonlinearty.ltp: [1, 2]\n",
     "s.yaml:4: axes.arch.device.nonlinearty.ltp: unknown key (point arch.device.nonlinearty.ltp=1)"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: [bp, sgd]\n",
     "s.yaml:4: axes.workload.rule: Input should be"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: [bp]\nset:\n  workload.batch_size: 0\n",
     "s.yaml:6: set.workload.batch_size:"),
    ("architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: [bp, bp]\n",
     "s.yaml:4: axes.workload.rule: the same value twice"),
    ("workload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: [bp]\n",
     "architecture: required key is missing"),
])
def test_bad_sweeps_name_file_line_key(tmp_path: Path, body: str, expected: str) -> None:
    message = error_of(write(tmp_path, body))
    assert expected in message
    assert "\n" not in message


def test_bad_sweep_is_one_line_on_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "architecture: ARCH\nworkload: WORKLOADS/mlp2-bp.yaml\naxes:\n  workload.rule: [bp]\nmodee: zip\n")
    assert main(["sweep", str(p), "--out", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "modee: unknown key" in err and "Traceback" not in err
    assert not (tmp_path / "x.db").exists()


def test_keys_are_stable_and_follow_contents_not_locations(tmp_path: Path) -> None:
    body = "name: k\narchitecture: arch.yaml\nworkload: work.yaml\naxes:\n  workload.rule: [bp, dfa]\n"
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        shutil.copy(ARCH, tmp_path / folder / "arch.yaml")
        shutil.copy(WORKLOADS / "mlp2-bp.yaml", tmp_path / folder / "work.yaml")
        (tmp_path / folder / "s.yaml").write_text(body)
    keys_one = [p.key for p in expand(load_sweep(tmp_path / "one" / "s.yaml"))]
    keys_two = [p.key for p in expand(load_sweep(tmp_path / "two" / "s.yaml"))]
    assert keys_one == keys_two  # moved, same contents: the same points
    assert keys_one == [p.key for p in expand(load_sweep(tmp_path / "one" / "s.yaml"))]
    work = tmp_path / "two" / "work.yaml"
    work.write_text(work.read_text().replace("batch_size: 200", "batch_size: 100"))
    keys_edited = [p.key for p in expand(load_sweep(tmp_path / "two" / "s.yaml"))]
    assert set(keys_edited).isdisjoint(keys_one)  # an edited spec makes the old results stale


def test_keys_follow_the_model_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    # A training-model bump makes trained points new points (simcim/model_version.py), not simulated
    # ones; a cost-model bump keeps every key: the store's simulation_model column marks the points
    # to simulate again (tests/test_sweep_runner.py), so a trained point keeps its training.
    from simcim import model_version

    def keys(name: str) -> list[str]:
        return [p.key for p in expand(load_sweep(ROOT / "sweeps" / f"{name}.yaml"))]

    sim, trained = keys("adc-bits"), keys("nonlinearity-accuracy")
    monkeypatch.setattr(model_version, "TRAINING", model_version.TRAINING + 1)
    assert keys("adc-bits") == sim
    assert set(keys("nonlinearity-accuracy")).isdisjoint(trained)
    monkeypatch.setattr(model_version, "TRAINING", model_version.TRAINING - 1)
    monkeypatch.setattr(model_version, "SIMULATION", model_version.SIMULATION + 1)
    assert keys("adc-bits") == sim
    assert keys("nonlinearity-accuracy") == trained
