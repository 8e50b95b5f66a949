"""Load architecture and workload YAML into typed specs, with errors that name file, line and key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping, TypeVar

from pydantic import BaseModel, ValidationError

from simcim.spec.architecture import Architecture
from simcim.spec.errors import SpecError
from simcim.spec.workload import Workload
from simcim.spec.yamlload import KeyPath, line_of, load_yaml_with_lines

M = TypeVar("M", bound=BaseModel)
_LAYER_TAGS = {"linear", "conv2d", "maxpool", "avgpool", "flatten"}


def _clean_loc(loc: tuple[Any, ...]) -> KeyPath:
    """Drop pydantic's union tags (e.g. 'linear' in layers.0.linear.out_features) from a location."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and i > 0 and isinstance(loc[i - 1], int) and part in _LAYER_TAGS:
            continue
        out.append(part)
    return tuple(out)


def key_text(loc: KeyPath) -> str:
    """Format a key path the way a user writes it: ``layers[2].out_features``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``a.b.c`` (or ``layers.2.out_features``) in nested dicts/lists, creating dicts as needed."""
    parts = dotted.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = node[int(part)]
            continue
        if part not in node or not isinstance(node[part], (dict, list)):
            node[part] = {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _validate(model: type[M], data: Any, path: Path, lines: dict[KeyPath, int]) -> M:
    if not isinstance(data, dict):
        raise SpecError(path, 1, "", f"expected a mapping at the top level, got {type(data).__name__}")
    try:
        spec = model.model_validate(data)
        spec._source = (str(path), lines)
        return spec
    except ValidationError as exc:
        # An unknown key is the likelier root cause than a "missing" one (often a typo of it).
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        loc = _clean_loc(tuple(err["loc"]))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif "input" in err and err["type"] not in ("model_type",) and not isinstance(err["input"], (dict, list)):
            msg = f"{msg} (got {err['input']!r})"
        raise SpecError(path, line_of(lines, loc), key_text(loc), msg) from None


def _load(model: type[M], path: str | Path, overrides: Mapping[str, Any] | None) -> M:
    p = Path(path)
    data, lines = load_yaml_with_lines(p)
    if overrides:
        data = copy.deepcopy(data)
        for key, value in overrides.items():
            try:
                set_dotted(data, key, value)
            except (IndexError, ValueError, TypeError, KeyError):
                raise SpecError(p, None, key, "override does not fit the file's structure") from None
    return _validate(model, data, p, lines)


def load_architecture(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Architecture:
    """Read an architecture YAML (optionally with dotted-key overrides) into an Architecture."""
    return _load(Architecture, path, overrides)


def load_workload(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Workload:
    """Read a workload YAML (optionally with dotted-key overrides) into a Workload."""
    return _load(Workload, path, overrides)
