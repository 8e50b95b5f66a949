"""The --quick study's wall time, run by hand: `python benchmarks/study_quick.py [--workers 2]`.

Issue 14's target: `simcim study --quick` finishes in at most 10 minutes on 2 cores. Runs the
command once into a fresh temporary folder, samples the load average every 5 s (other work on the
machine lengthens the run; the figure is only clean when the load stays near the worker count),
and writes the wall time, the points' summed worker time and the load to
benchmarks/results/study_quick.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 600.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    loads: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(5.0):
            loads.append(os.getloadavg()[0])

    threading.Thread(target=sample, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "simcim.cli", "study", "--quick", "--workers", str(args.workers),
               "--out", str(Path(tmp) / "q"), "--quiet"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env={**os.environ, "OMP_NUM_THREADS": "1"}, cwd=ROOT)
        wall_s = time.perf_counter() - t0
        done.set()
        with sqlite3.connect(Path(tmp) / "q" / "results.db") as con:
            points, worker_s = con.execute("SELECT count(*), sum(wall_s) FROM points").fetchone()
    out = {"command": "simcim study --quick --workers %d" % args.workers, "returncode": proc.returncode,
           "wall_s": round(wall_s, 1), "target_s": TARGET_S, "points": points,
           "points_worker_s": round(worker_s, 1), "cpus": os.cpu_count(),
           "load_avg_1min": {"min": min(loads, default=None), "max": max(loads, default=None),
                             "mean": round(sum(loads) / len(loads), 2) if loads else None}}
    path = ROOT / "benchmarks" / "results" / "study_quick.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return 0 if proc.returncode == 0 and wall_s <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
