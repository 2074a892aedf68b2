"""The tables of a TinyDB store: their names, keys, and document <-> record codec.

A *document* is the JSON form of one record as it appears in the snapshot and in the
journal: ``model.model_dump(mode="json")`` for model tables (messages and threads add
``"_seq"``, their save sequence number, which decides which holder a key resolves
to), the flow itself for ``onboarding``, and a small mapping for the two key tables
(``participant_keys``, ``binding_keys``) that get-or-create and room bindings write.
The store keeps every document as its compact JSON text (UTF-8 bytes, see
:func:`encode_document`), the very bytes the snapshot and the journal write.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from pydantic import BaseModel

from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.state import SEQUENCED_TABLES, RecordChange, RecordDelete, RecordReplace

__all__ = [
    "KEY_OF",
    "META_TABLE",
    "MODEL_OF",
    "SEQUENCE_FIELD",
    "TABLES",
    "Delete",
    "Document",
    "Key",
    "Op",
    "Put",
    "decode_key",
    "decode_record",
    "document_ops",
    "dumps",
    "encode_document",
    "encode_model",
    "put",
]

Document = dict[str, Any]
Key = str | tuple[str, ...]

SEQUENCE_FIELD: Final = "_seq"
"""The save sequence number stored in message and thread documents."""

META_TABLE: Final = "_jido_persistence"
"""The snapshot table holding one document: format name, version, journal sequence."""

KEY_OF: Final[dict[str, Callable[[Document], Key]]] = {
    "rooms": lambda doc: doc["id"],
    "participants": lambda doc: doc["id"],
    "participant_keys": lambda doc: (doc["channel"], doc["external_id"]),
    "messages": lambda doc: doc["id"],
    "threads": lambda doc: doc["id"],
    "room_bindings": lambda doc: doc["id"],
    "binding_keys": lambda doc: (doc["channel"], doc["bridge_id"], doc["external_id"]),
    "onboarding": lambda doc: doc["onboarding_id"],
    "bridge_configs": lambda doc: doc["id"],
    "routing_policies": lambda doc: doc["room_id"],
    "ingress_subscriptions": lambda doc: (doc["bridge_id"], doc["subscription_id"]),
}
"""How each table's primary key is read from a document."""

TABLES: Final = tuple(KEY_OF)
"""Every data table, in the order the snapshot writes them."""

MODEL_OF: Final[dict[str, type[BaseModel]]] = {
    "rooms": Room,
    "participants": Participant,
    "messages": Message,
    "threads": Thread,
    "room_bindings": RoomBinding,
    "bridge_configs": BridgeConfig,
    "routing_policies": RoutingPolicy,
    "ingress_subscriptions": IngressSubscription,
}


class Put(NamedTuple):
    """Insert or replace ``doc`` in ``table``; ``record`` is its decoded form.

    ``text`` is the document's JSON text when already known (``encode_document(doc)``,
    or the document's own text in a snapshot being read); ``None``: encode ``doc``.
    """

    table: str
    doc: Document
    record: Any
    text: bytes | None = None

    def encoded(self) -> bytes:
        """The document's JSON text: ``text``, or ``encode_document(doc)``."""
        return encode_document(self.doc) if self.text is None else self.text


class Delete(NamedTuple):
    """Remove the record with primary key ``key`` from ``table`` (absent: no effect)."""

    table: str
    key: Key


Op = Put | Delete


def put(table: str, doc: Document, record: Any) -> Put:
    """A :class:`Put` with its text encoded now (once, for the journal and the state).

    Raises TypeError or ValueError when ``doc`` is not JSON (NaN included).
    """
    return Put(table, doc, record, encode_document(doc))


def dumps(value: object) -> str:
    """Compact JSON as the journal and snapshot write it (UTF-8, no NaN)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_document(doc: Document) -> bytes:
    """The compact JSON text of ``doc`` as stored, journaled and snapshotted.  O(size)."""
    return dumps(doc).encode("utf-8")


def encode_model(model: BaseModel, sequence: int | None = None) -> Document:
    """The document of ``model``; ``sequence`` is added as ``_seq`` when given."""
    doc = model.model_dump(mode="json")
    if sequence is not None:
        doc[SEQUENCE_FIELD] = sequence
    return doc


def document_ops(
    changes: list[RecordChange], sequence: int, stored_sequence: Callable[[str], int]
) -> list[Op]:
    """The document operations of record-level ``changes``, message and thread puts
    numbered from save sequence ``sequence`` up (a replaced message keeps
    ``stored_sequence(its id)``).  O(size of the records).

    Raises TypeError or ValueError when a record is not JSON (NaN included).
    """
    ops: list[Op] = []
    for change in changes:
        if isinstance(change, RecordDelete):
            ops.append(Delete(change.table, change.key))
            continue
        table, key, record = change
        if isinstance(change, RecordReplace):
            doc = encode_model(record, stored_sequence(key))
        elif table in SEQUENCED_TABLES:
            doc = encode_model(record, sequence)
            sequence += 1
        elif table == "participant_keys":
            doc = {"channel": key[0], "external_id": key[1], "participant_id": record}
        elif table == "binding_keys":
            doc = {"channel": key[0], "bridge_id": key[1], "external_id": key[2], "room_id": record}
        elif table == "onboarding":
            doc = record
        else:
            doc = encode_model(record)
        ops.append(put(table, doc, record))
    return ops


def decode_record(table: str, doc: Document) -> Any:
    """The record a document stands for (a model, a flow, or the id a key points at).

    Messages give ``None``: they are decoded when first read.

    Raises KeyError, TypeError or pydantic's ValidationError on a malformed document.
    """
    if table == "messages":
        return None  # decoded lazily, see _state.LazyMessages
    model = MODEL_OF.get(table)
    if model is not None:
        if SEQUENCE_FIELD in doc:
            doc = {name: value for name, value in doc.items() if name != SEQUENCE_FIELD}
        return model.model_validate(doc)
    if table == "participant_keys":
        return _text(doc["participant_id"])
    if table == "binding_keys":
        return _text(doc["room_id"])
    if table == "onboarding":
        return copy.deepcopy(doc)
    raise KeyError(f"unknown table {table!r}")


def decode_key(table: str, key: object) -> Key:
    """A primary key read back from JSON (a list for composite keys)."""
    if table not in KEY_OF:
        raise KeyError(f"unknown table {table!r}")
    if isinstance(key, str):
        return key
    if isinstance(key, list) and all(isinstance(part, str) for part in key):
        return tuple(key)
    raise TypeError(f"malformed key {key!r} for table {table!r}")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string id, got {value!r}")
    return value
