"""Where sweep points run: a local process pool (default) or an existing Dask cluster.

Both are ``concurrent.futures.Executor``s, so the runner does not know which one it has.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

DASK_ENV = "DASK_SCHEDULER_ADDRESS"
DASK_INSTALL_HINT = "--dask needs the Dask extra: pip install 'simcim[dask]'"


class ExecutorError(Exception):
    """An executor that cannot be started (Dask missing, scheduler unreachable)."""


@dataclass(frozen=True)
class Pool:
    executor: Executor
    workers: int  # how many points can run at once
    description: str  # for the progress line: "4 local processes", "Dask tcp://... (2 workers)"


def default_workers() -> int:
    """The CPUs this process may use (the affinity mask, not the machine's count, where known)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


SIMULATOR_MODULES = ("simcim.sweep.evaluate", "simcim.api", "simcim.simulation", "simcim.result")
TRAINING_MODULES = ("torch", "simcim.sweep.accuracy", "simcim.training.trainer")


@contextmanager
def local_pool(workers: int, training: bool = False) -> Iterator[Pool]:
    """Worker processes on this machine.

    forkserver where the platform has it: workers fork from a clean server that has already
    imported the simulator (fast starts, and no fork of a process that runs threads such as the
    progress bar's); spawn elsewhere. ``training`` preloads torch too: seconds per worker saved.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(SIMULATOR_MODULES + (TRAINING_MODULES if training else ())))
    else:
        ctx = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=watch_parent,
                                   initargs=(os.getpid(),))
    try:
        yield Pool(executor, workers, f"{workers} local process{'es' if workers != 1 else ''}")
    except BaseException:
        # Ctrl-C, SIGTERM or an error: stop the points that run now instead of waiting for them,
        # and drop the queued ones (cancel_futures), so no worker keeps the CPUs busy.
        stop_workers(executor)
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        executor.shutdown(wait=True, cancel_futures=True)


PARENT_POLL_S = 0.5


def watch_parent(parent_pid: int) -> None:
    """Worker initializer: exit when the sweep process is gone (killed with SIGKILL, say).

    Workers are the forkserver's children, not the sweep's, so the kernel's parent-death signal
    does not reach them; and each holds the task queue's write end, so reading it never sees EOF.
    A daemon thread polls the sweep's pid instead and ends the worker within PARENT_POLL_S.
    """
    def poll() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # the pid now belongs to another user's process: ours is gone
                os._exit(1)

    threading.Thread(target=poll, name="simcim-parent-watch", daemon=True).start()


def stop_workers(executor: ProcessPoolExecutor, grace_s: float = 2.0) -> None:
    """Terminate the pool's worker processes (SIGTERM, then SIGKILL after ``grace_s``)."""
    # CPython 3.11's broken-pool handler sets an exception on every pending item, including ones
    # already cancelled, and dies with InvalidStateError in its thread: drop those items first.
    pending = getattr(executor, "_pending_work_items", None)
    if isinstance(pending, dict):
        for key, item in list(pending.items()):
            if item.future.cancelled():
                pending.pop(key, None)
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + grace_s
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)


@contextmanager
def dask_pool(address: str, timeout_s: float = 30.0) -> Iterator[Pool]:
    """The workers of a running Dask cluster at ``address`` (``tcp://host:8786``)."""
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError(DASK_INSTALL_HINT) from None
    try:
        client = Client(address, timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise ExecutorError(f"the Dask scheduler at {address} has no workers")
        # pure=False: each submission is its own task, never a cached result of an earlier one.
        executor = client.get_executor(pure=False)
        yield Pool(executor, threads, f"Dask {address} ({len(client.nthreads())} workers, {threads} threads)")
    finally:
        client.close()


@contextmanager
def open_pool(workers: int | None, dask_address: str | None, training: bool = False) -> Iterator[Pool]:
    """A Dask pool if given an address, else ``workers`` local processes (default: the CPU count)."""
    if dask_address:
        with dask_pool(dask_address) as pool:
            yield pool
    else:
        with local_pool(workers or default_workers(), training) as pool:
            yield pool
