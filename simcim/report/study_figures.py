"""The figures of a study report (`simcim study`), drawn from simcim.studies.results.StudyResults.

Same conventions as simcim.report.figures: object API, fixed size and dpi, one colour per rule.
Every figure's title line names the chip, data set, epochs and seeds it comes from.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simcim.report.figures import CASE_COLORS, CASE_MARKERS
from simcim.studies.results import ACCURACY, StudyResults

COSTS = (("latency_s", "epoch latency [s]"), ("energy_j", "epoch energy [J]"), ("area_mm2", "chip area [mm²]"))
HW_STYLE = {"given": "-", "equal-per-layer": "--", "equal-shared": ":"}


def _hw(hw: str) -> dict[str, Any]:
    """Line style per hardware; open markers off the given chip, so overlapping lines stay visible."""
    return {"linestyle": HW_STYLE[hw], **({} if hw == "given" else {"markerfacecolor": "none"})}


def _depth_axis(ax: Any) -> None:
    ax.set_xlabel("weight layers N")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def rule_style(res: StudyResults, rule: str) -> dict[str, Any]:
    i = res.rules.index(rule) if rule in res.rules else len(res.rules)
    return {"color": CASE_COLORS[i % len(CASE_COLORS)], "marker": CASE_MARKERS[i % len(CASE_MARKERS)]}


def _legend(ax: Any, size: int) -> None:
    """A legend where something is drawn (a study without BP has no speed-up lines)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=size)


def _style(ax: Any, ylabel: str, legend_size: int) -> None:
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    _legend(ax, legend_size)


# A second, zoomed panel when the largest rule's bars reach this many times as far as the next rule's.
ZOOM_FACTOR = 3.0


def _finish(fig: Figure, res: StudyResults, what: str, training: bool) -> Figure:
    """Title the figure with what it shows and where its numbers come from (chip, data, epochs, seeds)."""
    source = res.provenance_line() + ("" if training else " (this figure: simulation, no training)")
    # About 15 characters of 9-point text per inch: wrap so that a narrow figure keeps its whole title.
    width = int(15 * fig.get_figwidth())
    fig.suptitle("\n".join(textwrap.fill(line, width) for line in (what, source)), fontsize=9)
    fig.tight_layout()
    return fig


def cost_vs_depth(res: StudyResults) -> Figure:
    fig = Figure(figsize=(13, 4.2))
    axes = fig.subplots(1, 3)
    for ax, (metric, label) in zip(axes, COSTS):
        for rule in res.rules:
            for hw in res.hardware:
                pts = [(d, c[metric]) for d in res.depths if (c := res.cost(rule, d, hw)) is not None]
                if pts:
                    ax.plot(*zip(*pts), label=f"{rule.upper()} {hw}", **_hw(hw), **rule_style(res, rule),
                            markersize=5)
        _depth_axis(ax)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    _legend(axes[0], 7)
    return _finish(fig, res, "Epoch latency, energy and chip area against depth, per rule and hardware", False)


def cost_vs_axes(res: StudyResults) -> Figure:
    names = list(res.simulate_axes)
    fig = Figure(figsize=(13, 3.2 * max(1, len(names))))
    grid = fig.subplots(max(1, len(names)), 3, squeeze=False)
    for row, axis in zip(grid, names):
        values = res.simulate_axes[axis]
        for ax, (metric, label) in zip(row, COSTS):
            ax.ticklabel_format(axis="y", useOffset=False)  # 18.657 J, not +1.865e1 and 0.007
            for rule in res.rules:
                pts = [(i, c[metric]) for i, v in enumerate(values) if (c := res.axis_cost(axis, v, rule)) is not None]
                if pts:
                    ax.plot(*zip(*pts), label=rule.upper(), **rule_style(res, rule), markersize=4)
            ax.set_xticks(range(len(values)), [str(v) for v in values])
            ax.set_xlabel(axis)
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
        _legend(row[0], 7)
    return _finish(fig, res, f"Cost against one setting at a time (N = {res.reference_depth}, chip as given)", False)


def speedup_vs_depth(res: StudyResults) -> Figure:
    fig = Figure(figsize=(7, 4.6))
    ax = fig.subplots()
    ax.plot(res.depths, res.depths, color="#888888", linestyle="-.", label="y = N")
    for rule in res.rules:
        if rule == "bp":
            continue
        for hw in res.hardware:
            pts = [(d, s) for d in res.depths if (s := res.speedup(rule, d, hw)) is not None]
            if pts:
                ax.plot(*zip(*pts), label=f"BP / {rule.upper()}, {hw}", **_hw(hw), **rule_style(res, rule))
    _depth_axis(ax)
    _style(ax, "speed-up over BP (epoch latency ratio)", 7)
    return _finish(fig, res, "Speed-up over BP against depth: chip as given vs equal hardware", False)


# A rule within this many points of BP is squashed onto BP's line by one that lost tens of points.
NEAR_BP_POINTS = 10.0
FAR_FROM_BP_POINTS = 20.0


