"""The raw index reader: the optional test hook through which the kit reads a store's keys."""

from __future__ import annotations

from typing import Protocol, TypedDict, runtime_checkable

__all__ = ["RawIndex", "SupportsRawIndex"]


class RawIndex(TypedDict):
    """What a store holds, read straight from the backend (the kit's back door).

    Keys are normalised; each maps to the id the key resolves to now.
    """

    room_binding_keys: dict[tuple[str, str, str], str]
    participant_keys: dict[tuple[str, str], str]
    message_keys: dict[tuple[str, str, str], str]
    thread_external_keys: dict[tuple[str, str], str]
    thread_root_keys: dict[tuple[str, str], str]
    row_counts: dict[str, int]


@runtime_checkable
class SupportsRawIndex(Protocol):
    """An adapter that offers the raw index reader test hook (contract section 8)."""

    def raw_index(self) -> RawIndex:
        """Read the keys and row counts straight from the backend, bypassing the callbacks."""
        ...
