"""One chip, accuracy and the cost of reaching it: `simcim run --activity` takes the write pulses per
cell per layer that `simcim train` measured on the same chip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simcim.cli import main

ARCH = "neurosim-fefet-22nm"


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("train")
    assert main(["train", ARCH, "mlp3-bp", "--dataset", "synthetic", "--epochs", "1", "--threads", "1",
                 "--batch-size", "50", "--quiet", "--out", str(out)]) == 0
    return out / "metrics.json"


def _run(tmp_path: Path, *extra: str) -> dict:
    out = tmp_path / f"r{len(list(tmp_path.iterdir()))}.json"
    assert main(["run", ARCH, "mlp3-bp", "--set", "workload.batch_size=4", "--json", str(out), "--quiet", *extra]) == 0
    return json.loads(out.read_text())


def test_train_reports_pulses_per_layer(metrics: Path) -> None:
    m = json.loads(metrics.read_text())
    by_layer = m["pulses_per_cell_by_layer"]
    assert len(by_layer) == 3 and all(p >= 0 for p in by_layer)
    # the per-layer means weighted by the layers' cells give the overall mean
    cells = [784 * 1024, 1024 * 1024, 1024 * 10]
    assert sum(p * c for p, c in zip(by_layer, cells)) / sum(cells) == pytest.approx(m["pulses_per_cell"], abs=1e-5)


def test_run_uses_the_measured_pulses(tmp_path: Path, metrics: Path) -> None:
    default = _run(tmp_path)  # 1 pulse per cell
    measured = _run(tmp_path, "--activity", str(metrics))
    by_layer = json.loads(metrics.read_text())["pulses_per_cell_by_layer"]
    for layer, pulses, base in zip(measured["layers"], by_layer, default["layers"]):
        wu, wu0 = layer["phases"]["WU"], base["phases"]["WU"]
        if pulses == 0:
            assert wu["energy_j"] < wu0["energy_j"]  # nothing written: only the direction bits move
        elif pulses < 1:
            assert wu["energy_j"] < wu0["energy_j"]
    # Only the weight update changes.
    for layer, base in zip(measured["layers"], default["layers"]):
        for ph in ("FW", "WG"):
            assert layer["phases"][ph] == base["phases"][ph]


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("not json", "not a metrics.json file"),
    ('{"pulses_per_cell_by_layer": [0.1, 0.2]}', "2 layers measured, the workload has 3 weight layers"),
    ('{"pulses_per_cell": 0.1}', "no pulses_per_cell_by_layer list"),
])
def test_bad_activity_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None,
                                  message: str) -> None:
    path = tmp_path / "m.json"
    if content is not None:
        path.write_text(content)
    assert main(["run", ARCH, "mlp3-bp", "--activity", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
