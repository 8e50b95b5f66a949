"""A task: one (layer, phase, image) -- or one (layer, WU) per batch -- and the unit it runs on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simcim.rules import PHASES

__all__ = ["PHASES", "Task", "Unit"]

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
