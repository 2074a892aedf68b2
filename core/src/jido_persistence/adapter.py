"""``PersistenceAdapter``: the behaviour every storage adapter implements (contract 1 and 4).

An adapter is a subclass; one instance is one isolated store.  **The adapter shape:**
every public callback (``save_room``, ``get_messages``, ...; the list is
:data:`jido_persistence.callbacks.CALLBACKS`) is defined once, here, typed for callers
(external ids ``str | int``, ``attrs`` a ``Mapping`` or ``None``, targets a
``DirectoryTarget`` or its string) and final: adapters do not override it.  Each one
runs the guard, which

1. raises :class:`~jido_persistence.errors.StoreClosed` after :meth:`close`;
2. checks and normalises the arguments (the table's ``check``), so that every adapter
   answers bad input alike before its backend is called;
3. calls the protected hook of the same name with a leading underscore
   (``_save_room``), with normalised, typed arguments: bridge ids and external ids as
   ``str``, ``attrs`` as a ``dict``, directory targets as
   :class:`~jido_persistence.models.DirectoryTarget`, directory queries as
   :class:`~jido_persistence.validation.DirectoryQuery`, statuses as enums;
4. restates a NotFound key in the caller's own arguments (``7``, not ``"7"``);
5. turns the exceptions listed in :attr:`PersistenceAdapter.backend_errors` into
   :class:`~jido_persistence.errors.StorageError`.

Adapters implement the hooks.  Required hooks are abstract; the hooks of an optional
group (ingress, ingest, enumeration, retention) raise
:class:`~jido_persistence.errors.NotSupported` unless a class implements all of the
group's hooks (some but not all is a ``TypeError`` when the class is defined), and the
group's capability flag says whether it does.  ``directory_lookup`` and
``health_check`` have base implementations on top of other hooks.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import (
    Any,
    ClassVar,
    Final,
    Literal,
    Protocol,
    Self,
    TypedDict,
    TypeVar,
    final,
    runtime_checkable,
)

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticSerializationError

from jido_persistence import telemetry
from jido_persistence._checks import key_as_given
from jido_persistence.callbacks import CALLBACKS, EXTENSIONS, GROUP_FLAGS, Group, callbacks_in
from jido_persistence.errors import (
    AmbiguousLookup,
    ConfigurationError,
    NotFound,
    NotSupported,
    PersistenceError,
    StorageError,
    StoreClosed,
    redact_text,
)
from jido_persistence.models import (
    BridgeConfig,
    Capabilities,
    DirectoryTarget,
    Erasure,
    Health,
    Ingested,
    IngressStatus,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.transactions import transaction_block
from jido_persistence.urls import StoreUrl, file_url_with_host
from jido_persistence.validation import DirectoryQuery

__all__ = [
    "AdapterOptions",
    "PersistenceAdapter",
    "RawIndex",
    "SupportsRawIndex",
    "check_adapter_class",
    "implements",
]

T = TypeVar("T")

AMBIGUOUS_MATCHES_SHOWN: Final = 100

_GUARDED: Final = {**CALLBACKS, **EXTENSIONS}

CODEC_ERRORS: Final[tuple[type[Exception], ...]] = (
    ValidationError,
    PydanticSerializationError,
    ValueError,
    TypeError,
    OverflowError,
    LookupError,
)
"""What a hook's decoding or encoding raises (pydantic, ``json``, a text codec, a
malformed stored row): the guard turns it into StorageError, so that no exception but
those of ``jido_persistence.errors`` leaves a callback (contract 9.0).  ``NotFound``
and ``AmbiguousLookup``, which are LookupErrors too, are re-raised before."""

HEALTH_PROBE_ID: Final = "jido-persistence:health-probe"
"""The room id the base ``health_check`` reads: the cheapest read every backend indexes."""


class AdapterOptions(BaseModel):
    """Base of every adapter's options model: frozen, and unknown options are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def parse(cls, options: Mapping[str, object]) -> Self:
        """Validate ``options``; raise ConfigurationError naming the valid options."""
        valid = ", ".join(sorted(cls.model_fields)) or "none"
        unknown = sorted(set(options) - set(cls.model_fields))
        if unknown:
            raise ConfigurationError(
                f"unknown option(s) {', '.join(unknown)}; valid options: {valid}"
            )
        try:
            return cls.model_validate(dict(options))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
                for item in error.errors()
            )
            raise ConfigurationError(f"invalid option(s): {problems}") from error


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