def accuracy_vs_depth(res: StudyResults) -> Figure:
    """Accuracy per rule against depth, one panel per effect set, and -- with BP and DFA both there --
    a panel of BP minus DFA with the spread claim 1 judges it against: a point between two rules near
    85 % is invisible on an axis that also holds a rule at chance."""
    sets = res.nonidealities
    gap = "bp" in res.rules and "dfa" in res.rules
    fig = Figure(figsize=(5.5 * (len(sets) + gap), 4.4))
    axes = fig.subplots(1, len(sets) + gap, squeeze=False)[0]
    chance = 100 / res.classes
    label = {"all": "every effect of the chip on", "none": "without nonidealities (float, plain SGD)"}
    for ax, nonideal in zip(axes, sets):
        for rule in res.rules:
            pts = [(d, s) for d in res.depths if (s := res.accuracy(rule, d, nonideal)) is not None]
            if pts:
                ax.errorbar([d for d, _ in pts], [100 * s.mean for _, s in pts], yerr=[100 * s.sd for _, s in pts],
                            capsize=3, label=rule.upper(), **rule_style(res, rule))
        ax.axhline(chance, color="#888888", linewidth=0.8, linestyle=":")
        ax.set_title(label.get(nonideal, nonideal), fontsize=9)
        _depth_axis(ax)
        _style(ax, "test accuracy [%], mean ± sd over seeds", 8)
    if gap:
        ax = axes[-1]
        for k, nonideal in enumerate(sets):
            pts = [(d, g) for d in res.depths if (g := res.accuracy_gap(d, nonideal)) is not None]
            if pts:
                ax.errorbar([d + 0.08 * (k - (len(sets) - 1) / 2) for d, _ in pts], [x for _, (x, _) in pts],
                            yerr=[0.0 if math.isinf(sd) else sd for _, (_, sd) in pts], capsize=3,
                            marker="o" if nonideal == "all" else "s", color="#333333" if nonideal == "all" else "#999999",
                            label=label.get(nonideal, nonideal))
        ax.axhline(0, color="#888888", linewidth=0.8)
        ax.set_title("BP − DFA (claim 1; bars: the seeds' sds combined)", fontsize=9)
        _depth_axis(ax)
        _style(ax, "BP − DFA test accuracy [points]", 8)
    return _finish(fig, res, "Test accuracy against depth per rule, with and without nonidealities "
                   f"(dotted: chance, {chance:.0f} %)", True)


def accuracy_vs_time(res: StudyResults) -> Figure:
    fig = Figure(figsize=(7.5, 5))
    ax = fig.subplots()
    drawn: list[tuple[str, bool, str, list[float], list[float]]] = []
    for rule in res.rules:
        if rule == "bp":
            continue
        for hw, fill in (("given", True), ("equal-per-layer", False)):
            if hw not in res.hardware:
                continue
            xs, ys, ns = [], [], []
            for d in res.depths:
                s = res.speedup(rule, d, hw)
                a_bp, a_r = res.accuracy("bp", d), res.accuracy(rule, d)
                if s is None or a_bp is None or a_r is None:
                    continue
                xs.append(100 * (1 - 1 / s))
                ys.append(100 * (a_bp.mean - a_r.mean))
                ns.append(d)
            if xs:
                _path(ax, res, (rule, fill, hw, xs, ys), 40, label=f"{rule.upper()} vs BP, {hw}")
                # only the path's two ends are labelled (seven labels per series piled onto each other)
                ends = [0, len(xs) - 1] if len(xs) > 1 else [0]
                for k, i in enumerate(ends):
                    ax.annotate(f"N={ns[i]}", (xs[i], ys[i]), fontsize=7, textcoords="offset points",
                                xytext=(4, 4) if k else (-4, -10), ha="left" if k else "right")
                drawn.append((rule, fill, hw, xs, ys))
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_xlabel("training time saved against BP [%] (1 − t_rule / t_BP)")
    _style(ax, "accuracy lost against BP [points] (every effect on)", 7)
    # A rule that lost tens of points (FA at chance) squashes the ones within a few points of BP onto
    # the zero line: those get an inset of their own range, in the empty middle of the plot.
    near = [d for d in drawn if max(abs(y) for y in d[4]) < NEAR_BP_POINTS]
    bounds = (0.3, 0.25, 0.65, 0.42)
    if near and any(max(d[4]) > FAR_FROM_BP_POINTS for d in drawn) and _band_is_empty(ax, bounds, drawn):
        inset = ax.inset_axes(bounds)
        for series in near:
            _path(inset, res, series, 20)
        inset.axhline(0, color="#888888", linewidth=0.8)
        inset.tick_params(labelsize=7)
        inset.grid(alpha=0.3)
        inset.set_title(f"zoom: {', '.join(sorted({d[0].upper() for d in near}))} (points lost)", fontsize=7)
    return _finish(fig, res, "Accuracy lost vs time saved, one point per depth and rule", True)


