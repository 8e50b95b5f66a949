"""`simcim results DB`: table, CSV/Parquet export, Pareto front and plot of a sweep's results file."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from simcim import model_version
from simcim.atomic import STDOUT, check_output_file, write_bytes_atomic, write_text_atomic
from simcim.errors import UserError
from simcim.sweep.metrics import DEFAULT_SHOWN, METRICS
from simcim.sweep.pareto import Objective, ObjectiveError, parse_objectives, pareto_mask
from simcim.sweep.store import Row, Store, StoreError
from simcim.units import si

BOOKKEEPING = ("status", "error", "wall_s", "host", "finished_at", "key", "idx")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "results", help="show a sweep's results: table, CSV, Pareto front, plot",
        description="Read a results file written by `simcim sweep` (it may still be running). "
                    "Pareto directions: latency, energy, area, tiles are minimized; accuracy, tops, "
                    "tops_per_w, images_per_s are maximized; write metric:min or metric:max to choose.")
    p.add_argument("db", help="results file (.db) from simcim sweep")
    p.add_argument("--metrics", metavar="A,B", help=f"metrics to show (default: those of {','.join(DEFAULT_SHOWN)} "
                                                   "the file has)")
    p.add_argument("--pareto", metavar="M1,M2,...", help="show only the Pareto-optimal points over these metrics")
    p.add_argument("--plot", metavar="PNG", help="plot the first two --pareto metrics (default energy_j,latency_s)")
    p.add_argument("--group", metavar="PARAM", help="one marker per value of this parameter in the plot "
                                                    "(default: workload.rule when it is an axis)")
    p.add_argument("--label", metavar="PARAM", help="write each point's value of this parameter next to it in the plot")
    p.add_argument("--versus", metavar="PARAM=BASE",
                   help="per group of points that differ only in PARAM: how many times better each other value "
                        "is than BASE on each metric (BASE/value for lower-is-better metrics, value/BASE for "
                        "higher-is-better), e.g. --versus workload.rule=bp")
    p.add_argument("--csv", metavar="PATH", help="write every point (parameters, metrics, status) as CSV")
    p.add_argument("--parquet", metavar="PATH", help="write every point as Parquet (needs pyarrow)")
    p.add_argument("--quiet", action="store_true", help="no table")
    p.set_defaults(func=results_command)


def _flat(row: Row) -> dict[str, Any]:
    return {**row.params, **row.metrics, "status": row.status, "error": row.error, "wall_s": row.wall_s,
            "host": row.host, "finished_at": row.finished_at, "key": row.key, "idx": row.idx}


def _format(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and name in METRICS:
        unit = METRICS[name].unit
        if name == "accuracy":
            return f"{100 * value:.2f} %"
        if unit in ("s", "J", "images/s"):
            return si(value, unit)
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _objectives(args: argparse.Namespace) -> list[Objective] | None:
    text = args.pareto or ("energy_j,latency_s" if args.plot else None)
    if text is None:
        return None
    try:
        return parse_objectives(text)
    except ObjectiveError as exc:
        raise UserError(f"--pareto: {exc}") from None


def _front(records: list[dict[str, Any]], objectives: list[Objective]) -> list[bool]:
    """Pareto mask over ``records``; points that failed or lack a metric are never on the front."""
    for o in objectives:
        if not any(r.get(o.metric) is not None for r in records):
            hint = " (the sweep did not train; set train: in the sweep file)" if o.metric == "accuracy" else ""
            raise UserError(f"--pareto: no point has the metric '{o.metric}'{hint}")
    usable = [i for i, r in enumerate(records)
              if r["status"] == "ok" and all(r.get(o.metric) is not None for o in objectives)]
    sub = pareto_mask([[float(records[i][o.metric]) for o in objectives] for i in usable], objectives)
    mask = [False] * len(records)
    for i, on in zip(usable, sub):
        mask[i] = on
    return mask


def results_command(args: argparse.Namespace) -> int:
    for option in ("csv", "parquet", "plot"):
        check_output_file(getattr(args, option), f"--{option}")
        if getattr(args, option) == STDOUT:
            args.quiet = True  # the table would mix with the file on standard output
    try:
        with Store(args.db, readonly=True) as store:
            rows = store.rows()
            params = store.param_names()
            meta = store.meta()
            stale = len(store.stale_simulation(model_version.SIMULATION))
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if not rows:
        raise UserError(f"{args.db}: no finished points yet")
    if stale:
        print(f"simcim: note: {stale} points of {args.db} were simulated with an older cost model (this simcim "
              f"has model {model_version.SIMULATION}); run the sweep again to re-simulate them", file=sys.stderr)
    records = [_flat(r) for r in rows]
    for r in rows:  # an edited sweep may have dropped axes that older rows still carry
        params += [k for k in r.params if k not in params]
    present = [m for m in METRICS if any(m in r.metrics for r in rows)]
    if args.metrics:
        shown = [m.strip() for m in args.metrics.split(",") if m.strip()]
        missing = [m for m in shown if m not in present]
        if missing:
            raise UserError(f"--metrics: the file has no {', '.join(missing)} (it has: {', '.join(present)})")
    else:
        shown = [m for m in DEFAULT_SHOWN if m in present]

    objectives = _objectives(args)
    front = _front(records, objectives) if objectives else None
    if objectives:
        shown = [o.metric for o in objectives] + [m for m in shown if m not in {o.metric for o in objectives}]

    if args.csv:
        write_text_atomic(args.csv, _csv(records, params, present, front))
    if args.parquet:
        _write_parquet(args.parquet, records, params, present, front)
    if args.plot:
        assert objectives is not None
        group = args.group or ("workload.rule" if "workload.rule" in params else None)
        if group is not None and group not in params:
            raise UserError(f"--group: '{group}' is not a parameter of this sweep (parameters: {', '.join(params)})")
        if args.label is not None and args.label not in params:
            raise UserError(f"--label: '{args.label}' is not a parameter of this sweep (parameters: {', '.join(params)})")
        from simcim.sweep.plot import pareto_png

        usable = [i for i, r in enumerate(records)
                  if r["status"] == "ok" and all(r.get(o.metric) is not None for o in objectives)]
        title = f"sweep {meta.get('sweep', Path(args.db).stem)}: {len(usable)} points"
        png = pareto_png([records[i] for i in usable], [front[i] for i in usable] if front else [],
                         objectives, group, title, args.label)
        write_bytes_atomic(args.plot, png)

    if args.versus:
        if args.quiet:
            raise UserError("--versus prints a table; drop --quiet")
        _print_versus(records, params, shown, args.versus)
        return 0
    if not args.quiet:
        _print_table(records, params, shown, front, objectives, meta)
        console = Console()
        for path in (args.csv, args.parquet, args.plot):
            if path:
                console.print(f"wrote {path}", markup=False, highlight=False)
    return 0


def _print_table(records: list[dict[str, Any]], params: list[str], shown: list[str], front: list[bool] | None,
                 objectives: list[Objective] | None, meta: dict[str, str]) -> None:
    failed = [r for r in records if r["status"] != "ok"]
    console = Console()
    title = f"sweep {meta.get('sweep', '?')}: {len(records)} points, {len(failed)} failed"
    if objectives and front is not None:
        console.print(f"Pareto front over {', '.join(map(str, objectives))}: {sum(front)} of {len(records)} points",
                      markup=False, highlight=False, soft_wrap=True)
        records = [r for r, on in zip(records, front) if on]
        failed = []  # not on any front; listed by a plain `simcim results`
    table = Table(title=title)
    for name in params:
        table.add_column(name)
    for name in shown:
        table.add_column(name, justify="right")
    if failed:
        table.add_column("status")
    for r in records:
        status = [r["status"]] if failed else []
        table.add_row(*(_format(p, r.get(p)) for p in params), *(_format(m, r.get(m)) for m in shown), *status)
    console.print(table)
    # Messages below the table, one line each: they are too long for a cell.
    for r in failed:
        where = ", ".join(f"{p}={_format(p, r.get(p))}" for p in params)
        console.print(f"failed: {where}: {r['error']}", markup=False, highlight=False, soft_wrap=True)


def _print_versus(records: list[dict[str, Any]], params: list[str], shown: list[str], spec: str) -> None:
    """One row per (other parameters, value): each metric's improvement factor over the baseline value."""
    name, sep, base_text = spec.partition("=")
    if not sep or name not in params:
        raise UserError(f"--versus: expected PARAM=BASE with PARAM one of: {', '.join(params)}")
    values = {str(r.get(name)): r.get(name) for r in records}
    if base_text not in values:
        raise UserError(f"--versus: {name} never is {base_text!r} (values: {', '.join(values)})")
    others = [p for p in params if p != name]
    groups: dict[tuple[str, ...], dict[str, dict[str, Any]]] = {}
    for r in records:
        if r["status"] == "ok":
            groups.setdefault(tuple(str(r.get(p)) for p in others), {})[str(r.get(name))] = r
    table = Table(title=f"times better than {name}={base_text} (>1: better; lower-is-better metrics: "
                        f"base/value, higher-is-better: value/base)")
    for col in [*others, name]:
        table.add_column(col)
    for m in shown:
        table.add_column(m, justify="right")
    for key, by_value in groups.items():
        base = by_value.get(base_text)
        if base is None:
            continue
        for value, r in by_value.items():
            if value == base_text:
                continue
            cells = []
            for m in shown:
                a, b = base.get(m), r.get(m)
                if a is None or b is None or a == 0 or b == 0:
                    cells.append("-")
                    continue
                gain = a / b if METRICS[m].direction == "min" else b / a
                cells.append(f"{gain:.3g}x")
            table.add_row(*key, value, *cells)
    Console().print(table)


def _columns(params: list[str], metrics: list[str], front: list[bool] | None) -> list[str]:
    return params + metrics + (["pareto_optimal"] if front is not None else []) + list(BOOKKEEPING)


def _export_rows(records: list[dict[str, Any]], front: list[bool] | None) -> list[dict[str, Any]]:
    out = []
    for i, r in enumerate(records):
        row = {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in r.items()}
        if front is not None:
            row["pareto_optimal"] = front[i]
        out.append(row)
    return out


def _csv(records: list[dict[str, Any]], params: list[str], metrics: list[str], front: list[bool] | None) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=_columns(params, metrics, front), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in _export_rows(records, front):
        # repr-exact floats: a CSV read back gives the stored numbers, not rounded ones
        writer.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()})
    return buf.getvalue()


def _write_parquet(path: str, records: list[dict[str, Any]], params: list[str], metrics: list[str],
                   front: list[bool] | None) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UserError("--parquet needs pyarrow (pip install pyarrow); --csv works without it") from None
    columns = _columns(params, metrics, front)
    rows = _export_rows(records, front)
    table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    buf = pa.BufferOutputStream()
    pq.write_table(table, buf)
    write_bytes_atomic(path, buf.getvalue().to_pybytes())
