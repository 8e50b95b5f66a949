"""What a simulation leaves behind: when each task ran and who held which resource when.

Records are named tuples (built in C from a plain tuple): a frozen dataclass per record cost a
large share of a run. Long runs keep only :class:`RunTotals` (sums per layer and phase and per
resource), which do not grow with the number of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, NamedTuple

from simcim.resources import Resource


class TaskRecord(NamedTuple):
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
    transfer_wait_ps: int = 0  # of start..end, the time its transfers waited for their path


class HoldRecord(NamedTuple):
    resource: Resource
    task_id: int
    name: str
    kind: str  # "compute" | "transfer"
    requested_ps: int
    start_ps: int
    end_ps: int
    bits: int = 0


@dataclass
class PhaseTotals:
    """Sums over the tasks of one (layer, phase): run time (held units, transfers' waits excluded),
    wait (for the unit, then for transfer paths), energy."""

    tasks: int = 0
    run_ps: int = 0
    unit_wait_ps: int = 0
    transfer_wait_ps: int = 0
    energy_pj_by_component: Mapping[str, float] = field(default_factory=dict)  # of one task
    macs: int = 0  # of one task


@dataclass
class RunTotals:
    """Sums that do not grow with the run: per (layer, phase), and busy time per resource."""

    phases: dict[tuple[int, str], PhaseTotals] = field(default_factory=dict)
    busy_ps: dict[Resource, int] = field(default_factory=dict)


# A hold as the engine stores it: (resources, task_id, name, kind, requested_ps, start_ps, end_ps,
# bits), one entry per request however many resources it held; expanded on first use.
RawHold = tuple[tuple[Resource, ...], int, str, str, int, int, int, int]


@dataclass(frozen=True)
class SteadyReport:
    """How a fast-forwarded run went: iterations ``pattern_start`` and ``pattern_start + 1`` began
    in the same state (relative to their start), so every later one repeats the pattern of
    ``period_ps``; ``skipped`` iterations were advanced without events, the rest simulated."""

    pattern_start: int | None  # None: no repeat found, every iteration simulated
    period_ps: int | None
    skipped: int
    simulated: int


@dataclass
class SimRecords:
    tasks: list[TaskRecord] = field(default_factory=list)  # empty when records were not kept
    raw_holds: list[RawHold] = field(default_factory=list, repr=False)
    # (time_ps, resource, waiting requests) whenever a queue changes; only kept for traces
    queue_samples: list[tuple[int, Resource, int]] = field(default_factory=list)
    makespan_ps: int = 0
    events: int = 0  # SimPy events processed
    tasks_run: int = 0
    totals: RunTotals = field(default_factory=RunTotals)
    steady: "SteadyReport | None" = None  # fast-forward: where the repeating pattern began
    kept: bool = True  # tasks holds every task record
    holds_kept: bool = True  # raw_holds holds every hold
    _holds: list[HoldRecord] | None = field(default=None, repr=False)

    @property
    def holds(self) -> list[HoldRecord]:
        """One record per resource held: the unit for its task, each resource of a transfer's path."""
        if self._holds is None:
            new = tuple.__new__
            self._holds = [new(HoldRecord, (r, *rest)) for res, *rest in self.raw_holds for r in res]
        return self._holds
