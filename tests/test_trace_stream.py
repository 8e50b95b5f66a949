"""The streaming trace writer: the file written while simulating holds the same events as the one
written afterwards from kept records; gzip output is deterministic and read transparently; the
result is the same with and without a trace."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import simcim
import simcim.trace
from simcim.analysis.reader import iter_events, read_header
from simcim.cli import main
from simcim.trace import _us, simulate_traced, write_result_trace


def _content(path: Path) -> Counter:
    """Events as (process, track name, phase, name, args), independent of order and track numbers."""
    names: dict[tuple[int, int], str] = {}
    out: Counter = Counter()
    events = list(iter_events(path))
    for e in events:
        if e["ph"] == "M" and e["name"] == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
    for e in events:
        if e["ph"] == "X":
            track = names[(e["pid"], e["tid"])].split("#")[0]  # task overlap slots may be numbered differently
            out[(e["pid"], track, e["ph"], e["name"], e["cat"], json.dumps(e["args"], sort_keys=True), e["ts"], e["dur"])] += 1
        elif e["ph"] == "C":
            out[(e["pid"], e["name"], json.dumps(e["args"], sort_keys=True))] += 1
    return out


def test_streamed_trace_equals_replayed_trace(tmp_path: Path) -> None:
    arch, wl = simcim.load_architecture("shared-bandwidth"), simcim.load_workload("mlp3-bp", batch_size=6)
    streamed = simulate_traced(arch, wl, tmp_path / "s.json")
    replayed = simcim.simulate(arch, wl, trace_queues=True)
    write_result_trace(tmp_path / "r.json", replayed)
    assert streamed.to_json_text() == replayed.to_json_text()
    s, r = _content(tmp_path / "s.json"), _content(tmp_path / "r.json")
    assert s == r and sum(s.values()) > 100
    assert any(k[2] == "X" and k[0] == 1 for k in s)  # task slices
    assert any(len(k) == 3 for k in s)  # queue counters (shared buffer port: contended)
    # The header's makespan (patched in at the end) is the iteration latency.
    head = read_header(tmp_path / "s.json").other
    assert head["makespan_ps"] == round(streamed.per_iteration.latency_s * 1e12)
    # ts / dur (microseconds, printed from the integer picoseconds) read back as exactly t / 1e6;
    # every slice on one track is disjoint, including the task slots chosen on the fly.
    spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for e in iter_events(tmp_path / "s.json"):
        if e["ph"] == "X":
            t0, t1 = e["args"]["t0_ps"], e["args"]["t1_ps"]
            assert (e["ts"], e["dur"]) == (t0 / 1e6, (t1 - t0) / 1e6)
            spans.setdefault((e["pid"], e["tid"]), []).append((t0, t1))
        elif e["ph"] == "C":
            assert e["ts"] == e["args"]["t_ps"] / 1e6
    for track in spans.values():
        track.sort()
        assert all(a[1] <= b[0] for a, b in zip(track, track[1:]))


def test_small_buffers_change_no_event(tmp_path: Path, monkeypatch) -> None:
    """Hold records wait in the writer's buffer until the next other line, a full buffer (a replay
    hands them over in a row) or the end; with buffers of 3 lines the same events come out, with
    and without queue counters after the holds."""
    arch, wl = simcim.load_architecture("shared-bandwidth"), simcim.load_workload("mlp3-bp", batch_size=6)
    for queues in (False, True):
        result = simcim.simulate(arch, wl, trace_queues=queues)
        monkeypatch.setattr(simcim.trace, "_FLUSH_LINES", 4096)
        write_result_trace(tmp_path / "big.json", result)
        monkeypatch.setattr(simcim.trace, "_FLUSH_LINES", 3)
        write_result_trace(tmp_path / "small.json", result)
        big = _content(tmp_path / "big.json")
        assert big == _content(tmp_path / "small.json")
        assert sum(n for k, n in big.items() if k[2] == "X" and k[0] != 1) > 20  # hold slices, not only tasks
    simulate_traced(arch, wl, tmp_path / "streamed.json")
    assert _content(tmp_path / "streamed.json") == big


@given(st.integers(min_value=0, max_value=2 ** 53))
def test_microsecond_text_reads_back_as_the_float_quotient(ps: int) -> None:
    text = _us(str(ps))
    assert json.loads(text) == ps / 1e6 and "e" not in text  # a plain decimal, the same double


def test_gzip_trace_is_deterministic_and_read_transparently(tmp_path: Path) -> None:
    args = ["run", "neurosim-fefet-22nm", "mlp2-dfa", "--set", "workload.batch_size=4", "--quiet"]
    assert main([*args, "--trace", str(tmp_path / "a.json.gz"), "--json", str(tmp_path / "a.json")]) == 0
    assert main([*args, "--trace", str(tmp_path / "b.json.gz")]) == 0
    assert main([*args, "--trace", str(tmp_path / "c.json"), "--json", str(tmp_path / "c-result.json")]) == 0
    a = (tmp_path / "a.json.gz").read_bytes()
    assert a[:2] == b"\x1f\x8b" and a == (tmp_path / "b.json.gz").read_bytes()
    assert gzip.decompress(a) == (tmp_path / "c.json").read_bytes()
    assert list(iter_events(tmp_path / "a.json.gz")) == list(iter_events(tmp_path / "c.json"))
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "c-result.json").read_bytes()
    assert main(["trace", "validate", str(tmp_path / "a.json.gz")]) == 0
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no spool or temp left


def test_corrupt_gzip_is_one_line_error(tmp_path: Path, capsys) -> None:
    assert main(["run", "neurosim-fefet-22nm", "mlp2-dfa", "--set", "workload.batch_size=2", "--quiet",
                 "--trace", str(tmp_path / "t.json.gz")]) == 0
    data = (tmp_path / "t.json.gz").read_bytes()
    (tmp_path / "cut.json.gz").write_bytes(data[: len(data) // 2])
    assert main(["trace", "summary", str(tmp_path / "cut.json.gz")]) == 2
    assert "gzip" in capsys.readouterr().err
