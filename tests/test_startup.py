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


def test_console_command_pauses_the_collector_only_while_starting(tmp_path) -> None:
    # The `simcim` script (pyproject: simcim.launch:main) starts with the cyclic collector off and
    # resumes it, with the startup objects frozen, before the command runs.
    import tomllib
    from pathlib import Path

    scripts = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["simcim"] == "simcim.launch:main"
    code = ("import gc, json, sys\n"
            "import simcim.cli\n"
            "seen = []\n"
            "real = simcim.cli.build_parser\n"
            "def spy(*a, **k):\n"
            "    seen.append(gc.isenabled())\n"
            "    return real(*a, **k)\n"
            "simcim.cli.build_parser = spy\n"
            "sys.argv = ['simcim', 'list']\n"
            "from simcim.launch import main\n"
            "rc = main()\n"
            "print(json.dumps([rc, seen, gc.isenabled(), gc.get_freeze_count() > 0]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    rc, seen, enabled_after, frozen = json.loads(out.strip().splitlines()[-1])
    assert rc == 0 and seen == [False] and enabled_after and frozen
