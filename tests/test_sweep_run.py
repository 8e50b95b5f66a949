"""Running sweeps locally: results match a direct simulation, errors are recorded, reruns resume,
and a sweep killed with SIGKILL half-way loses and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers_golden import golden
from helpers_sweep import ARCH, TRAIN_SWEEP, WORKLOADS

from simcim.cli import main
from simcim.sweep.evaluate import SLEEP_ENV, evaluate_point
from simcim.sweep.points import PointTask, SpecSource, expand
from simcim.sweep.spec import load_sweep

# Two depths x two rules x a chip that fits and one that does not (1 tile): 8 points, 4 fail.
SWEEP = f"""
name: small
architecture: {ARCH}
workload: {WORKLOADS}/mlp{{depth}}-bp.yaml
axes:
  depth: [2, 3]
  workload.rule: [bp, dfa]
  arch.chip.tiles: [auto, 1]
seed: 3
"""


def write_sweep(tmp_path: Path, text: str = SWEEP, name: str = "small.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def db_rows(db: Path) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM points ORDER BY idx")]
    finally:
        con.close()


def test_sweep_records_metrics_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sweep_path = write_sweep(tmp_path)
    db = tmp_path / "out.db"
    assert main(["sweep", str(sweep_path), "--out", str(db), "--workers", "2"]) == 0
    rows = db_rows(db)
    assert len(rows) == 8
    ok = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] == "error"]
    assert len(ok) == 4 and len(failed) == 4
    assert all(r["arch.chip.tiles"] == 1 for r in failed)
    assert all("chip.tiles" in r["error"] and "the chip has 1" in r["error"] for r in failed)
    assert all(r["latency_s"] is None for r in failed)
    assert "4 ok, 4 failed" in capsys.readouterr().err

    # Each ok row holds the numbers recorded for the same bundled chip x workload (the golden file).
    for row in ok:
        expected = golden("neurosim-fefet-22nm", f"mlp{row['depth']}-{row['workload.rule']}")
        metrics = json.loads(row["metrics_json"])
        for name, value in (("latency_s", expected["epoch"]["latency_s"]), ("energy_j", expected["epoch"]["energy_j"]),
                            ("iteration_latency_s", expected["iteration"]["latency_s"]),
                            ("area_mm2", expected["area_mm2"]), ("tiles_used", expected["tiles_used"])):
            assert metrics[name] == pytest.approx(value, rel=1e-9) and row[name] == metrics[name], name
        assert metrics["dram_energy_j"] == pytest.approx(expected["energy_j_by_component"]["dram"] * 250, rel=1e-9)
        assert json.loads(row["params_json"]) == {"depth": row["depth"], "workload.rule": row["workload.rule"],
                                                  "arch.chip.tiles": "auto"}
        assert row["wall_s"] > 0 and row["host"]
    # DFA is faster per iteration than BP at depth 3 (its error does not walk back layer by layer).
    lat = {(r["depth"], r["workload.rule"]): r["iteration_latency_s"] for r in ok}
    assert lat[(3, "dfa")] < lat[(3, "bp")]


def test_rerun_skips_finished_points_and_retries_errors_on_request(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    sweep_path = write_sweep(tmp_path)
    db = tmp_path / "out.db"
    assert main(["sweep", str(sweep_path), "--out", str(db), "--workers", "1", "--quiet"]) == 0
    before = {r["key"]: r["finished_at"] + r["metrics_json"] for r in db_rows(db)}
    time.sleep(1.1)  # finished_at has whole seconds: a rerun point would show a new time
    assert main(["sweep", str(sweep_path), "--out", str(db), "--workers", "1"]) == 0
    assert "0 ok, 0 failed, 8 already done" in capsys.readouterr().err
    assert {r["key"]: r["finished_at"] + r["metrics_json"] for r in db_rows(db)} == before

    assert main(["sweep", str(sweep_path), "--out", str(db), "--workers", "1", "--retry-errors"]) == 0
    assert "0 ok, 4 failed, 4 already done" in capsys.readouterr().err
    assert len(db_rows(db)) == 8

    # Widening an axis runs only the new points.
    wider = SWEEP.replace("depth: [2, 3]", "depth: [2, 3, 4]")
    assert main(["sweep", str(write_sweep(tmp_path, wider)), "--out", str(db), "--workers", "1"]) == 0
    assert "2 ok, 2 failed, 8 already done" in capsys.readouterr().err
    assert [r["idx"] for r in db_rows(db)] == list(range(12))


def test_store_refuses_another_sweeps_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "out.db"
    assert main(["sweep", str(write_sweep(tmp_path)), "--out", str(db), "--workers", "1", "--quiet"]) == 0
    other = write_sweep(tmp_path, SWEEP.replace("name: small", "name: other"), "other.yaml")
    assert main(["sweep", str(other), "--out", str(db), "--workers", "1"]) == 2
    assert "holds the results of sweep 'small'" in capsys.readouterr().err


def test_cli_set_is_part_of_the_point_identity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sweep_path = write_sweep(tmp_path, SWEEP.replace("  arch.chip.tiles: [auto, 1]\n", ""))
    db = tmp_path / "out.db"
    assert main(["sweep", str(sweep_path), "--out", str(db), "--workers", "1", "--quiet"]) == 0
    assert main(["sweep", str(sweep_path), "--out", str(db), "--workers", "1",
                 "--set", "workload.iterations_per_epoch=10"]) == 0
    assert "4 ok, 0 failed, 0 already done" in capsys.readouterr().err
    assert len(db_rows(db)) == 8
    assert main(["sweep", str(sweep_path), "--out", str(db), "--set", "workload.rule=bp"]) == 2
    assert "an axis of the sweep" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--workers", "0"], "--workers must be at least 1"),
    (["--workers", "2", "--dask", "tcp://127.0.0.1:1"], "a Dask cluster brings its own workers"),
    (["--set", "depth=3"], "must start with 'arch.' or 'workload.'"),
])
def test_bad_options_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                  message: str) -> None:
    assert main(["sweep", str(write_sweep(tmp_path)), "--out", str(tmp_path / "x.db"), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_dask_missing_says_how_to_install(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert main(["sweep", str(write_sweep(tmp_path)), "--out", str(tmp_path / "x.db"),
                 "--dask", "tcp://127.0.0.1:8786"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'simcim[dask]'" in err and err.count("\n") == 1


def test_dry_run_lists_points_without_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", str(write_sweep(tmp_path)), "--out", str(tmp_path / "x.db"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "8 points, 0 done, 8 to run" in out and "depth=3, workload.rule=dfa, arch.chip.tiles=1" in out
    assert not (tmp_path / "x.db").exists()


def test_point_without_shared_filesystem_loads_the_text_it_carries() -> None:
    """A Dask worker on another machine does not see the user's files: the point carries their text."""
    arch = SpecSource("/nowhere/chip.yaml", ARCH.read_text())
    work = SpecSource("/nowhere/net.yaml", (WORKLOADS / "mlp2-bp.yaml").read_text())
    outcome = evaluate_point(PointTask(arch, work, {}, {}, 0))
    assert outcome.status == "ok", outcome.error
    expected = golden("neurosim-fefet-22nm", "mlp2-bp")
    assert outcome.metrics["latency_s"] == pytest.approx(expected["epoch"]["latency_s"], rel=1e-9)
    assert outcome.metrics["energy_j"] == pytest.approx(expected["epoch"]["energy_j"], rel=1e-9)
    # Errors, also those the simulator finds after loading, name the user's file, not a copy.
    bad = evaluate_point(PointTask(arch, work, {"chip.tiles": 1}, {}, 0))
    assert bad.status == "error" and bad.error.startswith("/nowhere/chip.yaml:")
    typo = evaluate_point(PointTask(arch, work, {"chip.tilez": 1}, {}, 0))
    assert typo.status == "error" and typo.error.startswith("/nowhere/chip.yaml:") and "unknown key" in typo.error


