"""The one error type that bad user input turns into: it names file, line and key."""

from __future__ import annotations

from pathlib import Path


class SpecError(Exception):
    """A problem in a user's YAML file, reported as ``file:line: key: message`` on one line."""

    def __init__(self, path: str | Path | None, line: int | None, key: str, message: str) -> None:
        self.path = str(path) if path is not None else "<input>"
        self.line = line
        self.key = key
        self.message = " ".join(str(message).split())
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"
