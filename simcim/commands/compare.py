"""`simcim compare ARCH [WORKLOAD ...] [--rule R ...] [--depths 2-8] [--train] --out DIR`: side by side.

Runs every case (each WORKLOAD under each --rule), writes each one's trace, rebuilds the critical
path and utilization from it, and writes a self-contained HTML report plus report.md, results.json
and PNG figures. See docs/reports.md.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from simcim.atomic import check_output_folder
from simcim.errors import UserError
from simcim.commands.common import parse_overrides
from simcim.paths import DEFAULT_WORKLOAD, WORKLOADS, resolve_architecture, resolve_workload
from simcim.rules import RULE_NAMES
from simcim.study import Comparison, depth_point, provenance, run_case
from simcim.report.tables import TableData, depth_table, speedup_rows, summary_table, training_table
from simcim.report.write import write_report
from simcim.spec import load_architecture, load_workload
from simcim.spec.workload import Linear, Workload

MAX_DEPTH = 64
_DEPTH_ITEM = re.compile(r"^(\d+)(?:-(\d+))?$")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="BP vs DFA (or any cases) side by side: HTML report with figures",
                       description="Simulate each case, analyse its trace and write a report folder: "
                                   "index.html (self-contained), report.md, results.json, PNG figures, traces/.")
    p.add_argument("arch", help="architecture YAML")
    p.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                   help="workload YAMLs (default: the bundled mlp5-RULE.yaml for each --rule)")
    p.add_argument("--rule", dest="rules", action="append", choices=RULE_NAMES, default=[],
                   help="run each workload under this rule (repeatable; default with no WORKLOAD: bp and dfa)")
    p.add_argument("--depths", metavar="LIST", help="also sweep depth N: '2-8', '2,4,8' or '2-4,8'. Without "
                   "WORKLOAD the bundled workloads/mlp{N}-{rule}.yaml are used; with one, its first layer is "
                   "repeated N-1 times before its last layer")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a YAML key in every case: arch.X=V or workload.X=V (repeatable)")
    p.add_argument("--train", action="store_true",
                   help="also train each case's rule on the chip (`simcim train`) and plot accuracy per epoch")
    p.add_argument("--epochs", type=int, metavar="N", help="epochs for --train (default: the trainer's)")
    p.add_argument("--out", default="report", metavar="DIR", help="report folder (default: ./report)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=compare_command)


@dataclass
class CasePlan:
    """One case to run: a workload file, the overrides that make the case, and its label."""

    label: str
    workload_path: Path
    work_over: dict[str, Any] = field(default_factory=dict)
    bundled: bool = False  # chosen by rule from workloads/, not named by the user


def parse_depths(text: str) -> list[int]:
    """'2-8' -> [2..8]; '2,4,8'; '2-4,8'. Raises UserError with the offending part."""
    depths: set[int] = set()
    for part in text.replace(" ", "").split(","):
        m = _DEPTH_ITEM.match(part)
        if not m:
            raise UserError(f"--depths {text!r}: {part!r} is not N or A-B (e.g. --depths 2-8 or 2,4,8)")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if lo < 1 or hi > MAX_DEPTH or lo > hi:
            raise UserError(f"--depths {text!r}: {part!r} must be a range within 1-{MAX_DEPTH}, low end first")
        depths.update(range(lo, hi + 1))
    return sorted(depths)


def _labels(workloads: list[Workload]) -> list[str]:
    """Rule names when the rules tell the cases apart, else workload names, else both."""
    rules = [w.rule for w in workloads]
    names = [w.name for w in workloads]
    if len(set(rules)) == len(rules):
        return [r.upper() for r in rules]
    if len(set(names)) == len(names):
        return names
    return [f"{n} {r.upper()} #{i + 1}" for i, (n, r) in enumerate(zip(names, rules))]


def plan_cases(workloads: list[str], rules: list[str], work_over: dict[str, Any]) -> list[CasePlan]:
    plans: list[CasePlan] = []
    if not workloads:
        for rule in rules or ["bp", "dfa"]:
            bundled = WORKLOADS / f"mlp5-{rule}.yaml"
            path = bundled if bundled.exists() else DEFAULT_WORKLOAD
            if not path.exists():
                raise UserError("the bundled workloads are not installed here; pass WORKLOAD paths")
            plans.append(CasePlan("", path, {**work_over, "rule": rule}, bundled=True))
        return plans
    each_rule: list[str | None] = list(rules) or [None]
    for w in workloads:
        for maybe_rule in each_rule:
            over = dict(work_over) if maybe_rule is None else {**work_over, "rule": maybe_rule}
            plans.append(CasePlan("", resolve_workload(w), over))  # a path or a bundled name
    return plans


def deepen(plan: CasePlan, base: Workload, depth: int) -> Workload:
    """``base`` with ``depth`` weight layers: its first layer repeated depth-1 times, then its last."""
    if not all(isinstance(layer, Linear) for layer in base.layers):
        raise UserError(f"--depths with {plan.workload_path}: only all-linear (MLP) workloads can be deepened; "
                        "pass no WORKLOAD to use the bundled mlp{N}-{rule}.yaml")
    if len(base.layers) < 2 and depth > 1:
        raise UserError(f"--depths with {plan.workload_path}: needs a hidden layer to repeat")
    hidden = base.layers[0].model_dump(mode="json", exclude_unset=True)
    last = base.layers[-1].model_dump(mode="json", exclude_unset=True)
    hidden.pop("name", None)
    last.pop("name", None)
    over = {"layers": [dict(hidden) for _ in range(depth - 1)] + [last], "name": f"{base.name}-n{depth}",
            **plan.work_over}
    return load_workload(plan.workload_path, over)


def depth_workload(plan: CasePlan, base: Workload, depth: int) -> Workload:
    if not plan.bundled:
        return deepen(plan, base, depth)
    rule = base.rule
    path = WORKLOADS / f"mlp{depth}-{rule}.yaml"
    if path.exists():
        return load_workload(path, plan.work_over)
    fallback = WORKLOADS / f"mlp{depth}-bp.yaml"
    if fallback.exists():  # same network; the rule comes from the overrides
        return load_workload(fallback, plan.work_over)
    raise UserError(f"--depths: no bundled workload {path.name} in {WORKLOADS}; "
                    f"pass a WORKLOAD to build depth {depth} from it")


def compare_command(args: argparse.Namespace) -> int:
    arch_over, work_over = parse_overrides(args.overrides)
    depths = parse_depths(args.depths) if args.depths else []
    if args.epochs is not None and args.epochs < 1:
        raise UserError("--epochs must be at least 1")
    out_dir = Path(args.out)
    check_output_folder(args.out, "--out")
    arch = load_architecture(resolve_architecture(args.arch), arch_over)
    plans = plan_cases(args.workloads, args.rules, work_over)
    workloads = [load_workload(p.workload_path, p.work_over) for p in plans]
    for plan, label in zip(plans, _labels(workloads)):
        plan.label = label
    # Build every depth variant before simulating anything, so a bad one fails in a second, not after.
    depth_runs = [(plan.label, n, depth_workload(plan, base, n)) for plan, base in zip(plans, workloads) for n in depths]
    console = Console(quiet=args.quiet)
    cases = []
    for plan, wl in zip(plans, workloads):
        console.print(f"simulating {plan.label}: {wl.name} ({wl.rule}, batch {wl.batch_size})")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", plan.label)
        cases.append(run_case(arch, wl, plan.label, out_dir / "traces" / f"{safe}.json"))
    comparison = Comparison(arch.name, cases)
    comparison.provenance = provenance(arch, {p.label: wl for p, wl in zip(plans, workloads)})
    for label, n, wl in depth_runs:
        console.print(f"simulating {label} at depth {n}: {wl.name}")
        comparison.depth_points.append(depth_point(arch, wl, label, n))
    if depths:
        source = ("bundled workloads/mlp{N}-{rule}.yaml" if plans[0].bundled else
                  "each WORKLOAD's first layer repeated N-1 times, then its last layer")
        comparison.notes.append(f"Depth series: N = {', '.join(map(str, depths))}; networks from {source}; "
                                "--set overrides applied to each.")
    if args.train:
        from simcim.study import train_cases

        comparison.training = train_cases(arch, [(p.label, wl) for p, wl in zip(plans, workloads)],
                                          out_dir / "training", args.epochs, console.print)
    labels = " vs ".join(c.label for c in cases)
    title = f"simcim compare: {labels} on {arch.name}"
    subtitle = ("One simulated training iteration (one batch) per case; per epoch = iterations per epoch × that. "
                f"Workloads: {', '.join(sorted({c.workload for c in cases}))}.")
    files = write_report(comparison, out_dir, title, subtitle)
    if not args.quiet:
        print_tables(console, comparison)
        console.print(f"report: {files[0]} (+ {len(files) - 1} files in {out_dir})")
    return 0


def _rich(t: TableData) -> Table:
    table = Table(title=t.title)
    for i, h in enumerate(t.header):
        table.add_column(h, justify="left" if i == 0 else "right")
    for row in t.rows:
        table.add_row(*row)
    return table


def print_tables(console: Console, c: Comparison) -> None:
    summary = summary_table(c)
    # case, latency, closed form, gap, energy, area, per epoch latency and energy, energy per image, critical path
    keep = [0, 4, 5, 6, 7, 8, 9, 10, 11, 14]
    console.print(_rich(TableData(summary.title, [summary.header[i] for i in keep],
                                  [[row[i] for i in keep] for row in summary.rows])))
    for line in speedup_rows(c):
        console.print(line)
    if c.depth_points:
        console.print(_rich(depth_table(c)))
    if c.training:
        console.print(_rich(training_table(c)))
