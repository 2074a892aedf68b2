"""``TinyDBAdapter``: the embedded default store, a journaled JSON file.

Every mutating callback computes the record-level operations it makes (puts and deletes
of documents) from the in-memory state, appends them to the journal as ONE record,
syncs it (``fsync`` durability) and only then applies them to the in-memory state and
returns: a callback is all-or-nothing on disk and in memory.  Reads are served by the
in-memory indexes (never TinyDB ``Query`` scans) with the complexity of the reference
``MemoryAdapter``.  When the journal outgrows ``compact_ratio`` times the snapshot (and
``compact_min_bytes``), and at ``close()``, it is folded into a new snapshot written
atomically, so writes cost O(1) amortised.  See the package README for the file format.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import Field

from jido_persistence.adapter import AdapterOptions, RawIndex
from jido_persistence.bulk import BulkMessageSaving
from jido_persistence.directory import search_participants, search_rooms
from jido_persistence.errors import (
    ConfigurationError,
    NotFound,
    StorageError,
    StoreClosed,
)
from jido_persistence.indexes import check_cursor, page_entries
from jido_persistence.models import (
    BridgeConfig,
    DirectoryTarget,
    IngressStatus,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.transactions import DEFAULT_BUSY_TIMEOUT, StoreLock
from jido_persistence.urls import StoreUrl
from jido_persistence.validation import (
    DirectoryQuery,
    build_record,
    room_binding_record,
)
from jido_persistence_tinydb._batch import block
from jido_persistence_tinydb._compaction import StoreFiles
from jido_persistence_tinydb._enumeration import TinyDBEnumeration
from jido_persistence_tinydb._files import journal_path, load_store, lock_path
from jido_persistence_tinydb._ingest import TinyDBIngest
from jido_persistence_tinydb._interchange import TinyDBInterchange
from jido_persistence_tinydb._lock import ProcessLock
from jido_persistence_tinydb._retention import TinyDBRetention
from jido_persistence_tinydb._state import BindingKey, StoreState
from jido_persistence_tinydb._tables import Delete, Op, Put, encode_model, put

__all__ = ["TinyDBAdapter", "TinyDBOptions"]


class TinyDBOptions(AdapterOptions):
    """Options of :class:`TinyDBAdapter` (URL query parameters are coerced)."""

    path: Path
    """The snapshot file; its directory must exist.  Beside it: ``.journal``, ``.lock``."""

    durability: Literal["fsync", "flush"] = "fsync"
    """``fsync``: a write returns once it is on disk.  ``flush``: it returns once the OS
    has it; it survives the process being killed, but a power loss or kernel crash may
    lose the last writes (the file still opens)."""

    compact_ratio: float = Field(default=1.0, gt=0)
    """Compact when the journal is larger than this times the snapshot."""

    compact_min_bytes: int = Field(default=4 * 1024 * 1024, ge=0)
    """...and larger than this many bytes."""

    busy_timeout: float = Field(default=DEFAULT_BUSY_TIMEOUT, gt=0)
    """Seconds a callback waits while another thread's ``transaction()`` block is open,
    then StorageError."""

    compact_on_close: bool = True
    """Fold the journal into the snapshot at ``close()``."""

    background_compaction: bool = True
    """Compact in a background thread (the store's lock is held only briefly); when
    false, the write that crosses the threshold compacts before it returns."""


class TinyDBAdapter(
    TinyDBIngest, TinyDBEnumeration, TinyDBInterchange, TinyDBRetention, BulkMessageSaving
):
    """A durable single-process store in one JSON file (plus its journal).

    Thread-safe (one re-entrant lock; each callback atomic).  One open instance per
    file: a second one, in this or another process, raises StoreLocked naming the pid.
    """

    Options = TinyDBOptions
    durable = True
    multi_process = False
    backend_errors = (OSError,)

    def __init__(self, **options: object) -> None:
        """Open (or create) the store at ``path``; see :class:`TinyDBOptions`.

        Raises ConfigurationError (bad option, missing directory), StoreLocked (the file
        is open elsewhere) and StorageError (a corrupt or unreadable file, named with
        the byte position; the file is left untouched).  O(size of the files).
        """
        self.options: TinyDBOptions = self.Options.parse(options)
        self.path = _store_path(self.options.path)
        self._lock = StoreLock(self.options.busy_timeout, what=f"the TinyDB store {self.path}")
        try:
            self._process_lock = ProcessLock(lock_path(self.path), self.path)
        except OSError as error:
            raise StorageError(f"cannot lock {self.path}: {error}") from error
        try:
            loaded = load_store(self.path)
            self._state = loaded.state
            self._files = StoreFiles(
                self.path,
                loaded,
                self._lock.untimed,
                self._process_lock,
                sync=self.options.durability == "fsync",
                background=self.options.background_compaction,
                min_bytes=self.options.compact_min_bytes,
                ratio=self.options.compact_ratio,
            )
            if not loaded.snapshot_exists:
                self._files.compact()
        except OSError as error:
            self._process_lock.release()
            raise StorageError(f"cannot open {self.path}: {error}") from error
        except BaseException:
            self._process_lock.release()
            raise

    @classmethod
    def url_options(cls, url: StoreUrl) -> dict[str, object]:
        """``tinydb:///relative.json`` and ``tinydb:////absolute.json``; query = options."""
        return super().url_options(url)

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """Test hook: ``tinydb:///<directory>/store-<unique>.json`` (absolute: four slashes)."""
        return "tinydb:///" + quote(str(Path(directory).absolute() / f"store-{unique}.json"))

    @classmethod
    def destroy_store(cls, url: str) -> None:
        """Test hook: remove the snapshot, journal, lock and temporary file of ``url``."""
        path = _store_path(Path(StoreUrl.parse(url).path))
        journal = journal_path(path)
        for file in (path, journal, lock_path(path)):
            file.unlink(missing_ok=True)
            file.with_name(file.name + ".tmp").unlink(missing_ok=True)

    def close(self) -> None:
        """Wait for running calls and compactions, compact, release the files and the
        in-memory state (so a store reopened while this object lives does not hold
        two copies).

        Idempotent.  Later callbacks raise StoreClosed.
        """
        with self._lock:
            if self._closed:
                return
            self._files.stop()
        self._files.wait()
        with self._lock:
            if self._closed:
                return
            try:
                self._files.close(compact=self.options.compact_on_close)
            finally:
                self._process_lock.release()
                super().close()
                self._state = self._files.state = StoreState()

    # --- writing -------------------------------------------------------------------

    @contextmanager
    def _transaction(self, level: int) -> Iterator[None]:
        """Hold the store lock for the block; its operations become one journal record
        when the outermost block ends (see :mod:`._batch`)."""
        with self._lock.block():
            self._check_open()
            with block(self._files, level):
                yield

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed(f"TinyDBAdapter on {self.path} is closed")

    def _commit(self, ops: list[Op]) -> None:
        """Journal ``ops`` as one synced record, then apply them (see StoreFiles)."""
        self._files.commit(ops)

    def _put(self, table: str, record: Any, doc: dict[str, Any] | None = None) -> Put:
        if doc is None:
            sequenced = table in ("messages", "threads")
            sequence = self._state.next_save_sequence() if sequenced else None
            doc = encode_model(record, sequence)
        return put(table, doc, record)

    def _save(self, table: str, record: Any) -> None:
        with self._lock:
            self._check_open()
            self._commit([self._put(table, record)])

    def _get(self, records: Mapping[str, Any], entity: str, key: str) -> Any:
        with self._lock:
            self._check_open()
            try:
                return records[key]
            except KeyError:
                raise NotFound(entity, key) from None

    # --- rooms ---------------------------------------------------------------------

    def _save_room(self, room: Room) -> Room:
        self._save("rooms", room)
        return room

    def _get_room(self, room_id: str) -> Room:
        room: Room = self._get(self._state.rooms, "room", room_id)
        return room

    def _delete_room(self, room_id: str) -> None:
        with self._lock:
            self._check_open()
            state = self._state
            ops: list[Op] = [
                Delete("messages", entry[2]) for entry in state.room_messages.get(room_id, ())
            ]
            ops += [Delete("threads", entry[2]) for entry in state.room_threads.get(room_id, ())]
            for binding in state.room_bindings.get(room_id, {}).values():
                ops.append(Delete("room_bindings", binding.id))
                key = (binding.channel, binding.bridge_id, binding.external_room_id)
                if state.binding_keys.get(key) == room_id:
                    ops.append(Delete("binding_keys", key))
            if room_id in state.routing_policies:
                ops.append(Delete("routing_policies", room_id))
            if room_id in state.rooms:
                ops.append(Delete("rooms", room_id))
            self._commit(ops)

    # --- participants --------------------------------------------------------------

    def _save_participant(self, participant: Participant) -> Participant:
        self._save("participants", participant)
        return participant

    def _get_participant(self, participant_id: str) -> Participant:
        found: Participant = self._get(self._state.participants, "participant", participant_id)
        return found

    def _delete_participant(self, participant_id: str) -> None:
        with self._lock:
            self._check_open()
            if participant_id in self._state.participants:
                self._commit([Delete("participants", participant_id)])

    # --- messages ------------------------------------------------------------------

    def _save_message(self, message: Message) -> Message:
        self._save("messages", message)
        return message

    def _bulk_save_messages(self, messages: list[Message]) -> int:
        """Apply the checked messages in memory, then write one snapshot.  O(n log n).

        The bulk path of :class:`~jido_persistence.bulk.BulkMessageSaving` (not a
        contract callback).  Not crash-safe while it runs: nothing is journaled until
        the final compaction writes the snapshot, so a crash before that loses the
        whole batch (and only it); a failing snapshot write raises StorageError and
        leaves the batch in memory only, written by the next compaction or ``close()``.
        Inside a ``transaction()`` block the messages join the block's batch (one
        journal record when it ends) instead of bypassing it with a snapshot.
        """
        with self._lock:
            self._check_open()
            if self._files.batch is not None:
                for message in messages:
                    self._commit([self._put("messages", message)])
                return len(messages)
            for message in messages:
                self._state.apply(self._put("messages", message))
            self._files.compact()
        return len(messages)

    def _get_message(self, message_id: str) -> Message:
        found: Message = self._get(self._state.messages, "message", message_id)
        return found

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        with self._lock:
            self._check_open()
            state = self._state
            if thread_id is None:
                scope = state.room_messages.get(room_id)
            else:
                scope = state.thread_messages.get((room_id, thread_id))
            cursor = before if before is not None else after
            cursor_key = None
            if cursor is not None:
                cursor_key = check_cursor(state.messages.get(cursor), cursor, room_id, thread_id)
            entries = page_entries(scope, limit, cursor_key, before=before is not None)
            return [state.messages[entry[2]] for entry in entries]

    def _delete_message(self, message_id: str) -> None:
        with self._lock:
            self._check_open()
            if message_id in self._state.messages:
                self._commit([Delete("messages", message_id)])

    # --- threads -------------------------------------------------------------------

    def _save_thread(self, thread: Thread) -> Thread:
        self._save("threads", thread)
        return thread

    def _get_thread(self, thread_id: str) -> Thread:
        found: Thread = self._get(self._state.threads, "thread", thread_id)
        return found

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        with self._lock:
            self._check_open()
            key = (room_id, external_thread_id)
            thread_id = self._state.thread_external_keys.resolve(key)
            if thread_id is None:
                raise NotFound("thread", key)
            return self._state.threads[thread_id]

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        with self._lock:
            self._check_open()
            key = (room_id, root_message_id)
            thread_id = self._state.thread_root_keys.resolve(key)
            if thread_id is None:
                raise NotFound("thread", key)
            return self._state.threads[thread_id]

    # --- external-id resolution ----------------------------------------------------

    def _get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> Room:
        with self._lock:
            self._check_open()
            key: BindingKey = (channel, bridge_id, external_id)
            bound = self._state.binding_keys.get(key)
            if bound is not None and bound in self._state.rooms:
                return self._state.rooms[bound]
            room = build_record(Room, attrs, external_bindings={key[0]: {key[1]: key[2]}})
            binding = self._binding_for(room.id, key, {})
            self._commit(
                [
                    self._put("rooms", room),
                    self._put("room_bindings", binding),
                    _binding_key_put(key, room.id),
                ]
            )
            return room

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        with self._lock:
            self._check_open()
            key = (channel, external_id)
            bound = self._state.participant_keys.get(key)
            if bound is not None and bound in self._state.participants:
                return self._state.participants[bound]
            participant = build_record(Participant, attrs, external_ids={key[0]: key[1]})
            doc = {"channel": key[0], "external_id": key[1], "participant_id": participant.id}
            self._commit(
                [
                    self._put("participants", participant),
                    put("participant_keys", doc, participant.id),
                ]
            )
            return participant

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        with self._lock:
            self._check_open()
            key = (channel, bridge_id, external_id)
            message_id = self._state.message_keys.resolve(key)
            if message_id is None:
                raise NotFound("message", key)
            return self._state.messages[message_id]

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        with self._lock:
            self._check_open()
            message = self._state.messages.get(message_id)
            if message is None:
                raise NotFound("message", message_id)
            updated = message.model_copy(update={"external_id": external_id})
            self._commit([self._put("messages", updated)])
            return updated

    # --- room bindings -------------------------------------------------------------

    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        with self._lock:
            self._check_open()
            key = (channel, bridge_id, external_id)
            room_id = self._state.binding_keys.get(key)
            if room_id is None or room_id not in self._state.rooms:
                raise NotFound("room", key)
            return self._state.rooms[room_id]

    def _create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> RoomBinding:
        with self._lock:
            self._check_open()
            key: BindingKey = (channel, bridge_id, external_id)
            binding = self._binding_for(room_id, key, attrs)
            self._commit([self._put("room_bindings", binding), _binding_key_put(key, room_id)])
            return binding

    def _binding_for(self, room_id: str, key: BindingKey, attrs: dict[str, Any]) -> RoomBinding:
        """The record ``create_room_binding`` would store, validated; writes nothing."""
        existing_id = self._state.binding_by_room_key.get((room_id, key))
        existing = None if existing_id is None else self._state.bindings[existing_id]
        bindings = self._state.bindings
        return room_binding_record(room_id, key, attrs, existing, bindings.__contains__)

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        with self._lock:
            self._check_open()
            bindings = self._state.room_bindings.get(room_id, {}).values()
            return sorted(bindings, key=lambda binding: (binding.inserted_at, binding.id))

    def _delete_room_binding(self, binding_id: str) -> None:
        with self._lock:
            self._check_open()
            binding = self._state.bindings.get(binding_id)
            if binding is None:
                raise NotFound("room_binding", binding_id)
            ops: list[Op] = [Delete("room_bindings", binding_id)]
            key = (binding.channel, binding.bridge_id, binding.external_room_id)
            if self._state.binding_keys.get(key) == binding.room_id:
                ops.append(Delete("binding_keys", key))
            self._commit(ops)

    # --- directory -----------------------------------------------------------------

    def _directory_search(
        self,
        target: DirectoryTarget,
        query: DirectoryQuery,
        *,
        limit: int | None,
    ) -> list[Participant] | list[Room]:
        with self._lock:
            self._check_open()
            if target == DirectoryTarget.PARTICIPANT:
                return search_participants(self._state.participants, query, limit)
            return search_rooms(self._state.rooms, self._state.binding_keys, query, limit)

    # --- onboarding ----------------------------------------------------------------

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        stored = copy.deepcopy(dict(flow))
        with self._lock:
            self._check_open()
            self._commit([put("onboarding", stored, stored)])
            return dict(flow)

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        flow: dict[str, Any] = self._get(self._state.onboarding, "onboarding", onboarding_id)
        return copy.deepcopy(flow)

    # --- bridge configs ------------------------------------------------------------

    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        self._save("bridge_configs", config)
        return config

    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        found: BridgeConfig = self._get(
            self._state.bridge_configs, "bridge_config", bridge_config_id
        )
        return found

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        with self._lock:
            self._check_open()
            configs = self._state.bridge_configs
            return [
                configs[key]
                for key in sorted(configs)
                if enabled is None or configs[key].enabled == enabled
            ]

    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        with self._lock:
            self._check_open()
            if bridge_config_id not in self._state.bridge_configs:
                raise NotFound("bridge_config", bridge_config_id)
            self._commit([Delete("bridge_configs", bridge_config_id)])

    # --- routing policies ----------------------------------------------------------

    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        self._save("routing_policies", policy)
        return policy

    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        found: RoutingPolicy = self._get(self._state.routing_policies, "routing_policy", room_id)
        return found

    def _delete_routing_policy(self, room_id: str) -> None:
        with self._lock:
            self._check_open()
            if room_id not in self._state.routing_policies:
                raise NotFound("routing_policy", room_id)
            self._commit([Delete("routing_policies", room_id)])

    # --- ingress subscriptions -----------------------------------------------------

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        self._save("ingress_subscriptions", subscription)
        return subscription

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        with self._lock:
            self._check_open()
            subscriptions = self._state.ingress.get(bridge_id, {})
            return [
                subscriptions[key]
                for key in sorted(subscriptions)
                if status is None or subscriptions[key].status == status
            ]

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        with self._lock:
            self._check_open()
            key = (bridge_id, subscription_id)
            if subscription_id not in self._state.ingress.get(key[0], {}):
                raise NotFound("ingress_subscription", key)
            self._commit([Delete("ingress_subscriptions", key)])

    # --- test hook -----------------------------------------------------------------

    def raw_index(self) -> RawIndex:
        """The keys and row counts re-read from the files (snapshot + journal).

        Bypasses the in-memory indexes the callbacks use, so the kit checks what is
        on disk.  O(size of the files).  Raises StoreClosed after ``close()``.
        """
        with self._lock:
            self._check_open()
            try:
                return load_store(self.path).state.raw_index()
            except OSError as error:
                raise StorageError(f"cannot read {self.path}: {error}") from error


def _binding_key_put(key: BindingKey, room_id: str) -> Put:
    doc = {"channel": key[0], "bridge_id": key[1], "external_id": key[2], "room_id": room_id}
    return put("binding_keys", doc, room_id)


def _store_path(path: Path) -> Path:
    """The absolute snapshot path; ConfigurationError when its directory is missing."""
    absolute = Path(os.path.abspath(os.path.expanduser(path)))
    if not absolute.parent.is_dir():
        raise ConfigurationError(
            f"cannot open the TinyDB store {absolute}: its directory {absolute.parent} "
            "does not exist (create it first)"
        )
    if absolute.is_dir():
        raise ConfigurationError(f"cannot open the TinyDB store {absolute}: it is a directory")
    return absolute
