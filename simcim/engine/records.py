"""What a simulation leaves behind: when each task ran and who held which resource when."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from simcim.resources import Resource


@dataclass(frozen=True)
class TaskRecord:
    task_id: int
    name: str  # "L3.WG"
    layer: int
    phase: str
    image: int | None
    deps: tuple[int, ...]
    ready_ps: int  # every predecessor had ended
    start_ps: int  # its units were granted
    end_ps: int
    energy_pj: float  # dynamic energy, all components
    energy_pj_by_component: Mapping[str, float]  # the same energy by component (shared with its plan)
    macs: int


@dataclass(frozen=True)
class HoldRecord:
    resource: Resource
    task_id: int
    name: str
    kind: str  # "compute" | "transfer"
    requested_ps: int
    start_ps: int
    end_ps: int
    bits: int = 0


@dataclass
class SimRecords:
    tasks: list[TaskRecord] = field(default_factory=list)
    holds: list[HoldRecord] = field(default_factory=list)
    # (time_ps, resource, waiting requests) whenever a queue changes; only kept for traces
    queue_samples: list[tuple[int, Resource, int]] = field(default_factory=list)
    makespan_ps: int = 0
    events: int = 0  # SimPy events processed
