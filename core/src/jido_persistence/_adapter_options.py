"""``AdapterOptions``: the base of every adapter's options model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

from jido_persistence.errors import ConfigurationError

__all__ = ["AdapterOptions"]


class AdapterOptions(BaseModel):
    """Base of every adapter's options model: frozen, and unknown options are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def parse(cls, options: Mapping[str, object]) -> Self:
        """Validate ``options``; raise ConfigurationError naming the valid options."""
        valid = ", ".join(sorted(cls.model_fields)) or "none"
        unknown = sorted(set(options) - set(cls.model_fields))
        if unknown:
            raise ConfigurationError(
                f"unknown option(s) {', '.join(unknown)}; valid options: {valid}"
            )
        try:
            return cls.model_validate(dict(options))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
                for item in error.errors()
            )
            raise ConfigurationError(f"invalid option(s): {problems}") from error


class _NoOptions(AdapterOptions):
    """An adapter without options."""
