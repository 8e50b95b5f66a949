"""Pick a readable SI unit for an axis (ms rather than 0.001 s)."""

from __future__ import annotations

_STEPS = ((1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1.0, ""), (1e3, "k"))


def axis_scale(max_value: float, unit: str) -> tuple[float, str]:
    """(factor, label): values * factor read in label units, chosen so the largest is >= 1."""
    if max_value <= 0:
        return 1.0, unit
    scale, prefix = _STEPS[0]
    for s, p in _STEPS:
        if max_value >= s:
            scale, prefix = s, p
    return 1.0 / scale, f"{prefix}{unit}"
