"""The public API: the worked example in docs/api.md runs, names resolve, overrides apply, and the
CLI's JSON is the API's Result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import simcim
from simcim.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_docs_api_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(), re.S)
    assert blocks, "docs/api.md has no python example"
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), {})
    assert "per epoch" in capsys.readouterr().out


def test_all_is_what_the_package_exports() -> None:
    for name in simcim.__all__:
        assert getattr(simcim, name) is not None
    with pytest.raises(AttributeError):
        simcim.no_such_name  # noqa: B018


def test_names_and_overrides_resolve() -> None:
    arch = simcim.load_architecture("neurosim-fefet-22nm", {"subarray.adc.bits": 6}, tile__pes=16)
    assert (arch.subarray.adc.bits, arch.tile.pes, arch.name) == (6, 16, "neurosim-fefet-22nm")
    wl = simcim.load_workload(ROOT / "workloads" / "mlp2-bp.yaml", rule="dfa")
    assert (wl.rule, wl.name) == ("dfa", "mlp2-bp")
    with pytest.raises(simcim.SpecError, match="file not found"):
        simcim.load_workload("no-such-workload")


def test_cli_json_is_the_api_result(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["run", "neurosim-fefet-22nm", "mlp2-dfa", "--set", "workload.batch_size=3", "--json", str(out),
                 "--quiet"]) == 0
    api = simcim.simulate(simcim.load_architecture("neurosim-fefet-22nm"), simcim.load_workload("mlp2-dfa", batch_size=3))
    assert out.read_text() == api.to_json_text()
    data = json.loads(out.read_text())
    assert [(r["layer"], r["phase"], r["energy_j"]) for r in api.phase_records()] == [
        (layer["name"], ph, d["energy_j"]) for layer in data["layers"] for ph, d in layer["phases"].items()]


def test_dataframe_needs_pandas_or_gives_the_records() -> None:
    r = simcim.simulate(simcim.load_architecture("neurosim-fefet-22nm"), simcim.load_workload("mlp2-bp", batch_size=1))
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            r.to_dataframe()
        return
    df = r.to_dataframe("layers")
    assert list(df["layer"]) == [layer.name for layer in r.layers]
