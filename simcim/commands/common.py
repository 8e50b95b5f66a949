"""Pieces several subcommands share: spec arguments, overrides, loading with clear errors."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simcim.errors import UserError
from simcim.paths import DEFAULT_ARCHITECTURE, DEFAULT_WORKLOAD
from simcim.rules import RULE_NAMES
from simcim.api import load_architecture, load_workload
from simcim.spec import Architecture, Workload
from simcim.spec.yamlload import load_yaml_text


def add_spec_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("arch", nargs="?", help=f"architecture YAML or bundled name (default: {DEFAULT_ARCHITECTURE.stem})")
    parser.add_argument("workload", nargs="?", help=f"workload YAML or bundled name (default: {DEFAULT_WORKLOAD.stem})")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a YAML key: arch.device.bits_per_cell=4 or workload.rule=bp (repeatable)")
    parser.add_argument("--rule", choices=RULE_NAMES, help="override the workload's rule")


def parse_overrides(items: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``arch.X=V`` / ``workload.X=V`` into two dicts; values are parsed as YAML scalars."""
    arch: dict[str, Any] = {}
    work: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UserError(f"--set {item!r}: expected KEY=VALUE")
        # The same loader as the files (no tags, aliases or bombs); a bare `KEY=` sets "".
        value = load_yaml_text(raw, f"--set {key}")[0] if raw.strip() else ""
        if key.startswith("arch."):
            arch[key[5:]] = value
        elif key.startswith("workload."):
            work[key[9:]] = value
        else:
            raise UserError(f"--set {item!r}: the key must start with 'arch.' or 'workload.'")
    return arch, work


def load_specs(args: argparse.Namespace) -> tuple[Architecture, Workload]:
    """The architecture and workload a command names (paths or bundled names; default the bundled
    defaults), overrides applied."""
    arch_path = Path(args.arch) if args.arch else DEFAULT_ARCHITECTURE
    work_path = Path(args.workload) if args.workload else DEFAULT_WORKLOAD
    if not args.arch and not arch_path.exists():
        raise UserError("the bundled architectures are not installed here; pass ARCH and WORKLOAD paths")
    arch_over, work_over = parse_overrides(getattr(args, "overrides", []) or [])
    if getattr(args, "rule", None):
        work_over["rule"] = args.rule
    return load_architecture(arch_path, arch_over), load_workload(work_path, work_over)
