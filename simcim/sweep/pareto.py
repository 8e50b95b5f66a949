"""Pareto fronts over sweep metrics: which points no other point beats on every objective.

Direction per metric comes from simcim.sweep.metrics (latency, energy, area: lower is better;
accuracy, TOPS, TOPS/W, images/s: higher is better); ``name:min`` / ``name:max`` overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from simcim.sweep.metrics import METRICS, Direction


class ObjectiveError(ValueError):
    """An objective the user wrote that names no known metric or direction."""


@dataclass(frozen=True)
class Objective:
    metric: str
    direction: Direction

    def __str__(self) -> str:
        return f"{self.metric} ({'lower' if self.direction == 'min' else 'higher'} is better)"


def parse_objectives(text: str) -> list[Objective]:
    """``energy_j,latency_s,accuracy`` or ``energy_j:min,tiles_used:max`` -> objectives."""
    objectives: list[Objective] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, _, direction = item.partition(":")
        if direction and direction not in ("min", "max"):
            raise ObjectiveError(f"'{item}': the direction after ':' is min or max")
        if not direction:
            if name not in METRICS:
                raise ObjectiveError(f"unknown metric '{name}' (known: {', '.join(METRICS)}; "
                                     f"or write {name}:min / {name}:max)")
            direction = METRICS[name].direction
        if any(o.metric == name for o in objectives):
            raise ObjectiveError(f"'{name}' is named twice")
        objectives.append(Objective(name, direction))  # type: ignore[arg-type]
    if len(objectives) < 2:
        raise ObjectiveError("a Pareto front needs at least two metrics, e.g. energy_j,latency_s")
    return objectives


def pareto_mask(values: Sequence[Sequence[float]], objectives: Sequence[Objective]) -> list[bool]:
    """For each row of ``values`` (one column per objective): is it on the front?

    A row is dominated when another is at least as good on every objective and better on one.
    Equal rows do not dominate each other, so ties all stay on the front. O(n^2): sweeps are
    thousands of points, not millions.
    """
    sign = [1.0 if o.direction == "min" else -1.0 for o in objectives]
    costs = [[s * v for s, v in zip(sign, row)] for row in values]
    mask = []
    for i, a in enumerate(costs):
        dominated = any(
            j != i and all(bj <= aj for aj, bj in zip(a, b)) and any(bj < aj for aj, bj in zip(a, b))
            for j, b in enumerate(costs))
        mask.append(not dominated)
    return mask
