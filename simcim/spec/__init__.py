"""Typed specs for architecture and workload YAML files."""

from simcim.spec.architecture import Architecture
from simcim.spec.errors import SpecError
from simcim.spec.loader import load_architecture, load_workload
from simcim.spec.workload import Workload

__all__ = ["Architecture", "SpecError", "Workload", "load_architecture", "load_workload"]
