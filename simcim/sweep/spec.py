"""The sweep YAML as a typed model: base specs, axes (lists or ranges), product or zip, metrics, training.

Axis names come in three kinds:
- ``arch.<dotted key>`` / ``workload.<dotted key>``: a value override in the base architecture or
  workload, the same keys ``simcim run --set`` takes;
- ``arch.file`` / ``workload.file``: a list of spec files (relative to the sweep file) to use instead
  of the base one;
- a plain name (``depth``): a variable that fills ``{depth}`` in the ``architecture`` or ``workload``
  path, e.g. ``workload: ../workloads/mlp{depth}-bp.yaml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from simcim.spec.errors import SpecError
from simcim.spec.loader import key_text
from simcim.spec.yamlload import KeyPath, line_of, load_yaml_with_lines
from simcim.sweep.metrics import METRICS

FILE_AXES = ("arch.file", "workload.file")
# Columns the results store keeps for itself; a variable may not take one of these names.
RESERVED_NAMES = frozenset({"key", "idx", "status", "error", "traceback", "wall_s", "host", "finished_at",
                            "params_json", "metrics_json", "simulation_model", "sweep"}) | frozenset(METRICS)
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_POINTS = 1_000_000  # a typo in a range (step 1e-9) should not build a billion points
# The device model's effects, as simcim.training.settings.Nonidealities names its switches.
Effect = Literal["quantization", "nonlinearity", "variation", "adc", "read_noise"]
EFFECTS: tuple[str, ...] = get_args(Effect)
NONIDEALITY_PATTERN = "^(all|none|" + "|".join(f"no-{e}" for e in EFFECTS) + ")$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RangeAxis(_Model):
    """``{start, stop, step}`` or ``{start, stop, num}``; ``stop`` is included when a step lands on it."""

    start: float
    stop: float
    step: float | None = None
    num: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one_of_step_num(self) -> "RangeAxis":
        if (self.step is None) == (self.num is None):
            raise ValueError("give exactly one of step or num")
        if self.step is not None:
            if self.step == 0:
                raise ValueError("step must not be 0")
            if (self.stop - self.start) / self.step < 0:
                raise ValueError("step goes away from stop")
            if (self.stop - self.start) / self.step + 1 > MAX_POINTS:
                raise ValueError(f"more than {MAX_POINTS} values")
        return self

    def values(self, integral: bool) -> list[int | float]:
        if self.num is not None:
            n = self.num
            step = (self.stop - self.start) / (n - 1) if n > 1 else 0.0
        else:
            step = self.step or 0.0
            # The tolerance keeps 0.1-steps from losing the last value to rounding.
            n = int((self.stop - self.start) / step + 1e-9) + 1
        # Rounding to 12 significant digits turns 0.30000000000000004 into 0.3, so values read as written.
        vals = [float(f"{self.start + i * step:.12g}") for i in range(n)]
        return [int(v) for v in vals] if integral and all(v.is_integer() for v in vals) else vals


def _axis_kind(value: Any) -> str | None:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "range"
    return None


AxisValues = Annotated[
    Union[Annotated[list[Any], Tag("list"), Field(min_length=1)], Annotated[RangeAxis, Tag("range")]],
    Discriminator(_axis_kind, custom_error_type="axis_values",
                  custom_error_message="expected a list of values or a range {start, stop, step}"),
]


class TrainSettings(_Model):
    """Train each point's network on the device model for a few epochs, to get its accuracy."""

    epochs: int = Field(1, ge=1, le=1000, description="small: accuracy ranks the points, it has not converged")
    dataset: Literal["digits", "mnist", "fashion-mnist", "cifar10", "synthetic"] | None = None  # default: the workload's
    data_dir: str | None = None  # for mnist / fashion-mnist IDX files, relative to the sweep file
    # Which of the device model's effects are on: all, none, or all but one ("no-adc"): the last
    # measures one effect's accuracy cost (simcim.training.settings.Nonidealities names them).
    nonidealities: str = Field("all", pattern=NONIDEALITY_PATTERN)


class SweepFile(_Model):
    name: str | None = Field(None, min_length=1)
    description: str = ""
    architecture: str | None = None
    workload: str | None = None
    axes: dict[str, AxisValues] = Field(min_length=1)
    mode: Literal["product", "zip"] = "product"
    set: dict[str, Any] = {}
    metrics: list[str] | None = Field(None, min_length=1)
    train: bool | TrainSettings = False
    seed: int = Field(0, ge=0)


class Sweep(BaseModel):
    """A loaded sweep: the file's settings with paths resolved and axes expanded to value lists."""

    model_config = ConfigDict(frozen=True)

    path: Path
    name: str
    description: str
    architecture: str | None  # as written (may hold {placeholders}), relative to ``path.parent``
    workload: str | None
    axes: dict[str, list[Any]]
    mode: Literal["product", "zip"]
    fixed: dict[str, Any]  # the ``set:`` overrides, applied to every point
    metrics: tuple[str, ...] | None
    train: TrainSettings | None
    seed: int
    lines: dict[KeyPath, int]

    def error(self, loc: KeyPath, message: str) -> SpecError:
        """A SpecError pointing at ``loc`` in the sweep file."""
        return SpecError(self.path, line_of(self.lines, loc), key_text(loc), message)

    @property
    def directory(self) -> Path:
        return self.path.parent