def _path(ax: Any, res: StudyResults, series: tuple[str, bool, str, list[float], list[float]], size: float,
          label: str | None = None) -> None:
    """One rule's points (filled on the given chip, open on equal hardware) joined by a thin line in
    depth order, so they read as one path from shallow to deep."""
    rule, fill, hw, xs, ys = series
    st = rule_style(res, rule)
    ax.plot(xs, ys, color=st["color"], linewidth=0.8, alpha=0.6, linestyle=HW_STYLE[hw])
    ax.scatter(xs, ys, marker=st["marker"], s=size, label=label, facecolors=st["color"] if fill else "none",
               edgecolors=st["color"], zorder=3)


def _band_is_empty(ax: Any, bounds: tuple[float, float, float, float],
                   drawn: list[tuple[str, bool, str, list[float], list[float]]]) -> bool:
    """Whether no drawn point or line passes through ``bounds`` (axes fractions) of ``ax``: an inset
    there hides nothing."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    bx, by, bw, bh = bounds
    left, right = x0 + bx * (x1 - x0), x0 + (bx + bw) * (x1 - x0)
    low, high = y0 + by * (y1 - y0), y0 + (by + bh) * (y1 - y0)
    for *_, xs, ys in drawn:
        pts = list(zip(xs, ys))
        samples = pts + [(a[0] + t / 20 * (b[0] - a[0]), a[1] + t / 20 * (b[1] - a[1]))
                         for a, b in zip(pts, pts[1:]) for t in range(1, 20)]  # along each segment
        if any(left <= x <= right and low <= y <= high for x, y in samples):
            return False
    return True


def effect_costs(res: StudyResults) -> Figure:
    """Bars of each effect's accuracy cost per rule. Where one rule's bars dwarf the others' (FA on the
    study's chip swings by 60 points, BP and DFA by 1-3), a second panel zooms on the others' range so
    their costs stay readable; bars beyond it are cut, and its title says at what."""
    effects = ["all"] + res.effects
    width = 0.8 / max(1, len(res.rules))
    bars: list[tuple[str, list[float], list[float], list[float]]] = []  # rule, x, mean, sd (points)
    for i, rule in enumerate(res.rules):
        vals = [res.effect_cost(rule, e) for e in effects]
        kept = [(k + i * width, v) for k, v in enumerate(vals) if v is not None]
        if kept:
            bars.append((rule, [x for x, _ in kept], [100 * v.mean for _, v in kept], [100 * v.sd for _, v in kept]))
    reach = sorted((max(abs(m) + e for m, e in zip(ys, es)) for _, _, ys, es in bars), reverse=True)
    zoom = 1.2 * reach[1] if len(reach) > 1 and reach[0] > ZOOM_FACTOR * reach[1] > 0 else None
    fig = Figure(figsize=(8, 4.6 if zoom is None else 7.6))
    axes = [fig.subplots()] if zoom is None else list(fig.subplots(2, 1, sharex=True))
    for ax in axes:
        for rule, xs, ys, es in bars:
            ax.bar(xs, ys, width, yerr=es, capsize=3, label=rule.upper(), color=rule_style(res, rule)["color"])
        ax.axhline(0, color="#888888", linewidth=0.8)
        ax.set_ylabel("accuracy cost [points] (effect off − all on)")
        ax.grid(alpha=0.3, axis="y")
    axes[-1].set_xticks([k + width * (len(res.rules) - 1) / 2 for k in range(len(effects))],
                        ["whole device model" if e == "all" else e for e in effects])
    if zoom is not None:
        axes[1].set_ylim(-zoom, zoom)
        axes[1].set_title(f"zoom: ±{zoom:.1f} points (bars beyond it cut)", fontsize=9)
    _legend(axes[0], 8)
    return _finish(fig, res, f"Accuracy cost of each nonideality per rule (N = {res.reference_depth}, paired by seed)", True)


def accuracy_vs_settings(res: StudyResults) -> Figure:
    names = list(res.vary_axes)
    fig = Figure(figsize=(5 * max(1, len(names)), 4.2))
    axes = fig.subplots(1, max(1, len(names)), squeeze=False)[0]
    for ax, axis in zip(axes, names):
        values = res.vary_axes[axis]
        for rule in res.rules:
            pts = [(i, s) for i, v in enumerate(values) if (s := res.vary_accuracy(axis, v, rule)) is not None]
            if pts:
                ax.errorbar([i for i, _ in pts], [100 * s.mean for _, s in pts], yerr=[100 * s.sd for _, s in pts],
                            capsize=3, label=rule.upper(), **rule_style(res, rule))
        ax.set_xticks(range(len(values)), [str(v) for v in values])
        ax.set_xlabel(axis)
        _style(ax, f"test accuracy [%] ({ACCURACY})", 8)
    return _finish(fig, res, f"Test accuracy against device settings (N = {res.reference_depth}, every effect on)", True)
