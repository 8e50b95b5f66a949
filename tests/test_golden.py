"""Golden numbers: every bundled chip x workload gives the latency, energy and area recorded in
tests/golden/bundled.json, and the README's tables are the ones that file gives.

When a change moves numbers on purpose: bump simcim/model_version.py's SIMULATION, run
`python tools/golden.py --write`, and say why in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers_golden import load_tool
from simcim import model_version

golden = load_tool("golden")


def test_bundled_numbers_match_the_golden_file() -> None:
    recorded = json.loads(golden.GOLDEN.read_text())
    lines = golden.diff(recorded, golden.compute())
    assert not lines, ("numbers moved (bump simcim/model_version.py's SIMULATION, then python tools/golden.py "
                       "--write regenerates):\n" + "\n".join(lines[:40]))
    assert recorded["simulation_model"] == model_version.SIMULATION, \
        "the golden file is of another simulation model version: python tools/golden.py --write"


def test_readme_tables_are_generated_from_the_golden_file() -> None:
    recorded = json.loads(golden.GOLDEN.read_text())
    assert golden.readme_block(golden.README.read_text()) == golden.render_readme(recorded)


def test_diff_reports_a_moved_number() -> None:
    old = {"cases": {"a/b": {"epoch": {"latency_s": 1.0}, "tiles_used": 3}}}
    new = {"cases": {"a/b": {"epoch": {"latency_s": 1.5}, "tiles_used": 3}, "a/c": {"x": 1}}}
    assert golden.diff(old, new) == ["~ a/b.epoch.latency_s: 1.0 -> 1.5 (+50.000%)", "+ a/c.x = 1"]
    assert golden.diff(old, old) == []


def _golden_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recorded: dict, computed: dict) -> Path:
    path = tmp_path / "bundled.json"
    path.write_text(json.dumps(recorded))
    monkeypatch.setattr(golden, "ROOT", tmp_path)
    monkeypatch.setattr(golden, "GOLDEN", path)
    monkeypatch.setattr(golden, "README", tmp_path / "README.md")
    (tmp_path / "README.md").write_text(f"{golden.BEGIN}\nold\n{golden.END}\n")
    monkeypatch.setattr(golden, "compute", lambda: computed)
    monkeypatch.setattr(golden, "render_readme", lambda g: "tables")
    return path


def test_write_refuses_moved_numbers_under_the_same_model_version(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Moved numbers under an unchanged version would let stored sweep/study points of the old model
    # mix with new ones (their keys carry the version): --write refuses and writes nothing.
    v = model_version.SIMULATION
    old = {"simulation_model": v, "cases": {"a/b": {"x": 1.0}}}
    path = _golden_in(tmp_path, monkeypatch, old, {"simulation_model": v, "cases": {"a/b": {"x": 2.0}}})
    assert golden.main(["--write"]) == 1
    assert json.loads(path.read_text()) == old
    # New cases alone move nothing: written.
    grown = {"simulation_model": v, "cases": {"a/b": {"x": 1.0}, "a/c": {"x": 3.0}}}
    path = _golden_in(tmp_path, monkeypatch, old, grown)
    assert golden.main(["--write"]) == 0
    assert json.loads(path.read_text()) == grown
    # After a bump, the moved numbers are written.
    bumped = {"simulation_model": v + 1, "cases": {"a/b": {"x": 2.0}}}
    path = _golden_in(tmp_path, monkeypatch, old, bumped)
    assert golden.main(["--write"]) == 0
    assert json.loads(path.read_text())["simulation_model"] == v + 1
