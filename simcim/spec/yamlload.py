"""YAML loading that remembers the line of every key, so errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simcim.spec.errors import SpecError

KeyPath = tuple[str | int, ...]


def _construct(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> Any:
    """Build plain Python data from a composed YAML node, recording 1-based lines per key path."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node)) if not isinstance(key_node, yaml.ScalarNode) else key_node.value
            key = str(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(child, path + (i,), lines) for i, child in enumerate(node.value)]
    # Scalars: let PyYAML's safe resolver decide int/float/bool/null/str.
    return yaml.safe_load(yaml.serialize(node))


def load_yaml_with_lines(path: str | Path) -> tuple[Any, dict[KeyPath, int]]:
    """Read a YAML file; return its data and a map from key path to line number."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(p, None, "", "file not found") from None
    except OSError as exc:
        raise SpecError(p, None, "", f"cannot read file: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        where = ""
        if exc.context and exc.context_mark is not None:
            where = f" ({exc.context} started on line {exc.context_mark.line + 1})"
        raise SpecError(p, line, "", f"invalid YAML: {exc.problem or exc}{where}") from None
    lines: dict[KeyPath, int] = {}
    if node is None:
        raise SpecError(p, 1, "", "file is empty")
    return _construct(node, (), lines), lines


def line_of(lines: dict[KeyPath, int], loc: KeyPath) -> int | None:
    """Line of the longest prefix of ``loc`` that the file has (a missing key points at its parent)."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None
