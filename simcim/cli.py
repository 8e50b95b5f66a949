"""The `simcim` command: one subcommand per module in simcim.commands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Callable, Sequence

from simcim import __version__
from simcim.errors import SpecError, UserError

# Each module defines register(subparsers) that adds its parser and sets `func`.
COMMAND_MODULES = ["run", "trace", "sweep", "results", "compare", "train", "study", "list", "import"]
_MODULE_OF = {"import": "import_net"}  # `import` is a Python keyword


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand's module is imported (fast start)."""
    parser = argparse.ArgumentParser(prog="simcim", description=__doc__)
    parser.add_argument("--version", action="version", version=f"simcim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        if only is None or name == only:
            importlib.import_module(f"simcim.commands.{_MODULE_OF.get(name, name)}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None, on_loaded: Callable[[], None] | None = None) -> int:
    """``on_loaded`` is called once the command's modules are imported and its arguments parsed
    (simcim.launch resumes the garbage collector there)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    try:
        parser = build_parser(command if command in COMMAND_MODULES else None)
        args = parser.parse_args(argv)
    finally:
        if on_loaded is not None:
            on_loaded()
    args.argv = argv[argv.index(command) + 1:] if command in argv else argv  # what `import` records
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return code
    except (SpecError, UserError) as exc:
        print(f"simcim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("simcim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`simcim trace validate T | head`): stop quietly, as cat and grep do.
        # Point stdout at /dev/null so the interpreter's final flush does not complain either.
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout replaced by an object without a descriptor
        pass


if __name__ == "__main__":
    sys.exit(main())
