"""The training loop: batches, learning-rule updates written as pulses, metrics per epoch."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import Tensor

from simcim.network import classes as network_classes
from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload
from simcim.training import checkpoint as checkpoints
from simcim.training.alignment import alignment
from simcim.training.allocator import keep_freed_memory
from simcim.training.chip import ChipNetwork
from simcim.training.datasets import Dataset, load_dataset
from simcim.training.quantize import peak_and_shift
from simcim.training.backward import layer_errors, loss_value, output_error, weight_gradients
from simcim.training.settings import HardwareModel, Nonidealities, hardware_model

# The study trains 50 epochs of 50,000 images (Wolters et al. 2023; docs/reference.md). Digits has 1,437 training images, so an
# epoch is 8 batches of 200: 50 such epochs (400 updates) take the study's 784-1024-1024-10 MLP to
# >= 96 % (BP) and >= 94 % (DFA) in about a minute on two cores (docs/training.md); fewer fall
# short for DFA. The cap only matters for workloads that ask for more.
SMALL_SET_EPOCHS = 50
SMALL_SETS = ("digits", "synthetic")
ALIGNMENT_SAMPLES = 512  # enough for a stable angle, cheap in float math
# Train accuracy per epoch is measured on the first this-many training images: all 60,000 of
# (Fashion-)MNIST would cost another third of an epoch in hardware mode for a number this close.
TRAIN_EVAL_SAMPLES = 10_000
# A run's state is saved after an epoch only once this much training has passed since the last save:
# a save costs ~0.2 s per 140 MB (the study's 8-layer network), a tenth of a short digits epoch, and
# a killed run then loses at most this much besides the epoch it was in.
CHECKPOINT_EVERY_S = 30.0
# DNN+NeuroSim V2.1 Training_pytorch/train.py: gamma = 0.9 (its momentum), used by `momentum: neurosim`.
NEUROSIM_GAMMA = 0.9


def neurosim_sized(g: Tensor, delta: Tensor) -> Tensor:
    """The batch-mean gradient ``g`` over the Shift(max|delta|) its layer's error was scaled by, as QE
    leaves NeuroSim's errors (times the batch: the caller's). Divided by the shift, not multiplied by
    its reciprocal, which is beyond float32 for tiny errors; an all-zero error gives a zero gradient
    (its shift would be 0)."""
    scale = peak_and_shift(delta)
    return torch.zeros_like(g) if scale is None else g.div(scale[1])


def default_epochs(workload: Workload, dataset: str) -> int:
    """The workload's epochs, capped at SMALL_SET_EPOCHS for the small bundled sets."""
    return min(workload.epochs, SMALL_SET_EPOCHS) if dataset in SMALL_SETS else workload.epochs


@dataclass(frozen=True)
class TrainOptions:
    rule: str
    dataset: str
    epochs: int
    seed: int
    nonidealities: Nonidealities
    data_dir: Path | None = None
    batch_size: int | None = None  # None: training.batch_size, then the workload's
    lr: float | None = None
    momentum: float | str | None = None  # a gamma, or "neurosim" (Training.momentum)
    loss: str | None = None
    weight_update: str | None = None  # None: the workload's training.weight_update


@dataclass
class EpochMetrics:
    epoch: int
    train_loss: float
    train_accuracy: float
    test_accuracy: float
    pulses_per_cell: float
    seconds: float


@dataclass
class TrainResult:
    workload: str
    architecture: str
    rule: str
    dataset: str
    epochs: int
    seed: int
    batch_size: int
    batches_per_epoch: int
    lr: float
    momentum: float
    loss: str
    nonidealities: dict[str, Any]
    momentum_buffer: str  # "sgd", or "neurosim": the buffer divided in place by QG's shift each step
    weight_update: str  # what the cells got: proportional | neurosim | float
    history: list[EpochMetrics] = field(default_factory=list)
    pulses_per_cell: float = 0.0
    # Per weight layer (in order): what `simcim run --activity metrics.json` puts into the cost model.
    pulses_per_cell_by_layer: list[float] = field(default_factory=list)
    alignment_deg: dict[str, float] | None = None
    seconds: float = 0.0
    resumed_after_epoch: int = 0  # epochs restored from a checkpoint (0: trained from the start)
    checkpoint_discarded: str | None = None  # why a checkpoint found at the start was not used (then deleted)

    def to_json(self) -> dict[str, Any]:
        h = self.history
        return {
            "workload": self.workload, "architecture": self.architecture, "rule": self.rule,
            "dataset": self.dataset, "epochs": self.epochs, "seed": self.seed,
            "batch_size": self.batch_size, "batches_per_epoch": self.batches_per_epoch,
            "lr": self.lr, "momentum": self.momentum, "momentum_buffer": self.momentum_buffer, "loss": self.loss,
            "weight_update": self.weight_update,
            "train_loss": [m.train_loss for m in h],
            "train_accuracy": [m.train_accuracy for m in h],
            "test_accuracy": [m.test_accuracy for m in h],
            "final_test_accuracy": h[-1].test_accuracy if h else None,
            "final_train_accuracy": h[-1].train_accuracy if h else None,
            "pulses_per_cell": self.pulses_per_cell,
            "pulses_per_cell_by_layer": self.pulses_per_cell_by_layer,
            "alignment_deg": self.alignment_deg,
            "nonidealities": self.nonidealities,
            "seconds": round(self.seconds, 3),
            "resumed_after_epoch": self.resumed_after_epoch,
            "history": [asdict(m) for m in h],
        }


