"""`simcim run ARCH WORKLOAD`: simulate one iteration, report per layer / phase / component."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from simcim.atomic import STDOUT, check_output_file
from simcim.commands.common import add_spec_arguments, load_specs
from simcim.errors import UserError
from simcim.network import weight_layers
from simcim.spec.workload import Workload
from simcim.hardware.costs import COMPONENTS
from simcim.result import Result
from simcim.rules import PHASES, RULE_NAMES
from simcim.traceformat import PROCESSES
from simcim.units import si


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="simulate a training workload on a chip: latency, energy, area",
                       description="Simulate one training iteration (one batch) event by event and "
                                   "scale it to an epoch. With no arguments, runs the bundled defaults.")
    add_spec_arguments(p)
    p.add_argument("--json", dest="json_out", metavar="PATH", help="write the result as JSON")
    p.add_argument("--trace", metavar="PATH", help="write a Chrome/Perfetto trace (JSON; gzip-compressed if PATH "
                                                   "ends in .gz) of the iteration")
    p.add_argument("--trace-filter", metavar="A,B", help=f"keep only these trace processes ({', '.join(PROCESSES)}) or resources whose name "
                        "contains a word (e.g. chip.wg0)")
    p.add_argument("--analytic", action="store_true",
                   help="also print the closed form an analytic tool computes from the same costs (every phase "
                        "summed; DFA's backward as the max over layers) and the simulation's gap to it")
    p.add_argument("--activity", metavar="METRICS_JSON",
                   help="write pulses per cell per layer measured by `simcim train` (its metrics.json) for the "
                        "weight update's cost")
    p.add_argument("--iterations", metavar="N|all", type=_iterations, default=1,
                   help="simulate N iterations (batches) back to back, event by event, so pipelining across "
                        "batches and the weight updates between them count; 'all': the whole epoch "
                        "(default 1, scaled to the epoch)")
    p.add_argument("--exact", action="store_true",
                   help="with --iterations: simulate every iteration event by event (default: once "
                        "iterations repeat one pattern exactly, advance over the repeats without events)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=run_command)


def _iterations(text: str) -> int | str:
    if text == "all":
        return text
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of iterations or 'all', got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def run_command(args: argparse.Namespace) -> int:
    # Outputs are checked before minutes of simulation, not after; '-' is standard output.
    check_output_file(args.json_out, "--json")
    check_output_file(args.trace, "--trace")
    if args.json_out == STDOUT and args.trace == STDOUT:
        raise UserError("--json - and --trace -: only one output can go to standard output")
    if STDOUT in (args.json_out, args.trace):
        args.quiet = True  # the tables would mix with the file on standard output
    arch, workload = load_specs(args)
    if args.activity:
        workload = with_measured_activity(workload, Path(args.activity))
    iterations = workload.epoch_iterations if args.iterations == "all" else args.iterations
    if args.trace:  # streamed while simulating: memory does not grow with the trace
        from simcim.trace import simulate_traced

        filt = args.trace_filter.split(",") if args.trace_filter else None
        result = simulate_traced(arch, workload, args.trace, filt, iterations=iterations)
    else:  # nothing here reads per-resource hold records: keep only their sums
        from simcim.result import summarize
        from simcim.simulation import run_simulation

        result = summarize(run_simulation(arch, workload, keep_holds=False, iterations=iterations,
                                          exact=args.exact))
    if args.json_out:
        result.write_json(args.json_out)
    if not args.quiet:
        print_result(result)
        if args.trace:
            Console().print(f"trace: {args.trace} (open in https://ui.perfetto.dev or chrome://tracing)")
        if args.json_out:
            Console().print(f"result: {args.json_out}")
    if args.analytic and not args.quiet:
        cf = result.closed_form
        Console().print(f"closed form ({cf.method}): {si(cf.latency_s, 's')} per iteration, "
                        f"{si(cf.latency_s * result.iterations_per_epoch, 's')} per epoch; simulated "
                        f"{si(result.per_iteration.latency_s, 's')}: {100 * cf.gap:+.2f} %")
    return 0


def with_measured_activity(workload: Workload, path: Path) -> Workload:
    """The workload with the write pulses per cell per layer that `simcim train` measured."""
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--activity {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"--activity {path}: not a metrics.json file ({exc})") from None
    by_layer = metrics.get("pulses_per_cell_by_layer") if isinstance(metrics, dict) else None
    if not isinstance(by_layer, list) or not all(isinstance(p, (int, float)) and not isinstance(p, bool)
                                                  and 0 <= p <= 1024 for p in by_layer):
        raise UserError(f"--activity {path}: no pulses_per_cell_by_layer list (write it with `simcim train`)")
    n = len(weight_layers(workload))
    if len(by_layer) != n:
        raise UserError(f"--activity {path}: {len(by_layer)} layers measured, the workload has {n} weight layers")
    return workload.model_copy(update={"update_activity": workload.update_activity.model_copy(
        update={"pulses_per_cell_by_layer": [float(p) for p in by_layer]})})


def run_title(workload: str, rule: str) -> str:
    """The workload's name, saying so when its name promises another rule than the one that ran
    (``--rule fa`` on mlp5-bp: "mlp5-bp's network, run with fa")."""
    named = [part for part in workload.split("-") if part in RULE_NAMES]
    if named and named[-1] != rule:
        return f"{workload}'s network, run with {rule}"
    return workload


def print_result(r: Result) -> None:
    console = Console()
    it, ep = r.per_iteration, r.per_epoch
    head = Table(title=f"{run_title(r.workload, r.rule)} ({r.rule}, {r.schedule}) on {r.architecture}")
    for col in ("", "latency", "energy"):
        head.add_column(col, justify="right")
    e = r.epoch
    mean = " mean" if e is not None and e.iterations_run > 1 else ""
    head.add_row(f"per iteration{mean} (batch {r.batch_size})", si(it.latency_s, "s"), si(it.energy_j, "J"))
    how = "" if e is None else (f"{e.images:,} images, {e.iterations} iterations; "
                                + ("simulated" if e.per_epoch == "simulated" else
                                   f"{e.iterations_run} simulated, scaled"))
    head.add_row(f"per epoch ({how})", si(ep.latency_s, "s"), si(ep.energy_j, "J"))
    console.print(head)
    if e is not None and e.fast_forwarded_iterations:
        console.print(f"fast-forward: from iteration {e.pattern_start_iteration} every iteration repeats the "
                      f"same pattern ({si(e.period_s or 0.0, 's')}); {e.fast_forwarded_iterations} of "
                      f"{e.iterations_run} advanced without events (--exact simulates them all)")
    console.print(f"TOPS {r.tops:.4g}   TOPS/W {r.tops_per_w:.4g} (ops = 2 x the {r.macs_per_iteration:,} MACs "
                  f"this rule does per iteration; rules differ in MACs, so compare energy per image: "
                  f"{si(r.energy_per_image_j, 'J')}, per MAC {si(r.energy_per_mac_j, 'J')})")
    console.print(f"area {r.area.total_mm2:.4g} mm²   "
                  f"tiles {r.mapping.tiles_used}   WG units {r.mapping.wg_units}   "
                  f"tasks {r.simulation.tasks}   SimPy events {r.simulation.events}")
    layers = Table(title="per layer and phase, one iteration (latency = summed run time; wait = queueing for units and transfer paths)")
    layers.add_column("layer")
    for ph in PHASES:
        layers.add_column(ph, justify="right")
    for layer in r.layers:
        cells = []
        for ph in PHASES:
            d = layer.phases.get(ph)
            cells.append("-" if d is None else f"{si(d.latency_s, 's', 3)}\n{si(d.energy_j, 'J', 3)}"
                         + (f"\nwait {si(d.wait_s, 's', 3)}" if d.wait_s else ""))
        layers.add_row(f"{layer.name} {layer.shape[0]}x{layer.shape[1]}", *cells)
    console.print(layers)
    comp = Table(title="by component, one iteration")
    for col in ("component", "energy", "share", "area"):
        comp.add_column(col, justify="right")
    total = it.energy_j or 1.0
    area = r.area.by_component_mm2
    for c in COMPONENTS:
        e = r.energy_j_by_component.get(c, 0.0)
        comp.add_row(c, si(e, "J"), f"{100 * e / total:.1f} %", f"{area[c]:.4g} mm²" if c in area else "-")
    console.print(comp)
    util = ", ".join(f"{k} {100 * v:.1f} %" for k, v in r.utilization.by_kind.items())
    console.print(f"mean utilization (busy time / latency, over the components held; a tile counts once): {util}")
