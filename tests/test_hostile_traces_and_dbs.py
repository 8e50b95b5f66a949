"""Damaged traces and results databases (issue 12): each field's type and range is checked as the file
streams, the bad event or row is named in one line (exit 2), overlapping slices on one track are
refused instead of summarized as > 100 % utilization, and `| head` ends quietly."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from helpers_trace import hand_events, hold, simulate_to_trace, write_lines
from simcim.cli import main
from test_results import make_db

ACTIONS = ["summary", "critical-path", "vcd"]


def trace_error(tmp_path: Path, capsys, events: list[dict], action: str = "summary") -> str:
    path = write_lines(tmp_path / "t.json", events)
    argv = ["trace", action, str(path)] + (["--out", str(tmp_path / "t.vcd")] if action == "vcd" else [])
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("simcim: error: "), err
    return err


def with_task_arg(key: str, value) -> list[dict]:
    events = hand_events()
    task = next(e for e in events if e.get("pid") == 1 and e["ph"] == "X")
    task["args"][key] = value
    return events


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("value", [None, "", [], {}, [1, 2], 1.5, -5, 2 ** 63, 10 ** 30, True])
def test_bad_time_names_the_line(tmp_path, capsys, action, value) -> None:
    err = trace_error(tmp_path, capsys, with_task_arg("t0_ps", value), action)
    assert "t.json:" in err and "args.t0_ps" in err


@pytest.mark.parametrize("action", ACTIONS)
def test_args_not_an_object(tmp_path, capsys, action) -> None:
    events = hand_events()
    next(e for e in events if e.get("pid") == 1 and e["ph"] == "X")["args"] = [1, 2]
    assert "args must be a JSON object" in trace_error(tmp_path, capsys, events, action)


@pytest.mark.parametrize("action", ACTIONS)
def test_nan_time(tmp_path, capsys, action) -> None:
    path = write_lines(tmp_path / "t.json", with_task_arg("t1_ps", float("nan")))
    assert "NaN" in path.read_text()
    argv = ["trace", action, str(path)] + (["--out", str(tmp_path / "v.vcd")] if action == "vcd" else [])
    assert main(argv) == 2
    assert "args.t1_ps must be an integer" in capsys.readouterr().err


@pytest.mark.parametrize("action", ACTIONS)
def test_negative_time_refused(tmp_path, capsys, action) -> None:
    events = hand_events()
    events.append(hold(5, 1, 1, "L1.WG", -50, -50, 10))
    assert "is outside 0.." in trace_error(tmp_path, capsys, events, action)


@pytest.mark.parametrize("field, value, message", [
    ("deps", [1, "x"], "args.deps must be a list of task ids"),
    ("deps", [2 ** 64], "args.deps must be a list of task ids"),
    ("energy_pj", "lots", "args.energy_pj must be a finite number"),
    ("ready_ps", 10 ** 9, "is after t0_ps"),
])
def test_other_task_fields(tmp_path, capsys, field, value, message) -> None:
    assert message in trace_error(tmp_path, capsys, with_task_arg(field, value))


@pytest.mark.parametrize("bad", [{"pid": [2]}, {"pid": {"a": 1}}, {"tid": [1]}, {"ph": ["X"]}, {"name": {"x": 1}}])
def test_unhashable_ids_do_not_crash(tmp_path, capsys, bad) -> None:
    events = hand_events()
    events.append({**hold(2, 1, 0, "L1.FW", 0, 0, 100), **bad})
    path = write_lines(tmp_path / "t.json", events)
    for action in ("summary", "validate"):
        code = main(["trace", action, str(path)])
        err = capsys.readouterr().err
        assert code in (0, 1, 2) and "Traceback" not in err


def test_huge_number_and_run_of_digits(tmp_path, capsys) -> None:
    lines = write_lines(tmp_path / "base.json", hand_events()).read_text().split("\n")
    lines.insert(2, '{"ph":"X","pid":2,"tid":1,"args":{"t0_ps":' + "9" * 5000 + "}},")
    (tmp_path / "digits.json").write_text("\n".join(lines))
    assert main(["trace", "summary", str(tmp_path / "digits.json")]) == 2
    assert "digits.json:3: not a simcim event (a number too long to read)" in capsys.readouterr().err
    blob = tmp_path / "blob.json"
    blob.write_bytes(b"9" * (50 << 20))  # the 50 MB run of digits, not in the line layout
    assert main(["trace", "summary", str(blob)]) == 2
    assert "not a simcim trace" in capsys.readouterr().err


@pytest.mark.parametrize("data", [b"\xff\xfe{\x00}\x00", b'{"displayTimeUnit": "ns", "traceEvents":[\n\xff\n]}\n',
                                  b"[" * 100_000])
@pytest.mark.parametrize("action", ACTIONS + ["validate"])
def test_undecodable_or_deep_files(tmp_path, capsys, data, action) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(data)
    argv = ["trace", action, str(path)] + (["--out", str(tmp_path / "t.vcd")] if action == "vcd" else [])
    code = main(argv)
    captured = capsys.readouterr()
    assert code in ((1, 2) if action == "validate" else (2,))
    assert "Traceback" not in captured.err


def test_duplicated_events_are_refused_not_summarized_over_100_percent(tmp_path, capsys) -> None:
    trace, _ = simulate_to_trace(tmp_path, "mlp2-bp", batch_size=2)
    lines = trace.read_text().split("\n")
    held = [i for i, ln in enumerate(lines) if '"pid":2' in ln and '"ph":"X"' in ln]
    dup = lines[:held[0]] + [lines[i].rstrip(",") + "," for i in held] + lines[held[0]:]
    bad = tmp_path / "dup.json"
    bad.write_text("\n".join(dup))
    assert main(["trace", "summary", str(bad), "--json", str(tmp_path / "s.json")]) == 2
    err = capsys.readouterr().err
    assert "slices overlap on chip.tile" in err and "a resource serves one task at a time" in err
    assert not (tmp_path / "s.json").exists()
    assert main(["trace", "validate", str(bad)]) == 1  # the validator lists the overlaps
    assert "overlaps" in capsys.readouterr().out


def test_validate_into_closed_pipe_is_quiet(tmp_path) -> None:
    events = hand_events() + [{"ph": "X", "name": "bad", "pid": "x"}] * 3000
    path = write_lines(tmp_path / "t.json", events)
    proc = subprocess.Popen([sys.executable, "-m", "simcim.cli", "trace", "validate", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # like `| head` that has already exited
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "BrokenPipeError" not in err and "Traceback" not in err and err == ""


# --- results databases -----------------------------------------------------------------------------

def db_error(capsys, db: Path, *extra: str) -> str:
    code = main(["results", str(db), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("simcim: error: "), err
    return err


def _set(db: Path, sql: str, *args) -> None:
    con = sqlite3.connect(db)
    con.execute(sql, args)
    con.commit()
    con.close()


def test_params_not_an_object(tmp_path, capsys) -> None:
    db = make_db(tmp_path / "r.db")
    _set(db, "UPDATE points SET params_json = '[1, 2]' WHERE idx = 1")
    err = db_error(capsys, db)
    assert "row 2 (key 'k1'): params_json is not a JSON object" in err


def test_metric_that_is_a_string_under_pareto(tmp_path, capsys) -> None:
    db = make_db(tmp_path / "r.db")
    _set(db, "UPDATE points SET metrics_json = ? WHERE idx = 0", json.dumps({"latency_s": "fast", "energy_j": 1}))
    err = db_error(capsys, db, "--pareto", "energy_j,latency_s")
    assert "row 1 (key 'k0'): metric 'latency_s' is not a finite number" in err


def test_undecodable_text(tmp_path, capsys) -> None:
    db = make_db(tmp_path / "r.db")
    _set(db, "UPDATE points SET finished_at = CAST(? AS TEXT) WHERE idx = 0", b"\xff\xfe2026")
    assert "damaged results file" in db_error(capsys, db)


def test_malformed_pages_mid_query(tmp_path, capsys) -> None:
    db = make_db(tmp_path / "r.db")
    con = sqlite3.connect(db)  # enough rows that the points table spans many pages
    row = con.execute("SELECT * FROM points WHERE idx = 0").fetchone()
    cols = [r[1] for r in con.execute("PRAGMA table_info(points)")]
    for i in range(300):
        cells = list(row)
        cells[cols.index("key")], cells[cols.index("idx")] = f"x{i}", 100 + i
        con.execute(f"INSERT INTO points VALUES ({', '.join('?' * len(cells))})", cells)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    assert len(data) > 12 * page_size
    off = 10 * page_size  # a leaf page in the middle: the first pages read fine, then this one fails
    data[off:off + 8] = b"\x0d\xff\xff\xff\xff\xff\xff\xff"
    db.write_bytes(bytes(data))
    assert "damaged results file (database disk image is malformed)" in db_error(capsys, db)


def test_axes_meta_not_a_list(tmp_path, capsys) -> None:
    db = make_db(tmp_path / "r.db")
    _set(db, "UPDATE meta SET value = '{\"a\": 1}' WHERE name = 'axes'")
    assert "meta 'axes' is not a JSON list" in db_error(capsys, db)


@pytest.mark.parametrize("value", [2 ** 63, 2 ** 64 + 1, 10 ** 30])
def test_validate_reports_times_past_int64(tmp_path, capsys, value) -> None:
    # found by the fuzzer (seed 7): the validator's int64 arrays overflowed
    path = write_lines(tmp_path / "t.json", with_task_arg("t1_ps", value))
    assert main(["trace", "validate", str(path)]) == 1
    out = capsys.readouterr()
    assert f"bad times t0_ps=0 t1_ps={value}" in out.out and "Traceback" not in out.err


def test_validate_with_a_text_time(tmp_path, capsys) -> None:
    # found by the fuzzer (seed 7): the task check compared ready_ps with a string t0_ps
    path = write_lines(tmp_path / "t.json", with_task_arg("t0_ps", "soon"))
    assert main(["trace", "validate", str(path)]) == 1
    out = capsys.readouterr()
    assert "args.t0_ps / args.t1_ps must be integers" in out.out and "Traceback" not in out.err
