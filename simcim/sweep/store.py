"""The results store: one SQLite file per sweep, one row per point, each committed as it finishes.

Why SQLite: a commit is atomic and durable, so a sweep killed at any moment keeps every point it
recorded, and a rerun reads which points are done. WAL mode lets ``simcim results`` read the file
while a sweep is still writing it. Only the main process writes; workers return their outcome.

Each row holds the point's parameters twice: as JSON (``params_json``, exact) and as one column per
axis (for SQL and CSV); likewise every kept metric as ``metrics_json`` and one column each.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from simcim.sweep.evaluate import PointOutcome
from simcim.sweep.points import Point, canonical_json

SCHEMA_VERSION = "1"
_CREATE = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
    key TEXT PRIMARY KEY,            -- stable hash of the point (sweep name, parameters, spec contents)
    idx INTEGER NOT NULL,            -- position in the sweep's expansion order
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error TEXT,                      -- one-line message when status = 'error'
    traceback TEXT,                  -- for errors that are not the user's input
    wall_s REAL,                     -- wall time of the point in its worker
    host TEXT,                       -- the worker's host name
    finished_at TEXT NOT NULL,       -- UTC, ISO 8601
    params_json TEXT NOT NULL,
    metrics_json TEXT NOT NULL,
    simulation_model INTEGER         -- simcim.model_version.SIMULATION of the worker; NULL: 1 (older stores)
);
"""


_ROW_COLUMNS = "key, idx, status, error, wall_s, host, finished_at, params_json, metrics_json"  # Store._row's order


class StoreError(Exception):
    """A results file that cannot be used (not a simcim store, another sweep's store)."""


def quote(name: str) -> str:
    """An SQL identifier for any column name (axis names hold dots)."""
    return '"' + name.replace('"', '""') + '"'


def _json_object(text: Any, where: str) -> dict[str, Any]:
    """A JSON object with text keys from a cell, or a StoreError saying ``where``."""
    try:
        value = json.loads(text) if isinstance(text, (str, bytes)) else None
    except (ValueError, RecursionError):  # bad JSON, undecodable bytes, an int of > 4300 digits, deep nesting
        value = None
    if not isinstance(value, dict):
        raise StoreError(f"{where} is not a JSON object")
    return value


def _cell(value: Any) -> Any:
    """A parameter value as an SQLite value: numbers and text as they are, anything else as JSON."""
    if value is None or isinstance(value, (int, float, str)):
        return int(value) if isinstance(value, bool) else value
    return canonical_json(value)


@dataclass(frozen=True)
class Row:
    key: str
    idx: int
    status: str
    error: str | None
    wall_s: float | None
    host: str | None
    finished_at: str
    params: dict[str, Any]
    metrics: dict[str, float]


