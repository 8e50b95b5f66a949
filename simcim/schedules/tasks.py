"""A task: one (layer, phase, image) -- or one (layer, WU) per batch -- and the unit it runs on; and
the task graph of one iteration as plain lists (no graph library: the engine only needs each task's
predecessors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simcim.rules import PHASES

__all__ = ["PHASES", "Task", "TaskGraph", "Unit"]

Unit = Literal["weights", "feedback", "wg"]


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    layer: int  # 1-based index among weight layers
    phase: str
    image: int | None  # None for the per-batch WU
    unit: Unit

    @property
    def name(self) -> str:
        return f"L{self.layer}.{self.phase}"


@dataclass
class TaskGraph:
    """One iteration's tasks in creation (program) order; ``tasks[i].id == i``.

    ``deps[i]``: ids of the tasks ``i`` waits for, ascending. ``carry[i]``: ids of tasks *of the
    previous iteration* that ``i`` also waits for when iterations follow each other (the next batch
    starts after the last image, and a layer's forward waits for its weight update).
    """

    batch_size: int
    tasks: list[Task] = field(default_factory=list)
    deps: list[tuple[int, ...]] = field(default_factory=list)
    carry: list[tuple[int, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tasks)

    def number_of_nodes(self) -> int:
        return len(self.tasks)
