"""`simcim results`: table, CSV, Pareto fronts (directions per metric), plot, one-line errors."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcim.cli import main
from simcim.sweep.evaluate import PointOutcome
from simcim.sweep.pareto import Objective, ObjectiveError, parse_objectives, pareto_mask
from simcim.sweep.points import Point, PointTask, SpecSource
from simcim.sweep.store import Store

# name: (latency_s, energy_j, accuracy); c is dominated by a, e failed.
POINTS = {
    "a": (1.0, 1.0, 0.90),
    "b": (0.5, 2.0, 0.80),
    "c": (1.5, 1.5, 0.85),
    "d": (3.0, 3.0, 0.95),
}


def make_db(path: Path) -> Path:
    """A results file written through the store, with made-up metrics (no simulation needed)."""
    src = SpecSource("x.yaml", "")
    with Store(path) as store:
        store.claim("made-up", {"axes": '["name", "workload.rule"]'})
        for i, (name, (lat, en, acc)) in enumerate(POINTS.items()):
            point = Point(i, {"name": name, "workload.rule": "bp" if i % 2 else "dfa"},
                          PointTask(src, src, {}, {}, 0), key=f"k{i}")
            store.record(point, PointOutcome("ok", {"latency_s": lat, "energy_j": en, "accuracy": acc,
                                                    "tops_per_w": 1 / en}, wall_s=0.1, host="h"), None)
        bad = Point(9, {"name": "e", "workload.rule": "bp"}, PointTask(src, src, {}, {}, 0), key="k9")
        store.record(bad, PointOutcome("error", error="x.yaml:3: chip.tiles: too small"), None)
    return path


def test_table_shows_points_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(tmp_path / "r.db")
    assert main(["results", str(db)]) == 0
    out = capsys.readouterr().out
    assert "5 points, 1 failed" in out and "chip.tiles: too small" in out
    assert "90.00 %" in out and "1 s" in out


def test_pareto_front_uses_each_metrics_direction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(tmp_path / "r.db")
    assert main(["results", str(db), "--pareto", "latency_s,energy_j", "--csv", str(tmp_path / "f.csv")]) == 0
    out = capsys.readouterr().out
    assert "front over latency_s (lower is better), energy_j (lower is better): 2 of 5 points" in out
    rows = {r["name"]: r for r in csv.DictReader((tmp_path / "f.csv").open())}
    assert {n for n, r in rows.items() if r["pareto_optimal"] == "True"} == {"a", "b"}
    assert rows["e"]["pareto_optimal"] == "False" and rows["e"]["status"] == "error"
    # accuracy is maximized: d (worst latency and energy, best accuracy) joins the front.
    assert main(["results", str(db), "--pareto", "latency_s,energy_j,accuracy", "--csv", str(tmp_path / "g.csv")]) == 0
    rows = {r["name"]: r for r in csv.DictReader((tmp_path / "g.csv").open())}
    assert {n for n, r in rows.items() if r["pareto_optimal"] == "True"} == {"a", "b", "d"}
    # An explicit direction overrides the default: maximizing latency puts d alone in front of a, c.
    assert main(["results", str(db), "--pareto", "latency_s:max,energy_j:max", "--csv", str(tmp_path / "h.csv")]) == 0
    rows = {r["name"]: r for r in csv.DictReader((tmp_path / "h.csv").open())}
    assert {n for n, r in rows.items() if r["pareto_optimal"] == "True"} == {"d"}


def test_csv_keeps_exact_numbers_and_all_columns(tmp_path: Path) -> None:
    db = make_db(tmp_path / "r.db")
    assert main(["results", str(db), "--csv", str(tmp_path / "all.csv"), "--quiet"]) == 0
    rows = list(csv.DictReader((tmp_path / "all.csv").open()))
    assert len(rows) == 5
    assert list(rows[0])[:2] == ["name", "workload.rule"]
    assert {"latency_s", "energy_j", "accuracy", "tops_per_w", "status", "error", "key"} <= set(rows[0])
    assert float(rows[2]["tops_per_w"]) == 1 / 1.5  # repr-exact floats
    assert not list(tmp_path.glob(".all.csv.*"))  # written atomically: no temp file left


def test_plot_writes_a_png(tmp_path: Path) -> None:
    db = make_db(tmp_path / "r.db")
    png = tmp_path / "p.png"
    assert main(["results", str(db), "--pareto", "energy_j,latency_s,accuracy", "--plot", str(png), "--label", "name", "--quiet"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


@pytest.mark.parametrize("argv, message", [
    (["--pareto", "latency_s"], "at least two metrics"),
    (["--pareto", "latency_s,speed"], "unknown metric 'speed'"),
    (["--pareto", "latency_s,energy_j:best"], "min or max"),
    (["--pareto", "latency_s,area_mm2"], "no point has the metric 'area_mm2'"),
    (["--metrics", "area_mm2"], "the file has no area_mm2"),
    (["--plot", "x.png", "--group", "depth"], "'depth' is not a parameter"),
    (["--plot", "x.png", "--label", "depth"], "--label: 'depth' is not a parameter"),
])
def test_bad_options_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                  message: str) -> None:
    db = make_db(tmp_path / "r.db")
    assert main(["results", str(db), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_or_foreign_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["results", str(tmp_path / "none.db")]) == 2
    assert "no such results file" in capsys.readouterr().err
    (tmp_path / "text.db").write_text("not sqlite at all " * 100)
    assert main(["results", str(tmp_path / "text.db")]) == 2
    assert "cannot be used as a results file (not an SQLite file)" in capsys.readouterr().err


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is not None, reason="pyarrow is installed")
def test_parquet_without_pyarrow_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(tmp_path / "r.db")
    assert main(["results", str(db), "--parquet", str(tmp_path / "r.parquet")]) == 2
    assert "--parquet needs pyarrow (pip install pyarrow)" in capsys.readouterr().err


def test_parse_objectives() -> None:
    assert parse_objectives("energy_j,accuracy,tops") == [
        Objective("energy_j", "min"), Objective("accuracy", "max"), Objective("tops", "max")]
    with pytest.raises(ObjectiveError):
        parse_objectives("energy_j,energy_j")


def _dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x <= y for x, y in zip(a, b)) and a != b


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=25))
def test_pareto_mask_is_exactly_the_undominated_points(values: list[tuple[int, int, int]]) -> None:
    objectives = [Objective("a", "min"), Objective("b", "min"), Objective("c", "max")]
    mask = pareto_mask(values, objectives)
    costs = [(a, b, -c) for a, b, c in values]
    for i, on in enumerate(mask):
        dominated = any(_dominates(costs[j], costs[i]) for j in range(len(costs)) if j != i)
        assert on == (not dominated)
    assert any(mask)


def test_versus_gives_improvement_factors_per_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = SpecSource("x.yaml", "")
    # depth 2: dfa twice as fast, same energy, 0.9x the TOPS/W; depth 3: only bp finished.
    made_up = [(2, "bp", 4.0, 1.0, 2.0), (2, "dfa", 2.0, 1.0, 1.8), (3, "bp", 6.0, 2.0, 1.0)]
    with Store(tmp_path / "v.db") as store:
        store.claim("v", {"axes": '["depth", "workload.rule"]'})
        for i, (depth, rule, lat, en, eff) in enumerate(made_up):
            point = Point(i, {"depth": depth, "workload.rule": rule}, PointTask(src, src, {}, {}, 0), key=f"k{i}")
            store.record(point, PointOutcome("ok", {"latency_s": lat, "energy_j": en, "tops_per_w": eff}), None)
    assert main(["results", str(tmp_path / "v.db"), "--versus", "workload.rule=bp",
                 "--metrics", "latency_s,energy_j,tops_per_w"]) == 0
    out = capsys.readouterr().out
    assert "│ 2     │ dfa           │        2x │       1x │       0.9x │" in out
    assert out.count("dfa") == 1  # depth 3 has no dfa point to compare
    assert main(["results", str(tmp_path / "v.db"), "--versus", "workload.rule"]) == 2
    assert "expected PARAM=BASE" in capsys.readouterr().err