class Store:
    """An open results file. Use as a context manager; every ``record`` is its own transaction."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder; give a file name such as {self.path / 'results.db'}")
        if readonly and not self.path.is_file():
            raise StoreError(f"{self.path}: no such results file")
        try:
            if readonly:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
                existing = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if existing and not {"points", "meta"} <= existing:  # someone else's database: leave it be
                    self.db.close()
                    raise StoreError(f"{self.path}: an SQLite file that is not a simcim results file; "
                                     f"pass another --out")
                self.db.execute("PRAGMA journal_mode=WAL")
                # FULL: a committed point also survives a power cut, not just a killed process;
                # one fsync per point is nothing next to a simulation.
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.executescript(_CREATE)
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            why = "not an SQLite file" if "not a database" in str(exc) else " ".join(str(exc).split())[:200]
            raise StoreError(f"{self.path}: cannot be used as a results file ({why})") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create: {exc.strerror}") from None
        if not {"points", "meta"} <= tables:
            self.db.close()
            raise StoreError(f"{self.path}: not a simcim results file (no points table)")

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -- sweep identity --------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return {str(k): v if isinstance(v, str) else str(v) for k, v in self._query("SELECT name, value FROM meta")}

    def claim(self, sweep_name: str, info: dict[str, str]) -> None:
        """Mark the file as ``sweep_name``'s store; refuse a file that holds another sweep."""
        held = self.meta().get("sweep")
        if held is not None and held != sweep_name:
            raise StoreError(f"{self.path} holds the results of sweep '{held}', not '{sweep_name}'; "
                             f"pass another --out")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for name, value in {"sweep": sweep_name, "schema_version": SCHEMA_VERSION, **info}.items():
                self.db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    # -- columns ---------------------------------------------------------------------------------
    def columns(self) -> list[str]:
        return [r[1] for r in self.db.execute("PRAGMA table_info(points)").fetchall()]

    def ensure_columns(self, names: Iterable[str]) -> None:
        have = set(self.columns())
        for name in names:
            if name not in have:
                self.db.execute(f"ALTER TABLE points ADD COLUMN {quote(name)}")
                have.add(name)

    # -- points ----------------------------------------------------------------------------------
    def finished(self, *, include_errors: bool = True) -> dict[str, str]:
        """Key -> status of the recorded points (only 'ok' ones when ``include_errors`` is False)."""
        sql = "SELECT key, status FROM points" + ("" if include_errors else " WHERE status = 'ok'")
        return dict(self.db.execute(sql).fetchall())

    def stale_simulation(self, current: int) -> set[str]:
        """Keys of the 'ok' points simulated with another cost model than ``current`` (a store made
        before the column existed holds model 1)."""
        if "simulation_model" not in self.columns():
            return set() if current == 1 else {k for k, status in self.finished().items() if status == "ok"}
        rows = self._query("SELECT key FROM points WHERE status = 'ok' AND COALESCE(simulation_model, 1) != ?",
                           (current,))
        return {str(k) for (k,) in rows}

    def metrics_of(self, key: str) -> tuple[dict[str, float], float | None, str | None]:
        """A recorded point's metrics, wall time and host."""
        rows = self._query(f"SELECT {_ROW_COLUMNS} FROM points WHERE key = ?", (key,))
        if not rows:
            raise KeyError(key)
        row = self._row(1, *rows[0])
        return row.metrics, row.wall_s, row.host

    def renumber(self, points: Iterable[Point]) -> None:
        """Give recorded points their index in the current expansion (an edited sweep reorders them)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("UPDATE points SET idx = ? WHERE key = ?", [(p.index, p.key) for p in points])

    def record(self, point: Point, outcome: PointOutcome, keep_metrics: tuple[str, ...] | None) -> None:
        """Write one point's row and commit it before returning."""
        metrics = {k: v for k, v in outcome.metrics.items() if keep_metrics is None or k in keep_metrics}
        cells: dict[str, Any] = {
            "key": point.key, "idx": point.index, "status": outcome.status, "error": outcome.error,
            "traceback": outcome.traceback, "wall_s": outcome.wall_s, "host": outcome.host,
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "params_json": canonical_json(point.params), "metrics_json": canonical_json(metrics),
            "simulation_model": outcome.simulation_model,
        }
        cells.update({name: _cell(value) for name, value in point.params.items()})
        cells.update(metrics)
        names = list(cells)
        sql = (f"INSERT OR REPLACE INTO points ({', '.join(map(quote, names))}) "
               f"VALUES ({', '.join('?' for _ in names)})")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.ensure_columns(names)
            self.db.execute(sql, [cells[n] for n in names])

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """All rows of ``sql``; a damaged file (bad pages, undecodable text) is a StoreError."""
        try:
            return self.db.execute(sql, args).fetchall()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # OperationalError, "database disk image is malformed", ...
            raise StoreError(f"{self.path}: damaged results file ({' '.join(str(exc).split())[:200]})") from None

    def rows(self) -> list[Row]:
        """Every recorded point, in sweep order; each field's type is checked (StoreError names the row)."""
        out = []
        for n, cells in enumerate(self._query(f"SELECT {_ROW_COLUMNS} FROM points ORDER BY idx, key"), start=1):
            out.append(self._row(n, *cells))
        return out

    def _row(self, n: int, key: Any, idx: Any, status: Any, error: Any, wall_s: Any, host: Any, finished_at: Any,
             params: Any, metrics: Any) -> Row:
        where = f"{self.path}: row {n} (key {str(key)[:20]!r})"
        if not isinstance(key, str) or not isinstance(idx, int) or status not in ("ok", "error"):
            raise StoreError(f"{where}: key, idx or status is not what simcim writes (damaged file?)")
        if not (wall_s is None or isinstance(wall_s, (int, float)) and math.isfinite(wall_s) and wall_s >= 0):
            raise StoreError(f"{where}: wall_s is not a time in seconds")
        params_v = _json_object(params, f"{where}: params_json")
        metrics_v = _json_object(metrics, f"{where}: metrics_json")
        for name, value in metrics_v.items():
            if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)):
                raise StoreError(f"{where}: metric {name[:60]!r} is not a finite number")
        for name, value in params_v.items():
            if not (value is None or isinstance(value, (str, int, float, list, dict))):
                raise StoreError(f"{where}: parameter {name[:60]!r} has a value simcim does not write")
        return Row(key, idx, status, error if isinstance(error, str) else None, wall_s,
                   host if isinstance(host, str) else None, str(finished_at), params_v, metrics_v)

    def param_names(self) -> list[str]:
        """Axis names in the sweep file's order (as recorded by the last run)."""
        stored = self.meta().get("axes")
        if stored:
            try:
                names = json.loads(stored)
            except (ValueError, RecursionError, TypeError):
                names = None
            if not isinstance(names, list) or not all(isinstance(a, str) for a in names):
                raise StoreError(f"{self.path}: meta 'axes' is not a JSON list of names (damaged file?)")
            return names
        seen: dict[str, None] = {}
        for row in self.rows():
            seen.update(dict.fromkeys(row.params))
        return list(seen)
