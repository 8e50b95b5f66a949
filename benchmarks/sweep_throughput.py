"""Sweep throughput: points per second locally with 1 and 2 worker processes, and on a Dask cluster.

Run by hand (not part of the test suite):

    python benchmarks/sweep_throughput.py                      # the depth x rule sweep
    python benchmarks/sweep_throughput.py --sweep sweeps/adc-bits.yaml --dask-workers 4

Each configuration runs the whole sweep into a fresh results file; the wall time includes starting
the executor's workers (a user pays for it too), but not starting the Dask cluster itself. The
Dask cluster is a scheduler and N single-thread workers on 127.0.0.1, started as subprocesses.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from simcim.paths import ROOT
from simcim.sweep.executors import dask_pool, local_pool
from simcim.sweep.points import expand
from simcim.sweep.runner import run_sweep
from simcim.sweep.spec import load_sweep
from simcim.sweep.store import Store


@contextmanager
def local_dask_cluster(workers: int) -> Iterator[str]:
    from distributed import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = [str(Path(sys.executable).with_name("dask"))]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              **quiet)]
    try:
        procs += [subprocess.Popen([*dask, "worker", address, "--nthreads", "1", "--no-dashboard"], **quiet)
                  for _ in range(workers)]
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=60)
            # Warm the workers (imports) so that the measurement is the sweep, not Python start-up;
            # the local pools pay their start-up inside the measurement, which favours Dask slightly.
            client.gather(client.map(lambda _: __import__("simcim.simulation"), range(workers), pure=False))
        yield address
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def point_seconds(db: Path) -> float:
    """Sum of the points' own wall times: grows when workers compete for cores."""
    with Store(db, readonly=True) as store:
        return sum(r.wall_s or 0.0 for r in store.rows())


def measure(sweep_path: Path, make_pool, label: str) -> tuple[float, int, Path]:
    sweep = load_sweep(sweep_path)
    points = expand(sweep)
    out = Path(tempfile.mkdtemp(prefix="simcim-bench-")) / f"{label.replace(' ', '-')}.db"
    t0 = time.perf_counter()
    with Store(out) as store, make_pool() as pool:
        summary = run_sweep(sweep, points, store, pool, progress=False)
    wall_s = time.perf_counter() - t0
    assert summary.ok + summary.errors == len(points), summary
    return wall_s, len(points), out


def speedups(db: Path) -> list[str]:
    """Per depth: BP epoch latency / DFA epoch latency (the study's headline)."""
    with Store(db, readonly=True) as store:
        rows = [r for r in store.rows() if r.status == "ok"]
    lat = {(r.params.get("depth"), r.params.get("workload.rule")): r.metrics["latency_s"] for r in rows}
    out = []
    for depth in sorted({d for d, _ in lat if d is not None}):
        if (depth, "bp") in lat and (depth, "dfa") in lat:
            out.append(f"depth {depth}: {lat[(depth, 'bp')] / lat[(depth, 'dfa')]:.2f}x")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path, default=ROOT / "sweeps" / "depth-vs-rule.yaml")
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of N runs (a busy machine is noisy)")
    args = parser.parse_args()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"sweep {args.sweep}  ({os.cpu_count()} CPUs, load average before: {load})")
    results: list[tuple[str, float, int, float]] = []
    last_db: Path | None = None
    for workers in (1, 2):
        label = f"local {workers} worker{'s' if workers > 1 else ''}"
        runs = [measure(args.sweep, lambda w=workers: local_pool(w), label) for _ in range(args.repeat)]
        wall_s, n, last_db = min(runs)
        results.append((label, wall_s, n, point_seconds(last_db)))
    if not args.no_dask:
        try:
            with local_dask_cluster(args.dask_workers) as address:
                label = f"dask {args.dask_workers} workers"
                wall_s, n, db = min(measure(args.sweep, lambda: dask_pool(address), label)
                                    for _ in range(args.repeat))
                results.append((label, wall_s, n, point_seconds(db)))
        except ImportError:
            print("dask: not installed (pip install 'simcim[dask]'); skipped")
    base = results[0][2] / results[0][1]
    print(f"{'executor':<18} {'points':>6} {'wall s':>8} {'points/s':>9} {'vs 1 worker':>12} {'sum of point s':>15}")
    for label, wall_s, n, busy_s in results:
        rate = n / wall_s
        print(f"{label:<18} {n:>6} {wall_s:>8.2f} {rate:>9.2f} {rate / base:>11.2f}x {busy_s:>15.2f}")
    print(f"load average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if last_db is not None:
        ups = speedups(last_db)
        if ups:
            print("epoch latency BP / DFA: " + ", ".join(ups))
    return 0


if __name__ == "__main__":
    sys.exit(main())
