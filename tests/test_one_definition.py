"""One definition each (issue 12): `simcim run` and `simcim trace summary` (and so the report) give
the same mean utilization per kind of resource and the same tile count, on every bundled chip."""

from __future__ import annotations

from pathlib import Path

import pytest

import simcim
from helpers_spine import ROOT
from simcim.analysis.summary import summarize_trace

CHIPS = sorted(p.stem for p in (ROOT / "architectures").glob("*.yaml"))


@pytest.mark.parametrize("chip", CHIPS)
@pytest.mark.parametrize("workload", ["mlp3-bp", "mlp3-dfa"])
def test_run_and_trace_summary_agree(tmp_path: Path, chip: str, workload: str) -> None:
    r = simcim.simulate(simcim.load_architecture(chip), simcim.load_workload(workload, batch_size=4), trace_queues=True)
    trace = tmp_path / "t.json"
    r.write_trace(trace)
    s = summarize_trace(trace)
    by_kind = {p.process: p for p in s.processes}
    assert set(by_kind) == set(r.utilization.by_kind)
    for kind, u in r.utilization.by_kind.items():
        assert by_kind[kind].mean_utilization == pytest.approx(u, rel=1e-9), kind
        assert 0 <= u <= 1
    # the tiles `run` reports are the tile components behind the summary's tile resources
    # (FA-style feedback tiles are included in both)
    assert by_kind["tiles"].components == r.mapping.tiles_used
    assert s.tasks == r.simulation.tasks
