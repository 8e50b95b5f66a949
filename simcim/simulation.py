"""One simulation, end to end: specs -> placement -> graph -> costs -> task DAG -> SimPy -> records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simcim.engine.plans import Planner
from simcim.engine.records import SimRecords
from simcim.engine.sim import RecordSink, simulate_dag
from simcim.fits import check_fits
from simcim.hardware.chip import ChipModel
from simcim.hardware.costs import LayerCosts, layer_costs
from simcim.hardware.graph import build_graph
from simcim.mapping import Placement, place
from simcim.schedules import Links, build_schedule
from simcim.schedules.tasks import TaskGraph
from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload

if TYPE_CHECKING:
    import networkx as nx


@dataclass
class Simulation:
    arch: Architecture
    workload: Workload
    placement: Placement
    chip: ChipModel
    graph: "nx.Graph"
    costs: list[LayerCosts]
    dag: TaskGraph
    planner: Planner
    records: SimRecords
    iterations: int = 1  # simulated back to back


def run_simulation(arch: Architecture, workload: Workload, *, trace_queues: bool = False,
                   keep_holds: bool = True, sink: RecordSink | None = None, iterations: int = 1,
                   exact: bool = False) -> Simulation:
    """Simulate one training iteration (one batch) of ``workload`` on ``arch``; keep every intermediate
    (placement, graph, costs, DAG, records). ``simcim.simulate`` wraps it and returns the Result.
    ``sink`` receives every record as it is made (the streaming trace writer); ``keep_holds=False``
    keeps no per-resource hold records (their sums are kept). ``iterations`` > 1 simulates that many
    iterations back to back (keeping sums, not records); unless ``exact`` (or a ``sink``), once
    iterations repeat one pattern the engine fast-forwards over them (simcim.engine.steady)."""
    try:
        placement = place(arch, workload)
    except ValueError as exc:  # shape errors from the network walk
        raise workload.error("layers", str(exc)) from None
    check_fits(arch, workload, placement)  # before the chip model and the DAG are built
    try:
        chip = ChipModel(arch, workload, placement)
    except ValueError as exc:  # a circuit NeuroSim would refuse to build, e.g. an access transistor too wide
        key = "device.r_on_ohm" if "access transistor" in str(exc) else "device"
        raise arch.error(key, f"{exc}: the chip cannot be built with these device parameters") from None
    graph = build_graph(chip)
    costs = layer_costs(chip)
    links = Links(tuple(lp.layer.waits for lp in placement.layers), tuple(lp.layer.consumers for lp in placement.layers))
    dag = build_schedule(placement.rule, len(placement.layers), workload.batch_size, workload.schedule, links)
    planner = Planner(graph, chip, costs)
    one = iterations == 1
    records = simulate_dag(dag, planner, sample_queues=trace_queues, iterations=iterations, keep_records=one,
                           keep_holds=keep_holds and one, sink=sink,
                           fast_forward=not one and not exact and sink is None)
    return Simulation(arch, workload, placement, chip, graph, costs, dag, planner, records, iterations)
