"""The CLI under a seeded fuzzer (issue 12; the generator is tests/fuzz_cli.py): mutated specs, traces
and results databases through ``simcim.cli.main`` in-process. Every case must end as a sane success
(finite, positive, utilization <= 100 %) or a one-line error with exit 2: no traceback, no hang
(> 20 s), no insane result. The default run is a quick sample; ``-m slow`` runs the issue's sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz_cli import fuzz, report


def _check(tmp_path: Path, seed: int, specs: int, traces: int, dbs: int) -> None:
    tallies = fuzz(tmp_path, seed, specs, traces, dbs)
    summary = report(tallies)
    print(summary)  # the counts, for the record (pytest -s)
    assert tallies["spec"].cases == specs and tallies["trace"].cases == traces and tallies["db"].cases == dbs
    assert all(t.bad == 0 for t in tallies.values()), summary
    # the generator reaches both outcomes, or it tests nothing
    for name, t in tallies.items():
        if t.cases >= 20:
            assert t.counts.get("ok", 0) > 0 and t.counts.get("error", 0) > 0, summary


def test_fuzz_quick_sample(tmp_path: Path) -> None:
    _check(tmp_path, seed=1, specs=40, traces=60, dbs=20)


@pytest.mark.slow
def test_fuzz_issue_sizes(tmp_path: Path) -> None:
    _check(tmp_path, seed=12, specs=2000, traces=500, dbs=100)
