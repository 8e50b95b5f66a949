"""`simcim trace ...`: output on a hand trace, and one-line errors (no traceback) on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_trace import hand_events, write_lines

from simcim.cli import main


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "hand.json", hand_events())


def test_summary_prints_and_writes_json(hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "summary", str(hand), "--json", str(tmp_path / "s.json")]) == 0
    out = capsys.readouterr().out
    assert "latency 300 ps" in out and "chip.wg0" in out and "53.3 %" in out  # 160 / 300
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["makespan_ps"] == 300
    assert {r["name"]: r["busy_ps"] for r in data["resources"]}["chip.wg0"] == 160


def test_critical_path_prints_the_chain(hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "critical-path", str(hand), "--steps", "--json", str(tmp_path / "c.json")]) == 0
    out = capsys.readouterr().out
    assert "run 210 ps + wait 80 ps + gap 10 ps = 300 ps" in out
    assert "chip.wg0 80 ps" in out
    assert json.loads((tmp_path / "c.json").read_text())["total_ps"] == 300


def test_vcd_and_validate(hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("vcd")
    assert main(["trace", "vcd", str(hand), "-o", str(tmp_path / "h.vcd")]) == 0
    assert (tmp_path / "h.vcd").read_text().startswith("$comment")
    assert main(["trace", "validate", str(hand)]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")


@pytest.mark.parametrize("action", ["summary", "critical-path", "vcd", "validate"])
def test_missing_and_garbage_files_are_one_line_errors(tmp_path: Path, action: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["-o", str(tmp_path / "x.vcd")] if action == "vcd" else []
    assert main(["trace", action, str(tmp_path / "missing.json"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such trace file" in err and "Traceback" not in err
    garbage = tmp_path / "garbage.json"
    garbage.write_text("this is not json\n")
    rc = main(["trace", action, str(garbage), *extra])
    captured = capsys.readouterr()
    if action == "validate":  # the validator lists problems and exits 1
        assert rc == 1 and "not a JSON trace" in captured.out
    else:
        assert rc == 2 and captured.err.startswith("simcim: error:") and captured.err.count("\n") == 1