def implements(cls: type, hook: str) -> bool:
    """Whether ``cls`` implements ``hook`` below :class:`PersistenceAdapter`.

    Re-exporting the base's own default (``_save_x = PersistenceAdapter._save_x``) is
    not an implementation: it still raises NotSupported.  O(depth of the MRO).
    """
    for klass in cls.__mro__:
        if klass is PersistenceAdapter:
            return False
        if hook in vars(klass):
            return vars(klass)[hook] is not vars(PersistenceAdapter).get(hook)
    return False


def _partial_groups(cls: type) -> dict[Group, list[str]]:
    """For each optional group ``cls`` implements in part, the hooks it misses."""
    partial: dict[Group, list[str]] = {}
    for group in GROUP_FLAGS:
        hooks = [entry.hook for entry in callbacks_in(group)]
        missing = [hook for hook in hooks if not implements(cls, hook)]
        if missing and len(missing) < len(hooks):
            partial[group] = missing
    return partial


def _describe_partial(partial: dict[Group, list[str]]) -> str:
    return "; ".join(
        f"the {group.value} group misses {', '.join(missing)} (implement all or none)"
        for group, missing in partial.items()
    )


def check_adapter_class(cls: type) -> None:
    """Raise ConfigurationError unless ``cls`` is a complete PersistenceAdapter subclass.

    Names the missing required hooks, or the missing part of an optional group (a class
    patched after its definition is checked again here, at registration).
    """
    if not (isinstance(cls, type) and issubclass(cls, PersistenceAdapter)):
        raise ConfigurationError(f"{cls!r} is not a subclass of PersistenceAdapter")
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing:
        raise ConfigurationError(
            f"{cls.__module__}.{cls.__qualname__} does not implement: {', '.join(missing)}"
        )
    partial = _partial_groups(cls)
    if partial:
        raise ConfigurationError(
            f"{cls.__module__}.{cls.__qualname__} implements part of an optional group: "
            + _describe_partial(partial)
        )


class _NoOptions(AdapterOptions):
    """An adapter without options."""


