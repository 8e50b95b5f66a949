"""A study expanded into sweep points (simcim.sweep.points.Point), so that the sweep machinery runs
it: resumable SQLite store, local process pool or Dask.

Every point has the same parameter names (PARAMS), so the store has one column each and the
report can select any series with plain filters. Training points come first, the largest
networks first: they are the long ones, and starting them early keeps every worker busy to the
end instead of leaving one long run alone at the tail. The depth series trains before the
reference-depth series, so that a study stopped half-way has accuracy at every depth first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simcim.rules import get_rule
from simcim.spec.errors import SpecError
from simcim.spec.loader import load_architecture, load_workload
from simcim.studies.spec import HARDWARE, WIDTH_AXIS, Study
from simcim.sweep.points import Point, PointTask, SpecSource, point_key
from simcim.sweep.spec import Sweep, TrainSettings

# part: which series a point belongs to.
#   sim-depth     latency/energy/area at every depth, rule and hardware provisioning
#   sim-axis      the same at the reference depth with one setting changed (axis = value)
#   train-depth   accuracy at every depth and rule, per effect set (nonidealities) and seed
#   train-effect  at the reference depth, one effect switched off (nonidealities = no-<effect>)
#   train-vary    at the reference depth, one device setting changed, every effect on
PARAMS = ("part", "rule", "depth", "width", "hardware", "axis", "value", "nonidealities", "seed")
TRAIN_PARTS = ("train-depth", "train-effect", "train-vary")


@dataclass(frozen=True)
class StudyPlan:
    study: Study
    sweep: Sweep  # what run_sweep and the store need to know of the study
    points: list[Point]
    arch_path: Path
    workload_path: Path
    inputs: int
    classes: int
    # The chip's and workload's own value of each device-setting axis (train.vary): the depth
    # series' point at the reference depth already is that point, so the plan does not repeat it.
    vary_base: dict[str, Any] = field(default_factory=dict)

    def weights(self, point: Point) -> int:
        return weights_of(int(point.params["depth"]), int(point.params["width"]), self.inputs, self.classes)

    def training_points(self) -> list[Point]:
        return [p for p in self.points if p.params["part"] in TRAIN_PARTS]


def describe(params: dict[str, Any]) -> str:
    """A point's parameters without the empty ones: 'train-depth bp N=8 w=1024 all seed=0'."""
    names = {"depth": "N=", "width": "w=", "seed": "seed=", "value": "="}
    out = []
    for k, v in params.items():
        if v is None or (k == "hardware" and v == "given" and str(params.get("part", "")).startswith("train")):
            continue
        out.append(f"{names.get(k, '')}{v}" if k != "value" else f"= {v}")
    return " ".join(out)


def _read(path: Path, study: Study, loc: tuple[str, ...]) -> SpecSource:
    try:
        return SpecSource(str(path), path.read_text(encoding="utf-8"))
    except OSError as exc:
        why = "file not found" if isinstance(exc, FileNotFoundError) else f"cannot read: {exc.strerror}"
        raise study.error(loc, f"{path}: {why}") from None


def mlp_layers(base_layers: list[dict[str, Any]], depth: int, width: int) -> list[dict[str, Any]]:
    """``depth`` weight layers: the base's first layer with ``width`` outputs, depth-1 times, then its last
    (784-width×(N-1)-10 for the study's MLPs)."""
    hidden = {k: v for k, v in base_layers[0].items() if k != "name"}
    last = {k: v for k, v in base_layers[-1].items() if k != "name"}
    return [{**hidden, "out_features": width} for _ in range(depth - 1)] + [last]


def setting_of(spec: Any, dotted: str) -> Any:
    """The value at ``dotted`` (attribute names) of a loaded spec; None where there is none."""
    value = spec
    for name in dotted.split("."):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def weights_of(depth: int, width: int, inputs: int, classes: int) -> int:
    """Weights of an MLP inputs-width×(depth-1)-classes (to scale a measured epoch time)."""
    if depth == 1:
        return inputs * classes
    return inputs * width + (depth - 2) * width * width + width * classes


