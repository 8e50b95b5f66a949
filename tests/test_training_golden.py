"""Training numbers stay bit for bit where tests/golden/training.json has them (tools/training_golden.py),
on the platform that file was written on: a change that moves them bumps simcim/model_version.py's TRAINING."""

from __future__ import annotations

import json

import pytest

from helpers_golden import load_tool
from simcim import model_version

golden = load_tool("training_golden")


def test_training_numbers_match_the_golden_file() -> None:
    recorded = json.loads(golden.GOLDEN.read_text())
    if recorded["platform"] != golden.platform():
        pytest.skip(f"golden training numbers are of {recorded['platform']}, this is {golden.platform()}")
    assert recorded["training_model"] == model_version.TRAINING, \
        "the golden file is of another training model: python tools/training_golden.py --write"
    lines = golden.diff(recorded, golden.compute())
    assert not lines, "training numbers moved (bump TRAINING, then --write):\n" + "\n".join(lines)


def test_diff_names_a_moved_case() -> None:
    old = {"cases": {"a": {"loss": 1.0}, "b": {"loss": 2.0}}}
    assert golden.diff(old, {"cases": {"a": {"loss": 1.0}, "b": {"loss": 2.5}}}) == ["b: {'loss': 2.0} -> {'loss': 2.5}"]
    assert golden.diff(old, old) == []
