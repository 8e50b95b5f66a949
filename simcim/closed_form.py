"""The closed form an analytic tool computes from the same per-task costs, beside the simulated latency.

DNN+NeuroSim V2.1 adds every phase of every layer for every image (main.cpp: layer-by-layer), and
the study's DFA fork takes the backward phases as the maximum over layers instead of their sum
(github.com/ChWol/Thesis, main.cpp). Both assume that nothing shared ever makes work wait. The
gap between this number and the simulated latency is what simulating events adds: queueing for
shared units, buses, buffer ports and DRAM channels, and the overlap a chain of dependencies allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simcim.simulation import Simulation

PS = 1e-12


@dataclass(frozen=True)
class ClosedForm:
    latency_s: float  # one iteration
    method: str  # how the layers' times combine

    def gap(self, simulated_s: float) -> float:
        """Simulated over closed form, minus one (positive: the events found waiting)."""
        return simulated_s / self.latency_s - 1 if self.latency_s else 0.0


def closed_form(sim: "Simulation") -> ClosedForm:
    """Uncontended task durations (every step of a task, back to back) combined as NeuroSim does."""
    rule, batch = sim.placement.rule, sim.workload.batch_size
    duration: dict[tuple[int, str], int] = {}
    for task in sim.dag.tasks:
        key = (task.layer, task.phase)
        if key not in duration:
            duration[key] = sum(step.latency_ps for step in sim.planner.plan(task).steps)
    layers = sorted({layer for layer, _ in duration})
    forward = batch * sum(duration.get((layer, "FW"), 0) for layer in layers)
    backward = [batch * sum(duration.get((layer, ph), 0) for ph in ("AG", "PROJ", "WG"))
                + duration.get((layer, "WU"), 0) for layer in layers]
    if rule.layer_parallel:
        return ClosedForm((forward + max(backward)) * PS, "forward summed over layers, backward max over layers "
                                                          "(the study's DFA fork)")
    return ClosedForm((forward + sum(backward)) * PS, "every phase summed over layers (DNN+NeuroSim V2.1)")
