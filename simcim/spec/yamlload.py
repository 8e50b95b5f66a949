"""YAML loading that remembers the line of every key, and that hostile input cannot break.

Specs are small hand-written files, so the loader builds plain data (dict, list, str, int, float,
bool, None) straight from PyYAML's event stream and refuses whatever a spec never needs and an
attacker or an accident could use to crash or stall a program (YAML 1.1 §6.9, §7.1, §10.3):

- tags (``!custom``, ``!!set``, ``!!python/name:...``): no constructor beyond the plain scalars runs;
- aliases beyond a few, aliases to a node still open (``&r [*r]``, which is infinite), and aliases
  whose copies would expand past :data:`MAX_NODES` values (the "billion laughs" bomb);
- nesting deeper than :data:`MAX_DEPTH` (PyYAML's composer and pydantic recurse per level);
- files larger than :data:`MAX_BYTES`, text that is not UTF-8, control characters;
- duplicate keys (PyYAML keeps the last silently), keys that are not plain scalars, more than one
  document, an empty document.

Every refusal is a :class:`SpecError` naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from simcim.spec.errors import SpecError

KeyPath = tuple[str | int, ...]

MAX_BYTES = 4 << 20  # the largest bundled spec is ~3 KB; a spec of megabytes is not hand-written
MAX_DEPTH = 32  # the deepest bundled spec nests 4 levels
MAX_ALIASES = 64  # a spec may reuse a few blocks; a bomb needs many aliases
MAX_NODES = 100_000  # values after aliases are expanded (a bundled spec has ~200)

# YAML's printable set (YAML 1.1 §5.1): tab, LF, CR, and everything from space up, except DEL,
# C1 controls other than NEL, surrogates and U+FFFE/U+FFFF.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The constructor of each scalar tag the safe resolver can give a plain scalar.
_SCALAR_TAGS = {"tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "str", "timestamp")}
# YAML 1.2 core-schema floats that YAML 1.1 (PyYAML) leaves as text because they have no dot.
_YAML12_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$")
_RESOLVER = yaml.SafeLoader("")  # only its resolver and scalar constructors are used


def key_text(loc: KeyPath) -> str:
    """Format a key path the way a user writes it: ``layers[2].out_features``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _decode(data: bytes, where: str) -> str:
    """UTF-8 text of a spec (a UTF-8 byte-order mark is allowed), or a one-line reason why not."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(where, None, "", "not UTF-8 (a UTF-16 byte-order mark); save the file as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SpecError(where, line, "", f"not UTF-8 at byte {exc.start}") from None
    return text[1:] if text.startswith("\ufeff") else text


def _check_printable(text: str, where: str) -> None:
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise SpecError(where, line, "", f"control character U+{ord(bad.group()):04X} is not allowed in YAML")


def _scalar(event: yaml.ScalarEvent) -> Any:
    """The plain value of a scalar, as PyYAML's safe loader would read it."""
    if event.style:  # quoted or block scalar: always a string
        return event.value
    tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == "tag:yaml.org,2002:str" and _YAML12_FLOAT.match(event.value):
        return float(event.value)  # `240e3`: a number in YAML 1.2 (and JSON), text to PyYAML's YAML 1.1
    if tag not in _SCALAR_TAGS:
        return event.value
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
    return yaml.SafeLoader.yaml_constructors[tag](_RESOLVER, node)


