"""The trace validator: silent on every trace we emit, loud on each kind of broken trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from helpers_trace import ARCH, hand_events, simulate_to_trace, write_lines

from simcim.analysis import validate_trace

ARCHS = ARCH.parent


@pytest.mark.parametrize("workload,arch", [
    ("mlp2-bp", "neurosim-fefet-22nm"), ("mlp2-dfa", "neurosim-fefet-22nm"), ("mlp4-dfa", "neurosim-fefet-22nm"),
    ("mlp3-bp", "edge-shared-bus"), ("mlp3-dfa", "rram-32nm"), ("vgg8-cifar10-dfa", "neurosim-fefet-22nm"),
])
def test_every_trace_we_emit_is_valid(tmp_path: Path, workload: str, arch: str) -> None:
    path, _ = simulate_to_trace(tmp_path, workload, batch_size=1 if workload.startswith("vgg") else 2,
                                arch=ARCHS / f"{arch}.yaml")
    assert validate_trace(path) == []


def test_hand_trace_is_valid(tmp_path: Path) -> None:
    assert validate_trace(write_lines(tmp_path / "t.json", hand_events())) == []


def _slice(events: list[dict[str, Any]], pid: int, task: int) -> dict[str, Any]:
    return next(e for e in events if e.get("ph") == "X" and e["pid"] == pid and e["args"]["task"] == task)


def _partial_overlap(ev: list[dict[str, Any]]) -> None:
    s = _slice(ev, 3, 2)  # wg0's second slice starts inside the first (170 < 180) and ends after it
    s["args"]["t0_ps"], s["ts"], s["dur"] = 170, 170 / 1e6, 90 / 1e6


def _drop_thread_name(ev: list[dict[str, Any]]) -> None:
    ev[:] = [e for e in ev if not (e.get("name") == "thread_name" and e["pid"] == 3)]


def _drop_arg(ev: list[dict[str, Any]]) -> None:
    del _slice(ev, 1, 1)["args"]["ready_ps"]


def _bad_wait(ev: list[dict[str, Any]]) -> None:
    _slice(ev, 1, 2)["args"]["wait_ps"] = 7


def _early_ready(ev: list[dict[str, Any]]) -> None:
    a = _slice(ev, 1, 3)["args"]  # T3 claims it was ready before T2 ended
    a["ready_ps"], a["wait_ps"] = 250, 20


def _float_time(ev: list[dict[str, Any]]) -> None:
    _slice(ev, 2, 0)["args"]["t1_ps"] = 100.5


def _unknown_ph(ev: list[dict[str, Any]]) -> None:
    ev.append({"name": "x", "ph": "B", "pid": 1, "tid": 1, "ts": 0})


def _counter_back_in_time(ev: list[dict[str, Any]]) -> None:
    ev.append({"name": "queue chip.wg0", "ph": "C", "pid": 3, "ts": 0, "args": {"waiting": 0, "t_ps": 50}})


@pytest.mark.parametrize("breakage,expected", [
    (_partial_overlap, "slice [170, 260] ps overlaps another ending at 180 ps on one resource"),
    (_drop_thread_name, "pid 3 tid 1 is used but has no thread_name"),
    (_drop_arg, "task slice without args ready_ps"),
    (_bad_wait, "wait_ps=7 != t0_ps - ready_ps"),
    (_early_ready, "before its dependency 2 ends (260 ps)"),
    (_float_time, "must be integers"),
    (_unknown_ph, "unexpected phase type ph='B'"),
    (_counter_back_in_time, "goes back in time"),
])
def test_each_breakage_is_reported(tmp_path: Path, breakage: Callable[[list[dict[str, Any]]], None],
                                   expected: str) -> None:
    events = hand_events()
    breakage(events)
    problems = validate_trace(write_lines(tmp_path / "t.json", events))
    assert any(expected in p for p in problems), problems


def test_nested_slices_on_a_resource_track_are_reported(tmp_path: Path) -> None:
    # Chrome would draw them nested, but a resource has capacity 1 (docs/trace-format.md: slices on
    # one track never overlap), so a slice inside another means a damaged trace (issue 12).
    events = hand_events()
    inner = json.loads(json.dumps(_slice(events, 3, 1)))
    inner["args"].update(task=1, t0_ps=120, t1_ps=150)
    inner["ts"], inner["dur"] = 120 / 1e6, 30 / 1e6
    events.append(inner)
    assert validate_trace(write_lines(tmp_path / "t.json", events)) == [
        "track pid 3 tid 1 (chip.wg0): slice [120, 150] ps overlaps another ending at 180 ps on one resource "
        "(duplicated events?)"]


def test_file_level_problems(tmp_path: Path) -> None:
    assert validate_trace(tmp_path / "nope.json") == [f"{tmp_path / 'nope.json'}: no such trace file"]
    good = write_lines(tmp_path / "t.json", hand_events()).read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(good.rsplit("\n", 2)[0] + "\n")  # lose the closing line
    assert any("truncated" in p for p in validate_trace(cut))
    junk = tmp_path / "junk.json"
    junk.write_text(good.replace('"ph":"X"', '"ph":X', 1))
    assert any("not a JSON event" in p for p in validate_trace(junk))
