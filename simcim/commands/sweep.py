"""`simcim sweep SWEEP.yaml`: run every point of a design-space sweep into an SQLite results file."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rich.console import Console

from simcim import model_version
from simcim.errors import UserError
from simcim.paths import resolve_sweep
from simcim.commands.common import parse_overrides
from simcim.sweep.executors import DASK_ENV, ExecutorError, open_pool
from simcim.sweep.points import Point, check_specs, expand
from simcim.sweep.runner import checkpoint_dir, run_sweep
from simcim.sweep.spec import FILE_AXES, Sweep, load_sweep
from simcim.sweep.store import Store, StoreError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep", help="run a design-space sweep (local processes or a Dask cluster) into a results file",
        description="Expand a sweep YAML into points, simulate (and optionally train) each one on a local "
                    "process pool or a Dask cluster, and commit each finished point to an SQLite file. "
                    "Rerunning resumes: finished points are skipped. See docs/sweeps.md.")
    p.add_argument("sweep", help="sweep YAML (see sweeps/*.yaml)")
    p.add_argument("--out", metavar="DB", help="results file (default: ./<sweep name>.db)")
    p.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: the CPU count)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help=f"run on this Dask scheduler, e.g. tcp://host:8786 (default: ${DASK_ENV} if set "
                        "and --workers is not given)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="a fixed override for every point, e.g. workload.batch_size=4 (repeatable; part "
                        "of each point's identity)")
    p.add_argument("--retry-errors", action="store_true", help="run the points that failed last time again")
    p.add_argument("--dry-run", action="store_true", help="list the points and what is done; run nothing")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(func=sweep_command)


def _with_cli_overrides(sweep: Sweep, items: list[str]) -> Sweep:
    arch, work = parse_overrides(items)
    fixed = dict(sweep.fixed)
    for prefix, overrides in (("arch.", arch), ("workload.", work)):
        for key, value in overrides.items():
            name = prefix + key
            if name in sweep.axes or name in FILE_AXES:
                raise UserError(f"--set {name}: that key is an axis of the sweep")
            fixed[name] = value
    return sweep.model_copy(update={"fixed": fixed})


def default_out(sweep: Sweep) -> Path:
    """``./<sweep name>.db``: the current folder, not the sweep's (bundled sweeps may be read-only)."""
    return Path(f"{sweep.name}.db")


def _dask_address(args: argparse.Namespace) -> str | None:
    """--dask, else $DASK_SCHEDULER_ADDRESS unless --workers asks for a local run."""
    if args.dask:
        return str(args.dask)
    if args.workers is not None:
        return None
    return os.environ.get(DASK_ENV) or None


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) arrived during a sweep; raised in the main thread like Ctrl-C, so the pool
    stops its workers on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP unwind it as :class:`Terminated` (the default
    action would end the process at once and leave the worker processes behind)."""
    def handler(signum: int, frame: object) -> None:
        raise Terminated(signum)

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


def sweep_command(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    if args.workers is not None and args.dask:
        raise UserError("--workers is for local runs; a Dask cluster brings its own workers")
    sweep = load_sweep(resolve_sweep(args.sweep))  # a path or a bundled name (simcim list)
    if args.overrides:
        sweep = _with_cli_overrides(sweep, args.overrides)
    points = expand(sweep)
    check_specs(sweep, points)
    out = Path(args.out) if args.out else default_out(sweep)
    console = Console(stderr=True, quiet=args.quiet, soft_wrap=True)  # paths stay on one line
    try:
        if args.dry_run:
            return _dry_run(points, out, args.retry_errors)
        with terminate_as_interrupt(), Store(out) as store, \
                open_pool(args.workers, _dask_address(args), sweep.train is not None) as pool:
            console.print(f"sweep {sweep.name}: {len(points)} points on {pool.description} -> {out}")
            t0 = time.perf_counter()
            summary = run_sweep(sweep, points, store, pool, retry_errors=args.retry_errors,
                                progress=False if args.quiet else None, checkpoints=checkpoint_dir(out))
            wall_s = time.perf_counter() - t0
    except Terminated as exc:  # the pool has stopped its workers on the way out
        print(f"simcim: terminated ({exc.name}); {_points_done(out)} of {len(points)} points are in {out}; "
              f"run the same command again to resume", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        raise UserError(f"interrupted; {_points_done(out)} of {len(points)} points are in {out}; "
                        f"run the same command again to resume") from None
    except (StoreError, ExecutorError) as exc:
        raise UserError(str(exc)) from None
    ran = summary.ok + summary.errors
    rate = f", {ran / wall_s:.3g} points/s" if ran and wall_s > 0 else ""
    console.print(f"{summary.counts()} ({wall_s:.1f} s{rate}) -> {out}")
    for sample in summary.error_samples:
        console.print(f"  failed: {sample}", markup=False, highlight=False)
    if summary.lost:
        console.print(f"{summary.lost} points did not run ({summary.lost_reason}); run again to retry them",
                      markup=False)
        return 1
    console.print(f"see: simcim results {out}", markup=False, highlight=False)
    return 0


def _points_done(out: Path) -> int | str:
    try:
        with Store(out, readonly=True) as store:
            return len(store.finished())
    except StoreError:
        return "none"


def _dry_run(points: list[Point], out: Path, retry_errors: bool) -> int:
    """List the points and which are done, without creating the results file."""
    stale: set[str] = set()
    if out.exists():
        with Store(out, readonly=True) as store:
            done = store.finished(include_errors=not retry_errors)
            stale = store.stale_simulation(model_version.SIMULATION)
    else:
        done = {}
    console = Console()
    for p in points:
        # stale: simulated with an older cost model (a training point keeps its training)
        state = "todo" if p.key not in done else "stale" if p.key in stale else "done"
        console.print(f"{p.index:4d} {state:5}  {p.label()}", markup=False, highlight=False)
    todo = sum(1 for p in points if p.key not in done or p.key in stale)
    console.print(f"{len(points)} points, {len(points) - todo} done, {todo} to run -> {out}", markup=False)
    return 0
