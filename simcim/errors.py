"""Errors a user can fix; the CLI prints them as one line and exits with status 2."""

from __future__ import annotations

from simcim.spec.errors import SpecError


class UserError(Exception):
    """A problem the user can fix (bad path, bad option); printed as one line, exit status 2."""


__all__ = ["SpecError", "UserError"]
