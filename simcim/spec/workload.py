"""The workload YAML as typed models: the network, the learning rule, batch and quantization."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from simcim.rules import RULE_NAMES
from simcim.spec.base import SpecModel
from simcim.spec.limits import MAX_BATCH, MAX_INPUT_ELEMS, MAX_INPUT_SIDE, MAX_LAYERS, MAX_NAME, MAX_SEED

Activation = Literal["relu", "relu6", "sigmoid", "tanh", "none"]
Rule = Literal[RULE_NAMES]  # type: ignore[valid-type]  # the names of simcim.rules.RULES


class _Node(SpecModel):
    """What every layer has: an optional name, and the layers it takes its input from.

    ``inputs`` names earlier layers (by their ``name``) or ``input`` (the network's input); without
    it a layer takes the layer before it (the first layer: the input), so a plain list is a chain.
    """

    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    inputs: list[Annotated[str, Field(min_length=1, max_length=MAX_NAME)]] | None = Field(None, min_length=1, max_length=64)


class Linear(_Node):
    kind: Literal["linear"]
    out_features: int = Field(ge=1, le=1 << 20)
    activation: Activation = "relu"


class Conv2d(_Node):
    kind: Literal["conv2d"]
    out_channels: int = Field(ge=1, le=1 << 16)
    kernel: int = Field(3, ge=1, le=31)
    stride: int = Field(1, ge=1, le=31)
    padding: int = Field(1, ge=0, le=31)
    # Grouped convolution: input and output channels split into `groups` parts, each output part
    # seeing only its input part; groups = in channels is a depthwise convolution (MobileNet's).
    groups: int = Field(1, ge=1, le=1 << 16)
    activation: Activation = "relu"


class Pool(_Node):
    kind: Literal["maxpool", "avgpool"]
    kernel: int = Field(2, ge=1, le=31)
    stride: int | None = Field(None, ge=1, le=31, description="default: the kernel")
    padding: int = Field(0, ge=0, le=15)


class AdaptiveAvgPool(_Node):
    """Average pooling to a fixed ``output_size`` x ``output_size`` map (ResNet's and MobileNet's head)."""

    kind: Literal["adaptive_avgpool"]
    output_size: int = Field(1, ge=1, le=1 << 10)


class Flatten(_Node):
    kind: Literal["flatten"]


class BatchNorm(_Node):
    """Batch normalization: folded into the weights before it for the chip (a per-channel scale and
    shift of the weights and bias), so it costs nothing there (docs/graphs.md)."""

    kind: Literal["batchnorm"]


class Act(_Node):
    """An activation on its own (after a residual add, or after a folded batch norm)."""

    kind: Literal["activation"]
    function: Activation = "relu"


class Add(_Node):
    """Element-wise sum of two or more maps of one shape (a residual connection)."""

    kind: Literal["add"]


class Concat(_Node):
    """Maps joined along the channels (the first dimension); the other dimensions must agree."""

    kind: Literal["concat"]


WEIGHT_KINDS = ("linear", "conv2d")
Layer = Annotated[Union[Linear, Conv2d, Pool, AdaptiveAvgPool, Flatten, BatchNorm, Act, Add, Concat],
                  Field(discriminator="kind")]


class Quantization(SpecModel):
    """WAGE-style bit widths (the study's: weights 6, gradients 6, activations 8, errors 8; docs/reference.md)."""

    weight_bits: int = Field(6, ge=1, le=16)
    activation_bits: int = Field(8, ge=1, le=16)
    error_bits: int = Field(8, ge=1, le=16)
    gradient_bits: int = Field(6, ge=1, le=16)


class UpdateActivity(SpecModel):
    """How much the weight update writes, per batch: the cost model cannot know ΔW in advance.

    NeuroSim takes pulse counts from a training trace; `simcim train` reports the measured value
    so that it can be put here.
    """

    pulses_per_cell: float = Field(1.0, ge=0, le=1024, description="mean write pulses per cell (sets the energy)")
    # Rows are written one after another, each for the largest pulse count of its cells, once for
    # potentiation and once for depression (NeuroSim V2.1 ProcessingUnit.cpp:GetWriteUpdateEstimation):
    # this sets the update's latency. Default: ceil(pulses_per_cell).
    row_pulses: float | None = Field(None, ge=0, le=1024, description="largest pulses per row and direction")
    # Measured per weight layer by `simcim train` (metrics.json pulses_per_cell_by_layer); when given it
    # replaces pulses_per_cell layer by layer (`simcim run --activity metrics.json` sets it).
    pulses_per_cell_by_layer: list[float] | None = Field(None, description="one entry per weight layer")

    @model_validator(mode="after")
    def _non_negative(self) -> "UpdateActivity":
        if self.pulses_per_cell_by_layer is not None and any(not 0 <= p <= 1024 for p in self.pulses_per_cell_by_layer):
            raise ValueError("pulses_per_cell_by_layer entries must be within 0..1024")
        return self



class ReadActivity(SpecModel):
    """How busy the arrays' inputs are: read energy depends on how many rows a bit-plane drives.

    NeuroSim measures it from the trained network's activations. 0.3 (ReLU outputs quantized to 8
    bits have about a third of their bits set) reproduces DNN+NeuroSim V2.1's VGG-8 forward energy
    from its own training run to within 3 % (docs/calibration.md).
    """

    input_bit_density: float = Field(0.3, gt=0, le=1, description="fraction of 1s in an input bit-plane")


class Training(SpecModel):
    """Settings for `simcim train` (the accuracy side); the simulator ignores them."""

    dataset: Literal["digits", "mnist", "fashion-mnist", "cifar10", "synthetic"] = "digits"
    lr: float = Field(0.1, gt=0, le=100)
    # A number is SGD's momentum gamma. ``neurosim``: DNN+NeuroSim V2.1 train.py's optimizer as it
    # runs, gamma 0.9 with its buffer divided in place by the power-of-two shift QG applies to the
    # gradient (the gradient shares the buffer's storage), so the buffer restarts near max |v| = 1
    # every step; only where the update is NeuroSim's (weight_update: neurosim, hardware rows).
    momentum: Annotated[float, Field(ge=0, lt=1)] | Literal["neurosim"] = 0.9
    loss: Literal["mse", "cross_entropy"] = "mse"
    batch_size: int | None = Field(None, ge=1, le=MAX_BATCH, description="default: the workload's")
    # How a hardware-aware update becomes write pulses. neurosim (default: the study's tool):
    # DNN+NeuroSim V2.1's quantized gradient (QG in Training_pytorch/utee/wage_quantizer.py):
    # gradient normalized per layer, in pulses along the device curve, then a stochastic step of
    # one gradient LSB. proportional: the SGD step -lr*v rounded stochastically to whole pulses, so
    # hardware and float runs differ only in the device effects. Float runs ignore it.
    weight_update: Literal["proportional", "neurosim"] = "neurosim"
    # The forward weights' start. glorot-half: U(+-0.5 sqrt(6 / (fan_in + fan_out))), simcim's default
    # (DFA aligns sooner from a small start; simcim.training.model.INIT_GAIN). wage: DNN+NeuroSim
    # V2.1's WAGE start as its QLinear/QConv2d call it (utee/wage_initializer.py wage_init_, factor 1):
    # cells U(+-max(Wm, sqrt(3 / fan_in))), Wm = 24 / 2^(weight_bits - 1), read divided by the layer
    # scale; about 3x the default's variance, so a deep net's activations do not fade below one 8-bit
    # step before the last layer (docs/training.md).
    init: Literal["glorot-half", "wage"] = "glorot-half"
    # f'(a) in the rules that project the error straight to each layer (dfa, drtp). clipped: the
    # derivative of the hidden activation as it runs, f(a) clipped to +-1, so 0 where the clip holds
    # (what BP's chain uses too). unclipped: f'(a) without the clip, as the DFA fork of DNN+NeuroSim
    # computes it (github.com/ChWol/Thesis, models/models.py direct_feedback_alignment: a > 0 for
    # ReLU), which keeps pushing units that already sit at the clip (docs/training.md).
    dfa_derivative: Literal["clipped", "unclipped"] = "clipped"


class Workload(SpecModel):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    input_shape: list[Annotated[int, Field(ge=1, le=MAX_INPUT_SIDE)]] = Field(min_length=1, max_length=3)
    layers: list[Layer] = Field(min_length=1, max_length=MAX_LAYERS)
    rule: Rule = "bp"
    batch_size: int = Field(200, ge=1, le=MAX_BATCH)
    # An epoch is a number of training images (CIFAR-10's and MNIST's 50,000 / 60,000 training
    # images, ...); its iterations follow from the batch, so changing the batch keeps the epoch.
    epoch_images: int = Field(50_000, ge=1, le=1 << 40, description="training images per epoch")
    # Optional: an epoch of exactly this many batches instead (then epoch_images is ignored).
    iterations_per_epoch: int | None = Field(None, ge=1, le=1 << 30, description="default: ceil(epoch_images / batch_size)")
    epochs: int = Field(50, ge=1, le=1 << 20)
    classes: int | None = Field(None, ge=1, le=1 << 20, description="the last layer's width (checked)")
    quantization: Quantization = Quantization()
    schedule: Literal["layer_by_layer", "pipelined"] = "layer_by_layer"
    update_activity: UpdateActivity = UpdateActivity()
    read_activity: ReadActivity = ReadActivity()
    training: Training = Training()
    seed: int = Field(0, ge=0, le=MAX_SEED)

    @property
    def epoch_iterations(self) -> int:
        """Iterations (batches) in one epoch: ``iterations_per_epoch`` if given, else the batches
        that cover ``epoch_images`` (the last one counted whole)."""
        if self.iterations_per_epoch is not None:
            return self.iterations_per_epoch
        return -(-self.epoch_images // self.batch_size)

    @property
    def images_per_epoch(self) -> int:
        """Images one epoch trains on, as simulated: ``epoch_iterations`` whole batches."""
        return self.epoch_iterations * self.batch_size

    @model_validator(mode="after")
    def _has_weights(self) -> "Workload":
        if not any(isinstance(layer, (Linear, Conv2d)) for layer in self.layers):
            raise ValueError("the network needs at least one linear or conv2d layer")
        if any(v < 1 for v in self.input_shape):
            raise ValueError("input_shape entries must be positive")
        by_layer = self.update_activity.pulses_per_cell_by_layer
        n_weight = sum(isinstance(layer, (Linear, Conv2d)) for layer in self.layers)
        if by_layer is not None and len(by_layer) != n_weight:
            raise ValueError(f"update_activity.pulses_per_cell_by_layer has {len(by_layer)} entries, "
                             f"the network has {n_weight} weight layers")
        return self

    def check_after_load(self) -> None:
        """Checks that need the file's lines (so the error points at the key)."""
        elems = 1
        for v in self.input_shape:
            elems *= v
        if elems > MAX_INPUT_ELEMS:
            raise self.error("input_shape", f"{elems:,} values per image; at most {MAX_INPUT_ELEMS:,} "
                                            "(ImageNet's are 3 x 224 x 224 = 150,528)")
        # The graph (names, inputs, shapes): errors point at the layer's key (simcim.network).
        from simcim.network import NetworkError, analyze, written_key
        try:
            analyze(self)
        except NetworkError as exc:
            err = self.error(exc.key, exc.message)  # the line of the dotted key,
            err.key = written_key(exc.key)  # named as the user writes it
            raise err from None
        last = [layer for layer in self.layers if isinstance(layer, (Linear, Conv2d))][-1]
        width = last.out_features if isinstance(last, Linear) else last.out_channels
        if self.classes is not None and self.classes != width:
            raise self.error("classes", f"{self.classes} classes, but the last layer has {width} outputs: the "
                                        "output layer has one output per class (set both, or drop classes)")
