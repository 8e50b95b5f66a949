"""The study YAML (studies/*.yaml) as a typed model: which networks, rules, hardware and training runs
make up a study such as Wolters et al. 2023's (docs/reference.md), and its --quick variant.

A study is a fixed design, not a free product of axes: a depth series for every rule (simulated
on the chip as given and on equal hardware, trained with and without the device's effects over
seeds), one-axis-at-a-time cost series at a reference depth (width, batch, bits, ...), each
effect switched off alone at the reference depth, and device settings varied in training.
simcim.studies.plan expands it into sweep points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simcim.rules import RULE_NAMES
from simcim.spec.errors import SpecError
from simcim.spec.yamlload import KeyPath, line_of, load_yaml_with_lines
from simcim.spec.workload import Training
from simcim.sweep.spec import EFFECTS, NONIDEALITY_PATTERN, Effect, validate_file

Dataset = Training.model_fields["dataset"].annotation  # the workload's choice of data sets
DATASETS: tuple[str, ...] = get_args(Dataset)
MAX_DEPTH = 64
# The hardware each rule is evaluated on. given: the chip as written (`weight_gradient.units: auto`
# gives BP and FA one shared WG unit and DFA one per layer, the study's fork); equal-per-layer and
# equal-shared: every rule gets the same WG units (one per layer / one for all) and the chip's DRAM.
HARDWARE = {"given": None, "equal-per-layer": "per_layer", "equal-shared": "shared"}
WIDTH_AXIS = "width"  # a simulate axis that sets the hidden width instead of a spec key


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _distinct(values: list[Any], what: str) -> list[Any]:
    if len(set(map(repr, values))) != len(values):
        raise ValueError(f"the same {what} twice")
    return values


def _check_axes(axes: dict[str, list[Any]], allow_width: bool) -> dict[str, list[Any]]:
    for name, values in axes.items():
        if name == WIDTH_AXIS and allow_width:
            if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values):
                raise ValueError(f"{name}: widths are positive integers")
        elif not name.startswith(("arch.", "workload.")) or any(not p for p in name.split(".")):
            raise ValueError(f"{name}: an axis is 'arch.<key>' or 'workload.<key>'"
                             + (" (or 'width')" if allow_width else ""))
        if not values:
            raise ValueError(f"{name}: give at least one value")
        _distinct(values, f"{name} value")
    return axes


class TrainPart(_Model):
    dataset: Dataset = "fashion-mnist"  # type: ignore[valid-type]
    data_dir: str | None = None  # IDX files for mnist / fashion-mnist, relative to the study file
    epochs: int = Field(10, ge=1, le=1000)
    seeds: list[int] = Field([0, 1], min_length=1)
    # At every depth: each rule trained with these effect sets ("all" = the chip's device model,
    # "none" = float math, plain SGD; "no-<effect>" = all but that one).
    nonidealities: list[str] = Field(["all", "none"], min_length=1)
    # At the reference depth: each effect switched off alone, to measure what it costs.
    effects: list[Effect] = []
    # Device settings varied one at a time at the reference depth, every effect on.
    vary: dict[str, list[Any]] = {}
    # Fixed overrides of every training point (e.g. workload.training.momentum): part of its identity.
    set: dict[str, Any] = {}

    @field_validator("nonidealities")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        import re

        for name in v:
            if not re.fullmatch(NONIDEALITY_PATTERN, name):
                raise ValueError(f"{name!r}: expected all, none or no-<effect> ({', '.join(EFFECTS)})")
        return _distinct(v, "value")

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v: list[int]) -> list[int]:
        if any(s < 0 for s in v):
            raise ValueError("seeds are integers >= 0")
        return _distinct(v, "seed")

    @field_validator("vary")
    @classmethod
    def _vary(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return _check_axes(v, allow_width=False)

    @field_validator("set")
    @classmethod
    def _set(cls, v: dict[str, Any]) -> dict[str, Any]:
        for name in v:
            if not name.startswith(("arch.", "workload.")):
                raise ValueError(f"{name}: a fixed override is 'arch.<key>' or 'workload.<key>'")
        return v


class QuickPart(_Model):
    """What --quick changes: a small data set and few epochs (minutes on a laptop)."""

    depths: list[int] | None = None
    dataset: Dataset = "digits"  # type: ignore[valid-type]
    epochs: int = Field(3, ge=1, le=1000)
    seeds: list[int] | None = None
    effects: list[Effect] | None = None
    vary: dict[str, list[Any]] | None = None
    simulate: dict[str, list[Any]] | None = None


class StudyFile(_Model):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    architecture: str  # relative to the study file
    workload: str  # the base workload: quantization, batch, epoch size, training settings
    rules: list[str] = Field(["bp", "dfa", "fa"], min_length=1)
    depths: list[int] = Field([2, 3, 4, 5, 6, 7, 8], min_length=1)
    width: int = Field(1024, ge=1, le=1 << 20)  # hidden width of the depth series
    reference_depth: int = Field(5, ge=1, le=MAX_DEPTH)  # where the one-axis series run
    hardware: list[Literal["given", "equal-per-layer", "equal-shared"]] = ["given", "equal-per-layer",
                                                                             "equal-shared"]
    simulate: dict[str, list[Any]] = {}  # cost series at the reference depth, one axis at a time
    train: TrainPart | None = TrainPart()
    quick: QuickPart = QuickPart()

    @field_validator("rules")
    @classmethod
    def _rules(cls, v: list[str]) -> list[str]:
        for r in v:
            if r not in RULE_NAMES:
                raise ValueError(f"unknown rule {r!r} (known: {', '.join(RULE_NAMES)})")
        return _distinct(v, "rule")

    @field_validator("depths")
    @classmethod
    def _depths(cls, v: list[int]) -> list[int]:
        if any(d < 1 or d > MAX_DEPTH for d in v):
            raise ValueError(f"depths are integers within 1-{MAX_DEPTH}")
        return sorted(_distinct(v, "depth"))

    @field_validator("simulate")
    @classmethod
    def _simulate(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return _check_axes(v, allow_width=True)

    @model_validator(mode="after")
    def _given_first(self) -> "StudyFile":
        if "given" not in self.hardware:
            raise ValueError("hardware must include 'given' (the chip as written)")
        return self


class Study(BaseModel):
    """A loaded study, with --quick and the command line's choices applied."""

    model_config = ConfigDict(frozen=True)

    path: Path
    spec: StudyFile
    quick: bool = False
    lines: dict[KeyPath, int] = {}

    @property
    def name(self) -> str:
        return self.spec.name + ("-quick" if self.quick else "")

    @property
    def directory(self) -> Path:
        return self.path.parent

    def error(self, loc: KeyPath, message: str) -> SpecError:
        return SpecError(self.path, line_of(self.lines, loc), ".".join(map(str, loc)), message)


