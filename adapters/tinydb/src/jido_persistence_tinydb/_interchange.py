"""The TinyDB adapter's export and import (contract 9.2): the core's
:class:`~jido_persistence.state_transfer.StateInterchange`, whose import commits its
changes as ONE journal record (a crash leaves all or nothing), with the save order
read from the file's documents.

A replaced document keeps its place in the snapshot, so the documents are not in save
order by themselves: messages and threads go by their documents' ``_seq``.  When the
documents are already in that order (checked in one pass over their text, without
decoding) they are streamed as they are, otherwise their ids are sorted by ``_seq``
first (O(n) ids).  Messages are decoded from their documents without entering the
decoded-message cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TypeVar

from jido_persistence.models import Message, Thread
from jido_persistence.state_transfer import StateInterchange
from jido_persistence_tinydb._state import StoreState
from jido_persistence_tinydb._tables import SEQUENCE_FIELD

__all__ = ["TinyDBInterchange", "document_sequence", "save_order"]

K = TypeVar("K")

_SEQUENCE_MARK = b'"' + SEQUENCE_FIELD.encode() + b'":'


def document_sequence(text: bytes) -> int:
    """The ``_seq`` of a message or thread document, read from its text."""
    at = text.rfind(_SEQUENCE_MARK)
    if at >= 0:
        tail = text[at + len(_SEQUENCE_MARK) :].split(b",", 1)[0].split(b"}", 1)[0]
        if tail.strip().isdigit():
            return int(tail)
    return int(json.loads(text)[SEQUENCE_FIELD])


def save_order(docs: dict[K, bytes]) -> Iterable[K]:
    """The keys of ``docs`` by their documents' ``_seq`` (oldest save first)."""
    last = -1
    for text in docs.values():
        sequence = document_sequence(text)
        if sequence <= last:
            return [key for _, key in sorted((document_sequence(t), k) for k, t in docs.items())]
        last = sequence
    return docs.keys()


def _message(state: StoreState, message_id: str) -> Message:
    cached = state.messages.cached(message_id)
    if cached is not None:
        return cached
    doc = json.loads(state.docs["messages"][message_id])
    doc.pop(SEQUENCE_FIELD, None)
    return Message.model_validate(doc)


class TinyDBInterchange(StateInterchange):
    """The core's export and import, with messages and threads in ``_seq`` order."""

    _state: StoreState

    def _saved_messages(self) -> Iterator[Message]:
        """The messages by ``_seq``, decoded without entering the cache."""
        state = self._state
        for message_id in save_order(state.docs["messages"]):
            yield _message(state, str(message_id))

    def _saved_threads(self) -> Iterator[Thread]:
        """The threads by ``_seq``."""
        state = self._state
        for thread_id in save_order(state.docs["threads"]):
            yield state.threads[str(thread_id)]
