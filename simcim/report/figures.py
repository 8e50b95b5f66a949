"""The report's figures, drawn with matplotlib's object API (no pyplot state, Agg canvas).

Every figure has a fixed size and dpi and is saved without a 'Software' stamp, so the same numbers
give the same PNG bytes. Colours are fixed per phase and per component so that all figures agree.
"""

from __future__ import annotations

import io
from typing import Any, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from simcim.analysis.names import phase_key
from simcim.analysis.timeline import PROCESS_ORDER, Timeline
from simcim.report.scale import axis_scale
from simcim.rules import PHASES
from simcim.study import Case, Comparison, TrainingRun

DPI = 110
PS = 1e-12
PHASE_COLORS = {"FW": "#4C72B0", "AG": "#DD8452", "PROJ": "#55A868", "WG": "#C44E52", "WU": "#8172B3"}
WAIT_COLOR = "#B0B0B0"
GAP_COLOR = "#E5E5E5"
COMPONENT_COLORS = {"arrays": "#1f77b4", "adc": "#ff7f0e", "accumulation": "#2ca02c", "buffers": "#d62728",
                    "interconnect": "#9467bd", "dram": "#8c564b", "wg_units": "#e377c2", "leakage": "#7f7f7f"}
CASE_COLORS = ("#C44E52", "#4C72B0", "#55A868", "#DD8452", "#8172B3", "#937860")
CASE_MARKERS = ("o", "s", "^", "D", "v", "P")


def short_resource(name: str) -> str:
    """Gantt row label: drop the 'chip.' and 'link:' noise (link:chip.a--chip.b -> a–b)."""
    return name.removeprefix("link:").replace("chip.", "").replace("--", "–")


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes, reproducible: fixed dpi, no software/date metadata."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _phase_color(phase: str) -> str:
    return PHASE_COLORS.get(phase, "#999999")


def _annotate_totals(ax: Any, xs: Sequence[float], totals: Sequence[float], unit: str) -> None:
    top = max(totals) if totals else 0.0
    for x, v in zip(xs, totals):
        ax.text(x, v + 0.01 * top, f"{v:.3g} {unit}", ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, top * 1.12 if top else 1.0)


