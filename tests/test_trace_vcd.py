"""VCD export: busy bit, task id and queue depth per resource, running tasks per phase, in ps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers_trace import hand_events, simulate_to_trace, write_lines

pytest.importorskip("vcd")

from simcim.analysis.vcd import vcd_name, write_vcd  # noqa: E402


def parse_vcd(text: str) -> tuple[str, dict[str, list[tuple[int, str]]]]:
    """(timescale, {scope.var: [(time_ps, value)]}) for the simple VCDs pyvcd writes."""
    timescale = re.search(r"\$timescale (.+?) \$end", text).group(1)  # type: ignore[union-attr]
    ids: dict[str, str] = {}
    scope: list[str] = []
    for line in text.split("$enddefinitions")[0].splitlines():
        parts = line.split()
        if parts[:1] == ["$scope"]:
            scope.append(parts[2])
        elif parts[:1] == ["$upscope"]:
            scope.pop()
        elif parts[:1] == ["$var"]:
            ids[parts[3]] = ".".join(scope + [parts[4]])
    changes: dict[str, list[tuple[int, str]]] = {name: [] for name in ids.values()}
    t = 0
    for line in text.split("$enddefinitions")[1].splitlines():
        line = line.strip()
        if not line or line.startswith("$"):
            continue
        if line.startswith("#"):
            t = int(line[1:])
        elif line[0] in "bB":
            value, ident = line[1:].split()
            changes[ids[ident]].append((t, value))
        else:
            changes[ids[line[1:]]].append((t, line[0]))
    return timescale, changes


def test_vcd_of_the_hand_trace(tmp_path: Path) -> None:
    n = write_vcd(write_lines(tmp_path / "t.json", hand_events()), tmp_path / "t.vcd")
    timescale, ch = parse_vcd((tmp_path / "t.vcd").read_text())
    assert timescale == "1 ps" and n > 0
    wg = "simcim.wg_units.chip_wg0"
    # busy from 100 to 260 (T1 then T2 back to back: no dip at 180), idle again at 260
    assert ch[f"{wg}.busy"] == [(0, "0"), (100, "1"), (260, "0")]
    assert ch[f"{wg}.task"] == [(0, "z"), (100, "1"), (180, "10"), (260, "z")]  # task ids 1, 2 in binary
    assert ch[f"{wg}.queue"] == [(0, "0"), (100, "1"), (180, "0")]
    # busy from time 0: the initial dump already says 1 (task 0), never a 0-then-1 at the same ps
    assert ch["simcim.tiles.chip_tile0.busy"] == [(0, "1"), (100, "0"), (270, "1"), (300, "0")]
    assert ch["simcim.tiles.chip_tile0.task"] == [(0, "0"), (100, "z"), (270, "11"), (300, "z")]
    assert "simcim.tiles.chip_tile1.queue" in ch and "simcim.tiles.chip_tile1.busy" not in ch
    # two WG tasks never overlap here: at most one running
    assert ch["simcim.tasks.running_WG"] == [(0, "0"), (100, "1"), (260, "0")]


def test_vcd_is_deterministic_and_covers_a_real_trace(tmp_path: Path) -> None:
    path, sim = simulate_to_trace(tmp_path, "mlp2-dfa", batch_size=2)
    write_vcd(path, tmp_path / "a.vcd")
    write_vcd(path, tmp_path / "b.vcd")
    text = (tmp_path / "a.vcd").read_text()
    assert text == (tmp_path / "b.vcd").read_text()
    _, ch = parse_vcd(text)
    busy_ps: dict[str, int] = {}
    for name, changes in ch.items():
        if name.endswith(".busy"):
            total, on = 0, None
            for t, v in changes:
                if v == "1" and on is None:
                    on = t
                elif v == "0" and on is not None:
                    total, on = total + t - on, None
            busy_ps[name.split(".")[2]] = total
    held: dict[str, list[tuple[int, int]]] = {}
    for h in sim.records.holds:
        held.setdefault(vcd_name(h.resource.name), []).append((h.start_ps, h.end_ps))
    for resource, spans in held.items():
        # merge back-to-back holds, as the busy bit does
        spans.sort()
        merged = sum(e - s for s, e in spans)
        assert busy_ps[resource] == merged, resource
