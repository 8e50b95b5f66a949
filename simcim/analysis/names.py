"""Ordering of resource and phase names the way a person reads them (tile2 before tile10)."""

from __future__ import annotations

import re

from simcim.rules import PHASES

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that compares digit runs as numbers: chip.tile2 < chip.tile10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(name) if part)


def phase_key(phase: str) -> tuple[int, str]:
    return (PHASES.index(phase) if phase in PHASES else len(PHASES), phase)


def phase_of(task_name: str) -> str:
    """``L3.WG`` -> ``WG`` (slices on resource tracks are named after their task)."""
    return task_name.rsplit(".", 1)[-1]
