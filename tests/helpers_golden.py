"""The golden numbers (tests/golden/bundled.json) as an independent reference for other tests."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parent / "golden" / "bundled.json"


@lru_cache(maxsize=1)
def _cases() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text())["cases"]


def golden(arch: str, workload: str) -> dict[str, Any]:
    """Recorded numbers of a bundled chip x workload at its own batch (200) and iterations (250)."""
    return _cases()[f"{arch}/{workload}"]
