"""The comparison machine's core: two stores, the compare step and the invariants.

:class:`_ComparisonBase` holds the adapter under test and a fresh
:class:`~jido_persistence.memory.MemoryAdapter`, calls both alike
(:meth:`~_ComparisonBase.compare`), and after every step that wrote reads both stores
in full: every list and page and every key the run has used (including keys that
should have stopped resolving) and, when the adapter offers the raw index reader
(:class:`~jido_persistence.adapter.SupportsRawIndex`), its keys and row counts.  The
rules live in ``_stateful_rules`` and ``_stateful_probes``; the public class is
:class:`jido_persistence_conformance.stateful.PersistenceComparison`.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Final

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant

from jido_persistence.adapter import PersistenceAdapter, SupportsRawIndex
from jido_persistence.errors import NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message
from jido_persistence_conformance._stateful_outcomes import _clip, _outcome
from jido_persistence_conformance._stateful_pools import (
    ALL,
    GHOST_ROOM,
    MESSAGE_IDS,
    ROOM_IDS,
    ROOM_KEYS,
)
from jido_persistence_conformance.factories import StoreFactory

_WRITES: Final = ("save_", "delete_", "create_", "update_", "get_or_create_", "erase_")


class _ComparisonBase(RuleBasedStateMachine):
    """Both stores, the compare step, and the invariant that reads them in full."""

    factory: ClassVar[StoreFactory | None] = None

    raw_index_every: ClassVar[int | None] = None
    """Compare raw indexes after every n-th writing step (and at the end of each run).

    ``None``: every step for non-durable adapters, every 5th for durable ones, whose
    raw reads are full table scans (about 0.1 s for DuckDB).
    """

    def __init__(self) -> None:
        super().__init__()
        factory = type(self).factory
        if factory is None:
            raise TypeError("set PersistenceComparison.factory, or use make_state_machine()")
        self.store_factory = factory
        self.store: PersistenceAdapter = factory.create()
        self.reference = MemoryAdapter()
        self.has_ingress = self.store.capabilities.ingress_subscriptions
        self.message_keys: set[tuple[str, ...]] = set()
        self.thread_external_keys: set[tuple[str, str]] = set()
        self.thread_root_keys: set[tuple[str, str]] = set()
        self.dirty = True
        """Whether a step may have written since the last full comparison."""
        every = type(self).raw_index_every
        self.raw_every = (
            every if every is not None else (5 if self.store.capabilities.durable else 1)
        )
        self.writing_steps = 0

    def teardown(self) -> None:
        """Compare the raw indexes a last time, then close both stores."""
        try:
            if not self.store.closed:
                self.raw_indexes_agree()
        finally:
            self.store.close()
            self.reference.close()

    # --- comparison ----------------------------------------------------------------

    def compare(self, name: str, *args: Any, **kwargs: Any) -> str:
        """Call ``name`` on both stores with the same arguments; assert equal outcomes."""
        if name.startswith(_WRITES):
            self.dirty = True
        expected = _outcome(lambda: getattr(self.reference, name)(*args, **kwargs))
        actual = _outcome(lambda: getattr(self.store, name)(*args, **kwargs))
        self._assert_same(f"{name}(*{args!r}, **{kwargs!r})", expected, actual)
        return expected

    def _assert_same(self, what: str, expected: str, actual: str) -> None:
        assert actual == expected, (
            f"{what} differs from the reference:\n  reference: {_clip(expected)}"
            f"\n  adapter:   {_clip(actual)}"
        )

    def _stored_messages(self) -> list[Message]:
        return [
            message
            for room_id in ROOM_IDS
            for message in self.reference.get_messages(room_id, limit=ALL)
        ]

    def _pick_message(self, data: st.DataObject) -> str:
        """A stored message's id (twice as likely) or any pooled id."""
        stored = sorted(message.id for message in self._stored_messages())
        return data.draw(st.sampled_from([*stored, *MESSAGE_IDS]), label="message id")

    def _pick_room(self, data: st.DataObject) -> str:
        """The room of a stored message (twice as likely) or any pooled room id."""
        stored = sorted(message.room_id for message in self._stored_messages())
        return data.draw(st.sampled_from([*stored, *ROOM_IDS]), label="room id")

    # --- invariants ----------------------------------------------------------------

    @invariant()
    def stores_agree(self) -> None:
        """After a step that wrote: full reads and raw indexes agree (see below)."""
        if not self.dirty:
            return
        self.reads_agree()
        self.writing_steps += 1
        if self.writing_steps % self.raw_every == 0:
            self.raw_indexes_agree()
        self.dirty = False

    def reads_agree(self) -> None:
        """Every list, page and used key reads the same from both stores."""
        self.compare("list_rooms", limit=ALL)
        self.compare("list_bridge_configs")
        self.compare("list_bridge_configs", enabled=False)
        self.compare("list_room_bindings", GHOST_ROOM)
        for room_id in ROOM_IDS:
            self.compare("get_routing_policy", room_id)
            self.compare("get_messages", room_id, limit=ALL)
            self.compare("get_messages", room_id, limit=1)
            self.compare("list_threads", room_id, limit=1)
            self.compare("list_room_bindings", room_id)
        for key in ROOM_KEYS[::2]:
            self.compare("get_room_by_external_binding", *key)
        for message_key in sorted(self.message_keys):
            self.compare("get_message_by_external_id", *message_key)
        for room_id, external in sorted(self.thread_external_keys):
            self.compare("get_thread_by_external_id", room_id, external)
        for room_id, root in sorted(self.thread_root_keys):
            self.compare("get_thread_by_root_message", room_id, root)

    def raw_indexes_agree(self) -> None:
        """The adapter's raw keys and row counts equal the reference's."""
        if not isinstance(self.store, SupportsRawIndex):
            return
        expected = self._raw(self.reference)
        actual = self._raw(self.store)
        if not self.has_ingress:
            expected["row_counts"].pop("ingress_subscriptions", None)
            actual["row_counts"].pop("ingress_subscriptions", None)
        self._assert_same("raw_index()", json.dumps(expected), json.dumps(actual))

    def _raw(self, store: SupportsRawIndex) -> dict[str, Any]:
        raw: dict[str, Any] = dict(store.raw_index())
        out: dict[str, Any] = {}
        for name in (
            "room_binding_keys",
            "participant_keys",
            "message_keys",
            "thread_external_keys",
            "thread_root_keys",
        ):
            entries = raw.get(name, {})
            if name == "participant_keys":
                entries = {k: v for k, v in entries.items() if self._participant_exists(v)}
            out[name] = sorted(([list(key), value] for key, value in entries.items()), key=str)
        out["row_counts"] = dict(sorted(raw.get("row_counts", {}).items()))
        return out

    def _participant_exists(self, participant_id: str) -> bool:
        try:
            self.reference.get_participant(participant_id)
        except NotFound:
            return False
        return True
