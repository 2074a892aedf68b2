"""The exceptions of the persistence contract (contract section 5).

Every callback reports a failure with one of these; an adapter never lets a backend
exception (``duckdb.Error``, ``psycopg.Error``, ``OSError``) escape unwrapped: it
becomes :class:`StorageError` with the original chained as ``__cause__``.  No message
or ``repr`` contains a password: use :func:`redact_url` on anything that may hold a URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

__all__ = [
    "AdapterNotFound",
    "AmbiguousLookup",
    "ConfigurationError",
    "CursorNotFound",
    "InvalidArgument",
    "InvalidCursor",
    "InvalidDirectoryTarget",
    "InvalidLimit",
    "InvalidOnboardingId",
    "NotFound",
    "NotSupported",
    "PersistenceError",
    "StorageError",
    "StoreClosed",
    "StoreLocked",
    "redact_text",
    "redact_url",
]

# The password runs to the LAST "@" of the URL: a password holding an unencoded "@",
# "/" or "?" is masked whole (libpq would split it and show the rest as a host name).
_URL_PASSWORD: Final = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*:)\S*@")
_KEYWORD_PASSWORD: Final = re.compile(r"(?P<head>\bpassword\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def redact_url(url: str) -> str:
    """Return ``url`` with the password of its user-info replaced by ``***``.

    ``postgresql://bob:secret@db/chat`` becomes ``postgresql://bob:***@db/chat``; a URL
    without a password is returned unchanged.
    """
    return _URL_PASSWORD.sub(r"\g<head>***@", url)


def redact_text(text: str) -> str:
    """Return ``text`` with every URL password and every ``password=...`` pair masked."""
    return _KEYWORD_PASSWORD.sub(r"\g<head>***", redact_url(text))


class PersistenceError(Exception):
    """Base of every error raised by a persistence adapter or the registry."""


class NotFound(PersistenceError, LookupError):
    """The record asked for does not exist.

    ``entity`` is the snake_case record name (``"room"``, ``"message"``, ...; the
    directory target for ``directory_lookup``) and ``key`` the argument as given (a
    tuple for composite keys, the query for ``directory_lookup``).
    """

    def __init__(self, entity: str, key: Any) -> None:
        self.entity = entity
        self.key = key
        super().__init__(f"{entity} not found: {key!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.entity, self.key))


class AmbiguousLookup(PersistenceError, LookupError):
    """``directory_lookup`` found more than one match.

    ``matches`` holds the first 100 matches sorted by id; ``truncated`` is true when
    there were more.
    """

    def __init__(self, target: str, query: Any, matches: Sequence[Any], truncated: bool) -> None:
        self.target = target
        self.query = query
        self.matches = list(matches)
        self.truncated = truncated
        more = " or more" if truncated else ""
        super().__init__(
            f"{target} lookup {query!r} is ambiguous: {len(self.matches)}{more} matches"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.target, self.query, self.matches, self.truncated))


class InvalidArgument(PersistenceError, ValueError):
    """An argument is of the wrong type or value; nothing was stored."""


class InvalidCursor(InvalidArgument):
    """A ``before``/``after`` cursor is malformed (both given, empty, not a string)."""


class CursorNotFound(InvalidArgument):
    """A ``before``/``after`` cursor names no message inside the requested scope."""


class InvalidLimit(InvalidArgument):
    """A limit is not an ``int`` in ``0 <= limit <= 2**63 - 1``."""


class InvalidDirectoryTarget(InvalidArgument):
    """A directory target is neither ``"participant"`` nor ``"room"``."""


class InvalidOnboardingId(InvalidArgument):
    """An onboarding flow has no ``"onboarding_id"`` that is a non-empty string."""


class NotSupported(PersistenceError, NotImplementedError):
    """The adapter does not implement an optional callback (``callback`` names it)."""

    def __init__(self, callback: str, adapter: str = "this adapter") -> None:
        self.callback = callback
        super().__init__(f"{adapter} does not implement the optional callback {callback}()")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.callback,))


class ConfigurationError(PersistenceError):
    """A store cannot be opened as configured (unknown option, bad path, unreadable store)."""


class AdapterNotFound(ConfigurationError):
    """No installed adapter answers to the name or URL scheme asked for."""

    def __init__(
        self,
        name: str,
        known: Sequence[str],
        suggestion: str | None = None,
        distribution: str | None = None,
    ) -> None:
        self.name = name
        self.known = sorted(known)
        self.suggestion = suggestion
        self.distribution = distribution
        parts = [f"no persistence adapter named {name!r} is installed"]
        if distribution:
            parts.append(f"it is provided by {distribution}: pip install {distribution}")
        if suggestion and suggestion != name:
            parts.append(f"did you mean {suggestion!r}?")
        parts.append("known adapters: " + (", ".join(self.known) or "none"))
        super().__init__("; ".join(parts))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.name, self.known, self.suggestion, self.distribution))


class StoreClosed(PersistenceError):
    """The store was closed; open a new one to go on."""


class StoreLocked(PersistenceError):
    """Another process (or an incompatible instance) holds this single-writer store."""


class StorageError(PersistenceError):
    """The backend failed; the original exception is chained as ``__cause__``.

    After a lost connection the outcome of the call is unknown; every callback is safe
    to retry.
    """

    def __init__(self, message: str) -> None:
        super().__init__(redact_text(message))
