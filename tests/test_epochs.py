"""Whole epochs: iterations back to back (by hand), an epoch defined in images, and steady-state
fast-forward giving exactly what simulating every iteration gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import simcim
from simcim.cli import main
from simcim.engine.sim import simulate_dag
from simcim.result import summarize
from simcim.rules import RULES
from simcim.schedules import build_schedule
from simcim.simulation import run_simulation
from test_hand_worked import NS, HandPlanner


def test_iterations_follow_each_other_by_hand() -> None:
    """One layer, batch 1: FW 0-11, WG 11-18, WU 18-98. The next batch's FW waits for the weight
    update (98), then the same again: 98-109, 109-116, 116-196."""
    graph = build_schedule(RULES["bp"], 1, 1)
    rec = simulate_dag(graph, HandPlanner(), iterations=2)
    spans = {(t.name, t.task_id): (t.ready_ps, t.start_ps, t.end_ps) for t in rec.tasks}
    assert spans == {("L1.FW", 0): (0, 0, 11 * NS), ("L1.WG", 1): (11 * NS, 11 * NS, 18 * NS),
                     ("L1.WU", 2): (18 * NS, 18 * NS, 98 * NS), ("L1.FW", 3): (98 * NS, 98 * NS, 109 * NS),
                     ("L1.WG", 4): (109 * NS, 109 * NS, 116 * NS), ("L1.WU", 5): (116 * NS, 116 * NS, 196 * NS)}
    assert rec.makespan_ps == 196 * NS
    assert [t.image for t in rec.tasks] == [0, 0, None, 1, 1, None]
    assert rec.tasks[3].deps == (0, 1, 2)  # the last image's tasks and the layer's WU


def test_transfer_wait_counts_as_wait() -> None:
    """AG2 holds its tiles from 22 ns but its DRAM read waits until 25 ns (tests/test_hand_worked)."""
    rec = simulate_dag(build_schedule(RULES["bp"], 2, 1), HandPlanner())
    ag2 = next(t for t in rec.tasks if t.name == "L2.AG")
    assert (ag2.start_ps, ag2.end_ps, ag2.transfer_wait_ps) == (22 * NS, 36 * NS, 3 * NS)
    totals = rec.totals.phases[(2, "AG")]
    assert (totals.run_ps, totals.unit_wait_ps, totals.transfer_wait_ps) == (11 * NS, 0, 3 * NS)


def _leaves(x, path: str = ""):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, x


def _numbers(r) -> dict:
    """Every value of the result's JSON but the epoch's account of how it was run."""
    out = r.to_json()
    out.pop("epoch")
    return dict(_leaves(out))


@pytest.mark.parametrize("arch,workload,schedule", [
    ("neurosim-fefet-22nm", "mlp3-bp", "layer_by_layer"),
    ("shared-bandwidth", "mlp3-dfa", "pipelined"),  # contended buffer port, batches overlapping
    ("neurosim-v2.1", "mlp2-bp", "pipelined"),  # the interleaved DRAM pool
    ("edge-shared-bus", "mlp4-dfa", "layer_by_layer"),
])
def test_fast_forward_equals_event_by_event(arch: str, workload: str, schedule: str) -> None:
    a = simcim.load_architecture(arch)
    w = simcim.load_workload(workload, batch_size=3, schedule=schedule, epoch_images=3 * 12)
    exact = summarize(run_simulation(a, w, iterations=12, exact=True))
    fast = summarize(run_simulation(a, w, iterations=12))
    assert fast.epoch.fast_forwarded_iterations > 0 and fast.epoch.pattern_start_iteration is not None
    assert exact.epoch.fast_forwarded_iterations == 0 and exact.epoch.per_epoch == "simulated"
    assert fast.epoch.iterations_run == exact.epoch.iterations_run == 12
    f, e = _numbers(fast), _numbers(exact)
    assert f.keys() == e.keys()
    for key, value in e.items():  # integer picoseconds agree exactly; float sums to rounding
        assert f[key] == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value), key
    # Whole batches back to back never take longer than isolated iterations laid end to end.
    one = summarize(run_simulation(a, w))
    assert exact.per_epoch.latency_s <= one.per_iteration.latency_s * 12 * (1 + 1e-12)


def test_an_epoch_is_images_and_stays_so_when_the_batch_changes() -> None:
    w = simcim.load_workload("vgg8-cifar10-bp")
    assert (w.epoch_images, w.epoch_iterations, w.images_per_epoch) == (50_000, 250, 50_000)
    w50 = simcim.load_workload("vgg8-cifar10-bp", batch_size=50)
    assert (w50.epoch_iterations, w50.images_per_epoch) == (1_000, 50_000)
    w300 = simcim.load_workload("vgg8-cifar10-bp", batch_size=300)
    assert (w300.epoch_iterations, w300.images_per_epoch) == (167, 50_100)  # the last batch counted whole
    fixed = simcim.load_workload("vgg8-cifar10-bp", batch_size=50, iterations_per_epoch=10)
    assert (fixed.epoch_iterations, fixed.images_per_epoch) == (10, 500)


def test_cli_iterations_all_and_bad_values(tmp_path: Path, capsys) -> None:
    base = ["run", "neurosim-fefet-22nm", "mlp2-dfa", "--set", "workload.batch_size=2",
            "--set", "workload.epoch_images=10", "--quiet"]
    assert main([*base, "--iterations", "all", "--json", str(tmp_path / "r.json")]) == 0
    r = json.loads((tmp_path / "r.json").read_text())
    assert r["epoch"]["iterations"] == r["epoch"]["iterations_run"] == 5 and r["epoch"]["per_epoch"] == "simulated"
    assert r["iterations_per_epoch"] == 5
    for bad in ("0", "some", "-3"):
        with pytest.raises(SystemExit) as exc:
            main([*base, "--iterations", bad])
        assert exc.value.code == 2
    assert "--iterations" in capsys.readouterr().err
