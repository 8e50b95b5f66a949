"""Keep freed memory in a training process instead of handing it back to the OS after every step.

A training step allocates and frees tensors of a layer's size (4 MiB for a 1024 x 1024 float32
matrix, 6.5 MiB for its ADC partial sums at batch 200) dozens of times. glibc's malloc serves a
block above its mmap threshold with a fresh mmap and returns it on free, and trims the heap's top
once more than its trim threshold lies free there (GNU C Library manual, "Malloc Tunable
Parameters"; the thresholds start at 128 KiB and adapt). Every such block then comes back as new
pages, and the kernel faults each 4 KiB page in on first touch: ~1,000 faults per layer-sized
tensor. Measured (mlp3 DFA batch 200, one thread, 2-core AMD EPYC): the hardware-aware step
66 -> 55 ms, the float step 28.8 -> 26.3 ms, with bit-identical results.

So a trainer raises both thresholds once per process. The cost: up to TRIM_THRESHOLD_BYTES of
freed heap stays with the process between steps -- at most its peak use, which it needs again at
the next step -- and blocks below 32 MiB share the heap, so it fragments a little: `simcim train
mlp5-dfa --epochs 2` peaked at 619 MB against 580 MB (and took 7.6 s against 8.0 s). Blocks above
32 MiB (VGG-8's im2col and ADC partial sums at batch 200, ~1 GB each) still come by mmap (glibc's
ceiling for the threshold). For those the trainer turns on PyTorch's transparent-huge-page
allocation (THP_ENV below): one fault per 2 MiB instead of per 4 KiB. `simcim train vgg8-cifar10-bp
--dataset synthetic` over 4 iterations: 181 s -> 119 s wall, of it system time 101 s -> 40 s, peak
memory the same (11.0 GB); mlp3's step is unchanged by it. Elsewhere (macOS, Windows, musl's stub)
nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

# mallopt parameter numbers (glibc <malloc.h>).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

# glibc caps the mmap threshold at 4 MiB x sizeof(long) = 32 MiB on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX,
# manual: "M_MMAP_THRESHOLD"); blocks larger than that (a VGG layer's im2col) still come by mmap.
MMAP_THRESHOLD_BYTES = 32 << 20
TRIM_THRESHOLD_BYTES = 512 << 20

# PyTorch's own switch (pytorch/pytorch#115990, torch >= 2.2): tensors of 2 MiB or more are aligned to
# 2 MiB and marked for transparent huge pages (madvise), so the kernel faults in one 2 MiB page where it
# faulted 512 small ones. Read by torch at its first allocation of that size, so set before it.
THP_ENV = "THP_MEM_ALLOC_ENABLE"

_done = False


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process (once), and ask torch for huge pages
    unless the user said otherwise; True if the thresholds were set."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    os.environ.setdefault(THP_ENV, "1")  # a user's THP_MEM_ALLOC_ENABLE=0 stands
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success; musl defines it as a stub returning 0.
    _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD,
                                                                                    TRIM_THRESHOLD_BYTES))
    return _done
