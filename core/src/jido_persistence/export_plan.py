"""The export plan that SQL adapters share (contract 9.2): kinds, order, row <-> record.

Adapter-author toolkit.  An adapter that keeps its records in tables (the bundled
SQLite, DuckDB and PostgreSQL ones) writes only its SQL and its bulk path; this module
says the rest once:

- :data:`PLAN`: every kind in export order (:data:`~jido_persistence.records.RECORD_KINDS`)
  with its fields, whether its records are derived on import, and how a row becomes a
  record (:func:`record_reader`): a stored kind from its JSON document (or, with
  ``from_model``, from a model the adapter decoded), a key kind from its fields in
  :attr:`KindPlan.fields` order;
- :func:`key_row`: a key record as the row of those fields, for the import;
- :func:`load_in_batches`: an import's loop: each record checked to be a record,
  counted, the derived kinds skipped, the others turned into rows and handed to the
  adapter's writer a batch per kind at a time; the :class:`ImportReport`;
- :func:`any_record_query`, :class:`OneAttempt`, :data:`NOT_EMPTY` and
  :func:`conflicting_records`: the "only into an empty store" rule, the refusal of a
  retried import (its records are consumed), and the errors they raise.

The order within each kind is each adapter's SQL (``ORDER BY``), as documented in
:mod:`jido_persistence.interchange`; :attr:`KindPlan.order` states it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel

from jido_persistence.errors import InvalidArgument, StorageError
from jido_persistence.models import (
    BridgeConfig,
    ImportReport,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.records import RECORD_CLASSES, Record

__all__ = [
    "NOT_EMPTY",
    "PLAN",
    "TABLES",
    "KindPlan",
    "OneAttempt",
    "any_record_query",
    "conflicting_records",
    "key_row",
    "load_in_batches",
    "record_reader",
]

Reader = Callable[[Sequence[Any]], Record]
"""A row (a tuple of column values) to its record."""


@dataclass(frozen=True)
class KindPlan:
    """One kind of the export: its record class, its model or key fields, its order."""

    kind: str
    record_class: type[Any]
    model: type[BaseModel] | None
    """The contract model under ``record`` (None: an onboarding flow or a key)."""
    fields: tuple[str, ...]
    """A key kind's fields, in the column order of its rows; ``("record",)`` otherwise."""
    order: str
    """The order of the kind's records in an export (see the interchange module)."""
    derived: bool = False
    """True for message and thread keys: an import rebuilds them from save order."""


def _key(cls: type[Any], order: str, *, derived: bool = False) -> KindPlan:
    fields = tuple(name for name in cls.model_fields if name != "kind")
    kind = cls.model_fields["kind"].default
    return KindPlan(kind, cls, None, fields, order, derived)


_MODELS: Final[dict[str, tuple[type[BaseModel] | None, str]]] = {
    "bridge_config": (BridgeConfig, "id"),
    "room": (Room, "inserted_at, id"),
    "participant": (Participant, "id"),
    "routing_policy": (RoutingPolicy, "room_id"),
    "room_binding": (RoomBinding, "id"),
    "onboarding": (None, "onboarding_id"),
    "ingress_subscription": (IngressSubscription, "bridge_id, subscription_id"),
    "thread": (Thread, "save order"),
    "message": (Message, "save order"),
}
_KEY_ORDER: Final[dict[str, str]] = {
    "binding_key": "channel, bridge_id, external_id",
    "participant_key": "channel, external_id",
    "message_key": "the save order of the message it resolves to",
    "thread_external_key": "the save order of the thread it resolves to",
    "thread_root_key": "the save order of the thread it resolves to",
}


def _plan(cls: type[Any]) -> KindPlan:
    kind = cls.model_fields["kind"].default
    if kind in _MODELS:
        model, order = _MODELS[kind]
        return KindPlan(kind, cls, model, ("record",), order)
    return _key(cls, _KEY_ORDER[kind], derived=kind not in ("binding_key", "participant_key"))


