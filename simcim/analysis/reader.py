"""Stream the events of a simcim Chrome trace one at a time, so analyses aggregate as they read.

The engine writes one event per line (docs/trace-format.md): line 1 is the header up to
``"traceEvents":[``, then one event per line (each but the last ending in a comma), then ``]}``.
Reading line by line keeps memory at one event, whatever the file's size. A trace in another
layout (e.g. re-saved by a tool on one line) is still read, but whole, with json.load.

:func:`read_trace` yields typed records (simcim.traceformat); the validator alone reads raw events
(:func:`iter_numbered_events`), because it reports every problem instead of stopping at the first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from simcim.textfile import open_text
from simcim.traceformat import HEADER_END, TraceError, TraceItem, parse_event

__all__ = ["TraceError", "TraceHeader", "iter_events", "iter_numbered_events", "read_header", "read_trace",
           "track_of"]


@dataclass
class TraceHeader:
    """Everything in the trace object except its events: ``otherData`` holds the run's names."""

    other: dict[str, Any] = field(default_factory=dict)
    display_time_unit: str = "ns"
    streamed: bool = True  # False when the file was not in the one-event-per-line layout


def _open(path: str | Path) -> Any:
    p = Path(path)
    if not p.exists():
        raise TraceError(f"{p}: no such trace file")
    if p.is_dir():
        raise TraceError(f"{p}: is a folder, not a trace file")
    try:
        return open_text(p)  # plain or gzip
    except OSError as exc:
        raise TraceError(f"{p}: cannot read ({exc.strerror})") from None


def track_of(event: dict[str, Any]) -> tuple[int, int]:
    """(pid, tid) of an event, -1 for a missing or non-integer one (metadata, counters)."""
    pid, tid = event.get("pid"), event.get("tid")
    return (pid if isinstance(pid, int) else -1, tid if isinstance(tid, int) else -1)


def read_header(path: str | Path) -> TraceHeader:
    """The trace's header (``otherData``), read from its first line only."""
    with _open(path) as fh:
        try:
            first = fh.readline()
        except UnicodeDecodeError as exc:
            raise TraceError(f"{path}:1: not UTF-8 text (byte {exc.start})") from None
    return _parse_header(Path(path), first) or TraceHeader(streamed=False)


def _parse_header(path: Path, first: str) -> TraceHeader | None:
    line = first.rstrip("\n")
    if not line.endswith(HEADER_END):
        return None
    try:
        head = json.loads(line[: -len(HEADER_END)].rstrip().rstrip(",") + "}")
    except (ValueError, RecursionError):  # JSONDecodeError, an int of > 4300 digits, deep nesting
        raise TraceError(f"{path}:1: the header is not valid JSON") from None
    if not isinstance(head, dict):
        raise TraceError(f"{path}:1: the header is not a JSON object")
    other = head.get("otherData", {})
    return TraceHeader(other=other if isinstance(other, dict) else {},
                       display_time_unit=str(head.get("displayTimeUnit", "ns")))


def iter_events(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield each event of the trace at ``path`` in file order; raise TraceError on bad input."""
    for _, event in iter_numbered_events(path):
        yield event


def iter_numbered_events(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Like :func:`iter_events`, with each event's line number (0 when read whole) for messages."""
    p = Path(path)
    with _open(p) as fh:
        try:
            first = fh.readline()
        except UnicodeDecodeError:
            raise TraceError(f"{p}: not a text file") from None
        if not first.strip():
            raise TraceError(f"{p}: empty file, not a trace")
        if _parse_header(p, first) is None:
            fh.seek(0)
            yield from ((0, e) for e in _load_whole(p, fh))
            return
        closed = False
        lineno = 1
        try:
            for lineno, raw in enumerate(fh, start=2):
                line = raw.strip()
                if not line:
                    continue
                if closed:
                    raise TraceError(f"{p}:{lineno}: text after the closing ']}}'")
                if line == "]}":
                    closed = True
                    continue
                if line.endswith("]}"):  # last event on the closing line
                    line, closed = line[:-2], True
                try:
                    event = json.loads(line.rstrip(","))
                except json.JSONDecodeError as exc:
                    raise TraceError(f"{p}:{lineno}: not a JSON event ({exc.msg})") from None
                except ValueError:  # an integer of more than 4300 digits
                    raise TraceError(f"{p}:{lineno}: not a simcim event (a number too long to read)") from None
                except RecursionError:
                    raise TraceError(f"{p}:{lineno}: not a simcim event (nested too deep)") from None
                if not isinstance(event, dict):
                    raise TraceError(f"{p}:{lineno}: an event must be a JSON object")
                yield lineno, event
        except UnicodeDecodeError:
            raise TraceError(f"{p}:{lineno + 1}: not UTF-8 text") from None
        if not closed:
            raise TraceError(f"{p}: truncated trace (no closing ']}}')")


def _load_whole(path: Path, fh: Any) -> list[dict[str, Any]]:
    """Fallback for traces not in the line layout: a JSON object with traceEvents, or a bare array."""
    try:
        data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise TraceError(f"{path}: not a JSON trace ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise TraceError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError):  # an int of > 4300 digits; nesting deeper than Python's stack
        raise TraceError(f"{path}: not a simcim trace (a number too long, or nested too deep, to read)") from None
    events = data.get("traceEvents") if isinstance(data, dict) else data
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise TraceError(f"{path}: no 'traceEvents' list of event objects")
    return events


def read_trace(path: str | Path) -> Iterator[TraceItem]:
    """Yield the typed record of each event of the trace at ``path``, in file order; TraceError
    names the line (or event number) of the first bad one."""
    for n, (lineno, event) in enumerate(iter_numbered_events(path), start=1):
        where = f"{path}:{lineno}" if lineno else f"{path}: event {n}"
        yield parse_event(event, where)
