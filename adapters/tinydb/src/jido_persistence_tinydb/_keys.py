"""``CompactKeyHolders``: the reference ``KeyHolders`` with a smaller footprint.

:class:`jido_persistence.indexes.KeyHolders` keeps a dict of holders per key.  Almost
every key has one holder, so this variant keeps a lone holder as a ``(record_id,
sequence)`` pair and switches to a dict only while a key has several, which saves
about 150 bytes per message in a large store.  Same interface, same answers (the most
recently saved holder, ties broken by insertion order); a test compares the two.
"""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["CompactKeyHolders"]

KeyT = TypeVar("KeyT")


class CompactKeyHolders(Generic[KeyT]):
    """Which records carry each key; a key resolves to its most recently saved holder.

    ``set``/``discard`` are O(1) (O(holders) when a key with several holders drops to
    one); ``resolve`` is O(holders of that key), almost always 1.
    """

    def __init__(self) -> None:
        self._holders: dict[KeyT, tuple[str, int] | dict[str, int]] = {}
        self._key_of: dict[str, KeyT] = {}

    def set(self, record_id: str, key: KeyT | None, sequence: int) -> None:
        """Record that ``record_id`` (saved at ``sequence``) now carries ``key``."""
        self.discard(record_id)
        if key is None:
            return
        current = self._holders.get(key)
        if current is None:
            self._holders[key] = (record_id, sequence)
        elif isinstance(current, tuple):
            self._holders[key] = {current[0]: current[1], record_id: sequence}
        else:
            current[record_id] = sequence
        self._key_of[record_id] = key

    def discard(self, record_id: str) -> None:
        """Forget ``record_id`` as a holder of whatever key it carried."""
        key = self._key_of.pop(record_id, None)
        if key is None:
            return
        current = self._holders[key]
        if isinstance(current, tuple):
            del self._holders[key]
            return
        del current[record_id]
        if len(current) == 1:
            self._holders[key] = next(iter(current.items()))

    def resolve(self, key: KeyT) -> str | None:
        """The most recently saved holder of ``key``, or ``None``."""
        current = self._holders.get(key)
        if current is None:
            return None
        if isinstance(current, tuple):
            return current[0]
        return max(current.items(), key=lambda item: item[1])[0]

    def snapshot(self) -> dict[KeyT, str]:
        """Every key with the holder it resolves to."""
        return {key: found for key in self._holders if (found := self.resolve(key))}