class _Builder:
    """Builds data from parse events, with limits on depth, aliases and expanded size."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.lines: dict[KeyPath, int] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, nodes in it)
        self.open_anchors: set[str] = set()
        self.aliases = 0
        self.nodes = 0

    def fail(self, event: yaml.Event, message: str, key: KeyPath = ()) -> SpecError:
        return SpecError(self.where, event.start_mark.line + 1 if event.start_mark else None, key_text(key), message)

    def count(self, event: yaml.Event, n: int, path: KeyPath) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise self.fail(event, f"more than {MAX_NODES:,} values (with aliases expanded); a spec is far smaller",
                            path)

    def node(self, events: Any, event: yaml.Event, path: KeyPath) -> tuple[Any, int]:
        """The value that starts with ``event`` and the number of values in it."""
        if len(path) > MAX_DEPTH:
            raise self.fail(event, f"nested deeper than {MAX_DEPTH} levels", path[:3])
        self.lines.setdefault(path, event.start_mark.line + 1)
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if event.anchor in self.open_anchors:
                raise self.fail(event, f"alias *{event.anchor} refers to a value that contains it (recursive)", path)
            if event.anchor not in self.anchors:
                raise self.fail(event, f"alias *{event.anchor} has no anchor &{event.anchor} before it", path)
            if self.aliases > MAX_ALIASES:
                raise self.fail(event, f"more than {MAX_ALIASES} aliases; a spec needs few", path)
            value, size = self.anchors[event.anchor]
            self.count(event, size, path)
            return value, size
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise self.fail(event, f"YAML tags are not allowed ({tag})", path)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            if anchor in self.anchors or anchor in self.open_anchors:
                raise self.fail(event, f"anchor &{anchor} is defined twice", path)
            self.open_anchors.add(anchor)
        self.count(event, 1, path)
        if isinstance(event, yaml.ScalarEvent):
            value: Any = _scalar(event)
            size = 1
        elif isinstance(event, yaml.SequenceStartEvent):
            value, size = [], 1
            while True:
                child = next(events)
                if isinstance(child, yaml.SequenceEndEvent):
                    break
                item, n = self.node(events, child, path + (len(value),))
                value.append(item)
                size += n
        elif isinstance(event, yaml.MappingStartEvent):
            value, size = {}, 1
            while True:
                key_event = next(events)
                if isinstance(key_event, yaml.MappingEndEvent):
                    break
                if not isinstance(key_event, yaml.ScalarEvent) or key_event.tag is not None:
                    raise self.fail(key_event, "a key must be a plain word, not a list, mapping, alias or tag", path)
                key = str(_scalar(key_event)) if not key_event.style else key_event.value
                if key in value:
                    raise self.fail(key_event, "duplicate key (the earlier value would be ignored)", path + (key,))
                self.lines[path + (key,)] = key_event.start_mark.line + 1
                self.count(key_event, 1, path + (key,))
                value[key], n = self.node(events, next(events), path + (key,))
                size += n + 1
        else:
            raise self.fail(event, f"unexpected YAML {type(event).__name__}", path)
        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = (value, size)
        return value, size


def load_yaml_text(text: str, where: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse one YAML document of ``text`` (``where`` names it in errors); return its data and a map
    from key path to 1-based line. ``None`` for an empty document."""
    _check_printable(text, where)
    if all(not ln.strip() or ln.lstrip().startswith("#") or ln.rstrip() in ("---", "...")
           for ln in text.splitlines()):
        return None, {}  # only markers and comments: an empty document (PyYAML trips on a bare '...')
    builder = _Builder(where)
    try:
        events = yaml.parse(text, Loader=yaml.SafeLoader)
        value: Any = None
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise builder.fail(event, "more than one YAML document ('---'); a spec is one document")
            elif isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent,
                                    yaml.AliasEvent)):
                value, _ = builder.node(events, event, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        context = ""
        if exc.context and exc.context_mark is not None:
            context = f" ({exc.context} started on line {exc.context_mark.line + 1})"
        raise SpecError(where, line, "", f"invalid YAML: {exc.problem or exc}{context}") from None
    except yaml.YAMLError as exc:  # ReaderError and the like: no mark, one line of text
        raise SpecError(where, None, "", f"invalid YAML: {' '.join(str(exc).split())}") from None
    except (ValueError, OverflowError) as exc:  # a scalar the safe constructor cannot build (a bad date)
        raise SpecError(where, None, "", f"invalid YAML value: {exc}") from None
    return value, builder.lines


def load_yaml_with_lines(path: str | Path) -> tuple[Any, dict[KeyPath, int]]:
    """Read a YAML file; return its data and a map from key path to line number."""
    p = Path(path)
    try:
        if p.is_dir():
            raise SpecError(p, None, "", "is a folder, not a YAML file")
        with p.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SpecError(p, None, "", "file not found") from None
    except OSError as exc:
        raise SpecError(p, None, "", f"cannot read file: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise SpecError(p, None, "", f"larger than {MAX_BYTES >> 20} MiB; a spec is a few KB")
    value, lines = load_yaml_text(_decode(data, str(p)), str(p))
    if value is None:
        raise SpecError(p, 1, "", "file is empty (no keys)")
    return value, lines


def line_of(lines: dict[KeyPath, int], loc: KeyPath) -> int | None:
    """Line of the longest prefix of ``loc`` that the file has (a missing key points at its parent)."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None
