"""Learning rules, each defined once: where a hidden layer's error comes from, which matrix it passes
through, which arrays that matrix lives in, whether layers wait for each other, and the default
weight-gradient-unit policy.

Everything that differs between rules is derived from these definitions: the workload spec's rule
names and the CLI's choices, the mapping (feedback arrays, transposable subarrays, WG units), the
cost model (which phase reads which arrays), the task DAG (which task waits for which) and training
(the matrix the error is sent through, whether the alignment angle is measured). Adding a rule is
adding a ``LearningRule`` to ``RULES``.

Phases of one image (docs/architecture.md): FW forward; AG the error back through a matrix to the
layer below (rules whose error walks back, ``chain``); PROJ the error (or target) straight from the
output to a hidden layer through a fixed matrix (``broadcast``); WG weight gradient; WU the per-batch
write pulses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Protocol

# FW forward; AG error back through W^T (BP), sign(W)^T (SS) or B (FA); PROJ error through a fixed B
# straight from the output (DFA) or the target (DRTP); WG weight gradient; WU write pulses.
PHASES = ("FW", "AG", "PROJ", "WG", "WU")

ErrorPath = Literal["chain", "broadcast", "none"]
Through = Literal["W", "sign(W)", "B"]
WgPolicy = Literal["shared", "per_layer"]

# What the error is multiplied with on its way back, given the layer's weights and its fixed
# feedback matrix (either may be None where the rule has none). Duck-typed: torch tensors in
# training. One entry per kind of matrix, so that a rule names it and training looks it up here.
_OPERANDS: dict[str, Callable[[Any, Any], Any]] = {
    "W": lambda weight, feedback: weight,
    "sign(W)": lambda weight, feedback: weight.sign(),
    "B": lambda weight, feedback: feedback,
}


class LayerShape(Protocol):
    """What a rule needs to know of a weight layer (simcim.network.WeightLayer has it)."""

    @property
    def index(self) -> int: ...  # 1-based among weight layers
    @property
    def rows(self) -> int: ...  # K inputs of one MVM
    @property
    def cols(self) -> int: ...  # M outputs of one MVM
    @property
    def first(self) -> bool: ...  # only the network's input feeds it (no error goes below it)


@dataclass(frozen=True)
class FeedbackShape:
    """A fixed feedback matrix as the chip reads it: ``inputs`` values enter its rows, ``outputs`` leave."""

    inputs: int
    outputs: int


# Workload training keys that only the rules broadcasting the error to each layer (dfa, drtp) read.
BROADCAST_SETTINGS = frozenset({"training.dfa_derivative"})


@dataclass(frozen=True)
class LearningRule:
    """One learning rule. ``error_path``: how a hidden layer gets its error --
    ``chain``: from the layer above, through ``through`` (layers wait for each other, like BP);
    ``broadcast``: from the output straight to every hidden layer through a fixed B (layer-parallel);
    ``none``: hidden layers do not learn (a control)."""

    name: str
    title: str
    reference: str
    error_path: ErrorPath
    through: Through | None = None  # the matrix the error passes through (None for "none")
    signal: Literal["error", "target"] = "error"  # what a broadcast rule sends (DRTP: the target)
    wg_units: WgPolicy = "shared"  # WG units under `chip.weight_gradient.units: auto`

    @property
    def backward_phase(self) -> str | None:
        """The phase that brings a hidden layer its error: AG (chain), PROJ (broadcast) or None."""
        return {"chain": "AG", "broadcast": "PROJ", "none": None}[self.error_path]

    @property
    def layer_parallel(self) -> bool:
        """Whether every hidden layer gets its error at once (no layer waits for another)."""
        return self.error_path == "broadcast"

    @property
    def fixed_feedback(self) -> bool:
        """Whether the rule needs arrays of its own for a fixed random matrix B."""
        return self.through == "B"

    @property
    def reads_transposed(self) -> bool:
        """Whether the error is read through the layer's own arrays, transposed (needs transposable subarrays)."""
        return self.error_path == "chain" and self.through in ("W", "sign(W)")

    @property
    def exact_gradient(self) -> bool:
        """Whether the rule computes the true gradient (so an angle to BP's means nothing)."""
        return self.error_path == "chain" and self.through == "W"

    def reads_setting(self, key: str) -> bool:
        """Whether training under this rule reads the workload key ``key`` (e.g. "training.dfa_derivative",
        read only where the error is broadcast: simcim.training.backward.layer_errors)."""
        return key not in BROADCAST_SETTINGS or self.error_path == "broadcast"

    def has_phase(self, phase: str, index: int, n_layers: int, first: bool | None = None) -> bool:
        """Whether weight layer ``index`` (1-based of ``n_layers``) runs ``phase`` under this rule.
        ``first``: the layer takes only the network's input (default: it is layer 1, as in a chain)."""
        if phase == "FW":
            return True
        if phase == "AG":  # the error leaves the layer for the layers below; a first layer has none below
            return self.error_path == "chain" and not (index == 1 if first is None else first)
        if phase == "PROJ":  # the output layer's error is the output error itself
            return self.error_path == "broadcast" and index < n_layers
        if phase in ("WG", "WU"):
            return self.error_path != "none" or index == n_layers
        raise ValueError(f"unknown phase {phase!r}")

    def feedback_shape(self, layer: LayerShape, n_layers: int, classes: int) -> FeedbackShape | None:
        """The fixed B of this layer, if the rule has one there. Chain (FA): B stands in for W and
        takes the error of the layer's M outputs back to its K inputs. Broadcast (DFA, DRTP): B takes
        the ``classes`` outputs' error (or target) to the layer's M output channels; a conv layer
        shares each channel's value over its feature map (one B per output channel, as the feedback
        literature does for convolutions, e.g. Launay et al. 2020), so B stays small."""
        if not self.fixed_feedback:
            return None
        if self.error_path == "chain" and not layer.first:
            return FeedbackShape(layer.cols, layer.rows)
        if self.error_path == "broadcast" and layer.index < n_layers:
            return FeedbackShape(classes, layer.cols)
        return None

    def signal_bits(self, error_bits: int) -> int:
        """Bits per value of what a broadcast rule sends: the quantized error, or a one-hot target bit."""
        return 1 if self.signal == "target" else error_bits

    def backward_operand(self, weight: Any, feedback: Any) -> Any:
        """The matrix the error is multiplied with (training): W, sign(W) or the fixed B."""
        if self.through is None:
            raise ValueError(f"rule {self.name} sends no error back")
        return _OPERANDS[self.through](weight, feedback)