def build_plan(study: Study, arch_path: Path | None = None) -> StudyPlan:
    """Every point of ``study``; ``arch_path`` replaces the study's chip (the command's ARCH)."""
    s = study.spec
    arch_file = arch_path if arch_path is not None else study.directory / s.architecture
    work_file = study.directory / s.workload
    arch_src = _read(arch_file, study, ("architecture",))
    work_src = _read(work_file, study, ("workload",))
    base = load_workload(work_file)
    if not all(layer.kind == "linear" for layer in base.layers) or len(base.layers) < 2:
        raise study.error(("workload",), f"{work_file}: the study builds MLPs from the base workload's first "
                                         "and last layer; it must be an all-linear network of 2 or more layers")
    base_layers = [layer.model_dump(mode="json", exclude_unset=True) for layer in base.layers]
    inputs = int(base.input_shape[0])
    classes = int(base_layers[-1]["out_features"])
    points: list[tuple[tuple[int, int], dict[str, Any], PointTask]] = []  # (rank, params, task)
    vary_base: dict[str, Any] = {}

    def add(params: dict[str, Any], arch_over: dict[str, Any], work_over: dict[str, Any],
            train: TrainSettings | None, data_dir: str | None, seed: int) -> None:
        full = {name: params.get(name) for name in PARAMS}
        depth, width = int(full["depth"]), int(full["width"])
        work = {"name": f"mlp{depth}-w{width}", "layers": mlp_layers(base_layers, depth, width),
                "rule": full["rule"], "seed": seed, **work_over}
        task = PointTask(arch_src, work_src, dict(arch_over), work, seed, train, data_dir)
        # Training first: the depth series (both claims' accuracy), then the effect series (24 points
        # at the reference depth: which effect costs which rule), then the device settings, each
        # largest network first. A study stopped part-way then has whole figures, not three halves.
        # Simulations (seconds in all) last, in the study's order.
        if train is not None:
            rank = (TRAIN_PARTS.index(full["part"]), -weights_of(depth, width, inputs, classes))
        else:
            rank = (len(TRAIN_PARTS), len(points))
        points.append((rank, full, task))

    for depth in s.depths:
        for rule in s.rules:
            for hw in s.hardware:
                units = HARDWARE[hw]
                over = {} if units is None else {"chip.weight_gradient.units": units}
                add({"part": "sim-depth", "rule": rule, "depth": depth, "width": s.width, "hardware": hw},
                    over, {}, None, None, 0)
    for axis, values in s.simulate.items():
        for value in values:
            for rule in s.rules:
                params = {"part": "sim-axis", "rule": rule, "depth": s.reference_depth, "width": s.width,
                          "hardware": "given", "axis": axis, "value": value}
                arch_over: dict[str, Any] = {}
                work_over: dict[str, Any] = {}
                if axis == WIDTH_AXIS:
                    params["width"] = int(value)
                elif axis.startswith("arch."):
                    arch_over[axis[len("arch."):]] = value
                else:
                    work_over[axis[len("workload."):]] = value
                add(params, arch_over, work_over, None, None, 0)
    t = s.train
    if t is not None:
        data_dir = str(study.directory / t.data_dir) if t.data_dir else None
        fixed_arch = {k[len("arch."):]: v for k, v in t.set.items() if k.startswith("arch.")}
        fixed_work = {k[len("workload."):]: v for k, v in t.set.items() if k.startswith("workload.")}
        if s.reference_depth in s.depths and "all" in t.nonidealities:
            chip, work = load_architecture(arch_file, fixed_arch), load_workload(work_file, fixed_work)
            vary_base = {axis: setting_of(chip if axis.startswith("arch.") else work, axis.split(".", 1)[1])
                         for axis in t.vary}

        def settings(nonideal: str) -> TrainSettings:
            return TrainSettings(epochs=t.epochs, dataset=t.dataset, data_dir=t.data_dir, nonidealities=nonideal)

        for seed in t.seeds:
            for rule in s.rules:
                for depth in s.depths:
                    for nonideal in t.nonidealities:
                        add({"part": "train-depth", "rule": rule, "depth": depth, "width": s.width,
                             "hardware": "given", "nonidealities": nonideal, "seed": seed},
                            fixed_arch, fixed_work, settings(nonideal), data_dir, seed)
                for effect in t.effects:
                    nonideal = f"no-{effect}"
                    add({"part": "train-effect", "rule": rule, "depth": s.reference_depth, "width": s.width,
                         "hardware": "given", "nonidealities": nonideal, "seed": seed},
                        fixed_arch, fixed_work, settings(nonideal), data_dir, seed)
                for axis, values in t.vary.items():
                    if axis.startswith("workload.") and not get_rule(rule).reads_setting(axis[len("workload."):]):
                        continue  # a setting this rule never reads: its points would repeat the depth series'
                    for value in values:
                        if axis in vary_base and value == vary_base[axis]:
                            continue  # the chip's own setting: the depth series' point (StudyPlan.vary_base)
                        arch_over = dict(fixed_arch)
                        work_over = dict(fixed_work)
                        (arch_over if axis.startswith("arch.") else work_over)[axis.split(".", 1)[1]] = value
                        add({"part": "train-vary", "rule": rule, "depth": s.reference_depth, "width": s.width,
                             "hardware": "given", "axis": axis, "value": value, "nonidealities": "all",
                             "seed": seed}, arch_over, work_over, settings("all"), data_dir, seed)

    ordered = sorted(points, key=lambda item: item[0])  # stable: equal ranks keep the study's order
    sweep = Sweep(path=study.path, name=study.name, description=s.description, architecture=None, workload=None,
                  axes={name: [] for name in PARAMS}, mode="product", fixed={}, metrics=None, train=None,
                  seed=0, lines={})
    out = [Point(i, params, task, point_key(sweep.name, params, task))
           for i, (_, params, task) in enumerate(ordered)]
    if len({p.key for p in out}) != len(out):
        raise SpecError(study.path, None, "", "two points of the study are the same point (a value given twice?)")
    return StudyPlan(study, sweep, out, arch_file, work_file, inputs, classes, vary_base)
