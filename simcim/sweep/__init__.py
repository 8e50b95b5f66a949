"""Design-space sweeps: many (architecture, workload) points on a local pool or a Dask cluster.

spec (the sweep YAML) -> points (expanded, keyed) -> runner (on an executor from executors, each
point through evaluate.evaluate_point) -> store (SQLite) -> pareto / plot for `simcim results`.
"""

from simcim.sweep.points import Point, expand
from simcim.sweep.spec import Sweep, load_sweep

__all__ = ["Point", "Sweep", "expand", "load_sweep"]
