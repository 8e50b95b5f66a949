"""`simcim trace summary|critical-path|vcd|validate TRACE`: look inside a trace `simcim run --trace` wrote."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Callable, TypeVar

from rich.console import Console
from rich.table import Table

from simcim.analysis.critical_path import CriticalPath, critical_path
from simcim.analysis.reader import TraceError
from simcim.analysis.summary import TraceSummary, summarize_trace
from simcim.analysis.validate import validate_trace
from simcim.atomic import STDOUT, check_output_file, write_text_atomic
from simcim.errors import UserError
from simcim.units import si

T = TypeVar("T")

PS = 1e-12


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trace", help="inspect a trace: utilization, critical path, VCD waveforms, validation",
                       description="Analyses of a trace written by `simcim run --trace T.json`. They read the "
                                   "file as a stream, so large traces need little memory.")
    tsub = p.add_subparsers(dest="trace_command", metavar="ACTION", required=True)

    s = tsub.add_parser("summary", help="utilization and queueing per resource and phase; busiest and idlest")
    s.add_argument("trace", help="trace JSON from `simcim run --trace`")
    s.add_argument("--top", type=int, default=8, metavar="N", help="busiest and idlest N resources (default 8)")
    s.add_argument("--all", action="store_true", help="list every resource, not only the busiest and idlest")
    s.add_argument("--json", dest="json_out", metavar="PATH", help="also write the summary as JSON")
    s.set_defaults(func=summary_command)

    c = tsub.add_parser("critical-path", help="the chain of tasks and waits that sets the iteration's latency")
    c.add_argument("trace", help="trace JSON from `simcim run --trace`")
    c.add_argument("--steps", action="store_true", help="one row per task instead of runs of equal tasks")
    c.add_argument("--limit", type=int, default=40, metavar="N", help="rows to print (default 40; 0 = all)")
    c.add_argument("--json", dest="json_out", metavar="PATH", help="also write the path as JSON")
    c.set_defaults(func=critical_path_command)

    v = tsub.add_parser("vcd", help="waveforms for GTKWave: busy bit, task and queue depth per resource")
    v.add_argument("trace", help="trace JSON from `simcim run --trace`")
    v.add_argument("-o", "--out", required=True, metavar="PATH", help="VCD file to write")
    v.set_defaults(func=vcd_command)

    k = tsub.add_parser("validate", help="check a trace against docs/trace-format.md")
    k.add_argument("trace", help="trace JSON")
    k.set_defaults(func=validate_command)


def _ps(value_ps: int | float) -> str:
    return si(value_ps * PS, "s", 3)


def _analyse(analysis: Callable[[str], T], args: argparse.Namespace) -> T:
    """Run one analysis of the trace; bad traces become one-line errors, ``--json`` gets its dict."""
    check_output_file(args.json_out, "--json")
    try:
        out = analysis(args.trace)
    except TraceError as exc:
        raise UserError(str(exc)) from None
    if args.json_out is not None:
        write_text_atomic(args.json_out, json.dumps(out.to_dict(), indent=2, sort_keys=True) + "\n")
    return out


def summary_command(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise UserError("--top must be at least 1")
    summary = _analyse(summarize_trace, args)
    if args.json_out != STDOUT:  # with '-' the JSON alone goes to standard output
        print_summary(summary, args.top, args.all)
    return 0


def print_summary(s: TraceSummary, top: int = 8, every: bool = False) -> None:
    console = Console()
    o = s.other
    title = " ".join(str(o[k]) for k in ("workload", "rule", "architecture") if k in o) or "trace"
    # "trace events" are the file's records (slices, counters, metadata), not `run`'s SimPy events.
    console.print(f"[bold]{title}[/bold]: latency {_ps(s.makespan_ps)}, {s.tasks} tasks, {s.events} trace events")
    kinds = Table(title="by kind of resource (utilization = busy time / latency, mean over the components "
                        "held, a tile counting once, as in `simcim run`)")
    for col in ("kind", "resources", "components", "busy (sum)", "mean utilization", "queued (sum)"):
        kinds.add_column(col, justify="right")
    for p in s.processes:
        kinds.add_row(p.process, str(p.resources), str(p.components), _ps(p.busy_ps),
                      f"{100 * p.mean_utilization:.1f} %", _ps(p.queued_ps))
    console.print(kinds)
    phases = Table(title="by phase (busy = summed task time; wait = queueing for units after ready)")
    for col in ("phase", "tasks", "busy (sum)", "wait (sum)", "energy", "first start", "last end"):
        phases.add_column(col, justify="right")
    for st in s.phases:
        phases.add_row(st.phase, str(st.tasks), _ps(st.busy_ps), _ps(st.wait_ps), si(st.energy_pj * 1e-12, "J"),
                       _ps(st.first_t0_ps or 0), _ps(st.last_t1_ps))
    console.print(phases)

    def resource_table(title: str, rows: list[Any]) -> None:
        t = Table(title=title)
        t.add_column("resource", overflow="fold")  # long link names wrap; numbers never do
        for col in ("busy", "util.", "uses", "queued", "max q", "mean q"):
            t.add_column(col, justify="right", no_wrap=True, min_width=7)
        for r in rows:
            t.add_row(r.name, _ps(r.busy_ps), f"{100 * r.utilization:.3g} %", str(r.slices),
                      _ps(r.queued_ps), str(r.max_queue), f"{r.mean_queue:.3g}")
        console.print(t)

    if every:
        resource_table("every resource", s.resources)
    else:
        resource_table(f"busiest {top}", s.busiest(top))
        resource_table(f"idlest {top}", s.idlest(top))
    queued = [r for r in s.resources if r.queued_ps]
    if queued:
        worst = max(queued, key=lambda r: r.queued_ps)
        console.print(f"queueing: {len(queued)} resources made work wait; most on {worst.name} "
                      f"({_ps(worst.queued_ps)} over {worst.queued_slices} requests, up to {worst.max_queue} waiting)")
    else:
        console.print("queueing: no request ever waited for a resource")


def critical_path_command(args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise UserError("--limit must be 0 (all) or more")
    path = _analyse(critical_path, args)
    if args.json_out != STDOUT:
        print_critical_path(path, args.steps, args.limit)
    return 0


def print_critical_path(path: CriticalPath, steps: bool = False, limit: int = 40) -> None:
    console = Console()
    o = path.other
    title = " ".join(str(o[k]) for k in ("workload", "rule", "architecture") if k in o) or "trace"
    groups = Table(title=f"critical path of {title}: where its {_ps(path.latency_ps)} go, by task")
    for col in ("task", "on path", "run", "wait", "gap", "share"):
        groups.add_column(col, justify="right", no_wrap=True)
    for name, n, b, w, g in path.by_name():
        groups.add_row(name, str(n), _ps(b), _ps(w), _ps(g), f"{100 * (b + w + g) / (path.latency_ps or 1):.1f} %")
    console.print(groups)
    table = Table(title=f"the chain, first task to last ({len(path.steps)} tasks)")
    if steps:
        for col in ("#", "task", "name", "image", "start", "run", "wait", "queued for"):
            table.add_column(col, justify="right")
        rows: list[list[str]] = [[str(i), str(s.task), s.name, "-" if s.image is None else str(s.image), _ps(s.t0_ps),
                                  _ps(s.busy_ps), _ps(s.wait_ps), s.blocked_on or ""] for i, s in enumerate(path.steps)]
    else:
        for col in ("#", "tasks", "run", "wait", "gap"):
            table.add_column(col, justify="right")
        rows = [[str(i), name + (f" ×{n}" if n > 1 else ""), _ps(b), _ps(w), _ps(g)]
                for i, (name, n, b, w, g) in enumerate(path.runs())]
    shown = rows if not limit or len(rows) <= limit else rows[: limit // 2] + [["…"] * len(rows[0])] + rows[-(limit - limit // 2):]
    for row in shown:
        table.add_row(*row)
    console.print(table)
    by_phase = ", ".join(f"{ph} {_ps(v)}" for ph, v in path.busy_by_phase_ps().items())
    console.print(f"run {_ps(path.busy_ps)} + wait {_ps(path.wait_ps)} + gap {_ps(path.gap_ps)} = "
                  f"{_ps(path.total_ps)}; latency (last task end) {_ps(path.latency_ps)}")
    console.print(f"run time by phase: {by_phase}")
    blocked = path.blocked_on()
    if blocked:
        console.print("waits on the path, by resource queued for: "
                      + ", ".join(f"{name} {_ps(v)}" for name, v in blocked.items()))
    if path.total_ps != path.latency_ps:
        console.print("[red]the path does not add up to the latency: the trace's deps/ready times are inconsistent[/red]")


def vcd_command(args: argparse.Namespace) -> int:
    from simcim.analysis.vcd import PyvcdMissing, write_vcd

    check_output_file(args.out, "--out")
    try:
        changes = write_vcd(args.trace, args.out)
    except (TraceError, PyvcdMissing) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"{args.out}: cannot write ({exc.strerror})") from None
    Console().print(f"vcd: {args.out} ({changes} value changes, timescale 1 ps; open with gtkwave)")
    return 0


def validate_command(args: argparse.Namespace) -> int:
    if not Path(args.trace).is_file():  # not a trace at all: an error, not a list of problems
        raise UserError(f"{args.trace}: no such trace file")
    problems = validate_trace(args.trace)
    for p in problems:
        print(p)
    if problems:
        print(f"{args.trace}: {len(problems)} problem(s)")
        return 1
    print(f"{args.trace}: ok")
    return 0
