"""The import graph keeps the layering (docs/architecture.md): read with ast, no extra tool.

Direct imports only (module level and inside functions): each rule names what a layer may not reach for.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simcim"

# (layer: module prefix, forbidden import prefixes, why)
RULES = [
    ("simcim.engine", ("simcim.rules", "simcim.schedules.build", "simcim.schedules", "simcim.spec", "simcim.training"),
     "the engine never knows which rule made the DAG, nor specs or training (the Task type is allowed)"),
    ("simcim.schedules", ("simpy", "simcim.engine"), "schedules never know SimPy"),
    ("simcim.hardware", ("simcim.engine", "simpy"), "the cost model and chip graph never know the engine"),
    ("simcim.report", ("simcim.simulation", "simcim.api", "simcim.engine", "simcim.training", "simpy", "torch"),
     "report/ only draws and writes; running is simcim.study's"),
    ("simcim.analysis", ("simcim.engine", "simcim.simulation", "simpy", "simcim.training"),
     "trace analyses read the trace file alone"),
    ("simcim.rules", ("simcim.",), "rule definitions depend on nothing (everything reads them)"),
]
ALLOWED = {("simcim.engine", "simcim.schedules.tasks")}  # the Task type, not the builder


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def imports_of(source: str, module: str) -> set[str]:
    """Every module ``source`` imports (absolute names; relative imports resolved against ``module``)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = module.split(".")[: len(module.split(".")) - node.level]
                base = ".".join(pkg + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)  # `from simcim import cli`
    return out


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix if prefix.endswith(".") else prefix + ".")


def violations(module: str, imported: set[str]) -> list[str]:
    found = []
    for layer, forbidden, why in RULES:
        if not (module == layer or module.startswith(layer + ".")):
            continue
        for name in sorted(imported):
            if (layer, name) in ALLOWED or any(_matches(name, a) for lyr, a in ALLOWED if lyr == layer):
                continue
            if any(_matches(name, f) for f in forbidden):
                found.append(f"{module} imports {name}: {why}")
    if module not in ("simcim.cli", "simcim.__main__", "simcim.launch"):  # launch: the console script
        found += [f"{module} imports {n}: only the CLI entry point imports simcim.cli (UserError is in "
                  f"simcim.errors)" for n in sorted(imported) if _matches(n, "simcim.cli")]
    return found


def package_modules() -> list[tuple[str, set[str]]]:
    return [(module_name(p), imports_of(p.read_text(encoding="utf-8"), module_name(p)))
            for p in sorted(PACKAGE.rglob("*.py"))]


def test_the_package_keeps_its_layering() -> None:
    problems = [v for module, imported in package_modules() for v in violations(module, imported)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module, source, expect", [
    ("simcim.engine.sim", "from simcim.rules import RULES", "simcim.rules"),
    ("simcim.engine.sim", "def f():\n    import simcim.spec.workload", "simcim.spec.workload"),
    ("simcim.schedules.build", "import simpy", "simpy"),
    ("simcim.hardware.costs", "from ..engine import plans", "simcim.engine"),
    ("simcim.commands.trace", "from simcim.cli import UserError", "simcim.cli"),
    ("simcim.report.write", "from simcim import training", "simcim.training"),
])
def test_the_checker_catches_a_violation(module: str, source: str, expect: str) -> None:
    found = violations(module, imports_of(source, module))
    assert found and expect in found[0]


def test_the_checker_allows_the_task_type_in_the_engine() -> None:
    assert violations("simcim.engine.plans", imports_of("from simcim.schedules.tasks import Task", "simcim.engine.plans")) == []