PLAN: Final[tuple[KindPlan, ...]] = tuple(_plan(cls) for cls in RECORD_CLASSES)
"""Every kind, in export order."""

_BY_KIND: Final[dict[str, KindPlan]] = {plan.kind: plan for plan in PLAN}

TABLES: Final[tuple[str, ...]] = (
    "rooms",
    "participants",
    "participant_keys",
    "messages",
    "threads",
    "room_bindings",
    "binding_keys",
    "onboarding",
    "bridge_configs",
    "routing_policies",
    "ingress_subscriptions",
)
"""The logical tables an import must find empty (an adapter maps them to its names)."""

NOT_EMPTY: Final = (
    "import_records() needs an empty store; this one holds records (nothing was imported)"
)
"""The InvalidArgument message of an import into a store that holds anything."""


def record_reader(kind: str, from_model: Callable[[Sequence[Any]], Any] | None = None) -> Reader:
    """How a row of ``kind`` becomes its record (built unvalidated: the row is trusted).

    A stored kind reads ``row[0]``, its JSON document, unless ``from_model`` (a row to
    the model) is given; a key kind reads its :attr:`KindPlan.fields` in order.
    """
    plan = _BY_KIND[kind]
    construct = plan.record_class.model_construct
    if from_model is not None:
        return lambda row: construct(record=from_model(row))
    if plan.fields != ("record",):
        names = plan.fields
        return lambda row: construct(**dict(zip(names, row, strict=True)))
    if plan.model is None:
        return lambda row: construct(record=json.loads(row[0]))
    validate = plan.model.model_validate_json
    return lambda row: construct(record=validate(row[0]))


def key_row(record: Any) -> tuple[Any, ...]:
    """A key record's fields, in :attr:`KindPlan.fields` order (its row)."""
    return tuple(getattr(record, name) for name in _BY_KIND[record.kind].fields)


def any_record_query(tables: Iterable[str]) -> str:
    """``SELECT EXISTS (...) OR ...``: whether any of ``tables`` holds a row."""
    return "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {table})" for table in tables)


def load_in_batches(
    records: Iterable[Record],
    rows: Mapping[str, Callable[[Any], Sequence[Any]]],
    write: Callable[[str, list[Any]], object],
    batch: int,
) -> ImportReport:
    """Turn ``records`` into rows (``rows[kind]``) and hand them to ``write(kind, rows)``
    ``batch`` at a time per kind, in the order given, the rest at the end.

    Every non-derived kind must have an entry in ``rows``.  Raises InvalidArgument for
    a value that is not a record; the caller's transaction then rolls back.
    """
    pending: dict[str, list[Any]] = {}
    counts: dict[str, int] = {}
    for record in records:
        kind = getattr(record, "kind", None)
        plan = _BY_KIND.get(kind) if isinstance(kind, str) else None
        if plan is None:
            raise InvalidArgument(f"import_records() got {type(record).__name__}, not a Record")
        counts[plan.kind] = counts.get(plan.kind, 0) + 1
        if plan.derived:
            continue
        waiting = pending.setdefault(plan.kind, [])
        waiting.append(rows[plan.kind](record))
        if len(waiting) >= batch:
            write(plan.kind, waiting)
            pending[plan.kind] = []
    for kind, waiting in pending.items():
        if waiting:
            write(kind, waiting)
    return ImportReport(records=sum(counts.values()), by_kind=counts)


class OneAttempt:
    """Refuses a second run of an import's transaction: a retry (after a busy store or
    a conflict) would find the records already consumed."""

    def __init__(self) -> None:
        self._started = False

    def start(self) -> None:
        """Mark the first attempt; raise StorageError on any later one."""
        if self._started:
            raise StorageError(
                "import_records() was interrupted (a busy store or a conflict); "
                "nothing was imported"
            )
        self._started = True


def conflicting_records(error: BaseException) -> InvalidArgument:
    """The InvalidArgument of an import whose records violate a key of the store
    (a record twice): the backend's integrity error ``error`` as its cause."""
    return InvalidArgument(
        f"import_records(): the records conflict with each other ({error}); nothing was imported"
    )
