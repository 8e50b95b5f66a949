"""Shared pydantic base: strict about unknown keys, frozen so specs can be hashed and cached."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, PrivateAttr

from simcim.spec.errors import SpecError


class SpecModel(BaseModel):
    """Base for every spec section: unknown keys are errors and values cannot change after load."""

    # strict: YAML's `true` is a boolean, never the number 1; "5" is text, never the number 5.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True)
    # Where a top-level spec came from (file and key -> line map), for errors found after loading.
    _source: tuple[str, dict] | None = PrivateAttr(default=None)

    def check_after_load(self) -> None:
        """Checks across keys that the loader runs once the file's lines are known (for the error's line)."""

    def error(self, key: str, message: str) -> SpecError:
        """A SpecError about ``key`` (dotted, e.g. ``chip.tiles``) that points at this spec's file."""
        if self._source is None:
            return SpecError(None, None, key, message)
        path, lines = self._source
        parts: tuple = tuple(int(p) if p.isdigit() else p for p in key.split(".")) if key else ()
        for n in range(len(parts), -1, -1):
            if parts[:n] in lines:
                return SpecError(Path(path), lines[parts[:n]], key, message)
        return SpecError(Path(path), None, key, message)
