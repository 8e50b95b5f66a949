"""The golden numbers (tests/golden/bundled.json) as an independent reference for other tests, and the
tools that write the golden files."""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

GOLDEN = Path(__file__).resolve().parent / "golden" / "bundled.json"


@lru_cache(maxsize=1)
def _cases() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text())["cases"]


def golden(arch: str, workload: str) -> dict[str, Any]:
    """Recorded numbers of a bundled chip x workload at its own batch (200) and iterations (250)."""
    return _cases()[f"{arch}/{workload}"]


def load_tool(name: str) -> ModuleType:
    """A script of tools/ as a module (tools/ is not a package: its scripts run by path)."""
    path = Path(__file__).resolve().parent.parent / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"simcim_tool_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