def load_study(path: str | Path) -> Study:
    """Read and check a study YAML: every problem is a SpecError naming file, line and key."""
    p = Path(path)
    data, lines = load_yaml_with_lines(p)
    spec = validate_file(StudyFile, p, data, lines)
    return Study(path=p, spec=spec, lines=lines)


def apply_choices(study: Study, *, quick: bool = False, depths: list[int] | None = None,
                  rules: list[str] | None = None, dataset: str | None = None, epochs: int | None = None,
                  seeds: list[int] | None = None) -> Study:
    """The study with --quick (the file's quick: block) and then the command line's options applied."""
    s = study.spec
    update: dict[str, Any] = {}
    train = s.train
    if quick:
        q = s.quick
        if q.depths is not None:
            update["depths"] = sorted(q.depths)
        if q.simulate is not None:
            update["simulate"] = q.simulate
        if train is not None:
            t_up: dict[str, Any] = {"dataset": q.dataset, "epochs": q.epochs, "data_dir": None}
            for key in ("seeds", "effects", "vary"):
                if getattr(q, key) is not None:
                    t_up[key] = getattr(q, key)
            train = train.model_copy(update=t_up)
    if depths is not None:
        update["depths"] = sorted(depths)
    if rules is not None:
        bad = [r for r in rules if r not in RULE_NAMES]
        if bad:
            from simcim.errors import UserError

            raise UserError(f"--rules: unknown rule {bad[0]!r} (known: {', '.join(RULE_NAMES)})")
        update["rules"] = list(dict.fromkeys(rules))
    if train is not None:
        t_up = {}
        if dataset is not None:
            t_up["dataset"] = dataset
        if epochs is not None:
            t_up["epochs"] = epochs
        if seeds is not None:
            t_up["seeds"] = list(dict.fromkeys(seeds))
        train = train.model_copy(update=t_up)
    update["train"] = train
    depths_now = update.get("depths", s.depths)
    if s.reference_depth not in depths_now:  # keep the one-axis series on a depth the study has
        update["reference_depth"] = depths_now[len(depths_now) // 2]
    return study.model_copy(update={"spec": s.model_copy(update=update), "quick": quick})
