"""Human-readable numbers with SI prefixes, for terminal tables."""

from __future__ import annotations

_PREFIXES = [(1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G")]


def si(value: float, unit: str, digits: int = 4) -> str:
    """``si(0.00123, 's')`` -> ``'1.23 ms'``."""
    if value == 0:
        return f"0 {unit}"
    mag = abs(value)
    scale, prefix = _PREFIXES[0]
    for s, p in _PREFIXES:
        if mag >= s:
            scale, prefix = s, p
    return f"{value / scale:.{digits}g} {prefix}{unit}"
