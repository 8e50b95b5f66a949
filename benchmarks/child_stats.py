"""Run `simcim ARGS` in a child process and read back its CPU time and peak memory (shared by the
benchmark scripts here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHILD = ("import resource, sys\n"
         "from simcim.cli import main\n"
         "rc = main(sys.argv[1:])\n"
         "u = resource.getrusage(resource.RUSAGE_SELF)\n"
         "print('STATS', u.ru_utime + u.ru_stime, u.ru_maxrss, file=sys.stderr)\n"
         "sys.exit(rc)\n")


def run_cli(args: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and peak resident memory (MB) of one `simcim ARGS`."""
    p = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, check=True)
    _, cpu, rss_kb = next(ln for ln in p.stderr.splitlines() if ln.startswith("STATS")).split()
    return float(cpu), float(rss_kb) / 1024


def instructions_cli(args: list[str]) -> int:
    """Instructions executed by one `simcim ARGS` (valgrind's callgrind tool: ~50x slower, but the
    same count run after run, where CPU seconds on a shared 2-core machine spread by +-20 %)."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt install valgrind)")
    env = dict(os.environ, PYTHONHASHSEED="0")  # the same dict layouts every run
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", CHILD,
                        *args], capture_output=True, text=True, check=True, env=env)
    line = next(ln for ln in p.stderr.splitlines() if "refs:" in ln)  # "==PID== I   refs:      6,705,740,582"
    return int(line.split("refs:")[1].strip().replace(",", ""))
