"""Load architecture and workload YAML into typed specs, with errors that name file, line and key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping, TypeVar

from pydantic import BaseModel, ValidationError

from simcim.spec.architecture import Architecture
from simcim.spec.errors import SpecError
from simcim.spec.limits import reason
from simcim.spec.workload import Workload
from simcim.spec.yamlload import KeyPath, key_text, line_of, load_yaml_with_lines

M = TypeVar("M", bound=BaseModel)
_LAYER_TAGS = {"linear", "conv2d", "maxpool", "avgpool", "flatten"}
_TYPE_TAGS = {"int", "float", "bool", "str", "none", "list", "dict"}


def _clean_loc(loc: tuple[Any, ...]) -> KeyPath:
    """Drop pydantic's union tags (e.g. 'linear' in layers.0.linear.out_features) from a location."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and i > 0 and isinstance(loc[i - 1], int) and part in _LAYER_TAGS:
            continue
        if isinstance(part, str) and i > 0 and (part in _TYPE_TAGS or "[" in part or "-" in part):
            continue  # a union member's tag, e.g. chip.tiles.int or chip.tiles.literal['auto']
        out.append(part)
    return tuple(out)


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


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters; never fails (Python refuses to print ints of > 4300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of {len(str(abs(value))) if value.bit_length() < 14000 else 'thousands of'} digits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validate(model: type[M], data: Any, path: Path, lines: dict[KeyPath, int]) -> M:
    if not isinstance(data, dict):
        raise SpecError(path, 1, "", f"expected a mapping at the top level, got {type(data).__name__}")
    try:
        spec = model.model_validate(data)
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
        elif err.get("input", 0) is None and err["type"] != "none_required":
            # `technology:` with nothing after it reads as null: say so rather than "not a dict (got None)".
            msg = "the key has no value (give one, or delete the key to take the default)"
        elif isinstance(err.get("input"), bool) and err["type"] in ("int_type", "float_type"):
            msg = f"expected a number, not the YAML boolean {str(err['input']).lower()}"
        elif "input" in err and err["type"] not in ("model_type",) and not isinstance(err["input"], (dict, list)):
            msg = f"{msg} (got {short_repr(err['input'])})"
        why = reason(next((str(p) for p in reversed(loc) if isinstance(p, str)), ""), err["type"])
        if why:
            msg = f"{msg}: {why}"
        raise SpecError(path, line_of(lines, loc), key_text(loc), msg) from None
    spec._source = (str(path), lines)
    spec.check_after_load()
    return spec


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