def _data_loc(data: Any, loc: tuple[Any, ...]) -> KeyPath:
    """Keep the parts of a pydantic location that are keys in the data (drops union tags)."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
            out.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            out.append(part)
        elif i == len(loc) - 1 and isinstance(node, dict):
            out.append(part)  # a missing or unknown key of a mapping: name it (else it is a union tag)
    return tuple(out)


M = TypeVar("M", bound=BaseModel)


def validate_file(model: type[M], path: Path, data: Any, lines: dict[KeyPath, int]) -> M:
    """``data`` (a YAML file's top level) as ``model``; the first problem is a SpecError at its line."""
    if not isinstance(data, dict):
        raise SpecError(path, 1, "", f"expected a mapping at the top level, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # An unknown key is the likelier root cause than a "missing" one (often a typo of it).
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        loc = _data_loc(data, tuple(err["loc"]))
        msg = {"extra_forbidden": "unknown key", "missing": "required key is missing"}.get(err["type"], err["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        raise SpecError(path, line_of(lines, loc), key_text(loc), msg) from None


def _check_axis_name(name: str, loc: KeyPath, path: Path, lines: dict[KeyPath, int]) -> None:
    def fail(message: str) -> SpecError:
        return SpecError(path, line_of(lines, loc), key_text(loc), message)

    if name.startswith(("arch.", "workload.")):
        if any(not part for part in name.split(".")):
            raise fail("empty part in a dotted key")
        return
    if not _VARIABLE.fullmatch(name):
        raise fail("an axis is 'arch.<key>', 'workload.<key>', or a variable name for {placeholders}")
    if name in RESERVED_NAMES:
        raise fail(f"'{name}' is a metric or a results column; give the variable another name")


def placeholders(template: str) -> list[str]:
    return PLACEHOLDER.findall(template)


def fill(template: str, values: dict[str, Any]) -> str:
    """``mlp{depth}.yaml`` with depth=3 -> ``mlp3.yaml``."""
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep YAML: every problem is a SpecError naming file, line and key."""
    p = Path(path)
    data, lines = load_yaml_with_lines(p)
    spec = validate_file(SweepFile, p, data, lines)

    axes: dict[str, list[Any]] = {}
    for name, values in spec.axes.items():
        loc: KeyPath = ("axes", name)
        _check_axis_name(name, loc, p, lines)
        if isinstance(values, RangeAxis):
            raw = data["axes"][name]
            integral = all(isinstance(raw.get(k), int) for k in ("start", "stop", "step") if raw.get(k) is not None)
            axes[name] = list(values.values(integral))
        else:
            axes[name] = list(values)
        # Twice the same value would be the same point twice (in a product; a zip pairs values).
        if spec.mode == "product" and len(set(map(repr, axes[name]))) != len(axes[name]):
            raise SpecError(p, line_of(lines, loc), key_text(loc), "the same value twice")
    for name in FILE_AXES:
        if name in axes and not all(isinstance(v, str) and v for v in axes[name]):
            raise SpecError(p, line_of(lines, ("axes", name)), f"axes.{name}", "expected a list of file paths")
    if spec.mode == "zip":
        if len({len(v) for v in axes.values()}) > 1:
            sizes = ", ".join(f"{k}: {len(v)}" for k, v in axes.items())
            raise SpecError(p, line_of(lines, ("mode",)), "mode", f"zip needs axes of one length ({sizes})")
        rows = [repr(row) for row in zip(*axes.values())]
        if len(set(rows)) != len(rows):
            raise SpecError(p, line_of(lines, ("axes",)), "axes", "zip pairs the same values twice")

    for name in spec.set:
        loc = ("set", name)
        if not name.startswith(("arch.", "workload.")) or name in FILE_AXES:
            raise SpecError(p, line_of(lines, loc), key_text(loc), "a fixed override is 'arch.<key>' or 'workload.<key>'")
        if name in axes:
            raise SpecError(p, line_of(lines, loc), key_text(loc), "also an axis; keep one of the two")

    variables = {name for name in axes if "." not in name}
    used: set[str] = set()
    for field, file_axis in (("architecture", "arch.file"), ("workload", "workload.file")):
        template = getattr(spec, field)
        if template is None and file_axis not in axes:
            raise SpecError(p, line_of(lines, ()), field, f"required key is missing (or give an axes.{file_axis} list)")
        if template is not None and file_axis in axes:
            raise SpecError(p, line_of(lines, (field,)), field, f"axes.{file_axis} replaces it; keep one of the two")
        for var in placeholders(template or ""):
            if var not in variables:
                raise SpecError(p, line_of(lines, (field,)), field,
                                f"{{{var}}} is not a variable axis (variables: {', '.join(sorted(variables)) or 'none'})")
            used.add(var)
    for var in sorted(variables - used):
        loc = ("axes", var)
        raise SpecError(p, line_of(lines, loc), key_text(loc),
                        f"variable '{var}' is not used as {{{var}}} in the architecture or workload path")

    if spec.metrics is not None:
        for i, metric in enumerate(spec.metrics):
            if metric not in METRICS:
                raise SpecError(p, line_of(lines, ("metrics", i)), f"metrics[{i}]",
                                f"unknown metric '{metric}' (known: {', '.join(METRICS)})")

    train = spec.train if isinstance(spec.train, TrainSettings) else (TrainSettings() if spec.train else None)
    return Sweep(path=p, name=spec.name or p.stem, description=spec.description, architecture=spec.architecture,
                 workload=spec.workload, axes=axes, mode=spec.mode, fixed=dict(spec.set),
                 metrics=tuple(spec.metrics) if spec.metrics else None, train=train, seed=spec.seed, lines=lines)
