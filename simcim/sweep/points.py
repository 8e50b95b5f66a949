"""A sweep's points: the axes expanded (product or zip) into concrete specs, overrides and a stable key."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simcim import __version__, model_version
from simcim.spec.errors import SpecError
from simcim.spec.loader import load_architecture, load_workload
from simcim.sweep.spec import FILE_AXES, Sweep, TrainSettings, fill


@dataclass(frozen=True)
class SpecSource:
    """A spec file as a worker needs it: its text travels along, so workers need no shared filesystem."""

    path: str  # as the user knows it, for error messages
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PointTask:
    """Everything the point function needs; plain data so it pickles to any executor."""

    arch: SpecSource
    workload: SpecSource
    arch_overrides: dict[str, Any]
    workload_overrides: dict[str, Any]
    seed: int
    train: TrainSettings | None = None
    data_dir: str | None = None
    # Where a training point saves its state between epochs and resumes from after a kill (set by
    # the runner from the point's key; not part of the key).
    checkpoint: str | None = None


@dataclass(frozen=True)
class Point:
    index: int  # position in the sweep's expansion order
    params: dict[str, Any]  # axis name -> value, in the sweep file's axis order
    task: PointTask
    key: str = field(default="")

    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.params.items())


def _combinations(sweep: Sweep) -> list[dict[str, Any]]:
    names = list(sweep.axes)
    columns = [sweep.axes[n] for n in names]
    rows = zip(*columns) if sweep.mode == "zip" else itertools.product(*columns)
    return [dict(zip(names, row)) for row in rows]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _train_identity(train: TrainSettings | None) -> dict[str, Any] | None:
    """The training settings that make a point; the default "all" effects is left out, so points
    recorded before the setting existed keep their keys."""
    if train is None:
        return None
    out = train.model_dump()
    if out.get("nonidealities") == "all":
        del out["nonidealities"]
    return out


def point_key(sweep_name: str, params: dict[str, Any], task: PointTask) -> str:
    """Identity of a point across runs: sweep name, parameters, spec file *contents*, overrides.

    File contents rather than paths: moving a checkout keeps the finished points, editing a spec
    file makes them stale (they are run again).
    """
    identity = {
        # A new simcim release may compute other numbers: its points are new points.
        "simcim": __version__,
        "sweep": sweep_name,
        "params": params,
        "arch_sha256": task.arch.sha256,
        "workload_sha256": task.workload.sha256,
        "arch_overrides": task.arch_overrides,
        "workload_overrides": task.workload_overrides,
        "seed": task.seed,
        "train": _train_identity(task.train),
    }
    # A training point's accuracy comes from the training model (simcim/model_version.py): a new one
    # makes it a new point. Left out at version 1, so stores made before the versions existed keep
    # their points. The cost model is not part of the identity: a point simulated with an older one
    # is the same point with stale simulated numbers (the store's simulation_model column), which a
    # rerun simulates again -- keeping a training point's accuracy (simcim.sweep.runner).
    if task.train is not None and model_version.TRAINING != 1:
        identity["models"] = {"training": model_version.TRAINING}
    return hashlib.sha256(canonical_json(identity).encode("utf-8")).hexdigest()[:32]


class _Files:
    """Reads each spec file once; a missing one is an error at the sweep line that named it."""

    def __init__(self, sweep: Sweep) -> None:
        self.sweep = sweep
        self.cache: dict[Path, SpecSource] = {}

    def get(self, relative: str, loc: tuple[str, ...]) -> SpecSource:
        path = (self.sweep.directory / relative)
        if path not in self.cache:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                why = "file not found" if isinstance(exc, FileNotFoundError) else f"cannot read: {exc.strerror}"
                raise self.sweep.error(loc, f"{path}: {why}") from None
            self.cache[path] = SpecSource(str(path), text)
        return self.cache[path]


def expand(sweep: Sweep) -> list[Point]:
    """All points of ``sweep`` in a fixed order (the axes' order, last axis fastest for a product)."""
    files = _Files(sweep)
    points: list[Point] = []
    for index, params in enumerate(_combinations(sweep)):
        arch_over: dict[str, Any] = {}
        work_over: dict[str, Any] = {"seed": sweep.seed}
        for name, value in list(sweep.fixed.items()) + list(params.items()):
            if name in FILE_AXES or "." not in name:
                continue
            target = arch_over if name.startswith("arch.") else work_over
            target[name.split(".", 1)[1]] = value
        if "arch.file" in params:
            arch = files.get(params["arch.file"], ("axes", "arch.file"))
        else:
            arch = files.get(fill(sweep.architecture or "", params), ("architecture",))
        if "workload.file" in params:
            work = files.get(params["workload.file"], ("axes", "workload.file"))
        else:
            work = files.get(fill(sweep.workload or "", params), ("workload",))
        data_dir = str(sweep.directory / sweep.train.data_dir) if sweep.train and sweep.train.data_dir else None
        seed = work_over["seed"] if isinstance(work_over["seed"], int) else sweep.seed  # a bad one: check_specs says so
        task = PointTask(arch, work, arch_over, work_over, seed, sweep.train, data_dir)
        points.append(Point(index, params, task, point_key(sweep.name, params, task)))
    return points


def _override_loc(sweep: Sweep, prefix: str, error_key: str) -> tuple[str, ...] | None:
    """Where in the sweep file the override behind a spec error was written, if one was."""
    candidates = [("axes", n) for n in sweep.axes] + [("set", n) for n in sweep.fixed]
    for loc in candidates:
        name = loc[1]
        if not name.startswith(prefix):
            continue
        key = name[len(prefix):]
        if key == error_key or key.startswith(error_key + ".") or error_key.startswith(key + "."):
            return loc
    return None


def check_specs(sweep: Sweep, points: list[Point]) -> None:
    """Load every point's specs once before running anything: a typo fails the sweep at once.

    Errors found only by simulating (a chip too small for the network) belong to the point and
    are recorded in the store instead.
    """
    for point in points:
        t = point.task
        for prefix, source, overrides, loader in (("arch.", t.arch, t.arch_overrides, load_architecture),
                                                  ("workload.", t.workload, t.workload_overrides, load_workload)):
            try:
                loader(source.path, overrides)
            except SpecError as exc:
                loc = _override_loc(sweep, prefix, exc.key)
                if loc is not None:
                    raise sweep.error(loc, f"{exc.message} (point {point.label() or point.index})") from None
                raise SpecError(exc.path, exc.line, exc.key,
                                f"{exc.message} (sweep {sweep.path}, point {point.label() or point.index})") from None
