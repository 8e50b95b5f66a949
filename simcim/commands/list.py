"""`simcim list`: the bundled chips, workloads, sweeps and studies, one line each (names work as arguments)."""

from __future__ import annotations

import argparse
from pathlib import Path

from simcim.errors import SpecError
from simcim.paths import ARCHITECTURES, STUDIES, SWEEPS, WORKLOADS, bundled
from simcim.spec.yamlload import load_yaml_with_lines


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="the bundled chips, workloads, sweeps and studies, one line each",
                       description="Bundled chips, workloads, sweeps and studies; pass a name where a file is "
                                   "expected: simcim run neurosim-fefet-22nm mlp5-dfa, simcim sweep adc-bits.")
    p.set_defaults(func=list_command)


MAX_LINE = 100


def summary_line(path: Path) -> str:
    """A file's ``description`` key, else its first comment line (every bundled file has one)."""
    try:
        data, _ = load_yaml_with_lines(path)
    except SpecError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("description"), str):
        return data["description"]
    comment: list[str] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        comment.append(line.lstrip("# ").rstrip())
    text = " ".join(comment)
    sentence = text.split(". ")[0].rstrip(".")
    if len(sentence) > MAX_LINE:
        sentence = sentence[:MAX_LINE].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return sentence


def list_command(args: argparse.Namespace) -> int:
    sections = (("chips (simcim run CHIP WORKLOAD)", ARCHITECTURES), ("workloads", WORKLOADS),
                ("sweeps (simcim sweep NAME)", SWEEPS), ("studies (simcim study --spec NAME)", STUDIES))
    for title, folder in sections:
        files = bundled(folder)
        print(f"{title}:")
        if not files:
            print(f"  (none: {folder} is missing)")
        width = max((len(p.stem) for p in files), default=0)
        for path in files:
            print(f"  {path.stem:<{width}}  {summary_line(path)}")
    return 0
