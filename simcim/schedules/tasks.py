"""A task: one (layer, phase, image) -- or one (layer, WU) per batch -- and the unit it runs on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# FW forward; AG error back through W^T (BP) or B (FA); PROJ error through the fixed B straight
# from the output (DFA) or the target (DRTP); WG weight gradient; WU write pulses into the arrays.
PHASES = ("FW", "AG", "PROJ", "WG", "WU")
Unit = Literal["weights", "feedback", "wg"]


@dataclass(frozen=True)
class Task:
    id: int
    layer: int  # 1-based index among weight layers
    phase: str
    image: int | None  # None for the per-batch WU
    unit: Unit

    @property
    def name(self) -> str:
        return f"L{self.layer}.{self.phase}"
