"""Which target ``open_store()`` opens: the argument, ``JIDO_PERSISTENCE_URL``, or the default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from jido_persistence.errors import ConfigurationError, redact_text

__all__ = ["DEFAULT_URL", "URL_ENV", "TargetSource", "describe_target", "resolve_target"]

URL_ENV: Final = "JIDO_PERSISTENCE_URL"
"""The environment variable ``open_store()`` reads when given no target."""

DEFAULT_URL: Final = "tinydb:///jido_persistence.json"
"""The embedded default store: a TinyDB file in the working directory."""


class TargetSource(StrEnum):
    """Where the target of ``open_store()`` came from."""

    ARGUMENT = "argument"
    ENVIRONMENT = "environment"
    DEFAULT = "default"


def resolve_target(
    target: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[str, TargetSource]:
    """The target ``open_store(target)`` would open, and where it came from.

    Precedence: ``target`` when not ``None``, then the environment variable
    ``JIDO_PERSISTENCE_URL`` when set and not blank, then :data:`DEFAULT_URL`.

    Raises:
        ConfigurationError: ``target`` is not a ``str`` or is blank.
    """
    if target is not None:
        if not isinstance(target, str) or not target.strip():
            raise ConfigurationError(
                f"the store target must be a non-empty str (an adapter name or a URL), "
                f"not {target!r}"
            )
        return target.strip(), TargetSource.ARGUMENT
    value = (os.environ if environ is None else environ).get(URL_ENV, "").strip()
    if value:
        return value, TargetSource.ENVIRONMENT
    return DEFAULT_URL, TargetSource.DEFAULT


def describe_target(target: str, source: TargetSource) -> str:
    """``target`` (password redacted) and where it came from, for error notes."""
    shown = redact_text(target)
    if source is TargetSource.ENVIRONMENT:
        return f"{shown!r} (from the environment variable {URL_ENV})"
    if source is TargetSource.DEFAULT:
        return f"{shown!r} (the embedded default; no argument and {URL_ENV} unset)"
    return f"{shown!r} (the argument)"
