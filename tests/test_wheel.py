"""simcim as a wheel (issue 12): the bundled chips, workloads, sweeps and studies are package data equal to the
top-level folders, and names resolve from the installed package, away from the checkout.
(.ci/run also installs the wheel into a fresh venv and runs `simcim run` there.)"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers_spine import ROOT
from simcim.paths import FOLDERS


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "-w", str(out), str(ROOT)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(f"pip wheel failed: {proc.stderr[-2000:]}")
    (path,) = out.glob("simcim-*.whl")
    return path


def test_wheel_carries_the_top_level_folders_byte_for_byte(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        shipped = {name: z.read(name) for name in z.namelist() if name.startswith("simcim/bundled/")}
    expected = {f"simcim/bundled/{folder}/{p.name}": p.read_bytes()
                for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.yaml"))}
    assert len(expected) >= 26  # 5 chips, 16 workloads, 4 sweeps, 1 study
    assert shipped == expected


def test_installed_package_resolves_names_away_from_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:  # what pip does with a pure-Python wheel
        z.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The installed copy first on the path; the dependencies from this environment.
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "120"}
    where = subprocess.run([sys.executable, "-c", "import simcim.paths as p; print(p.__file__); print(p.ROOT)"],
                           capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60)
    assert where.returncode == 0, where.stderr
    module, root = where.stdout.split()
    assert module.startswith(str(site)) and root == str(site / "simcim" / "bundled")
    run = subprocess.run([sys.executable, "-m", "simcim.cli", "run", "neurosim-fefet-22nm", "mlp5-dfa",
                          "--set", "workload.batch_size=2", "--json", "r.json", "--quiet"],
                         capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert '"workload": "mlp5-dfa"' in (elsewhere / "r.json").read_text()
    listing = subprocess.run([sys.executable, "-m", "simcim.cli", "list"], capture_output=True, text=True,
                             cwd=elsewhere, env=env, timeout=60)
    assert listing.returncode == 0 and "neurosim-fefet-22nm" in listing.stdout and "adc-bits" in listing.stdout
    dry = subprocess.run([sys.executable, "-m", "simcim.cli", "sweep", "adc-bits", "--dry-run"], capture_output=True,
                         text=True, cwd=elsewhere, env=env, timeout=60)
    assert dry.returncode == 0 and "12 points" in dry.stdout + dry.stderr, dry.stderr
    study = subprocess.run([sys.executable, "-m", "simcim.cli", "study", "--quick", "--dry-run", "--out", "s"],
                           capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120)
    assert study.returncode == 0 and "study wolters2023-quick: 216 points, 0 done" in study.stdout, study.stderr
    assert not (elsewhere / "s").exists()


def test_list_names_every_bundled_file(capsys) -> None:
    from simcim.cli import main

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for folder in FOLDERS:
        for path in (ROOT / folder).glob("*.yaml"):
            line = next(ln for ln in out.splitlines() if ln.split()[:1] == [path.stem])
            assert len(line.split(None, 1)[1]) > 10  # a description, not just the name
