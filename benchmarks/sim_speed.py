"""Simulator speed, run by hand: `python benchmarks/sim_speed.py [--label NAME] [--repeats 5]`.

Every figure is a median of ``--repeats`` samples of process CPU time (time.process_time), and the
engine's figures are also given as a ratio to a bare SimPy timeout loop (one process yielding one
timeout after another) measured in the same process, alternated with each sample of each workload
(bare loop, workload, bare loop, workload, ...), so a machine that is busier in one half of the run
moves both sides of the ratio. Measured per workload:

- engine: the event loop alone (task DAG and plans already built), tasks/s and events/task, and
  the engine's events/s over the bare loop's events/s; keeping the records `simcim run` keeps
  (task records, holds as sums), and keeping every record (the API's default);
- in-process: YAML to result (load, place, cost, schedule, simulate, summarize);
- command: whole `simcim run ARCH WORKLOAD --quiet` in a child process, started as the `simcim` script
  starts (simcim.launch), wall time and CPU time
  (user + system of the child, imports included).

Then `simcim run` as a user types it (bundled defaults), beside a child that only imports the
packages `simcim run` imports (networkx, pydantic, ...): the difference is simcim's own start-up
and run, the part this project can make faster.

Figures go to benchmarks/results/sim_speed-LABEL.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import simpy

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
CASES = [("neurosim-v2.1", "vgg8-cifar10-bp"), ("neurosim-fefet-22nm", "vgg8-cifar10-bp"),
         ("neurosim-fefet-22nm", "vgg8-cifar10-dfa"), ("neurosim-fefet-22nm", "mlp5-bp")]
BARE_EVENTS = 200_000
# What `simcim run` imports from other packages (it imports neither numpy, torch, matplotlib nor
# dask): the part of its start-up no change to simcim can remove, measured on the same machine.
DEPENDENCY_IMPORTS = ("import networkx, yaml, simpy, rich.console, rich.table; "  # pydantic loads its parts lazily:
                      "from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError")


def bare_simpy_cpu_s(n: int = BARE_EVENTS) -> float:
    """CPU seconds of ``n`` events of the cheapest SimPy process: one timeout after another."""
    env = simpy.Environment()

    def loop():
        for _ in range(n):
            yield env.timeout(1)

    env.process(loop())
    t0 = time.process_time()
    env.run()
    return time.process_time() - t0


def _engine_runner(arch: str, workload: str, all_records: bool) -> tuple[Callable[[], Any], int]:
    """A function running the engine alone on prepared inputs (task graph, plans), and the number of
    tasks it runs. ``all_records``: keep every task and hold record (the API's default); else what
    `simcim run` keeps (task records; holds only as sums). Before the engine rework there was no
    choice: every record was kept."""
    import inspect

    from simcim import simulation as sim_mod
    from simcim.api import load_architecture, load_workload
    from simcim.engine.sim import simulate_dag

    a, w = load_architecture(arch), load_workload(workload)
    sim = sim_mod.run_simulation(a, w)
    tasks = len(sim.records.tasks)
    if "keep_holds" in inspect.signature(simulate_dag).parameters:
        return (lambda: simulate_dag(sim.dag, sim.planner, keep_holds=all_records)), tasks
    return (lambda: simulate_dag(sim.dag, sim.planner)), tasks


def _in_process_runner(arch: str, workload: str) -> Callable[[], Any]:
    from simcim.api import load_architecture, load_workload, simulate

    return lambda: simulate(load_architecture(arch), load_workload(workload))


def _cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def _child_cpu_s(argv: list[str]) -> float:
    """CPU seconds (user + sys) of one child process, its output dropped."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _command(arch: str, workload: str) -> tuple[float, float]:
    """Wall and CPU seconds (user + sys of the child) of the whole command."""
    t0 = time.perf_counter()
    cpu = _child_cpu_s([sys.executable, "-m", "simcim.launch", "run", arch, workload, "--quiet"])
    return time.perf_counter() - t0, cpu


def measure(arch: str, workload: str, repeats: int) -> dict[str, Any]:
    engine, tasks = _engine_runner(arch, workload, all_records=False)
    engine_all, _ = _engine_runner(arch, workload, all_records=True)
    in_process = _in_process_runner(arch, workload)
    bare, eng, eng_all, whole, cmd_wall, cmd_cpu = [], [], [], [], [], []
    events = 0
    for _ in range(repeats):  # alternate: the baseline and the workload see the same machine
        bare.append(bare_simpy_cpu_s())
        cpu, records = _cpu(engine)
        eng.append(cpu)
        events = records.events
        eng_all.append(_cpu(engine_all)[0])
        bare.append(bare_simpy_cpu_s())
        whole.append(_cpu(in_process)[0])
        wall, ccpu = _command(arch, workload)
        cmd_wall.append(wall)
        cmd_cpu.append(ccpu)
    bare_s = statistics.median(bare)
    eng_s = statistics.median(eng)
    bare_events_per_s = BARE_EVENTS / bare_s
    engine_events_per_s = events / eng_s
    return {
        "architecture": arch, "workload": workload, "tasks": tasks, "events": events,
        "events_per_task": events / tasks,
        "bare_simpy_events_per_s": bare_events_per_s,
        "engine_cpu_s": eng_s, "engine_tasks_per_s": tasks / eng_s, "engine_events_per_s": engine_events_per_s,
        "engine_events_per_s_over_bare": engine_events_per_s / bare_events_per_s,
        "engine_tasks_per_s_over_bare_events_per_s": (tasks / eng_s) / bare_events_per_s,
        "engine_all_records_cpu_s": statistics.median(eng_all),
        "engine_all_records_tasks_per_s": tasks / statistics.median(eng_all),
        "in_process_cpu_s": statistics.median(whole),
        "command_wall_s": statistics.median(cmd_wall), "command_cpu_s": statistics.median(cmd_cpu),
        "samples": {"bare_cpu_s": bare, "engine_cpu_s": eng, "engine_all_records_cpu_s": eng_all,
                    "in_process_cpu_s": whole,
                    "command_wall_s": cmd_wall, "command_cpu_s": cmd_cpu},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="latest", help="results file suffix (before, after, ...)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--case", action="append", metavar="ARCH/WORKLOAD", help="default: the bundled set")
    args = ap.parse_args()
    if args.repeats < 5:
        ap.error("--repeats: medians need at least 5 samples")
    cases = [tuple(c.split("/", 1)) for c in args.case] if args.case else CASES
    rows = []
    for arch, workload in cases:
        row = measure(arch, workload, args.repeats)
        rows.append(row)
        print(f"{arch}/{workload}: {row['tasks']} tasks, {row['events_per_task']:.2f} events/task, "
              f"engine {row['engine_tasks_per_s']:,.0f} tasks/s ({row['engine_cpu_s'] * 1e3:.1f} ms CPU), "
              f"{row['engine_events_per_s_over_bare']:.2f} x bare SimPy events/s; all records "
              f"{row['engine_all_records_tasks_per_s']:,.0f} tasks/s; "
              f"(bare {row['bare_simpy_events_per_s']:,.0f}/s); in-process {row['in_process_cpu_s']:.3f} s CPU; "
              f"command {row['command_wall_s']:.3f} s wall, {row['command_cpu_s']:.3f} s CPU", flush=True)
    # `simcim run` as a user types it (bundled defaults, tables printed)
    default_cpu = [_child_cpu_s([sys.executable, "-m", "simcim.launch", "run"]) for _ in range(args.repeats)]
    floor = [_child_cpu_s([sys.executable, "-c", DEPENDENCY_IMPORTS]) for _ in range(args.repeats)]
    own = statistics.median(default_cpu) - statistics.median(floor)
    print(f"`simcim run` (defaults, printed): {statistics.median(default_cpu):.3f} s CPU (median); importing its "
          f"dependencies alone ({DEPENDENCY_IMPORTS!r}): {statistics.median(floor):.3f} s; simcim's own: {own:.3f} s")
    out = {"label": args.label, "default_command_cpu_s": statistics.median(default_cpu),
           "default_command_cpu_samples_s": default_cpu,
           "dependency_imports": DEPENDENCY_IMPORTS, "dependency_imports_cpu_s": statistics.median(floor),
           "dependency_imports_cpu_samples_s": floor, "default_command_own_cpu_s": own, "repeats": args.repeats, "statistic": "median", "clock": "process CPU time",
           "python": platform.python_version(), "simpy": simpy.__version__, "cpus": os.cpu_count(),
           "threads": {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"), "engine": 1},
           "cases": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"sim_speed-{args.label}.json"
    path.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
