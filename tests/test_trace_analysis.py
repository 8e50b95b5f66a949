"""Summary, critical path and VCD against a hand-worked schedule, and against real simulations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_trace import hand_events, simulate_to_trace, write_lines

from simcim.analysis import TraceError, critical_path, summarize_trace
from simcim.analysis.reader import iter_events, read_header


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "hand.json", hand_events())


def test_reader_streams_the_line_layout_and_reads_other_layouts_whole(hand: Path, tmp_path: Path) -> None:
    assert read_header(hand).other["workload"] == "hand"
    streamed = list(iter_events(hand))
    assert len(streamed) == len(hand_events())
    one_line = tmp_path / "one.json"
    one_line.write_text(json.dumps({"traceEvents": hand_events()}))
    assert list(iter_events(one_line)) == streamed
    assert summarize_trace(one_line).makespan_ps == 300


def test_summary_numbers_by_hand(hand: Path) -> None:
    s = summarize_trace(hand)
    assert s.makespan_ps == 300 and s.tasks == 4
    r = {x.name: x for x in s.resources}
    # tile0 holds T0 0..100 and T3 270..300; wg0 T1 100..180 and T2 180..260; DRAM 100..140
    assert (r["chip.tile0"].busy_ps, r["chip.tile0"].slices) == (130, 2)
    assert r["chip.tile0"].utilization == pytest.approx(130 / 300)
    assert (r["chip.wg0"].busy_ps, r["chip.wg0"].utilization) == (160, pytest.approx(160 / 300))
    assert r["chip.dram.ch0"].busy_ps == 40
    # T2 asked for wg0 at 100 and got it at 180: 80 ps queued, one waiting from 100 to 180
    assert (r["chip.wg0"].queued_ps, r["chip.wg0"].queued_slices, r["chip.wg0"].max_queue) == (80, 1, 1)
    assert r["chip.wg0"].mean_queue == pytest.approx(80 / 300)
    assert r["chip.tile1"].busy_ps == 0 and r["chip.tile1"].utilization == 0.0
    assert [x.name for x in s.busiest(2)] == ["chip.wg0", "chip.tile0"]
    assert [x.name for x in s.idlest(2)] == ["chip.tile1", "chip.dram.ch0"]
    ph = {p.phase: p for p in s.phases}
    assert [p.phase for p in s.phases] == ["FW", "WG", "WU"]
    assert (ph["WG"].tasks, ph["WG"].busy_ps, ph["WG"].wait_ps) == (2, 160, 80)
    assert (ph["WU"].busy_ps, ph["WU"].first_t0_ps, ph["WU"].last_t1_ps) == (30, 270, 300)
    kinds = {p.process: p for p in s.processes}
    # tile1 has only a queue counter: listed above, but not a component the iteration held (as in `run`)
    assert kinds["tiles"].resources == 1 and kinds["tiles"].mean_utilization == pytest.approx(130 / 300)


def test_critical_path_by_hand(hand: Path) -> None:
    cp = critical_path(hand)
    # back from T3 (ends last) through T2 (ended at 260, after T1's 180), then T0
    assert [s.task for s in cp.steps] == [0, 2, 3]
    assert [(s.busy_ps, s.wait_ps, s.gap_ps) for s in cp.steps] == [(100, 0, 0), (80, 80, 0), (30, 0, 10)]
    assert (cp.busy_ps, cp.wait_ps, cp.gap_ps) == (210, 80, 10)
    assert cp.total_ps == cp.latency_ps == 300
    assert cp.steps[1].blocked_on == "chip.wg0" and cp.steps[0].blocked_on is None
    assert cp.busy_by_phase_ps() == {"FW": 100, "WG": 80, "WU": 30}
    assert cp.blocked_on() == {"chip.wg0": 80}
    assert cp.by_name()[0] == ("L2.WG", 1, 80, 80, 0)


def test_critical_path_rejects_a_dependency_cycle_and_missing_tasks(tmp_path: Path) -> None:
    events = hand_events()
    for e in events:
        if e.get("ph") == "X" and e["pid"] == 1 and e["args"]["task"] == 0:
            e["args"]["deps"] = [3]
    with pytest.raises(TraceError, match="cycle"):
        critical_path(write_lines(tmp_path / "cycle.json", events))
    events = [e for e in hand_events() if not (e.get("ph") == "X" and e["pid"] == 1 and e["args"]["task"] == 2)]
    with pytest.raises(TraceError, match="not in the trace"):
        critical_path(write_lines(tmp_path / "missing.json", events))


@pytest.mark.parametrize("workload", ["mlp2-bp", "mlp2-dfa", "mlp5-bp", "mlp5-dfa"])
def test_critical_path_length_is_the_simulated_latency(tmp_path: Path, workload: str) -> None:
    from simcim.result import summarize

    path, sim = simulate_to_trace(tmp_path, workload, batch_size=2)
    cp = critical_path(path)
    assert cp.latency_ps == sim.records.makespan_ps > 0
    assert cp.total_ps == sim.records.makespan_ps
    assert summarize(sim).per_iteration.latency_s == pytest.approx(cp.total_ps * 1e-12, rel=1e-12)
    assert (cp.steps[0].phase, cp.steps[0].ready_ps) == ("FW", 0)  # the chain starts at time 0
    assert cp.steps[-1].phase == "WU"  # an iteration ends with a weight update


@pytest.mark.parametrize("workload", ["mlp2-dfa", "mlp3-bp"])
def test_summary_busy_times_agree_with_the_result(tmp_path: Path, workload: str) -> None:
    from simcim.result import summarize

    path, sim = simulate_to_trace(tmp_path, workload, batch_size=2)
    s = summarize_trace(path)
    result = summarize(sim)
    assert s.makespan_ps == sim.records.makespan_ps
    assert s.tasks == len(sim.records.tasks)
    used = {r.name: r.utilization for r in s.resources if r.slices}
    assert used.keys() == result.utilization.by_resource.keys()
    for name, u in result.utilization.by_resource.items():
        assert used[name] == pytest.approx(u, rel=1e-12), name
    waits = {p.phase: p.wait_ps for p in s.phases}
    for layer in result.layers:
        for ph, d in layer.phases.items():
            # The trace's task slices carry the wait for the unit; the result's wait adds the
            # transfers' waits for their paths (transfer_wait_s).
            assert d.wait_s - d.transfer_wait_s <= waits[ph] * 1e-12 + 1e-18


def test_bp_waits_on_its_one_wg_unit_dfa_barely_waits(tmp_path: Path) -> None:
    bp = critical_path(simulate_to_trace(tmp_path, "mlp5-bp", batch_size=4)[0])
    dfa = critical_path(simulate_to_trace(tmp_path, "mlp5-dfa", batch_size=4)[0])
    assert bp.wait_ps > 0 and set(bp.blocked_on()) == {"chip.wg0"}
    # DFA's hidden layers share the packed B arrays (the tile after the weight tiles): their
    # projections queue there briefly, nowhere else.
    assert set(dfa.blocked_on()) == {"chip.tile5"} and dfa.wait_ps < 0.01 * dfa.latency_ps
    assert bp.latency_ps > 2 * dfa.latency_ps
