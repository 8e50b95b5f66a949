"""Simulator speed, run by hand: `python benchmarks/sim_speed.py`.

1. Wall time of the per-epoch estimate of VGG-8 (BP and DFA) on the default chip, from YAML to
   result (target: under 2 s; DNN+NeuroSim takes minutes for the same estimate).
2. Simulator events per second against a bare SimPy timeout loop in the same process (a ratio,
   so the machine's speed cancels out).
"""

from __future__ import annotations

import time
from pathlib import Path

import simpy

from simcim.result import summarize
from simcim.simulation import run_simulation
from simcim.spec import load_architecture, load_workload

ROOT = Path(__file__).resolve().parent.parent


def bare_simpy_events_per_s(n: int = 300_000) -> float:
    """Events/s of the cheapest SimPy process: one timeout after another."""
    env = simpy.Environment()

    def loop():
        for _ in range(n):
            yield env.timeout(1)

    env.process(loop())
    t0 = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - t0)


def main() -> None:
    arch_path = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"
    baseline = bare_simpy_events_per_s()
    print(f"bare SimPy timeout loop: {baseline:,.0f} events/s")
    for name in ("vgg8-cifar10-bp", "vgg8-cifar10-dfa", "mlp8-bp", "mlp8-dfa"):
        best = None
        for _ in range(3):
            t0 = time.perf_counter()
            sim = run_simulation(load_architecture(arch_path), load_workload(ROOT / "workloads" / f"{name}.yaml"))
            r = summarize(sim)
            wall = time.perf_counter() - t0
            best = wall if best is None or wall < best else best
        events = sim.records.events
        rate = events / best
        print(f"{name:18s} per-epoch estimate in {best:.3f} s wall "
              f"(epoch {r.per_epoch.latency_s:.3f} s simulated, {len(sim.records.tasks)} tasks, "
              f"{events} events, {rate:,.0f} events/s = {rate / baseline:.2f} x bare SimPy)")


if __name__ == "__main__":
    main()
