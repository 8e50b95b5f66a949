"""A sweep on a real Dask cluster (scheduler + two workers on 127.0.0.1) gives the local run's rows."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("distributed")

from simcim.cli import main  # noqa: E402
from simcim.paths import ROOT  # noqa: E402

from helpers_sweep import ARCH, TINY_STUDY, TRAIN_SWEEP, WORKLOADS  # noqa: E402

SWEEP = f"""
name: dask-check
architecture: {ARCH}
workload: {WORKLOADS}/mlp{{depth}}-bp.yaml
axes:
  depth: [2, 3, 4]
  workload.rule: [bp, dfa]
  arch.chip.tiles: [auto, 2]
set:
  workload.batch_size: 4
seed: 5
"""
# Columns that say where and when a point ran, not what it computed.
RUN_COLUMNS = {"wall_s", "host", "finished_at", "traceback"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dask_cli() -> list[str]:
    """The `dask` command of this interpreter's environment."""
    exe = Path(sys.executable).with_name("dask")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "dask"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [subprocess.Popen([*dask_cli(), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([*dask_cli(), "worker", address, "--nthreads", "1", "--no-dashboard"],
                                          env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info()["workers"]) == 2
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def rows(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return {r["key"]: {k: r[k] for k in r.keys() if k not in RUN_COLUMNS} for r in con.execute("SELECT * FROM points")}
    finally:
        con.close()


def test_dask_cluster_gives_the_local_rows(cluster: str, tmp_path: Path) -> None:
    from distributed import Client

    sweep = tmp_path / "d.yaml"
    sweep.write_text(SWEEP)
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    assert main(["sweep", str(sweep), "--out", str(local_db), "--workers", "2", "--quiet"]) == 0
    assert main(["sweep", str(sweep), "--out", str(dask_db), "--dask", cluster, "--quiet"]) == 0

    local, remote = rows(local_db), rows(dask_db)
    assert len(local) == 12
    assert local == remote  # same keys, parameters, status, errors and every metric, exactly
    assert sum(r["status"] == "error" for r in local.values()) > 0  # 2 tiles do not hold the deeper nets
    assert all(r["latency_s"] > 0 for r in local.values() if r["status"] == "ok")

    # The points really ran on the cluster.
    with Client(cluster, timeout=30) as client:
        prefixes = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert "evaluate_point" in prefixes


def test_dask_rerun_resumes_from_the_local_file(cluster: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """One results file, any executor: points finished locally are not run again on the cluster."""
    sweep = tmp_path / "d.yaml"
    sweep.write_text(SWEEP.replace("depth: [2, 3, 4]", "depth: [2, 3]"))
    db = tmp_path / "one.db"
    assert main(["sweep", str(sweep), "--out", str(db), "--workers", "1", "--quiet"]) == 0
    sweep.write_text(SWEEP)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster)  # the environment variable works like --dask
    assert main(["sweep", str(sweep), "--out", str(db)]) == 0
    err = capsys.readouterr().err
    assert "on Dask tcp://127.0.0.1" in err and "8 already done" in err
    assert len(rows(db)) == 12


def test_dask_training_gives_the_local_accuracy(cluster: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    sweep = tmp_path / "t.yaml"
    sweep.write_text(TRAIN_SWEEP + "seed: 1\n")
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    assert main(["sweep", str(sweep), "--out", str(local_db), "--workers", "2"]) == 0, capsys.readouterr().err
    assert main(["sweep", str(sweep), "--out", str(dask_db), "--dask", cluster]) == 0, capsys.readouterr().err
    local, remote = rows(local_db), rows(dask_db)
    assert all(r["status"] == "ok" and r["accuracy"] is not None for r in local.values()), local
    assert local == remote


def test_study_on_dask_gives_the_local_rows(cluster: str, tmp_path: Path) -> None:
    """`simcim study --dask` runs the same points as a local study, with the same numbers."""
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_STUDY)
    rows = {}
    for where, how in (("local", ["--workers", "2"]), ("dask", ["--dask", cluster])):
        assert main(["study", "--spec", str(spec), "--no-train", *how, "--out", str(tmp_path / where), "--quiet"]) == 0
        with sqlite3.connect(tmp_path / where / "results.db") as con:
            rows[where] = dict(con.execute("SELECT key, metrics_json FROM points WHERE status = 'ok'").fetchall())
    assert len(rows["local"]) == 16 and rows["local"] == rows["dask"]
