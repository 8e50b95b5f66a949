"""Console progress for `simcim train`: a tqdm bar over batches and one line per epoch."""

from __future__ import annotations

import sys

from tqdm import tqdm

from simcim.training.trainer import EpochMetrics


class ConsoleProgress:
    """The bar shows only on a terminal (it would litter logs); epoch lines always, unless quiet."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.bar: tqdm | None = None

    def start(self, total_batches: int) -> None:
        if not self.quiet and sys.stderr.isatty():
            self.bar = tqdm(total=total_batches, unit="batch", dynamic_ncols=True, leave=False)

    def batch(self, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def epoch(self, m: EpochMetrics, epochs: int) -> None:
        if self.quiet:
            return
        line = (f"epoch {m.epoch:>3}/{epochs}  loss {m.train_loss:.4f}  train {100 * m.train_accuracy:6.2f} %"
                f"  test {100 * m.test_accuracy:6.2f} %  pulses/cell {m.pulses_per_cell:.3g}  {m.seconds:.1f} s")
        if self.bar is not None:
            self.bar.write(line)
        else:
            print(line, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
