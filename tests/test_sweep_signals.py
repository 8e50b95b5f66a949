"""A sweep killed mid-way leaves no process behind (issue 12): SIGTERM and SIGINT stop the workers
and say so; SIGKILL of the sweep (no chance to clean up) still ends its workers, forkserver and
resource tracker within seconds. Each sweep runs in its own session, so "left behind" is exactly
"a live process in that session"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers_sweep import ARCH, WORKLOADS
from simcim.sweep.store import Store

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or sys.platform != "linux",
                                reason="reads sessions from /proc (Linux)")

# Points of a few seconds each, so the sweep is mid-way when the signal comes.
SLOW_SWEEP = f"""
name: slow
architecture: {ARCH}
workload: {WORKLOADS}/mlp5-dfa.yaml
axes:
  workload.seed: {{start: 0, stop: 40, step: 1}}
set:
  workload.batch_size: 2000
metrics: [latency_s]
"""


def session_processes(sid: int) -> list[int]:
    """Live (not zombie) processes whose session is ``sid``."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            out.append(int(entry))
    return out


def _default_sigint() -> None:
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a background shell would hand it down ignored


def start_sweep(tmp_path: Path) -> subprocess.Popen:
    sweep = tmp_path / "slow.yaml"
    sweep.write_text(SLOW_SWEEP)
    proc = subprocess.Popen([sys.executable, "-m", "simcim.cli", "sweep", str(sweep), "--workers", "2",
                             "--out", str(tmp_path / "slow.db"), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 60
    # the sweep, the resource tracker, the forkserver and two workers
    while len(session_processes(proc.pid)) < 5:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.2)
    time.sleep(1.0)  # let the workers take their first points
    return proc


def assert_nothing_left(sid: int, within_s: float = 15.0) -> None:
    deadline = time.monotonic() + within_s
    while session_processes(sid):
        assert time.monotonic() < deadline, f"left behind: {session_processes(sid)}"
        time.sleep(0.2)


@pytest.mark.parametrize("sig, status, word", [(signal.SIGTERM, 143, "terminated (SIGTERM)"),
                                               (signal.SIGINT, 2, "interrupted")])
def test_sweep_stopped_by_signal_stops_its_workers(tmp_path: Path, sig: int, status: int, word: str) -> None:
    proc = start_sweep(tmp_path)
    t0 = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 10, "the sweep must not wait for its running points"
    assert proc.returncode == status, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "run the same command again to resume" in lines[0], err
    assert_nothing_left(proc.pid)
    with Store(tmp_path / "slow.db", readonly=True) as store:  # still a good store; a rerun resumes it
        assert all(r.status == "ok" for r in store.rows())


def test_sweep_killed_with_sigkill_leaves_no_process(tmp_path: Path) -> None:
    proc = start_sweep(tmp_path)
    proc.kill()
    proc.wait(timeout=10)
    assert_nothing_left(proc.pid)
