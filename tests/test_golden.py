"""Golden numbers: every bundled chip x workload gives the latency, energy and area recorded in
tests/golden/bundled.json, and the README's tables are the ones that file gives.

When a change moves numbers on purpose: `python tools/golden.py --write`, and say why in the commit.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("golden_tool", ROOT / "tools" / "golden.py")
assert _spec and _spec.loader
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


def test_bundled_numbers_match_the_golden_file() -> None:
    recorded = json.loads(golden.GOLDEN.read_text())
    lines = golden.diff(recorded, golden.compute())
    assert not lines, "numbers moved (python tools/golden.py --write regenerates):\n" + "\n".join(lines[:40])


def test_readme_tables_are_generated_from_the_golden_file() -> None:
    recorded = json.loads(golden.GOLDEN.read_text())
    assert golden.readme_block(golden.README.read_text()) == golden.render_readme(recorded)


def test_diff_reports_a_moved_number() -> None:
    old = {"cases": {"a/b": {"epoch": {"latency_s": 1.0}, "tiles_used": 3}}}
    new = {"cases": {"a/b": {"epoch": {"latency_s": 1.5}, "tiles_used": 3}, "a/c": {"x": 1}}}
    assert golden.diff(old, new) == ["~ a/b.epoch.latency_s: 1.0 -> 1.5 (+50.000%)", "+ a/c.x = 1"]
    assert golden.diff(old, old) == []