def test_sigkill_half_way_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    sweep_path = write_sweep(tmp_path, SWEEP.replace("  arch.chip.tiles: [auto, 1]\n", "")
                             .replace("depth: [2, 3]", "depth: [2, 3, 4]"))
    points = expand(load_sweep(sweep_path))
    db = tmp_path / "out.db"
    cmd = [sys.executable, "-m", "simcim.cli", "sweep", str(sweep_path), "--out", str(db), "--workers", "1"]
    # The test-only knob slows every point down so that the kill lands half-way.
    env = {**os.environ, SLEEP_ENV: "0.5"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        seen = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    seen = len(db_rows(db))
                except sqlite3.OperationalError:  # the table is still being created
                    seen = 0
                if seen >= 2:
                    break
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        assert 2 <= seen < len(points)
        proc.send_signal(signal.SIGKILL)  # the sweep process, as a crash would
        proc.wait(timeout=10)
    finally:
        try:  # and its worker processes, which a real crash could leave behind
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    survived = {r["key"]: r["finished_at"] for r in db_rows(db)}
    assert seen <= len(survived) < len(points)  # every point seen committed is still there

    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{len(survived)} already done" in done.stderr
    rows = db_rows(db)
    keys = [r["key"] for r in rows]
    assert len(rows) == len(points) and len(set(keys)) == len(keys)
    assert set(keys) == {p.key for p in points}
    assert all(r["status"] == "ok" for r in rows)
    assert {k: v for k, v in ((r["key"], r["finished_at"]) for r in rows) if k in survived} == survived



def test_training_sweep_records_accuracy(tmp_path: Path) -> None:
    sweep_path = write_sweep(tmp_path, TRAIN_SWEEP, "trained.yaml")
    db = tmp_path / "t.db"
    assert main(["sweep", str(sweep_path), "--out", str(db), "--workers", "2", "--quiet"]) == 0
    rows = db_rows(db)
    assert [r["status"] for r in rows] == ["ok", "ok"], [r["error"] for r in rows]
    assert all(0.0 <= r["accuracy"] <= 1.0 and r["train_pulses_per_cell"] > 0 for r in rows)
    assert rows[0]["latency_s"] > 0  # simulated as well
    # (tests/test_sweep_dask.py checks that the numbers do not depend on where a point runs)


def test_a_new_cost_model_resimulates_points_and_keeps_their_training(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """After a bump of model_version.SIMULATION, a rerun simulates every point again (the keys stay:
    a training point is the same point) and a training point keeps its recorded training metrics
    without training again; its simulated metrics are the new model's. A failed re-simulation keeps
    the row as it was."""
    from concurrent.futures import ThreadPoolExecutor

    from simcim import model_version
    from simcim.sweep import accuracy
    from simcim.sweep.executors import Pool
    from simcim.sweep.runner import run_sweep, split_pending
    from simcim.sweep.store import Store

    sweep = load_sweep(write_sweep(tmp_path, TRAIN_SWEEP, "trained.yaml"))
    sim_sweep = load_sweep(write_sweep(tmp_path, SWEEP.replace("arch.chip.tiles: [auto, 1]", "arch.chip.tiles: [auto]")))
    db, sim_db = tmp_path / "t.db", tmp_path / "s.db"

    def run(s, path: Path):  # in this process (threads), so the monkeypatches reach the point function
        with Store(path) as store, ThreadPoolExecutor(1) as ex:
            summary = run_sweep(s, expand(s), store, Pool(ex, 1, "1 thread"), progress=False)
            return summary, {r.key: r for r in store.rows()}

    _, before = run(sweep, db)
    _, sim_before = run(sim_sweep, sim_db)
    assert {r.status for r in before.values()} == {"ok"} and len(before) == 2
    trained = {k: {m: r.metrics[m] for m in ("accuracy", "accuracy_last3", "train_pulses_per_cell")}
               for k, r in before.items()}

    # The new model: every simulated metric comes out doubled; training must not run.
    from simcim.sweep import evaluate

    real = evaluate.simulation_metrics
    monkeypatch.setattr(evaluate, "simulation_metrics", lambda result: {k: 2 * v for k, v in real(result).items()})
    monkeypatch.setattr(accuracy, "train_accuracy", lambda *a: pytest.fail("trained again"))
    monkeypatch.setattr(model_version, "SIMULATION", model_version.SIMULATION + 1)
    with Store(db) as store:
        todo, again = split_pending(expand(sweep), store, retry_errors=False)
        assert todo == [] and [p.key for p in again] == list(before)  # nothing to train, both to simulate

    summary, after = run(sweep, db)
    assert summary.resimulated == 2 and summary.ok == 2 and summary.skipped == 0
    assert after.keys() == before.keys()
    for key, row in after.items():
        assert {m: row.metrics[m] for m in trained[key]} == trained[key]  # the training, bit for bit
        assert row.metrics["latency_s"] == 2 * before[key].metrics["latency_s"]
        assert row.wall_s == before[key].wall_s  # the training's time, not the re-simulation's
    assert {r["simulation_model"] for r in db_rows(db)} == {model_version.SIMULATION}

    summary, sim_after = run(sim_sweep, sim_db)  # simulation points simply run again
    assert summary.ok == len(sim_before) and summary.resimulated == 0
    assert all(sim_after[k].metrics["energy_j"] == 2 * r.metrics["energy_j"] for k, r in sim_before.items())

    summary, again = run(sweep, db)  # up to date: nothing runs
    assert summary.skipped == 2 and summary.ok == 0

    # A model that cannot simulate the point: the error is reported, the row stays.
    monkeypatch.setattr(model_version, "SIMULATION", model_version.SIMULATION + 1)
    monkeypatch.setattr(evaluate, "simulation_metrics", lambda result: 1 / 0)
    summary, kept = run(sweep, db)
    assert summary.errors == 2 and "re-simulating" in summary.error_samples[0]
    assert {k: r.metrics for k, r in kept.items()} == {k: r.metrics for k, r in again.items()}


def test_a_store_from_before_the_model_column_holds_model_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Stores written before the simulation_model column existed (the full study's) count as cost
    model 1: up to date while it is 1, every 'ok' point stale after a bump; the next record adds it."""
    from simcim import model_version
    from simcim.sweep.store import Store

    db = tmp_path / "s.db"
    assert main(["sweep", str(write_sweep(tmp_path)), "--out", str(db), "--workers", "1", "--quiet"]) == 0
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE points DROP COLUMN simulation_model")
    con.commit()
    con.close()
    ok = {r["key"] for r in db_rows(db) if r["status"] == "ok"}
    assert len(ok) == 4 and "simulation_model" not in db_rows(db)[0]
    with Store(db, readonly=True) as store:
        assert store.stale_simulation(1) == set() and store.stale_simulation(2) == ok
    assert model_version.SIMULATION > 1  # so this simcim's model is newer than the file's
    capsys.readouterr()
    assert main(["results", str(db)]) == 0
    assert f"4 points of {db} were simulated with an older cost model" in capsys.readouterr().err
    assert main(["sweep", str(write_sweep(tmp_path)), "--out", str(db), "--dry-run"]) == 0
    states = [line.split()[1] for line in capsys.readouterr().out.splitlines()[:-1]]
    assert states.count("stale") == 4 and states.count("done") == 4  # the failed ones stay done
    before = {r["key"]: r["finished_at"] for r in db_rows(db)}
    time.sleep(1.1)  # finished_at has whole seconds
    assert main(["sweep", str(write_sweep(tmp_path)), "--out", str(db), "--workers", "1", "--quiet"]) == 0
    rows = db_rows(db)
    # The stale points ran again (the failed ones did not: no --retry-errors), and say their model.
    assert {r["key"] for r in rows if r["finished_at"] != before[r["key"]]} == ok
    assert {r["simulation_model"] for r in rows if r["key"] in ok} == {model_version.SIMULATION}
