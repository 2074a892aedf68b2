"""Optional bulk message saving: :class:`SupportsBulkSaveMessages` and :func:`save_messages`.

Not part of the contract: an adapter may offer a ``bulk_save_messages`` method that
stores many messages at a fraction of the cost of one ``save_message`` call each (one
transaction, one snapshot).  Callers that move many messages (``copy_store``, the
benchmarks' store builder) use it through :func:`save_messages`, which falls back to
``save_message`` per message on stores without one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.models import Message

__all__ = ["SupportsBulkSaveMessages", "save_messages"]


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
    - It is not a contract callback: it is not wrapped by the callback guard, not
      listed in ``CALLBACK_CHECKS``, and the conformance kit does not require it (its
      ``bulk_messages`` area checks it when an adapter offers it).

    Returns the number of messages saved, re-saves of one id included.
    """

    def bulk_save_messages(self, messages: Iterable[Message]) -> int:
        """Save ``messages`` as ``save_message`` on each, in order, would; return the count."""
        ...


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
