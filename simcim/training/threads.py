"""How many CPU threads torch gets when the user does not say.

torch's own default is one thread per physical core. For the small networks trained here a step
is a few small matrix products, so extra threads add little, and on a machine whose cores are
shared (another job, a sweep's other workers) they spin against each other: a hardware-aware step
of mlp3 took ~1.4 s with torch's default on a busy 2-core machine and ~0.09 s with one thread.
So: one thread on machines of up to 3 usable cores, else half of them (at most 8).
"""

from __future__ import annotations

import os

MAX_DEFAULT_THREADS = 8


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def default_threads(cores: int | None = None) -> int:
    cores = usable_cores() if cores is None else cores
    return 1 if cores <= 3 else min(MAX_DEFAULT_THREADS, cores // 2)