class PersistenceAdapter(abc.ABC):
    """The persistence behaviour: one instance is one isolated store.

    Construct with ``AdapterClass(**options)`` (validated by ``AdapterClass.Options``);
    use as a context manager or call :meth:`close`.  One instance is safe to use from
    several threads.  Every callback is atomic.  Adapters implement the protected
    hooks (``_save_room``, ...); the public callbacks are final (see the module doc).
    """

    Options: ClassVar[type[AdapterOptions]] = _NoOptions
    """The pydantic model of this adapter's options; unknown options raise ConfigurationError."""

    durable: ClassVar[bool] = False
    """Data survives ``close()`` and a new process."""

    multi_process: ClassVar[bool] = False
    """Several processes may use one store at once."""

    native_async: ClassVar[bool] = False
    """The adapter has a native asyncio implementation."""

    backend_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    """Exceptions of the backend library that callbacks turn into StorageError."""

    _groups: ClassVar[frozenset[Group]] = frozenset()
    _closed: bool = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # Each new store decides whether callbacks are observed (jido_persistence.telemetry).
        telemetry.refresh()
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # getattr walks the whole MRO, so a public name from a plain mixin counts too.
        own = vars(PersistenceAdapter)
        overridden = sorted(name for name in CALLBACKS if getattr(cls, name) is not own[name])
        if overridden:
            hooks = ", ".join("_" + name for name in overridden)
            raise TypeError(
                f"{cls.__qualname__} defines the public callback(s) {', '.join(overridden)}; "
                f"public callbacks are final: implement the hook(s) {hooks} instead"
            )
        partial = _partial_groups(cls)
        if partial:
            raise TypeError(
                f"{cls.__qualname__} implements part of an optional group: "
                + _describe_partial(partial)
            )
        cls._groups = frozenset(
            group
            for group in GROUP_FLAGS
            if all(implements(cls, entry.hook) for entry in callbacks_in(group))
        )

    # --- the guard -------------------------------------------------------------------

    @final
    def _guard(self, name: str, hook: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run callback ``name``: closed check, argument check, ``hook``, error mapping."""
        if self._closed:
            raise StoreClosed(f"{type(self).__name__} is closed: {name}() needs an open store")
        entry = _GUARDED[name]
        checked_args, checked_kwargs = entry.check(*args, **kwargs)
        if (
            entry.after_needs is not None
            and checked_kwargs["after"] is not None
            and entry.after_needs not in type(self)._groups
        ):
            raise NotSupported(f"{name}(after=)", type(self).__name__)
        try:
            return hook(*checked_args, **checked_kwargs)
        except NotFound as error:
            given = key_as_given(entry.check, error.key, checked_args, args, kwargs)
            if given is not error.key:
                error.key = given
                error.args = (f"{error.entity} not found: {given!r}",)
            raise
        except AmbiguousLookup as error:
            error.query = key_as_given(entry.check, error.query, checked_args, args, kwargs)
            raise
        except PersistenceError:
            raise
        except self.backend_errors as error:
            raise StorageError(f"{name}() failed in the backend: {error}") from error
        except CODEC_ERRORS as error:
            # Contract 9.0: arguments are checked before the hook, so a pydantic or
            # codec error here comes from stored data or the backend's codec.
            raise StorageError(
                f"{name}() failed: {type(error).__name__}: {redact_text(str(error))}"
            ) from error

    def _unsupported(self, name: str) -> NotSupported:
        return NotSupported(name, type(self).__name__)

    # --- lifecycle -------------------------------------------------------------------

    @classmethod
    def capabilities_of(cls) -> Capabilities:
        """The capabilities this class declares; group flags derive from its hooks."""
        flags = {
            flag: all(implements(cls, entry.hook) for entry in callbacks_in(group))
            for group, flag in GROUP_FLAGS.items()
        }
        return Capabilities(
            **flags,
            durable=cls.durable,
            multi_process=cls.multi_process,
            native_async=cls.native_async,
        )

    @property
    def capabilities(self) -> Capabilities:
        """What this store can do; see :class:`~jido_persistence.models.Capabilities`."""
        return self.capabilities_of()

    @classmethod
    def url_options(cls, url: StoreUrl) -> dict[str, object]:
        """Options for a store URL: ``path`` from the URL path (when present) and the query.

        Adapters whose URLs mean something else (a server URL) override this.
        Raises ConfigurationError for a host part (``tinydb://chat.json``: two slashes
        make ``chat.json`` a host name), suggesting three or four slashes.
        """
        if url.netloc:
            raise ConfigurationError(file_url_with_host(url))
        options: dict[str, object] = {}
        if url.path:
            options["path"] = url.path
        options.update(url.query)
        return options

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Release files and connections; idempotent.  Callbacks then raise StoreClosed.

        Adapters override this to release their resources and call ``super().close()``.
        """
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- transactions (contract 1.3, section 9.4) -------------------------------------

    @final
    def transaction(self) -> AbstractContextManager[None]:
        """A block whose callbacks (made by this thread on this store) are atomic together.

        ``with store.transaction(): ...``: other threads, instances and processes see
        all of the block's writes or none of them; an exception leaving the block undoes
        them all and propagates unchanged.  A nested ``transaction()`` is a savepoint:
        an exception leaving it undoes only its own calls.  Other threads' calls wait
        for the block (single-writer stores: at most their ``busy_timeout``, then
        StorageError) or run as if before it (MVCC stores); none sees part of it.

        Raises StoreClosed after :meth:`close` and NotSupported when the adapter has no
        transactions (``capabilities.transactions`` is false), both when called;
        StorageError when the backend cannot begin or commit the block.
        """
        return self._guard("transaction", self._open_transaction)

    @final
    def _open_transaction(self) -> AbstractContextManager[None]:
        if Group.TRANSACTIONS not in type(self)._groups:
            raise self._unsupported("transaction")
        return transaction_block(self)

    def _transaction(self, level: int) -> AbstractContextManager[None]:
        """Hook: the context manager of one block at nesting ``level`` (0 outermost).

        The default raises NotSupported.  See :mod:`jido_persistence.transactions`.
        """
        raise self._unsupported("transaction")

    # --- test hooks (contract section 8) ---------------------------------------------

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """Test hook: the URL of a new, empty store inside ``directory`` or named ``unique``.

        ``None`` (the default) means the adapter offers no such hook.
        """
        return None

    @classmethod
    def destroy_store(cls, url: str) -> None:
        """Test hook: remove what :meth:`fresh_store_url` created beyond its directory."""

    # --- rooms -----------------------------------------------------------------------

    @final
    def save_room(self, room: Room) -> Room:
        """Insert or replace ``room`` by id and return it.  Binding keys are not touched.

        Raises InvalidArgument when ``room`` is not a valid Room.  O(log n).
        """
        return self._guard("save_room", self._save_room, room)

    @final
    def get_room(self, room_id: str) -> Room:
        """Return the room ``room_id``.  Raises NotFound("room", room_id).  O(1)."""
        return self._guard("get_room", self._get_room, room_id)

    @final
    def delete_room(self, room_id: str) -> None:
        """Delete the room and cascade, idempotently, even when the room record is gone.

        Removes the room's messages (and their external-id keys), its threads (and their
        keys), its room bindings, its routing policy, and each binding key that still
        points at this room.  Participants and other rooms' data are not touched.
        """
        self._guard("delete_room", self._delete_room, room_id)

    @final
    def list_rooms(self, *, limit: int = 100, after: str | None = None) -> list[Room]:
        """The first ``limit`` rooms in ``(inserted_at, id)`` order, after room ``after``.

        Raises InvalidLimit; InvalidCursor for an ``after`` that is ``""`` or not a
        ``str``; CursorNotFound for an unknown ``after``; NotSupported for ``after``
        when the adapter lacks the enumeration group.  O(log n + limit).
        """
        return self._guard("list_rooms", self._list_rooms, limit=limit, after=after)

    @abc.abstractmethod
    def _save_room(self, room: Room) -> Room:
        """Hook of :meth:`save_room`."""

    @abc.abstractmethod
    def _get_room(self, room_id: str) -> Room:
        """Hook of :meth:`get_room`."""

    @abc.abstractmethod
    def _delete_room(self, room_id: str) -> None:
        """Hook of :meth:`delete_room`."""

    @abc.abstractmethod
    def _list_rooms(self, *, limit: int, after: str | None) -> list[Room]:
        """Hook of :meth:`list_rooms`; ``after`` is ``None`` unless the class enumerates."""

    # --- participants ----------------------------------------------------------------

    @final
    def save_participant(self, participant: Participant) -> Participant:
        """Insert or replace ``participant`` by id and return it.  Raises InvalidArgument."""
        return self._guard("save_participant", self._save_participant, participant)

    @final
    def get_participant(self, participant_id: str) -> Participant:
        """Return the participant.  Raises NotFound("participant", participant_id).  O(1)."""
        return self._guard("get_participant", self._get_participant, participant_id)

    @final
    def delete_participant(self, participant_id: str) -> None:
        """Delete the participant, idempotently.  Its external-id keys may stay behind."""
        self._guard("delete_participant", self._delete_participant, participant_id)

    @abc.abstractmethod
    def _save_participant(self, participant: Participant) -> Participant:
        """Hook of :meth:`save_participant`."""

    @abc.abstractmethod
    def _get_participant(self, participant_id: str) -> Participant:
        """Hook of :meth:`get_participant`."""

    @abc.abstractmethod
    def _delete_participant(self, participant_id: str) -> None:
        """Hook of :meth:`delete_participant`."""

    # --- messages --------------------------------------------------------------------

    @final
    def save_message(self, message: Message) -> Message:
        """Insert or replace ``message`` by id and return it.

        Indexes follow the latest saved version (room, thread, external-id key).  The
        key ``(metadata["channel"], metadata["bridge_id"], external_id)`` resolves to the
        most recently saved message that carries it.  Raises InvalidArgument (storing
        nothing) when ``external_id`` is set and the channel or bridge id metadata is
        malformed.  O(log n) expected.
        """
        return self._guard("save_message", self._save_message, message)

    @final
    def get_message(self, message_id: str) -> Message:
        """Return the message.  Raises NotFound("message", message_id).  O(1)."""
        return self._guard("get_message", self._get_message, message_id)

    @final
    def get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        """A page of the room's messages (of ``thread_id`` when given), oldest first.

        Ordered by ``(inserted_at, id)`` with ``None`` timestamps first.  No cursor: the
        newest ``limit``; ``before=id``: the newest ``limit`` strictly before it;
        ``after=id``: the oldest ``limit`` strictly after it.  Raises InvalidLimit,
        InvalidCursor (both cursors, empty or non-string), CursorNotFound (cursor not in
        the scope), in that order.  O(log n + limit).
        """
        return self._guard(
            "get_messages",
            self._get_messages,
            room_id,
            limit=limit,
            before=before,
            after=after,
            thread_id=thread_id,
        )

    @final
    def delete_message(self, message_id: str) -> None:
        """Delete the message and every index entry of it, idempotently."""
        self._guard("delete_message", self._delete_message, message_id)

    @abc.abstractmethod
    def _save_message(self, message: Message) -> Message:
        """Hook of :meth:`save_message`; the external key, when set, is well formed."""

    @abc.abstractmethod
    def _get_message(self, message_id: str) -> Message:
        """Hook of :meth:`get_message`."""

    @abc.abstractmethod
    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int,
        before: str | None,
        after: str | None,
        thread_id: str | None,
    ) -> list[Message]:
        """Hook of :meth:`get_messages`; at most one cursor, its existence unchecked."""

    @abc.abstractmethod
    def _delete_message(self, message_id: str) -> None:
        """Hook of :meth:`delete_message`."""

    # --- threads ---------------------------------------------------------------------

    @final
    def save_thread(self, thread: Thread) -> Thread:
        """Insert or replace ``thread`` by id; its per-room keys follow the latest save."""
        return self._guard("save_thread", self._save_thread, thread)

    @final
    def get_thread(self, thread_id: str) -> Thread:
        """Return the thread.  Raises NotFound("thread", thread_id).  O(1)."""
        return self._guard("get_thread", self._get_thread, thread_id)

    @final
    def get_thread_by_external_id(self, room_id: str, external_thread_id: str | int) -> Thread:
        """The room's most recently saved thread with this external id.

        Raises NotFound("thread", (room_id, external_thread_id)).  O(1).
        """
        return self._guard(
            "get_thread_by_external_id",
            self._get_thread_by_external_id,
            room_id,
            external_thread_id,
        )

    @final
    def get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        """The room's most recently saved thread with this root message.

        Raises NotFound("thread", (room_id, root_message_id)).  O(1).
        """
        return self._guard(
            "get_thread_by_root_message",
            self._get_thread_by_root_message,
            room_id,
            root_message_id,
        )

    @final
    def list_threads(
        self, room_id: str, *, limit: int = 100, after: str | None = None
    ) -> list[Thread]:
        """The room's oldest ``limit`` threads in ``(inserted_at, id)`` order, after ``after``.

        Raises InvalidLimit; InvalidCursor for an ``after`` that is ``""`` or not a
        ``str``; CursorNotFound for an ``after`` not in the room; NotSupported for
        ``after`` when the adapter lacks the enumeration group.  O(log n + limit).
        """
        return self._guard("list_threads", self._list_threads, room_id, limit=limit, after=after)

    @abc.abstractmethod
    def _save_thread(self, thread: Thread) -> Thread:
        """Hook of :meth:`save_thread`."""

    @abc.abstractmethod
    def _get_thread(self, thread_id: str) -> Thread:
        """Hook of :meth:`get_thread`."""

    @abc.abstractmethod
    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        """Hook of :meth:`get_thread_by_external_id`; the external id normalised."""

    @abc.abstractmethod
    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        """Hook of :meth:`get_thread_by_root_message`."""

    @abc.abstractmethod
    def _list_threads(self, room_id: str, *, limit: int, after: str | None) -> list[Thread]:
        """Hook of :meth:`list_threads`; ``after`` is ``None`` unless the class enumerates."""

    # --- external-id resolution ------------------------------------------------------

    @final
    def get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> Room:
        """The room bound to the key, created from ``attrs`` (with a RoomBinding) when absent.

        A key bound to a room that no longer exists is stale: it is removed and the call
        goes on as if absent.  Race-free: concurrent callers get the same room, and a
        losing call writes nothing.  Invalid attrs raise InvalidArgument (pydantic error
        as ``__cause__``) and create nothing.
        """
        return self._guard(
            "get_or_create_room_by_external_binding",
            self._get_or_create_room_by_external_binding,
            channel,
            bridge_id,
            external_id,
            attrs,
        )

    @final
    def get_or_create_participant_by_external_id(
        self, channel: str, external_id: str | int, attrs: Mapping[str, Any] | None = None
    ) -> Participant:
        """The participant bound to ``(channel, external_id)``, created when absent.

        Same algorithm as :meth:`get_or_create_room_by_external_binding`.
        """
        return self._guard(
            "get_or_create_participant_by_external_id",
            self._get_or_create_participant_by_external_id,
            channel,
            external_id,
            attrs,
        )

    @final
    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """The message the key resolves to.

        Raises NotFound("message", (channel, bridge_id, external_id)).  O(1).
        """
        return self._guard(
            "get_message_by_external_id",
            self._get_message_by_external_id,
            channel,
            bridge_id,
            external_id,
        )

    @final
    def update_message_external_id(self, message_id: str, external_id: str | int) -> Message:
        """Store the message with a new external id (timestamps untouched) and return it.

        The old key stops resolving to it; the new one does.  Raises NotFound.
        """
        return self._guard(
            "update_message_external_id", self._update_message_external_id, message_id, external_id
        )

    @abc.abstractmethod
    def _get_or_create_room_by_external_binding(
        self, channel: str, bridge_id: str, external_id: str, attrs: dict[str, Any]
    ) -> Room:
        """Hook of :meth:`get_or_create_room_by_external_binding`; attrs a fresh dict."""

    @abc.abstractmethod
    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        """Hook of :meth:`get_or_create_participant_by_external_id`; attrs a fresh dict."""

    @abc.abstractmethod
    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        """Hook of :meth:`get_message_by_external_id`."""

    @abc.abstractmethod
    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        """Hook of :meth:`update_message_external_id`."""

    # --- room bindings ---------------------------------------------------------------

    @final
    def get_room_by_external_binding(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Room:
        """The room the binding key points at; NotFound when unbound or the room is gone."""
        return self._guard(
            "get_room_by_external_binding",
            self._get_room_by_external_binding,
            channel,
            bridge_id,
            external_id,
        )

    @final
    def create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> RoomBinding:
        """Create (or update) the binding record and point the key at ``room_id``.

        At most one record per ``(room_id, channel, bridge_id, external_id)``: an
        existing one keeps its id and inserted_at and takes ``direction``/``enabled``
        from ``attrs`` where given.  ``attrs`` keys: id, direction, enabled, inserted_at.
        """
        return self._guard(
            "create_room_binding",
            self._create_room_binding,
            room_id,
            channel,
            bridge_id,
            external_id,
            attrs,
        )

    @final
    def list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        """The room's binding records in ``(inserted_at, id)`` order."""
        return self._guard("list_room_bindings", self._list_room_bindings, room_id)

    @final
    def delete_room_binding(self, binding_id: str) -> None:
        """Delete the record and its key if it still points at the record's room.

        Raises NotFound("room_binding", binding_id).
        """
        self._guard("delete_room_binding", self._delete_room_binding, binding_id)

    @abc.abstractmethod
    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        """Hook of :meth:`get_room_by_external_binding`."""

    @abc.abstractmethod
    def _create_room_binding(
        self, room_id: str, channel: str, bridge_id: str, external_id: str, attrs: dict[str, Any]
    ) -> RoomBinding:
        """Hook of :meth:`create_room_binding`; attrs hold RoomBinding field names only."""

    @abc.abstractmethod
    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        """Hook of :meth:`list_room_bindings`."""

    @abc.abstractmethod
    def _delete_room_binding(self, binding_id: str) -> None:
        """Hook of :meth:`delete_room_binding`."""

    # --- directory -------------------------------------------------------------------

    @final
    def directory_search(
        self,
        target: DirectoryTarget | str,
        query: Mapping[str, Any],
        *,
        limit: int | None = None,
    ) -> list[Participant] | list[Room]:
        """Participants or rooms matching every filter of ``query``, sorted by id.

        Filters: ``id``, ``name`` (casefolded literal substring), and the external key
        (participants: ``channel`` + ``external_id``; rooms: ``channel`` + ``bridge_id``
        + ``external_id``).  Raises InvalidDirectoryTarget, InvalidArgument for a bad
        query, InvalidLimit.  May scan: O(n).
        """
        return self._guard("directory_search", self._directory_search, target, query, limit=limit)

    @final
    def directory_lookup(
        self, target: DirectoryTarget | str, query: Mapping[str, Any]
    ) -> Participant | Room:
        """The one entry matching ``query``.

        Raises NotFound(target, query) when none and AmbiguousLookup (first 100 matches
        by id, ``truncated`` when more) when several.
        """
        return self._guard("directory_lookup", self._directory_lookup, target, query)

    @abc.abstractmethod
    def _directory_search(
        self, target: DirectoryTarget, query: DirectoryQuery, *, limit: int | None
    ) -> list[Participant] | list[Room]:
        """Hook of :meth:`directory_search`; the query parsed."""

    def _directory_lookup(
        self, target: DirectoryTarget, query: DirectoryQuery
    ) -> Participant | Room:
        """Hook of :meth:`directory_lookup`: :meth:`_directory_search` of 101 matches."""
        matches = self._directory_search(target, query, limit=AMBIGUOUS_MATCHES_SHOWN + 1)
        if not matches:
            raise NotFound(target.value, query)
        if len(matches) > 1:
            raise AmbiguousLookup(
                target.value,
                query,
                matches[:AMBIGUOUS_MATCHES_SHOWN],
                truncated=len(matches) > AMBIGUOUS_MATCHES_SHOWN,
            )
        return matches[0]

    # --- onboarding ------------------------------------------------------------------

    @final
    def save_onboarding(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        """Store a copy of the flow under ``flow["onboarding_id"]`` and return it.

        Raises InvalidArgument (not a mapping, not JSON), InvalidOnboardingId.
        """
        return self._guard("save_onboarding", self._save_onboarding, flow)

    @final
    def get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        """Return the flow.  Raises NotFound("onboarding", onboarding_id)."""
        return self._guard("get_onboarding", self._get_onboarding, onboarding_id)

    @abc.abstractmethod
    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        """Hook of :meth:`save_onboarding`; the flow checked."""

    @abc.abstractmethod
    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        """Hook of :meth:`get_onboarding`."""

    # --- bridge configs --------------------------------------------------------------

    @final
    def save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        """Insert or replace the config by id and return it."""
        return self._guard("save_bridge_config", self._save_bridge_config, config)

    @final
    def get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        """Return the config.  Raises NotFound("bridge_config", bridge_config_id)."""
        return self._guard("get_bridge_config", self._get_bridge_config, bridge_config_id)

    @final
    def list_bridge_configs(self, *, enabled: bool | None = None) -> list[BridgeConfig]:
        """Every config sorted by id, only those with this ``enabled`` when not None."""
        return self._guard("list_bridge_configs", self._list_bridge_configs, enabled=enabled)

    @final
    def delete_bridge_config(self, bridge_config_id: str) -> None:
        """Delete the config.  Raises NotFound("bridge_config", bridge_config_id)."""
        self._guard("delete_bridge_config", self._delete_bridge_config, bridge_config_id)

    @abc.abstractmethod
    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        """Hook of :meth:`save_bridge_config`."""

    @abc.abstractmethod
    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        """Hook of :meth:`get_bridge_config`."""

    @abc.abstractmethod
    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        """Hook of :meth:`list_bridge_configs`."""

    @abc.abstractmethod
    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        """Hook of :meth:`delete_bridge_config`."""

    # --- routing policies ------------------------------------------------------------

    @final
    def save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        """Insert or replace the policy of ``policy.room_id`` and return it."""
        return self._guard("save_routing_policy", self._save_routing_policy, policy)

    @final
    def get_routing_policy(self, room_id: str) -> RoutingPolicy:
        """Return the room's policy.  Raises NotFound("routing_policy", room_id)."""
        return self._guard("get_routing_policy", self._get_routing_policy, room_id)

    @final
    def delete_routing_policy(self, room_id: str) -> None:
        """Delete the room's policy.  Raises NotFound("routing_policy", room_id)."""
        self._guard("delete_routing_policy", self._delete_routing_policy, room_id)

    @abc.abstractmethod
    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        """Hook of :meth:`save_routing_policy`."""

    @abc.abstractmethod
    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        """Hook of :meth:`get_routing_policy`."""

    @abc.abstractmethod
    def _delete_routing_policy(self, room_id: str) -> None:
        """Hook of :meth:`delete_routing_policy`."""

    # --- health (contract 9.0) -------------------------------------------------------

    @final
    def health_check(self) -> Health:
        """Whether the store answers: ``Health(ok, latency_s, detail)``.

        Never raises for a backend failure: ``ok`` is False and ``detail`` says why,
        with any URL password redacted.  Raises StoreClosed after :meth:`close`.
        The cost of the cheapest read of the backend.
        """
        return self._guard("health_check", self._health_check)

    def _health_check(self) -> Health:
        """Hook of :meth:`health_check`: time :meth:`_get_room` of an unknown id.

        A point read by primary key is the cheapest read every backend indexes.
        Adapters with a cheaper probe (a ``SELECT 1``) override this.
        """
        started = time.perf_counter()
        try:
            self._get_room(HEALTH_PROBE_ID)
        except NotFound:
            pass
        except StoreClosed:
            raise
        except Exception as error:  # health_check reports every failure, it never raises
            detail = redact_text(f"{type(error).__name__}: {error}")
            return Health(ok=False, latency_s=time.perf_counter() - started, detail=detail)
        return Health(ok=True, latency_s=time.perf_counter() - started, detail="ok")

    # --- ingress subscriptions (optional group "ingress": all three or none) ---------

    @final
    def save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        """Insert or replace by ``(bridge_id, subscription_id)``.  Optional: NotSupported."""
        return self._guard(
            "save_ingress_subscription", self._save_ingress_subscription, subscription
        )

    @final
    def list_ingress_subscriptions(
        self, bridge_id: str | int, *, status: IngressStatus | str | None = None
    ) -> list[IngressSubscription]:
        """The bridge's subscriptions sorted by subscription_id.  Optional: NotSupported.

        ``status`` filters (an IngressStatus or its value; anything else InvalidArgument).
        """
        return self._guard(
            "list_ingress_subscriptions", self._list_ingress_subscriptions, bridge_id, status=status
        )

    @final
    def delete_ingress_subscription(self, bridge_id: str | int, subscription_id: str) -> None:
        """Delete one subscription (NotFound when unknown).  Optional: NotSupported."""
        self._guard(
            "delete_ingress_subscription",
            self._delete_ingress_subscription,
            bridge_id,
            subscription_id,
        )

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        """Hook of :meth:`save_ingress_subscription` (default: NotSupported)."""
        raise self._unsupported("save_ingress_subscription")

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        """Hook of :meth:`list_ingress_subscriptions` (default: NotSupported)."""
        raise self._unsupported("list_ingress_subscriptions")

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        """Hook of :meth:`delete_ingress_subscription` (default: NotSupported)."""
        raise self._unsupported("delete_ingress_subscription")

    # --- idempotent ingestion (optional group "ingest", contract 9.1) ----------------

    @final
    def ingest_message(self, message: Message) -> Ingested:
        """Store ``message`` unless a stored message holds its external key.

        The message must carry a complete external key (channel, bridge id, external
        id), else InvalidArgument.  A key already held returns its resolution with
        ``created=False`` and writes nothing; otherwise the message is saved as by
        :meth:`save_message` and returned with ``created=True``.  Race-free.
        Optional: NotSupported.  O(log n).
        """
        return self._guard("ingest_message", self._ingest_message, message)

    @final
    def get_or_create_thread_by_external_id(
        self,
        room_id: str,
        external_thread_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> Thread:
        """The room's thread with this external id, created from ``attrs`` when absent.

        ``attrs`` are Thread fields other than ``room_id`` and ``external_thread_id``
        (those raise InvalidArgument, as unknown keys do).  Race-free, as the other
        get-or-create callbacks.  Optional: NotSupported.
        """
        return self._guard(
            "get_or_create_thread_by_external_id",
            self._get_or_create_thread_by_external_id,
            room_id,
            external_thread_id,
            attrs,
        )

    def _ingest_message(self, message: Message) -> Ingested:
        """Hook of :meth:`ingest_message` (default: NotSupported); the key is complete."""
        raise self._unsupported("ingest_message")

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """Hook of :meth:`get_or_create_thread_by_external_id` (default: NotSupported)."""
        raise self._unsupported("get_or_create_thread_by_external_id")

    # --- enumeration (optional group "enumeration", contract 9.2) --------------------

    @final
    def list_participants(self, *, limit: int = 100, after: str | None = None) -> list[Participant]:
        """The first ``limit`` participants by id, after participant ``after``.

        Raises InvalidLimit, InvalidCursor, CursorNotFound.  Optional: NotSupported.
        O(log n + limit).
        """
        return self._guard("list_participants", self._list_participants, limit=limit, after=after)

    @final
    def list_onboardings(
        self, *, limit: int = 100, after: str | None = None
    ) -> list[dict[str, Any]]:
        """The first ``limit`` onboarding flows by id, after onboarding ``after``.

        Raises InvalidLimit, InvalidCursor, CursorNotFound.  Optional: NotSupported.
        O(log n + limit).
        """
        return self._guard("list_onboardings", self._list_onboardings, limit=limit, after=after)

    def _list_participants(self, *, limit: int, after: str | None) -> list[Participant]:
        """Hook of :meth:`list_participants` (default: NotSupported)."""
        raise self._unsupported("list_participants")

    def _list_onboardings(self, *, limit: int, after: str | None) -> list[dict[str, Any]]:
        """Hook of :meth:`list_onboardings` (default: NotSupported)."""
        raise self._unsupported("list_onboardings")

    # --- retention and erasure (optional group "retention", contract 9.3) ------------

    @final
    def delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        """Delete the scope's messages with ``inserted_at < before``; return how many.

        ``None`` timestamps are older than every datetime.  Atomic, with the index
        entries.  A naive ``before`` raises InvalidArgument.  Optional: NotSupported.
        """
        return self._guard(
            "delete_messages", self._delete_messages, room_id, before=before, thread_id=thread_id
        )

    @final
    def erase_participant(
        self, participant_id: str, *, messages: Literal["delete", "redact"] = "delete"
    ) -> Erasure:
        """Remove the participant, its keys and (deleted or redacted) its messages.

        Erases by ``sender_id`` in every room, whether or not the record exists; safe to
        re-run (a second call answers zero counts).  ``messages`` other than
        ``"delete"``/``"redact"`` raises InvalidArgument.  Optional: NotSupported.
        """
        return self._guard(
            "erase_participant", self._erase_participant, participant_id, messages=messages
        )

    @final
    def delete_onboarding(self, onboarding_id: str) -> None:
        """Delete the flow.  Raises NotFound("onboarding", onboarding_id).  Optional."""
        self._guard("delete_onboarding", self._delete_onboarding, onboarding_id)

    def _delete_messages(self, room_id: str, *, before: datetime, thread_id: str | None) -> int:
        """Hook of :meth:`delete_messages` (default: NotSupported); ``before`` in UTC."""
        raise self._unsupported("delete_messages")

    def _erase_participant(
        self, participant_id: str, *, messages: Literal["delete", "redact"]
    ) -> Erasure:
        """Hook of :meth:`erase_participant` (default: NotSupported)."""
        raise self._unsupported("erase_participant")

    def _delete_onboarding(self, onboarding_id: str) -> None:
        """Hook of :meth:`delete_onboarding` (default: NotSupported)."""
        raise self._unsupported("delete_onboarding")


telemetry.install(PersistenceAdapter, PersistenceAdapter._guard)
