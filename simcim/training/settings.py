"""Which nonidealities a training run models, and the numbers it takes from the YAML specs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from simcim.spec.architecture import Architecture
from simcim.spec.workload import Workload


@dataclass(frozen=True)
class Nonidealities:
    """Switches, one per effect, so that each effect's accuracy cost can be measured alone.

    quantization: WAGE bit widths for weights, activations, errors and gradients.
    nonlinearity: weights are device conductances, changed by whole write pulses along the
        nonlinear LTP/LTD curves, with the device's finite number of levels.
    variation:    cycle-to-cycle noise on every written cell, device-to-device spread of the label.
    adc:          each subarray's partial sum digitized by an ADC of ``subarray.adc.bits``.
    read_noise:   relative noise on every column current (``device.read_noise``).
    """

    quantization: bool = True
    nonlinearity: bool = True
    variation: bool = True
    adc: bool = True
    read_noise: bool = True

    @classmethod
    def ideal(cls) -> "Nonidealities":
        return cls(False, False, False, False, False)

    @property
    def any(self) -> bool:
        return any(asdict(self).values())


@dataclass(frozen=True)
class HardwareModel:
    """The numbers of the device and circuit model, resolved from the specs and the switches.

    A field is None (or 0 for noise) where its effect is switched off.
    """

    weight_bits: int | None
    activation_bits: int | None
    error_bits: int | None
    gradient_bits: int | None
    levels: int  # conductance levels of one cell (also used for pulse accounting when ideal)
    nl_ltp: float | None  # None: weights are not device states (float or WAGE grid)
    nl_ltd: float | None
    ltd_curve: str  # "retrace" (DNN+NeuroSim V2.1) or "mirrored": how depression moves a cell
    c2c: float  # sigma as a fraction of Gmax - Gmin
    d2d: float  # sigma of the NL label across devices
    on_off_ratio: float
    adc_bits: int | None
    rows: int  # rows summed into one analog partial sum (forward)
    cols: int  # rows of the transposed read (error pass)
    read_noise: float
    # How an update becomes pulses (workload training.weight_update, whose default is the one
    # default): "proportional" (-lr*v as stochastically rounded pulses) or "neurosim"
    # (DNN+NeuroSim V2.1's QG); "float": plain SGD.
    weight_update: str

    @property
    def pulse_mode(self) -> bool:
        """Whether updates are whole pulses on a device (else float SGD or the WAGE grid)."""
        return self.nl_ltp is not None

    def describe(self, on: Nonidealities) -> dict[str, Any]:
        """What was on, with its numbers: the ``nonidealities`` block of metrics.json."""
        return {
            "quantization": {"on": on.quantization, "weight_bits": self.weight_bits,
                             "activation_bits": self.activation_bits, "error_bits": self.error_bits,
                             "gradient_bits": self.gradient_bits},
            "nonlinearity": {"on": on.nonlinearity, "ltp": self.nl_ltp, "ltd": self.nl_ltd,
                             "ltd_curve": self.ltd_curve, "levels": self.levels},
            "variation": {"on": on.variation, "c2c": self.c2c, "d2d": self.d2d},
            "adc": {"on": on.adc, "bits": self.adc_bits, "rows": self.rows},
            "read_noise": {"on": on.read_noise, "sigma": self.read_noise},
            "on_off_ratio": self.on_off_ratio,
            "weight_update": self.weight_update,
        }


def hardware_model(arch: Architecture, workload: Workload, on: Nonidealities,
                   weight_update: str | None = None) -> HardwareModel:
    """The model for ``on``; ``weight_update`` overrides the workload's training.weight_update."""
    q = workload.quantization
    dev = arch.device
    update = weight_update or workload.training.weight_update
    if not on.quantization and not on.nonlinearity and weight_update is None:
        # An ideal memory takes the software baseline, plain SGD (the study's lr and momentum),
        # unless an update rule is asked for by name: `neurosim` then runs its step in float math
        # (device.CellArray.update_neurosim), the "ideal" row under the hardware rows' optimizer.
        update = "float"
    sub = arch.subarray
    return HardwareModel(
        weight_bits=q.weight_bits if on.quantization else None,
        activation_bits=q.activation_bits if on.quantization else None,
        error_bits=q.error_bits if on.quantization else None,
        gradient_bits=q.gradient_bits if on.quantization else None,
        levels=dev.levels,
        nl_ltp=dev.nonlinearity.ltp if on.nonlinearity else None,
        nl_ltd=dev.nonlinearity.ltd if on.nonlinearity else None,
        ltd_curve=dev.nonlinearity.ltd_curve,
        c2c=dev.variation.c2c if on.variation else 0.0,
        d2d=dev.variation.d2d if on.variation else 0.0,
        on_off_ratio=dev.on_off_ratio,
        adc_bits=sub.adc.bits if on.adc else None,
        rows=sub.rows,
        cols=sub.cols,
        read_noise=dev.read_noise if on.read_noise else 0.0,
        weight_update=update,
    )

