"""The training process keeps its freed memory (simcim.training.allocator)."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter (no earlier test has set the thresholds there), in ``env``
    (default: this one's); its stdout."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_thresholds_are_raised_once_and_a_trainer_raises_them() -> None:
    _python(
        "from simcim.training import allocator\n"
        "assert not allocator._done\n"
        "from simcim.spec import load_architecture, load_workload\n"
        "from simcim.training.settings import Nonidealities\n"
        "from simcim.training.trainer import TrainOptions, Trainer\n"
        "Trainer(load_workload('workloads/mlp3-dfa.yaml'), load_architecture('architectures/neurosim-fefet-22nm.yaml'),"
        " TrainOptions('dfa', 'digits', 1, 0, Nonidealities()))\n"
        "assert allocator._done\n"
        # Once: a second call (another trainer in the process) does not reach libc again.
        "import ctypes\n"
        "ctypes.CDLL = None\n"
        "assert allocator.keep_freed_memory()\n")


def test_a_freed_layer_sized_block_is_not_returned_to_the_os() -> None:
    code = (
        "import ctypes, ctypes.util, sys\n"
        "from simcim.training import allocator\n"
        "libc = ctypes.CDLL(ctypes.util.find_library('c'))\n"
        "libc.malloc.restype = ctypes.c_void_p; libc.malloc.argtypes = (ctypes.c_size_t,)\n"
        "libc.free.argtypes = (ctypes.c_void_p,)\n"
        "if sys.argv[1] == 'keep': assert allocator.keep_freed_memory()\n"
        "a = libc.malloc(8 << 20); libc.free(a)\n"
        "b = libc.malloc(8 << 20)\n"
        "print(int(a == b))\n"  # glibc reuses the freed heap block; a fresh mmap lands elsewhere
    )
    # Without: glibc maps the first block afresh and unmaps it on free (the default threshold is
    # 128 KiB), then serves the second from the heap at another address.
    assert (_python(code, "default"), _python(code, "keep")) == ("0", "1")


def test_torch_gets_huge_pages_unless_the_user_said_no() -> None:
    code = ("import os\nfrom simcim.training import allocator\nallocator.keep_freed_memory()\n"
            "print(os.environ['THP_MEM_ALLOC_ENABLE'])")
    unset = {k: v for k, v in os.environ.items() if k != "THP_MEM_ALLOC_ENABLE"}
    assert _python(code, env=unset) == "1"
    assert _python(code, env={**unset, "THP_MEM_ALLOC_ENABLE": "0"}) == "0"