def _stacked(ax: Any, labels: list[str], parts: list[dict[str, float]], order: list[str],
             colors: dict[str, str], unit: str, ylabel: str, title: str, hatch: dict[str, str] | None = None) -> None:
    """Stacked bars, one per case, segments in ``order``; values are in base units (s, J, mm²)."""
    totals = [sum(p.values()) for p in parts]
    factor, scaled = axis_scale(max(totals, default=0.0), unit)
    xs = list(range(len(labels)))
    bottoms = [0.0] * len(labels)
    for key in order:
        vals = [p.get(key, 0.0) * factor for p in parts]
        if not any(vals):
            continue
        ax.bar(xs, vals, width=0.6, bottom=bottoms, color=colors.get(key, "#999999"), label=key,
               edgecolor="white", linewidth=0.5, hatch=(hatch or {}).get(key))
        bottoms = [b + v for b, v in zip(bottoms, vals)]
    _annotate_totals(ax, xs, [t * factor for t in totals], scaled)
    ax.set_xticks(xs, labels)
    ax.set_xlabel("learning rule / case")
    ax.set_ylabel(f"{ylabel} ({scaled})")
    ax.set_title(title, fontsize=10)
    handles, names = ax.get_legend_handles_labels()  # reversed: the legend reads top-down like the stack
    ax.legend(handles[::-1], names[::-1], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax.grid(axis="y", alpha=0.3)


# Rows busy for less than this share of the iteration would be empty lines at any readable width.
MIN_ROW_SHARE = 0.001


def drawn_rows(t: Timeline) -> Timeline:
    """The timeline without resources busy for under MIN_ROW_SHARE of the latency (most interconnect
    links: a transfer of a few ns in a ms iteration); the title says how many were left out."""
    keep = [r for r in t.rows if r.busy_ps >= MIN_ROW_SHARE * t.latency_ps]
    return Timeline(t.label, t.latency_ps, keep)


def timeline_figure(timelines: list[Timeline]) -> Figure:
    """Gantt of one iteration per case, one row per resource, all on one time axis."""
    hidden = {t.label: len(t.rows) - len(drawn_rows(t).rows) for t in timelines}
    timelines = [drawn_rows(t) for t in timelines]
    counts = [max(1, len(t.rows)) for t in timelines]
    fig = Figure(figsize=(11.0, 1.2 + sum(0.11 * n + 0.9 for n in counts)), layout="constrained")
    axes = fig.subplots(len(timelines), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": [n + 8 for n in counts]})[:, 0]
    end_ps = max((t.latency_ps for t in timelines), default=0)
    factor, unit = axis_scale(end_ps * PS, "s")
    seen: set[str] = set()
    for ax, t in zip(axes, timelines):
        for i, row in enumerate(t.rows):
            for phase, spans in sorted(row.spans_by_phase.items(), key=lambda kv: phase_key(kv[0])):
                seen.add(phase)
                ax.broken_barh([(s * PS * factor, max(d * PS * factor, 0.0)) for s, d in spans], (i - 0.42, 0.84),
                               facecolors=_phase_color(phase), linewidth=0)
        # Thin separators between tiles / WG units / DRAM / interconnect groups.
        for i in range(1, len(t.rows)):
            if t.rows[i].process != t.rows[i - 1].process:
                ax.axhline(i - 0.5, color="black", linewidth=0.5, alpha=0.5)
        ax.set_yticks(range(len(t.rows)), [short_resource(r.resource) for r in t.rows], fontsize=5.5)
        ax.set_ylim(len(t.rows) - 0.5, -0.5)
        latency = t.latency_ps * PS * factor
        ax.axvline(latency, color="black", linestyle="--", linewidth=1)
        # Label at the foot of the line, inside the axes, so it never collides with the title.
        ax.text(latency, 0.02, f" latency {latency:.3g} {unit} ", transform=ax.get_xaxis_transform(), fontsize=8,
                va="bottom", ha="left" if latency < 0.8 * end_ps * PS * factor else "right",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
        ax.set_ylabel(f"{t.label}: resource", fontsize=9)
        idle = (f"; {hidden[t.label]} more busy under {100 * MIN_ROW_SHARE:g} % of the time not drawn"
                if hidden[t.label] else "")
        ax.set_title(f"{t.label}: one iteration, {len(t.rows)} resources in use "
                     f"({', '.join(p for p in PROCESS_ORDER if any(r.process == p for r in t.rows))}){idle}",
                     fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        # Each panel keeps its own time labels: the panels are tall, and the shared axis is the point.
        ax.tick_params(labelbottom=True)
        ax.set_xlabel(f"time since the iteration began ({unit})", fontsize=9)
    axes[-1].set_xlim(0, end_ps * PS * factor * 1.02 if end_ps else 1)
    handles: list[Any] = [Patch(color=_phase_color(p), label=p) for p in PHASES if p in seen]
    handles.append(Line2D([], [], color="black", linestyle="--", linewidth=1, label="iteration latency"))
    fig.legend(handles=handles, loc="outside upper center", ncols=len(handles), fontsize=8, title="phase of the task holding the resource",
               title_fontsize=8)
    return fig


def latency_figure(cases: list[Case]) -> Figure:
    """Left: the critical path split by phase and queueing (sums to latency). Right: summed task time."""
    fig = Figure(figsize=(11.0, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    labels = [c.label for c in cases]
    path_parts: list[dict[str, float]] = []
    for c in cases:
        parts: dict[str, float] = {}
        if c.critical is not None:
            parts = {ph: v * PS for ph, v in c.critical.busy_by_phase_ps().items()}
            parts["waiting for a unit"] = c.critical.wait_ps * PS
            parts["gap"] = c.critical.gap_ps * PS
        path_parts.append(parts)
    colors = {**PHASE_COLORS, "waiting for a unit": WAIT_COLOR, "gap": GAP_COLOR}
    _stacked(left, labels, path_parts, [*PHASES, "waiting for a unit", "gap"], colors, "s",
             "latency per iteration", "critical path by phase (sums to the latency)",
             hatch={"waiting for a unit": "//"})
    _stacked(right, labels, [_by_phase(c, "latency_s") for c in cases], list(PHASES), PHASE_COLORS, "s",
             "task time summed over tasks", "work by phase (tasks overlap, so this exceeds the latency)")
    return fig


def _by_phase(case: Case, key: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for layer in case.result.layers:
        for ph, d in layer.phases.items():
            out[ph] = out.get(ph, 0.0) + float(getattr(d, key))
    return out


def energy_figure(cases: list[Case]) -> Figure:
    """Energy per iteration: tasks' dynamic energy by phase, and all energy by component."""
    fig = Figure(figsize=(14.0, 4.2), layout="constrained")
    left, right, on_chip = fig.subplots(1, 3)
    labels = [c.label for c in cases]
    _stacked(left, labels, [_by_phase(c, "energy_j") for c in cases], list(PHASES), PHASE_COLORS, "J",
             "dynamic energy per iteration", "energy by phase (tasks' dynamic energy)")
    comps = list(COMPONENT_COLORS)
    _stacked(right, labels, [dict(c.result.energy_j_by_component) for c in cases], comps, COMPONENT_COLORS, "J",
             "energy per iteration", "energy by component (incl. DRAM and leakage)")
    # DRAM is most of the energy of these chips; without it the on-chip components become visible.
    _stacked(on_chip, labels, [{k: v for k, v in c.result.energy_j_by_component.items() if k != "dram"}
                               for c in cases], [k for k in comps if k != "dram"], COMPONENT_COLORS, "J",
             "energy per iteration", "energy by component without DRAM")
    return fig


def area_figure(cases: list[Case]) -> Figure:
    fig = Figure(figsize=(6.5, 4.2), layout="constrained")
    ax = fig.subplots()
    _stacked(ax, [c.label for c in cases], [dict(c.result.area.by_component_mm2) for c in cases],
             list(COMPONENT_COLORS), COMPONENT_COLORS, "mm²", "chip area", "area by component")
    return fig


def depth_figure(comparison: Comparison) -> Figure:
    """Latency, energy and area against depth per case, and the speed-up against y = N."""
    series = comparison.depth_series()
    fig = Figure(figsize=(11.0, 7.5), layout="constrained")
    (ax_l, ax_e), (ax_a, ax_s) = fig.subplots(2, 2)
    all_points = [p for pts in series.values() for p in pts]
    for ax, attr, unit, name in ((ax_l, "latency_s", "s", "latency per iteration"),
                                 (ax_e, "energy_j", "J", "energy per iteration"),
                                 (ax_a, "area_mm2", "mm²", "chip area")):
        factor, scaled = axis_scale(max((getattr(p, attr) for p in all_points), default=0.0), unit)
        for i, (label, pts) in enumerate(series.items()):
            ax.plot([p.depth for p in pts], [getattr(p, attr) * factor for p in pts], marker=CASE_MARKERS[i % 6],
                    color=CASE_COLORS[i % 6], label=label)
        ax.set_xlabel("depth N (weight layers)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(f"{name} ({scaled})")
        ax.set_title(f"{name} against depth", fontsize=10)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    speed = comparison.depth_speedups()
    labels = list(series)
    if speed:
        ds = [d for d, _ in speed]
        ax_s.plot(ds, [s for _, s in speed], marker="o", color="black", label=f"speed-up {labels[0]} / {labels[1]} (simulated)")
        closed = comparison.depth_closed_form_speedups()
        ax_s.plot([d for d, _ in closed], [s for _, s in closed], marker="s", markersize=4, color="#4C72B0",
                  linestyle=":", label="closed form (no queueing)")
        ax_s.plot(ds, ds, linestyle="--", color="grey", label="y = N (ideal: all N layers at once)")
        ax_s.set_ylim(0, max(max(ds), max(s for _, s in speed)) * 1.1)
    else:
        ax_s.text(0.5, 0.5, "speed-up needs two cases", ha="center", va="center", transform=ax_s.transAxes)
    ax_s.set_xlabel("depth N (weight layers)")
    ax_s.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_s.set_ylabel("speed-up (latency ratio, ×)")
    ax_s.set_title("speed-up against depth", fontsize=10)
    ax_s.legend(fontsize=8)
    ax_s.grid(alpha=0.3)
    return fig


def accuracy_figure(runs: list[TrainingRun], chip: str = "") -> Figure:
    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.subplots()
    chances = sorted({r.classes for r in runs if r.classes})
    for k in chances:  # guessing: 1 / classes
        ax.axhline(100 / k, color="grey", linestyle=":", linewidth=1, label=f"chance (1/{k})")
    for i, r in enumerate(runs):
        color = CASE_COLORS[i % 6]
        ax.plot(range(1, len(r.test_accuracy) + 1), [100 * a for a in r.test_accuracy], color=color,
                marker=CASE_MARKERS[i % 6], markersize=3, label=f"{r.label} test")
        if r.train_accuracy:
            ax.plot(range(1, len(r.train_accuracy) + 1), [100 * a for a in r.train_accuracy], color=color,
                    linestyle="--", linewidth=1, label=f"{r.label} train")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"accuracy per epoch on the device model of {chip or 'the same chip'}", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return fig
