"""`simcim import SOURCE -o WORKLOAD.yaml`: a workload from a PyTorch model or an ONNX file."""

from __future__ import annotations

import argparse
import shlex
import tempfile
from pathlib import Path

from simcim.atomic import check_output_file, write_text_atomic
from simcim.errors import SpecError, UserError
from simcim.rules import RULE_NAMES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="write a workload YAML from a PyTorch model (torch.fx) or an ONNX file",
        description="Capture a network's graph -- torchvision:NAME, FILE.py:FUNCTION or "
                    "PACKAGE.MODULE:FUNCTION (a function returning an nn.Module; traced with torch.fx on "
                    "the meta device, no weights), or FILE.onnx -- and write it as a workload. An op the "
                    "workload cannot express stops the import with its name, node and source line; "
                    "nothing is written then.")
    p.add_argument("source", help="torchvision:NAME | FILE.py:FUNCTION | PACKAGE.MODULE:FUNCTION | FILE.onnx")
    p.add_argument("-o", "--out", required=True, metavar="WORKLOAD.yaml", help="the workload file to write")
    p.add_argument("--input-shape", metavar="C,H,W", help="one image's shape (an ONNX file's own by default)")
    p.add_argument("--num-classes", type=int, metavar="N", help="passed to the factory as num_classes=N")
    p.add_argument("--rule", choices=RULE_NAMES, default="bp", help="the workload's learning rule (default bp)")
    p.add_argument("--batch-size", type=int, default=200, metavar="N", help="default 200")
    p.add_argument("--name", help="the workload's name (default: the output file's name)")
    p.add_argument("--dataset", default="synthetic", choices=["digits", "mnist", "fashion-mnist", "cifar10", "synthetic"],
                   help="the workload's training.dataset (default synthetic)")
    p.add_argument("--title", default="", help="a first header line describing the network")
    p.set_defaults(func=import_command)


def _shape(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        shape = tuple(int(v) for v in text.replace("x", ",").split(","))
    except ValueError:
        raise UserError(f"--input-shape {text}: expected numbers such as 3,224,224") from None
    if not 1 <= len(shape) <= 3 or min(shape) < 1:
        raise UserError(f"--input-shape {text}: one to three positive numbers (C,H,W or N)")
    return shape


def import_command(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    from simcim.importers import import_layers, workload_yaml
    from simcim.spec.loader import load_workload

    check_output_file(args.out, "--out")
    if args.batch_size < 1 or (args.num_classes is not None and args.num_classes < 1):
        raise UserError("--batch-size and --num-classes must be at least 1")
    layers, shape = import_layers(args.source, _shape(args.input_shape), args.num_classes)
    name = args.name or Path(args.out).stem
    command = "simcim import " + " ".join(shlex.quote(a) for a in args.argv)
    header = ([args.title] if args.title else []) + [f"Made by: {command}"]
    text = workload_yaml(layers, name=name, input_shape=shape, rule=args.rule, batch_size=args.batch_size,
                         header=header, dataset=args.dataset)
    # Check the workload before writing it (in a scratch folder): a network the simulator refuses
    # (a size past a bound, a shape that does not work out) is not written.
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / out.name
        probe.write_text(text)
        try:
            load_workload(probe)
        except SpecError as exc:
            raise UserError(f"the imported network is not a valid workload (line {exc.line}: {exc.key}: "
                            f"{exc.message}); nothing written") from None
    write_text_atomic(out, text)
    n_weights = sum(1 for e in layers if e["kind"] in ("conv2d", "linear"))
    print(f"wrote {out}: {len(layers)} layers, {n_weights} weight layers")
    return 0
