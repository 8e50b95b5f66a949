"""The report's tables as rows of strings, shared by the HTML page, the Markdown file and the terminal."""

from __future__ import annotations

from dataclasses import dataclass

from simcim.study import Comparison
from simcim.units import si

PS = 1e-12


@dataclass
class TableData:
    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


def summary_table(c: Comparison) -> TableData:
    rows = []
    for case in c.cases:
        r = case.result
        cp = case.critical
        busiest = case.summary.busiest(1)[0] if case.summary and case.summary.resources else None
        rows.append([
            case.label, r.rule, r.workload, str(r.batch_size),
            si(case.latency_s, "s"), si(r.closed_form.latency_s, "s"), f"{100 * r.closed_form.gap:+.1f} %",
            si(case.energy_j, "J"), f"{case.area_mm2:.4g} mm²",
            si(r.per_epoch.latency_s, "s"), si(r.per_epoch.energy_j, "J"),
            si(r.energy_per_image_j, "J"), f"{r.tops:.3g}", f"{r.tops_per_w:.3g}",
            "-" if cp is None else f"{si(cp.busy_ps * PS, 's', 3)} / {si(cp.wait_ps * PS, 's', 3)}",
            "-" if busiest is None else f"{busiest.name} {100 * busiest.utilization:.1f} %",
        ])
    return TableData("Per iteration (one batch) and per epoch",
                     ["case", "rule", "workload", "batch", "latency / iter", "closed form / iter", "gap",
                      "energy / iter", "area", "latency / epoch", "energy / epoch", "energy / image", "TOPS", "TOPS/W",
                      "critical path run / wait", "busiest resource"], rows,
                     "closed form: what an analytic tool computes from the same task costs (every phase summed; "
                     "a layer-parallel rule's backward pass as the max over layers, as the study's NeuroSim fork "
                     "does); gap: how much longer the simulation finds the iteration, because work queues for "
                     "shared units, buses, buffer ports and DRAM. critical path run / wait: time the "
                     "latency-setting chain of tasks spends running vs queueing for a unit. TOPS counts 2 "
                     "operations per multiply-accumulate the rule performs, so a rule that skips work (DFA's "
                     "backward pass is smaller than BP's) has fewer operations and may show a lower TOPS/W while "
                     "using less energy: energy / image compares rules fairly.")


def critical_path_table(c: Comparison, top: int = 6) -> TableData:
    rows = []
    for case in c.cases:
        cp = case.critical
        if cp is None:
            continue
        for name, n, busy, wait, gap in cp.by_name()[:top]:
            share = 100 * (busy + wait + gap) / (cp.latency_ps or 1)
            rows.append([case.label, name, str(n), si(busy * PS, "s", 3), si(wait * PS, "s", 3), f"{share:.1f} %"])
        for resource, wait in list(cp.blocked_on().items())[:3]:
            rows.append([case.label, f"(queued for {resource})", "", "", si(wait * PS, "s", 3),
                         f"{100 * wait / (cp.latency_ps or 1):.1f} %"])
    return TableData("Where the critical path spends the latency (largest task groups)",
                     ["case", "task", "on path", "run", "wait", "share of latency"], rows,
                     "The chain is rebuilt from the trace: from the last task back through the predecessor "
                     "that ended last. run + wait (+ gaps, here none) adds up to the latency exactly.")


def utilization_table(c: Comparison) -> TableData:
    kinds = sorted({p.process for case in c.cases if case.summary for p in case.summary.processes})
    rows = []
    for case in c.cases:
        if case.summary is None:
            continue
        by_kind = {p.process: p for p in case.summary.processes}
        rows.append([case.label] + [f"{100 * by_kind[k].mean_utilization:.1f} % ({by_kind[k].components})"
                                    if k in by_kind else "-" for k in kinds])
    return TableData("Mean utilization by kind of resource (components in brackets)", ["case", *kinds], rows,
                     "Utilization = busy time / iteration latency, averaged over the physical components of a "
                     "kind that the iteration held (a layer's group of n tiles counts n times): the same "
                     "definition as `simcim run`.")


def speedup_rows(c: Comparison) -> list[str]:
    closed = dict(c.closed_form_speedups())
    return [f"{name}: {value:.3g}× (latency ratio; the closed form says {closed[name]:.3g}×)"
            if name in closed else f"{name}: {value:.3g}× (latency ratio)" for name, value in c.speedups()]


def depth_table(c: Comparison) -> TableData:
    series = c.depth_series()
    labels = list(series)
    depths = sorted({p.depth for pts in series.values() for p in pts})
    speed = dict(c.depth_speedups())
    closed = dict(c.depth_closed_form_speedups())
    header = ["N"] + [f"{lab} {what}" for lab in labels for what in ("latency", "energy", "area")]
    if speed:
        header += [f"speed-up {labels[0]} / {labels[1]}", "closed-form speed-up"]
    rows = []
    for d in depths:
        row = [str(d)]
        for lab in labels:
            p = next((p for p in series[lab] if p.depth == d), None)
            row += ["-"] * 3 if p is None else [si(p.latency_s, "s"), si(p.energy_j, "J"), f"{p.area_mm2:.4g} mm²"]
        if speed:
            row.append(f"{speed[d]:.3g}×" if d in speed else "-")
            row.append(f"{closed[d]:.3g}×" if d in closed else "-")
        rows.append(row)
    return TableData("Against depth (per iteration)", header, rows)


def training_table(c: Comparison) -> TableData:
    by_label = {case.label: case for case in c.cases}
    rows = []
    for t in c.training:
        case = by_label.get(t.label)
        acc = "-" if t.final_test_accuracy is None else f"{100 * t.final_test_accuracy:.2f} %"
        best = f"{100 * max(t.test_accuracy):.2f} %" if t.test_accuracy else "-"
        rows.append([t.label, t.rule, str(len(t.test_accuracy)), acc, best,
                     "-" if case is None else si(case.result.per_epoch.latency_s, "s"),
                     "-" if case is None else si(case.result.per_epoch.energy_j, "J"),
                     "-" if case is None else f"{case.area_mm2:.4g} mm²"])
    return TableData("Accuracy joined with cost on the same chip",
                     ["case", "rule", "epochs", "final test accuracy", "best test accuracy",
                      "latency / epoch", "energy / epoch", "area"], rows)
