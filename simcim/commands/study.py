"""`simcim study ARCH [--depths 2-8] [--rules bp,dfa,fa] [--quick] ... --out DIR`: a whole study in one command.

Expands the study YAML (default: the bundled studies/wolters2023.yaml) into simulation and training
points, runs them through the sweep machinery into DIR/results.db (resumable; local processes or
Dask), and writes DIR/index.html. See docs/study.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console

from simcim import model_version
from simcim.atomic import check_output_folder
from simcim.commands.compare import parse_depths
from simcim.commands.sweep import Terminated, terminate_as_interrupt
from simcim.errors import UserError
from simcim.paths import DEFAULT_STUDY, resolve_architecture, resolve_study
from simcim.studies.plan import StudyPlan, build_plan
from simcim.studies.spec import DATASETS, apply_choices, load_study
from simcim.sweep.executors import DASK_ENV, ExecutorError, open_pool
from simcim.sweep.points import check_specs
from simcim.sweep.runner import checkpoint_dir, run_sweep, split_pending
from simcim.sweep.store import Store, StoreError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "study", help="a whole study (BP vs DFA across depth, equal hardware, accuracy): results.db + index.html",
        description="Expand a study YAML into simulation and training points, run them (resumable; local "
                    "processes or Dask) into DIR/results.db and write DIR/index.html. See docs/study.md.")
    p.add_argument("arch", nargs="?", help="architecture YAML or bundled name (default: the study's chip)")
    p.add_argument("--spec", default=None, metavar="STUDY",
                   help="study YAML or bundled name (default: wolters2023)")
    p.add_argument("--depths", metavar="LIST", help="weight layers N: '2-8', '2,4,8' (default: the study's)")
    p.add_argument("--rules", metavar="LIST", help="comma-separated rules, e.g. bp,dfa,fa (default: the study's)")
    p.add_argument("--dataset", choices=DATASETS, help="training data set (default: the study's)")
    p.add_argument("--data-dir", metavar="DIR", help="folder of the mnist / fashion-mnist IDX files")
    p.add_argument("--quick", action="store_true",
                   help="the study's quick settings: digits, a few epochs (minutes on a laptop)")
    p.add_argument("--epochs", type=int, metavar="N", help="training epochs per point")
    p.add_argument("--seeds", metavar="LIST", help="comma-separated seeds, e.g. 0,1,2")
    p.add_argument("--no-train", action="store_true", help="simulate only (no training points)")
    p.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: the CPU count)")
    p.add_argument("--dask", metavar="ADDRESS", help=f"run on this Dask scheduler (default: ${DASK_ENV} if set)")
    p.add_argument("--dry-run", action="store_true", help="count the points per series and what is done; run nothing")
    p.add_argument("--report-only", action="store_true", help="write the report from DIR/results.db; run nothing")
    p.add_argument("--no-estimate", action="store_true", help="skip the timed first epoch and the time estimate")
    p.add_argument("--retry-errors", action="store_true", help="run the points that failed last time again")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for results.db, index.html and figures")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=study_command)


def _int_list(text: str, option: str) -> list[int]:
    try:
        values = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise UserError(f"{option} {text!r}: expected comma-separated integers, e.g. 0,1,2") from None
    if not values or any(v < 0 for v in values):
        raise UserError(f"{option} {text!r}: expected comma-separated integers >= 0")
    return values


def make_plan(args: argparse.Namespace) -> StudyPlan:
    study = load_study(resolve_study(args.spec) if args.spec else DEFAULT_STUDY)
    if args.epochs is not None and args.epochs < 1:
        raise UserError("--epochs must be at least 1")
    study = apply_choices(
        study, quick=args.quick, depths=parse_depths(args.depths) if args.depths else None,
        rules=[r for r in args.rules.replace(" ", "").split(",") if r] if args.rules else None,
        dataset=args.dataset, epochs=args.epochs, seeds=_int_list(args.seeds, "--seeds") if args.seeds else None)
    update = {}
    if args.no_train:
        update["train"] = None
    elif args.data_dir and study.spec.train is not None:
        update["train"] = study.spec.train.model_copy(update={"data_dir": str(Path(args.data_dir).resolve())})
    if update:
        study = study.model_copy(update={"spec": study.spec.model_copy(update=update)})
    arch = resolve_architecture(args.arch) if args.arch else None
    return build_plan(study, arch)


def study_command(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    plan = make_plan(args)
    check_specs(plan.sweep, plan.points)
    out = Path(args.out)
    db = out / "results.db"
    if args.dry_run:
        return dry_run(plan, db)
    if args.report_only and not db.is_file():
        raise UserError(f"--report-only: {db} does not exist (run the study first)")
    check_output_folder(args.out, "--out")
    console = Console(stderr=True, quiet=args.quiet, soft_wrap=True)
    dask = args.dask or (None if args.workers is not None else os.environ.get(DASK_ENV) or None)
    n_train = len(plan.training_points())
    console.print(f"study {plan.study.name}: {len(plan.points)} points ({n_train} training, "
                  f"{len(plan.points) - n_train} simulation) -> {db}", markup=False, highlight=False)
    lost = 0
    if not args.report_only:
        try:
            lost = run_points(plan, db, args, dask, console)
        except Terminated as exc:
            print(f"simcim: terminated ({exc.name}); the finished points are in {db}; run the same command "
                  "again to resume", file=sys.stderr)
            return 128 + exc.signum
        except KeyboardInterrupt:
            raise UserError(f"interrupted; the finished points are in {db}; run the same command again to "
                            "resume") from None
        except (StoreError, ExecutorError) as exc:
            raise UserError(str(exc)) from None
    index = write_report(plan, db, out)
    if not args.quiet:
        print(f"report: {index}")
    return 1 if lost else 0


def run_points(plan: StudyPlan, db: Path, args: argparse.Namespace, dask: str | None, console: Console) -> int:
    """Estimate the training time, then run the points the store lacks (training first); return how
    many the executor lost (a worker died: not recorded, a rerun retries them)."""
    n_train = len(plan.training_points())
    with terminate_as_interrupt(), Store(db) as store, open_pool(args.workers, dask, n_train > 0) as pool:
        pending, again = split_pending(plan.points, store, retry_errors=args.retry_errors)
        if not args.no_estimate and any(p.task.train is not None for p in pending):
            from simcim.studies.estimate import estimate

            est = estimate(plan, pending, pool.workers)
            if est is not None:
                console.print(est.text(sum(1 for p in pending if p.task.train is not None)),
                              markup=False, highlight=False)
        console.print(f"running {len(pending)} of {len(plan.points)} points on {pool.description}"
                      + (f", and simulating {len(again)} trained points again (cost model {model_version.SIMULATION}; "
                         "their training kept)" if again else ""), markup=False, highlight=False)
        log = None
        if not args.quiet:
            from tqdm import tqdm

            from simcim.studies.estimate import TrainingLog

            log = TrainingLog(plan, pending, pool.workers, lambda line: tqdm.write(line, file=sys.stderr))
        t0 = time.perf_counter()
        summary = run_sweep(plan.sweep, plan.points, store, pool, retry_errors=args.retry_errors,
                            progress=False if args.quiet else None, on_done=log, checkpoints=checkpoint_dir(db))
        wall_s = time.perf_counter() - t0
    console.print(f"{summary.counts()} ({wall_s:.1f} s)",
                  markup=False, highlight=False)
    for sample in summary.error_samples:
        console.print(f"  failed: {sample}", markup=False, highlight=False)
    if summary.lost:
        console.print(f"{summary.lost} points did not run ({summary.lost_reason}); run again to retry them",
                      markup=False, highlight=False)
    return summary.lost


def dry_run(plan: StudyPlan, db: Path) -> int:
    """Points per series and how many are done; creates nothing."""
    done: set[str] = set()
    stale: set[str] = set()
    if db.is_file():
        try:
            with Store(db, readonly=True) as store:
                done = set(store.finished(include_errors=False))
                stale = store.stale_simulation(model_version.SIMULATION)
        except StoreError as exc:
            raise UserError(str(exc)) from None
    parts: dict[str, list[int]] = {}
    for p in plan.points:
        counts = parts.setdefault(str(p.params["part"]), [0, 0, 0])
        counts[0] += 1
        counts[1] += p.key in done
        counts[2] += p.key in stale
    for part, (n, k, old) in parts.items():
        print(f"{part:<13} {n:5d} points, {k:5d} done" + (f" ({old} simulated with an older cost model)" if old else ""))
    total_done = sum(k for _, k, _ in parts.values())
    again = sum(old for _, _, old in parts.values())
    print(f"study {plan.study.name}: {len(plan.points)} points, {total_done} done, "
          f"{len(plan.points) - total_done} to run -> {db}"
          + (f"; {again} done points to simulate again (cost model {model_version.SIMULATION}; training kept)"
             if again else ""))
    return 0


def write_report(plan: StudyPlan, db: Path, out: Path) -> Path:
    """Collect the plan's points from ``db`` and write out/index.html (and its figures)."""
    from simcim.report.study_report import write_study_report
    from simcim.spec.loader import load_architecture
    from simcim.studies.results import collect

    try:
        with Store(db, readonly=True) as store:
            rows = store.rows()
            stale = store.stale_simulation(model_version.SIMULATION) & {p.key for p in plan.points}
    except StoreError as exc:
        raise UserError(str(exc)) from None
    chip = load_architecture(plan.arch_path).name
    res = collect(plan, rows, chip)
    s = plan.study.spec
    title = f"simcim study {plan.study.name}: {', '.join(r.upper() for r in s.rules)} on {chip}"
    subtitle = (f"{s.description}. {res.provenance_line()}; study file {plan.study.path.name}"
                + (" (--quick)" if plan.study.quick else "") + ".")
    notes = [f"Points: simulation at N = {', '.join(map(str, s.depths))} on {', '.join(s.hardware)} hardware; "
             f"one-axis cost series at N = {s.reference_depth}.",
             "Every number is in results.db (SQLite, one row per point; `simcim results DIR/results.db`).",
             "Speed-up = BP's epoch latency over the rule's on the same hardware provisioning. Equal hardware gives "
             "every rule the same weight-gradient units and the chip's DRAM unchanged (same channels and placement "
             "for every rule); the extra area column says what that costs each rule."]
    if stale:  # said at the top: the claims below use these numbers
        subtitle += (f" Stale: {len(stale)} points were simulated with an older cost model than this simcim's "
                     f"(model {model_version.SIMULATION}); run the study again to re-simulate them (training "
                     "points keep their training).")
    files = write_study_report(res, out, title, subtitle, notes)
    return files[0]