RULES: dict[str, LearningRule] = {r.name: r for r in (
    LearningRule("bp", "backpropagation", "Rumelhart, Hinton, Williams, Nature 323 (1986)",
                 error_path="chain", through="W"),
    LearningRule("fa", "feedback alignment", "Lillicrap et al., Nature Communications 7 (2016)",
                 error_path="chain", through="B"),
    LearningRule("ss", "sign-symmetric feedback", "Liao, Leibo, Poggio, AAAI 2016 (arXiv:1510.05067)",
                 error_path="chain", through="sign(W)"),
    LearningRule("dfa", "direct feedback alignment", "Noekland, NeurIPS 2016 (arXiv:1609.01596)",
                 error_path="broadcast", through="B", wg_units="per_layer"),
    LearningRule("drtp", "direct random target projection", "Frenkel, Lefebvre, Bol, Front. Neurosci. 15 (2021)",
                 error_path="broadcast", through="B", signal="target", wg_units="per_layer"),
    LearningRule("shallow", "shallow control (only the output layer learns)", "a control, e.g. Noekland 2016",
                 error_path="none"),
)}

RULE_NAMES: tuple[str, ...] = tuple(RULES)


def get_rule(name: str) -> LearningRule:
    """The rule called ``name``; ValueError naming the known rules otherwise."""
    try:
        return RULES[name]
    except KeyError:
        raise ValueError(f"unknown learning rule {name!r}; expected one of {', '.join(RULE_NAMES)}") from None
