"""``PersistenceAdapter``: the behaviour every storage adapter implements (contract 1 and 4).

An adapter is a subclass; one instance is one isolated store.  The class defines the
38 callbacks of the seed behaviour (``init`` becomes construction): 34 are abstract,
``directory_lookup`` is implemented here on top of ``directory_search``, and the three
ingress-subscription callbacks are optional (all three or none) and raise
:class:`~jido_persistence.errors.NotSupported` unless overridden.

Every callback an adapter defines is wrapped when the class is created: the wrapper
raises :class:`~jido_persistence.errors.StoreClosed` after :meth:`close`, validates and
normalises the arguments (``jido_persistence._checks``) so that every adapter answers
bad input alike before its backend is called, and turns the exceptions listed in
:attr:`PersistenceAdapter.backend_errors` into
:class:`~jido_persistence.errors.StorageError`.  Implementations therefore receive
normalised arguments: bridge ids and external ids as ``str``, ``attrs`` as a ``dict``,
directory targets as :class:`~jido_persistence.models.DirectoryTarget`.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Final, Protocol, Self, TypedDict, runtime_checkable

from pydantic import BaseModel, ConfigDict, ValidationError

from jido_persistence._checks import CALLBACK_CHECKS, key_as_given
from jido_persistence.errors import (
    AmbiguousLookup,
    ConfigurationError,
    NotFound,
    NotSupported,
    PersistenceError,
    StorageError,
    StoreClosed,
)
from jido_persistence.models import (
    BridgeConfig,
    Capabilities,
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
from jido_persistence.urls import StoreUrl

__all__ = [
    "OPTIONAL_CALLBACKS",
    "REQUIRED_CALLBACKS",
    "AdapterOptions",
    "PersistenceAdapter",
    "RawIndex",
    "SupportsRawIndex",
    "check_adapter_class",
]

OPTIONAL_CALLBACKS: Final = (
    "save_ingress_subscription",
    "list_ingress_subscriptions",
    "delete_ingress_subscription",
)
"""The optional ingress-subscription trio: an adapter implements all three or none."""

REQUIRED_CALLBACKS: Final = tuple(
    name for name in CALLBACK_CHECKS if name not in OPTIONAL_CALLBACKS
)
"""Every required callback, in contract order (``directory_lookup`` has a default)."""

AMBIGUOUS_MATCHES_SHOWN: Final = 100


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


def _guard(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    check = CALLBACK_CHECKS[name]

    @functools.wraps(function)
    def guarded(self: PersistenceAdapter, *args: Any, **kwargs: Any) -> Any:
        if self._closed:
            raise StoreClosed(f"{type(self).__name__} is closed: {name}() needs an open store")
        checked_args, checked_kwargs = check(*args, **kwargs)
        try:
            return function(self, *checked_args, **checked_kwargs)
        except NotFound as error:
            given = key_as_given(name, error.key, checked_args, args, kwargs)
            if given is not error.key:
                error.key = given
                error.args = (f"{error.entity} not found: {given!r}",)
            raise
        except PersistenceError:
            raise
        except self.backend_errors as error:
            raise StorageError(f"{name}() failed in the backend: {error}") from error

    guarded.__jido_guarded__ = True  # type: ignore[attr-defined]
    return guarded


def _implements(cls: type, name: str) -> bool:
    """Whether a class below PersistenceAdapter defines callback ``name``.

    Re-exporting the base's own default (``save_x = PersistenceAdapter.save_x``) is
    not an implementation: it still raises NotSupported.
    """
    for klass in cls.__mro__:
        if klass is PersistenceAdapter:
            return False
        if name in vars(klass):
            return vars(klass)[name] is not vars(PersistenceAdapter).get(name)
    return False


def _partial_ingress(cls: type) -> list[str]:
    implemented = [name for name in OPTIONAL_CALLBACKS if _implements(cls, name)]
    if implemented and len(implemented) < len(OPTIONAL_CALLBACKS):
        return [name for name in OPTIONAL_CALLBACKS if name not in implemented]
    return []


def check_adapter_class(cls: type) -> None:
    """Raise ConfigurationError unless ``cls`` is a complete PersistenceAdapter subclass.

    Names the missing required callbacks, or the missing part of the ingress trio.
    """
    if not (isinstance(cls, type) and issubclass(cls, PersistenceAdapter)):
        raise ConfigurationError(f"{cls!r} is not a subclass of PersistenceAdapter")
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing:
        raise ConfigurationError(
            f"{cls.__module__}.{cls.__qualname__} does not implement: {', '.join(missing)}"
        )
    partial = _partial_ingress(cls)
    if partial:
        raise ConfigurationError(
            f"{cls.__module__}.{cls.__qualname__} implements part of the optional "
            f"ingress-subscription trio; missing: {', '.join(partial)}"
        )


class _NoOptions(AdapterOptions):
    """An adapter without options."""


class PersistenceAdapter(abc.ABC):
    """The persistence behaviour: one instance is one isolated store.

    Construct with ``AdapterClass(**options)`` (validated by ``AdapterClass.Options``);
    use as a context manager or call :meth:`close`.  One instance is safe to use from
    several threads.  Every callback is atomic.
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

    _closed: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        partial = _partial_ingress(cls)
        if partial:
            raise TypeError(
                f"{cls.__qualname__} implements part of the optional ingress-subscription "
                f"callbacks; missing: {', '.join(partial)} (implement all three or none)"
            )
        # Walk the whole MRO (getattr), so a callback inherited from a mixin that is not
        # itself a PersistenceAdapter is guarded too; abstract stubs stay unwrapped.
        for name in CALLBACK_CHECKS:
            function = getattr(cls, name, None)
            if (
                callable(function)
                and not getattr(function, "__jido_guarded__", False)
                and not getattr(function, "__isabstractmethod__", False)
            ):
                setattr(cls, name, _guard(name, function))

    # --- lifecycle -------------------------------------------------------------------

    @classmethod
    def capabilities_of(cls) -> Capabilities:
        """The capabilities this class declares (ingress support derived from its methods)."""
        return Capabilities(
            ingress_subscriptions=all(_implements(cls, name) for name in OPTIONAL_CALLBACKS),
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
        """
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

    @abc.abstractmethod
    def save_room(self, room: Room) -> Room:
        """Insert or replace ``room`` by id and return it.  Binding keys are not touched.

        Raises InvalidArgument when ``room`` is not a Room.
        """

    @abc.abstractmethod
    def get_room(self, room_id: str) -> Room:
        """Return the room ``room_id``.  Raises NotFound("room", room_id).  O(1)."""

    @abc.abstractmethod
    def delete_room(self, room_id: str) -> None:
        """Delete the room and cascade, idempotently, even when the room record is gone.

        Removes the room's messages (and their external-id keys), its threads (and their
        keys), its room bindings, its routing policy, and each binding key that still
        points at this room.  Participants and other rooms' data are not touched.
        """

    @abc.abstractmethod
    def list_rooms(self, *, limit: int = 100) -> list[Room]:
        """The first ``limit`` rooms in ``(inserted_at, id)`` order.  Raises InvalidLimit."""

    # --- participants ----------------------------------------------------------------

    @abc.abstractmethod
    def save_participant(self, participant: Participant) -> Participant:
        """Insert or replace ``participant`` by id and return it."""

    @abc.abstractmethod
    def get_participant(self, participant_id: str) -> Participant:
        """Return the participant.  Raises NotFound("participant", participant_id).  O(1)."""

    @abc.abstractmethod
    def delete_participant(self, participant_id: str) -> None:
        """Delete the participant, idempotently.  Its external-id keys may stay behind."""

    # --- messages --------------------------------------------------------------------

    @abc.abstractmethod
    def save_message(self, message: Message) -> Message:
        """Insert or replace ``message`` by id and return it.

        Indexes follow the latest saved version (room, thread, external-id key).  The
        key ``(metadata["channel"], metadata["bridge_id"], external_id)`` resolves to the
        most recently saved message that carries it.  Raises InvalidArgument (storing
        nothing) when ``external_id`` is set and the channel or bridge id metadata is
        malformed.  O(log n) expected.
        """

    @abc.abstractmethod
    def get_message(self, message_id: str) -> Message:
        """Return the message.  Raises NotFound("message", message_id).  O(1)."""

    @abc.abstractmethod
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

    @abc.abstractmethod
    def delete_message(self, message_id: str) -> None:
        """Delete the message and every index entry of it, idempotently."""

    # --- threads ---------------------------------------------------------------------

    @abc.abstractmethod
    def save_thread(self, thread: Thread) -> Thread:
        """Insert or replace ``thread`` by id; its per-room keys follow the latest save."""

    @abc.abstractmethod
    def get_thread(self, thread_id: str) -> Thread:
        """Return the thread.  Raises NotFound("thread", thread_id).  O(1)."""

    @abc.abstractmethod
    def get_thread_by_external_id(self, room_id: str, external_thread_id: str | int) -> Thread:
        """The room's most recently saved thread with this external id.

        Raises NotFound("thread", (room_id, external_thread_id)).  O(1).
        """

    @abc.abstractmethod
    def get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        """The room's most recently saved thread with this root message.

        Raises NotFound("thread", (room_id, root_message_id)).  O(1).
        """

    @abc.abstractmethod
    def list_threads(self, room_id: str, *, limit: int = 100) -> list[Thread]:
        """The room's oldest ``limit`` threads in ``(inserted_at, id)`` order."""

    # --- external-id resolution ------------------------------------------------------

    @abc.abstractmethod
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

    @abc.abstractmethod
    def get_or_create_participant_by_external_id(
        self, channel: str, external_id: str | int, attrs: Mapping[str, Any] | None = None
    ) -> Participant:
        """The participant bound to ``(channel, external_id)``, created when absent.

        Same algorithm as :meth:`get_or_create_room_by_external_binding`.
        """

    @abc.abstractmethod
    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """The message the key resolves to.

        Raises NotFound("message", (channel, bridge_id, external_id)).  O(1).
        """

    @abc.abstractmethod
    def update_message_external_id(self, message_id: str, external_id: str | int) -> Message:
        """Store the message with a new external id (timestamps untouched) and return it.

        The old key stops resolving to it; the new one does.  Raises NotFound.
        """

    # --- room bindings ---------------------------------------------------------------

    @abc.abstractmethod
    def get_room_by_external_binding(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Room:
        """The room the binding key points at; NotFound when unbound or the room is gone."""

    @abc.abstractmethod
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

    @abc.abstractmethod
    def list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        """The room's binding records in ``(inserted_at, id)`` order."""

    @abc.abstractmethod
    def delete_room_binding(self, binding_id: str) -> None:
        """Delete the record and its key if it still points at the record's room.

        Raises NotFound("room_binding", binding_id).
        """

    # --- directory -------------------------------------------------------------------

    @abc.abstractmethod
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
        + ``external_id``).  Read ``query`` with
        :meth:`jido_persistence.validation.DirectoryQuery.parse`.
        May scan: O(n).
        """

    def directory_lookup(
        self, target: DirectoryTarget | str, query: Mapping[str, Any]
    ) -> Participant | Room:
        """The one entry matching ``query``.

        Raises NotFound(target, query) when none and AmbiguousLookup (first 100 matches
        by id, ``truncated`` when more) when several.
        """
        matches = self.directory_search(target, query, limit=AMBIGUOUS_MATCHES_SHOWN + 1)
        if not matches:
            raise NotFound(DirectoryTarget(target).value, query)
        if len(matches) > 1:
            raise AmbiguousLookup(
                DirectoryTarget(target).value,
                query,
                matches[:AMBIGUOUS_MATCHES_SHOWN],
                truncated=len(matches) > AMBIGUOUS_MATCHES_SHOWN,
            )
        return matches[0]

    # --- onboarding ------------------------------------------------------------------

    @abc.abstractmethod
    def save_onboarding(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        """Store a copy of the flow under ``flow["onboarding_id"]`` and return it."""

    @abc.abstractmethod
    def get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        """Return the flow.  Raises NotFound("onboarding", onboarding_id)."""

    # --- bridge configs --------------------------------------------------------------

    @abc.abstractmethod
    def save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        """Insert or replace the config by id and return it."""

    @abc.abstractmethod
    def get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        """Return the config.  Raises NotFound("bridge_config", bridge_config_id)."""

    @abc.abstractmethod
    def list_bridge_configs(self, *, enabled: bool | None = None) -> list[BridgeConfig]:
        """Every config sorted by id, only those with this ``enabled`` when not None."""

    @abc.abstractmethod
    def delete_bridge_config(self, bridge_config_id: str) -> None:
        """Delete the config.  Raises NotFound("bridge_config", bridge_config_id)."""

    # --- routing policies ------------------------------------------------------------

    @abc.abstractmethod
    def save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        """Insert or replace the policy of ``policy.room_id`` and return it."""

    @abc.abstractmethod
    def get_routing_policy(self, room_id: str) -> RoutingPolicy:
        """Return the room's policy.  Raises NotFound("routing_policy", room_id)."""

    @abc.abstractmethod
    def delete_routing_policy(self, room_id: str) -> None:
        """Delete the room's policy.  Raises NotFound("routing_policy", room_id)."""

    # --- ingress subscriptions (optional: all three or none) -------------------------

    def save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        """Insert or replace by ``(bridge_id, subscription_id)``.  Optional: NotSupported."""
        raise NotSupported("save_ingress_subscription", type(self).__name__)

    def list_ingress_subscriptions(
        self, bridge_id: str | int, *, status: IngressStatus | str | None = None
    ) -> list[IngressSubscription]:
        """The bridge's subscriptions sorted by subscription_id.  Optional: NotSupported."""
        raise NotSupported("list_ingress_subscriptions", type(self).__name__)

    def delete_ingress_subscription(self, bridge_id: str | int, subscription_id: str) -> None:
        """Delete one subscription (NotFound when unknown).  Optional: NotSupported."""
        raise NotSupported("delete_ingress_subscription", type(self).__name__)


def _guard_base_defaults() -> None:
    """Guard the base class's own callbacks, so defaults check arguments and closure too."""
    for name in (*OPTIONAL_CALLBACKS, "directory_lookup"):
        setattr(PersistenceAdapter, name, _guard(name, vars(PersistenceAdapter)[name]))


_guard_base_defaults()
