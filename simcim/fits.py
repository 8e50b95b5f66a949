"""Does what a spec asks for fit, before anything is built? Tiles and the task count of one iteration.

Each bound in a spec (simcim.spec.limits) holds on its own; their products can still ask for a chip
or a simulation no machine holds (a wide layer on small subarrays needs millions of tiles; a large
batch of a deep network, millions of tasks). These checks run on the placement, which is integer
arithmetic, so a spec that does not fit stops in milliseconds with the reason, not after minutes or
a MemoryError.
"""

from __future__ import annotations

from simcim.errors import SpecError
from simcim.mapping import Placement
from simcim.spec.architecture import Architecture
from simcim.spec.limits import MAX_TASKS, MAX_TILES
from simcim.spec.workload import Workload

# Tasks per image and weight layer at most: FW, the error (AG or PROJ) and WG; WU is once per batch.
TASKS_PER_IMAGE_LAYER = 3


def check_fits(arch: Architecture, workload: Workload, placement: Placement) -> None:
    """Raise a SpecError naming the key to change when the chip or the simulation would not fit."""
    workload.check_after_load()  # specs built in Python skip the loader's checks; run them here too
    if placement.tiles_used > MAX_TILES:
        raise arch.error("chip.tiles", f"the network needs {placement.tiles_used:,} tiles for rule "
                                       f"{placement.rule.name}; a chip has at most {MAX_TILES} (larger subarrays, "
                                       "PEs or cells with more bits per cell need fewer)")
    layers = len(placement.layers)
    tasks = workload.batch_size * layers * TASKS_PER_IMAGE_LAYER + layers
    if tasks > MAX_TASKS:
        raise workload.error("batch_size", f"one iteration would be up to {tasks:,} tasks ({workload.batch_size} "
                                           f"images x {layers} layers x {TASKS_PER_IMAGE_LAYER} phases); the simulator "
                                           f"holds each in memory and runs ~10^4 per second, so at most {MAX_TASKS:,}: "
                                           "use a smaller batch_size (the epoch scales from one iteration)")
