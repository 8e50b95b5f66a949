"""`simcim run` imports only what it uses: no torch, matplotlib, dask or pandas. (networkx is imported:
the chip is a networkx graph by design; the task graph is plain lists, so no networkx object per task.)"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "matplotlib", "dask", "distributed", "pandas")


def test_run_imports_no_heavy_package(tmp_path) -> None:
    code = ("import json, sys\n"
            "from simcim.cli import main\n"
            f"rc = main(['run', '--quiet', '--json', {str(tmp_path / 'r.json')!r}])\n"
            f"print(json.dumps([rc, sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    rc, heavy = json.loads(out.strip().splitlines()[-1])
    assert rc == 0 and heavy == []
    assert json.loads((tmp_path / "r.json").read_text())["simulation"]["tasks"] > 0
