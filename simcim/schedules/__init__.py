"""Learning rules as task DAGs: which (layer, phase, image) waits for which. No SimPy here."""

from simcim.schedules.build import Links, build_schedule
from simcim.schedules.tasks import PHASES, Task

__all__ = ["PHASES", "Links", "Task", "build_schedule"]
