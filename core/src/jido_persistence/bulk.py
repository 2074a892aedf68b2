"""Optional bulk message saving: :class:`SupportsBulkSaveMessages` and :func:`save_messages`.

Not part of the contract: an adapter may offer a ``bulk_save_messages`` method that
stores many messages at a fraction of the cost of one ``save_message`` call each (one
transaction, one snapshot).  Callers that move many messages (``copy_store``, the
benchmarks' store builder) use it through :func:`save_messages`, which falls back to
``save_message`` per message on stores without one.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Protocol, final, runtime_checkable

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.models import Message

__all__ = ["BulkMessageSaving", "SupportsBulkSaveMessages", "save_messages"]


@runtime_checkable
class SupportsBulkSaveMessages(Protocol):
    """An adapter that saves many messages at once (optional; not a contract callback).

    ``bulk_save_messages(messages)`` must leave the store exactly as calling
    ``save_message`` on each message, in the given order, would: a later message with
    the id of an earlier one replaces it, and an external-id key shared by several
    messages resolves to the one saved last (and falls back through its former holders
    in save order when that one is deleted), as with single saves.

    - Atomic: all messages are stored or none is, unless the adapter documents
      otherwise (for instance a window in which a crash loses the whole batch).
    - Every message is validated as ``save_message`` validates it before anything is
      written: a non-:class:`~jido_persistence.models.Message` or a bad external-id key
      raises :class:`~jido_persistence.errors.InvalidArgument` and leaves the store
      unchanged.
    - After ``close()`` it raises :class:`~jido_persistence.errors.StoreClosed`; a
      backend failure raises :class:`~jido_persistence.errors.StorageError`.
    - It is not a contract callback: it is not in the callback table (it is in
      :data:`jido_persistence.callbacks.EXTENSIONS`), and the conformance kit does not
      require it (its ``bulk_messages`` area checks it when an adapter offers it).
      Adapters offer it by inheriting :class:`BulkMessageSaving`, whose method runs
      the callback guard.

    Returns the number of messages saved, re-saves of one id included.
    """

    def bulk_save_messages(self, messages: Iterable[Message]) -> int:
        """Save ``messages`` as ``save_message`` on each, in order, would; return the count."""
        ...


class BulkMessageSaving(PersistenceAdapter):
    """Adapter-author toolkit: inherit to offer ``bulk_save_messages`` (the guarded way).

    The public method runs the callback guard as every callback does (StoreClosed,
    every message checked as ``save_message`` checks it before anything is written,
    backend errors to StorageError), then calls the hook
    :meth:`_bulk_save_messages` with the checked messages as a list.
    """

    @final
    def bulk_save_messages(self, messages: Iterable[Message]) -> int:
        """Save ``messages`` as ``save_message`` on each, in order, would; return the count.

        Raises InvalidArgument (nothing written) for a non-Message or a bad external-id
        key, StoreClosed after ``close()``, StorageError when the backend fails.  See
        :class:`SupportsBulkSaveMessages` for the rules; the adapter documents its
        atomicity.
        """
        return self._guard("bulk_save_messages", self._bulk_save_messages, messages)

    @abc.abstractmethod
    def _bulk_save_messages(self, messages: list[Message]) -> int:
        """Hook of :meth:`bulk_save_messages`: every message already checked."""


def save_messages(store: PersistenceAdapter, messages: Iterable[Message]) -> int:
    """Save ``messages`` into ``store`` in order; return how many were saved.

    Uses ``store.bulk_save_messages`` when the store offers it
    (:class:`SupportsBulkSaveMessages`), and ``save_message`` on each message otherwise;
    the stored result is the same.  With the fallback, an error leaves the messages
    before the failing one saved.
    """
    if isinstance(store, SupportsBulkSaveMessages):
        return store.bulk_save_messages(messages)
    count = 0
    for message in messages:
        store.save_message(message)
        count += 1
    return count
