"""What ``jido-persistence which`` reports, and whether a store's file exists yet.

Kept apart from the command line itself so that ``which`` and ``copy`` share one
reading of a target: the adapter it selects, the options its URL gives, the options
left at their defaults, and whether the store can be opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from jido_persistence import registry
from jido_persistence.errors import PersistenceError, redact_text
from jido_persistence.registry import AdapterInfo, TargetSource

__all__ = ["missing_store_file", "store_options", "which_record"]

_REASONS: Final = {
    TargetSource.ARGUMENT: "given as an argument",
    TargetSource.ENVIRONMENT: f"from the environment variable {registry.URL_ENV}",
    TargetSource.DEFAULT: f"the embedded default: no argument and {registry.URL_ENV} is not set",
}


def store_options(target: str) -> tuple[AdapterInfo, dict[str, object]]:
    """The adapter ``target`` selects and the options its URL gives (nothing is opened).

    Raises ConfigurationError (AdapterNotFound) as ``open_store`` would.
    """
    info, url = registry.get_registry().select(target)
    return info, (info.load().url_options(url) if url else {})


def missing_store_file(options: Mapping[str, object]) -> Path | None:
    """The file a file-based store would be created at, when it does not exist yet.

    ``None`` when the options name no ``path`` (a server, memory), ``:memory:``, or a
    file that exists.  O(1): one ``stat``.
    """
    path = options.get("path")
    if not isinstance(path, str) or not path or path.startswith(":memory:"):
        return None
    file = Path(path)
    return None if file.exists() else file


def _redact_option(key: str, value: object) -> object:
    if "password" in key.lower():
        return "***"
    return redact_text(value) if isinstance(value, str) else value


def which_record(target: str | None, *, connect: bool = True) -> dict[str, Any]:
    """What ``open_store(target)`` would open now, and why, as JSON-ready data.

    ``options`` are those the URL gives, ``defaults`` the adapter's other options.
    With ``connect`` the store is opened and closed again (``store`` says so), except
    a file-based store whose file does not exist yet, which is not created.  ``error``
    is set when the target selects no adapter, an option is invalid, or the store
    cannot be opened (the server does not answer, the file is damaged).  Passwords
    are redacted everywhere.
    """
    text, source = registry.resolve_target(target)
    record: dict[str, Any] = {
        "target": redact_text(text),
        "source": source.value,
        "reason": _REASONS[source],
        "adapter": None,
        "options": None,
        "defaults": None,
        "store": None,
        "error": None,
    }
    try:
        info, options = store_options(text)
        record["adapter"] = {
            "name": info.name,
            "reference": info.reference,
            "distribution": info.distribution,
            "version": info.version,
        }
        record["options"] = {key: _redact_option(key, value) for key, value in options.items()}
        parsed = info.load().Options.parse(options)
        record["defaults"] = {
            name: _redact_option(name, getattr(parsed, name))
            for name in type(parsed).model_fields
            if name not in options
        }
        if not connect:
            record["store"] = "not opened (--no-connect)"
        elif (missing := missing_store_file(options)) is not None:
            record["store"] = f"does not exist yet: open_store() would create {missing}"
        else:
            with registry.open_store(text):
                record["store"] = "opened and closed again: it can be used"
    except PersistenceError as exc:
        record["error"] = redact_text(str(exc))
    return record
