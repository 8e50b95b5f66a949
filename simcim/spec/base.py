"""Shared pydantic base: strict about unknown keys, frozen so specs can be hashed and cached."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SpecModel(BaseModel):
    """Base for every spec section: unknown keys are errors and values cannot change after load."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
