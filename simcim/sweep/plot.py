"""A sweep's points on two metrics, grouped by one parameter, with the Pareto front marked (PNG)."""

from __future__ import annotations

import io
from typing import Any, Sequence

from simcim.sweep.metrics import axis_label
from simcim.sweep.pareto import Objective

MARKERS = "osD^v<>Pp*hX"


def _log_scale(values: Sequence[float]) -> bool:
    """Log axes where values are positive and span more than two decades."""
    positive = [v for v in values if v > 0]
    return len(positive) == len(values) and len(values) > 1 and max(positive) / min(positive) > 100


def pareto_png(points: Sequence[dict[str, Any]], front: Sequence[bool], objectives: Sequence[Objective],
               group: str | None, title: str, label: str | None = None) -> bytes:
    """Scatter of the first two objectives; one marker/colour per value of ``group``; the front ringed;
    each point annotated with its value of ``label`` if given."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed, none opened
    import matplotlib.pyplot as plt

    x_name, y_name = objectives[0].metric, objectives[1].metric
    xs = [float(p[x_name]) for p in points]
    ys = [float(p[y_name]) for p in points]
    fig, ax = plt.subplots(figsize=(7.0, 5.0), dpi=120)
    try:
        groups: dict[str, list[int]] = {}
        for i, p in enumerate(points):
            groups.setdefault("all points" if group is None else f"{group}={p.get(group)}", []).append(i)
        for n, (group_name, idx) in enumerate(groups.items()):
            ax.scatter([xs[i] for i in idx], [ys[i] for i in idx], marker=MARKERS[n % len(MARKERS)],
                       s=36, alpha=0.8, label=group_name, zorder=2)
        if label is not None:
            for x, y, p in zip(xs, ys, points):
                ax.annotate(str(p.get(label)), (x, y), xytext=(4, 4), textcoords="offset points",
                            fontsize=7, alpha=0.8)
        on = sorted((xs[i], ys[i]) for i in range(len(points)) if front[i])
        ax.scatter([x for x, _ in on], [y for _, y in on], s=130, facecolors="none", edgecolors="crimson",
                   linewidths=1.6, label=f"Pareto front ({len(on)} points)", zorder=3)
        if len(objectives) == 2 and len(on) > 1:
            # With exactly two objectives the front is a staircase; with more, its 2-D shadow is not.
            ax.plot([x for x, _ in on], [y for _, y in on], color="crimson", lw=1, ls="--", zorder=1)
        if _log_scale(xs):
            ax.set_xscale("log")
        if _log_scale(ys):
            ax.set_yscale("log")
        ax.set_xlabel(f"{axis_label(x_name)} — {objectives[0].direction}imize")
        ax.set_ylabel(f"{axis_label(y_name)} — {objectives[1].direction}imize")
        extra = [str(o.metric) for o in objectives[2:]]
        ax.set_title(title + (f"\nfront also over: {', '.join(extra)}" if extra else ""), fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)
