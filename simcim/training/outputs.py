"""Files a training run leaves: metrics.json, metrics.csv (one row per epoch), accuracy.png."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from simcim.atomic import write_bytes_atomic, write_text_atomic
from simcim.training.trainer import TrainResult

CSV_FIELDS = ("epoch", "train_loss", "train_accuracy", "test_accuracy", "pulses_per_cell", "seconds")


def metrics_csv(result: TrainResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for m in result.history:
        writer.writerow([getattr(m, f) for f in CSV_FIELDS])
    return buf.getvalue()


def nonideality_label(result: TrainResult) -> str:
    """A short 'what was on' for titles: e.g. 'quant, nonlinearity, variation, adc' or 'ideal'."""
    on = [name for name, v in result.nonidealities.items() if isinstance(v, dict) and v.get("on")]
    return ", ".join(on) if on else "ideal (float math)"


def accuracy_png(result: TrainResult, classes: int | None = None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    import matplotlib.pyplot as plt

    epochs = [m.epoch for m in result.history]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    ax.plot(epochs, [100 * m.train_accuracy for m in result.history], "--", marker=".", label="train")
    ax.plot(epochs, [100 * m.test_accuracy for m in result.history], "-", marker="o", markersize=3, label="test")
    ax.set_xlabel("epoch (passes over the training set)")
    ax.set_ylabel("accuracy (%)")
    if classes:
        ax.axhline(100 / classes, color="grey", linestyle=":", linewidth=1, label=f"chance (1/{classes})")
    ax.set_title(f"{result.workload} — {result.rule.upper()} on {result.dataset}, chip {result.architecture}\n"
                 f"{nonideality_label(result)}",
                 fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    # Fixed metadata so the same run writes the same bytes.
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def write_outputs(result: TrainResult, out_dir: Path, classes: int | None = None) -> list[Path]:
    """Write the three files into ``out_dir`` (created if needed); return their paths."""
    paths = [out_dir / "metrics.json", out_dir / "metrics.csv", out_dir / "accuracy.png"]
    write_text_atomic(paths[0], json.dumps(result.to_json(), indent=2, sort_keys=True) + "\n")
    write_text_atomic(paths[1], metrics_csv(result))
    write_bytes_atomic(paths[2], accuracy_png(result, classes))
    return paths