class Progress(Protocol):
    """What the loop reports to (a progress bar, a log); every method may do nothing."""

    def start(self, total_batches: int) -> None: ...
    def batch(self, loss: float) -> None: ...
    def epoch(self, metrics: EpochMetrics, epochs: int) -> None: ...
    def close(self) -> None: ...


class _Silent:
    def start(self, total_batches: int) -> None: pass
    def batch(self, loss: float) -> None: pass
    def epoch(self, metrics: EpochMetrics, epochs: int) -> None: pass
    def close(self) -> None: pass


def one_hot(labels: Tensor, classes: int) -> Tensor:
    return torch.nn.functional.one_hot(labels, classes).to(torch.float32)


def accuracy(net: ChipNetwork, x: Tensor, y: Tensor, batch: int) -> float:
    """Fraction classified right by the chip's forward pass (its read model included)."""
    right = 0
    for i in range(0, x.shape[0], batch):
        out, _ = net.forward(x[i:i + batch])
        right += int((out.argmax(dim=1) == y[i:i + batch]).sum())
    return right / max(1, x.shape[0])


class Trainer:
    """One training run: a chip network, its optimizer state, and the data."""

    def __init__(self, workload: Workload, arch: Architecture, options: TrainOptions,
                 data: Dataset | None = None) -> None:
        keep_freed_memory()  # steps reuse freed layer-sized blocks instead of faulting in new pages
        self.workload = workload
        self.arch = arch
        self.options = options
        t = workload.training
        self.batch_size = options.batch_size or t.batch_size or workload.batch_size
        self.lr = options.lr if options.lr is not None else t.lr
        momentum = options.momentum if options.momentum is not None else t.momentum
        self.momentum = NEUROSIM_GAMMA if momentum == "neurosim" else float(momentum)
        self.loss = options.loss or t.loss
        self.classes = network_classes(workload)
        self.hw: HardwareModel = hardware_model(arch, workload, options.nonidealities, options.weight_update)
        self.neurosim = self.hw.weight_update == "neurosim"
        self.momentum_buffer = "neurosim" if momentum == "neurosim" and self.neurosim else "sgd"
        self.generator = torch.Generator().manual_seed(options.seed)
        self.data = data or load_dataset(options.dataset, tuple(workload.input_shape), self.classes,
                                         options.seed, options.data_dir)
        self.net = ChipNetwork(workload, self.hw, options.rule, self.classes, self.generator)
        self.velocity = [torch.zeros_like(w) for w in self.net.weights]
        n = self.data.x_train.shape[0]
        # An epoch: the workload's epoch in images (or its explicit batch count), capped by the data.
        epoch_batches = (workload.iterations_per_epoch if workload.iterations_per_epoch is not None
                         else math.ceil(workload.epoch_images / self.batch_size))
        self.batches_per_epoch = min(math.ceil(n / self.batch_size), epoch_batches)
        self.cells = sum(w.numel() for w in self.net.weights)
        self.pulses_total = 0.0
        self.pulses_by_layer = [0.0] * len(self.net.weights)
        self.batches_done = 0

    def step(self, x: Tensor, labels: Tensor) -> float:
        """One batch: forward, learning signal, gradients, update by pulses. Returns the loss."""
        net = self.net
        target = one_hot(labels, self.classes)
        out, records = net.forward(x)
        err = output_error(out, target, self.loss)
        deltas = layer_errors(net, records, err, target)
        grads = weight_gradients(net, records, deltas)
        pulses = 0.0
        for i, g in enumerate(grads):
            if g is None:
                continue
            # SGD with momentum on the (quantized) gradient, as the study (lr 0.1, momentum 0.9; docs/reference.md); momentum
            # lives in the digital weight-gradient unit, the cells get the requested change.
            v = self.velocity[i]
            if self.neurosim:
                # DNN+NeuroSim V2.1 train.py: velocity = gamma * velocity + alpha * grad on the float
                # gradient; QG (in update_neurosim) is its gradient quantizer. Unlike train.py we do
                # not zero the velocity at each epoch (8 batches on digits, not 250).
                if self.momentum_buffer == "neurosim":
                    # train.py: velocity = gamma * velocity + alpha * grad, then QG(x=velocity) runs
                    # x /= shift(max|x|) on the same storage: the buffer keeps the normalized
                    # velocity, so the next gradient adds to a buffer of max ~1, not to the sum.
                    # The gradient's own size now matters, so it is NeuroSim's: x^T e summed over
                    # the batch (its SSE loss is a sum), with e each layer's error as QE returns it,
                    # divided by Shift(max|e|) and not multiplied back (wage_quantizer.QE; our
                    # quantize_scaled keeps the scale), and with respect to the cell value, which
                    # its weight1 = w*scale + (w - w*scale).detach() makes equal to x^T e
                    # (modules/quantization_cpu_np_infer.py, QLinear/QConv2d.forward).
                    delta = deltas[i]
                    assert delta is not None
                    v.mul_(self.momentum).add_(neurosim_sized(g, delta), alpha=self.lr * records[i].batch)
                    scale = peak_and_shift(v)
                    if scale is not None:
                        v.div_(scale[1])
                    moved = net.cells[i].update_neurosim(v)
                else:
                    v.mul_(self.momentum).add_(g)
                    moved = net.cells[i].update_neurosim(self.lr * v)
            else:
                v.mul_(self.momentum).add_(net.quantize_gradient(g))
                moved = net.cells[i].update(-self.lr * v)
            pulses += moved
            self.pulses_by_layer[i] += moved
        self.pulses_total += pulses
        self.batches_done += 1
        return loss_value(out, target, self.loss)

    def run(self, progress: Progress | None = None, checkpoint: Path | None = None,
            identity: str = "") -> TrainResult:
        """Train ``options.epochs`` epochs. ``checkpoint``: the run's state is saved there after an epoch
        (not the last) once CHECKPOINT_EVERY_S have passed since the last save, and a run that finds
        the file resumes after its saved epochs (the same numbers as a run that never stopped;
        simcim.training.checkpoint). ``identity`` names the run in the file; a file of another
        identity, or a damaged one, is deleted and the run starts from the beginning
        (``checkpoint_discarded`` says why)."""
        progress = progress or _Silent()
        opts = self.options
        result = TrainResult(
            workload=self.workload.name, architecture=self.arch.name, rule=opts.rule,
            dataset=self.data.name, epochs=opts.epochs, seed=opts.seed, batch_size=self.batch_size,
            batches_per_epoch=self.batches_per_epoch, lr=self.lr, momentum=self.momentum,
            momentum_buffer=self.momentum_buffer,
            loss=self.loss, nonidealities=self.hw.describe(opts.nonidealities),
            weight_update=self.hw.weight_update)
        start = saved_at = time.perf_counter()
        if checkpoint is not None and checkpoint.is_file():
            try:
                result.history = checkpoints.restore(self, checkpoint, identity)
                result.resumed_after_epoch = len(result.history)
            except checkpoints.CheckpointError as exc:  # refused before anything of it was loaded
                result.checkpoint_discarded = str(exc)
                checkpoint.unlink()
        progress.start(opts.epochs * self.batches_per_epoch)
        x, y = self.data.x_train, self.data.y_train
        n = x.shape[0]
        with torch.no_grad():
            for epoch in range(len(result.history) + 1, opts.epochs + 1):
                t0 = time.perf_counter()
                order = torch.randperm(n, generator=self.generator)
                losses = []
                pulses_before, batches_before = self.pulses_total, self.batches_done
                for b in range(self.batches_per_epoch):
                    idx = order[b * self.batch_size:(b + 1) * self.batch_size]
                    if idx.numel() == 0:
                        break
                    losses.append(self.step(x[idx], y[idx]))
                    progress.batch(losses[-1])
                batches = max(1, self.batches_done - batches_before)
                metrics = EpochMetrics(
                    epoch=epoch,
                    train_loss=round(sum(losses) / max(1, len(losses)), 6),
                    train_accuracy=round(accuracy(self.net, x[:TRAIN_EVAL_SAMPLES], y[:TRAIN_EVAL_SAMPLES], 1000), 6),
                    test_accuracy=round(accuracy(self.net, self.data.x_test, self.data.y_test, 1000), 6),
                    pulses_per_cell=round((self.pulses_total - pulses_before) / batches / self.cells, 6),
                    seconds=round(time.perf_counter() - t0, 3))
                result.history.append(metrics)
                if (checkpoint is not None and epoch < opts.epochs
                        and time.perf_counter() - saved_at >= CHECKPOINT_EVERY_S):
                    try:
                        checkpoints.save(self, result.history, checkpoint, identity)
                    except OSError:
                        checkpoint = None  # an unwritable folder: train on without checkpoints
                    saved_at = time.perf_counter()
                progress.epoch(metrics, opts.epochs)
            if self.net.rule.error_path != "none" and not self.net.rule.exact_gradient:
                k = min(ALIGNMENT_SAMPLES, n)
                result.alignment_deg = alignment(self.net, x[:k], one_hot(y[:k], self.classes), self.loss)
        progress.close()
        batches = max(1, self.batches_done)
        result.pulses_per_cell = round(self.pulses_total / batches / self.cells, 6)
        result.pulses_per_cell_by_layer = [round(p / batches / w.numel(), 6)
                                           for p, w in zip(self.pulses_by_layer, self.net.weights)]
        result.seconds = time.perf_counter() - start
        return result


def train(workload: Workload, arch: Architecture, options: TrainOptions,
          progress: Progress | None = None, data: Dataset | None = None,
          checkpoint: Path | None = None, identity: str = "") -> TrainResult:
    """Train ``workload``'s network on ``arch``'s device model; see docs/training.md."""
    return Trainer(workload, arch, options, data).run(progress, checkpoint, identity)
