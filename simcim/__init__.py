"""simcim: a discrete-event simulator of compute-in-memory chips that train neural networks.

The public API (docs/api.md)::

    import simcim
    result = simcim.simulate(simcim.load_architecture("neurosim-fefet-22nm"), simcim.load_workload("mlp5-dfa"))

Names are loaded on first use, so ``import simcim`` (and the CLI) starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "load_architecture": "simcim.api", "load_workload": "simcim.api", "simulate": "simcim.api",
    "train": "simcim.api",
    "Result": "simcim.result", "Architecture": "simcim.spec", "Workload": "simcim.spec",
    "SpecError": "simcim.errors", "UserError": "simcim.errors",
    "LearningRule": "simcim.rules", "RULES": "simcim.rules", "get_rule": "simcim.rules",
    "Resource": "simcim.resources",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simcim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
