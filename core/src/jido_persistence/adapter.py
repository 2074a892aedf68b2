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

The class is assembled from one module a job: the guard (``_guard``), the callbacks of
each contract area as mixins (``_contract_entities``, ``_contract_keys``,
``_contract_records``, ``_contract_optional``), the options base
(``_adapter_options``) and the raw index test hook (``_raw_index``).  Import the names
from here (or from :mod:`jido_persistence`), not from those private modules.
"""

from __future__ import annotations

import inspect
import time
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Final, Self, final

from jido_persistence import telemetry
from jido_persistence._adapter_options import AdapterOptions, _NoOptions
from jido_persistence._contract_entities import EntityCallbacks
from jido_persistence._contract_interchange import InterchangeCallbacks
from jido_persistence._contract_keys import KeyCallbacks
from jido_persistence._contract_optional import OptionalCallbacks
from jido_persistence._contract_records import RecordCallbacks
from jido_persistence._raw_index import RawIndex, SupportsRawIndex
from jido_persistence.callbacks import CALLBACKS, GROUP_FLAGS, Group, callbacks_in
from jido_persistence.errors import ConfigurationError, NotFound, StoreClosed, redact_text
from jido_persistence.models import Capabilities, Health
from jido_persistence.transactions import transaction_block
from jido_persistence.urls import StoreUrl, file_url_with_host

__all__ = [
    "AdapterOptions",
    "PersistenceAdapter",
    "RawIndex",
    "SupportsRawIndex",
    "check_adapter_class",
    "implements",
]

HEALTH_PROBE_ID: Final = "jido-persistence:health-probe"
"""The room id the base ``health_check`` reads: the cheapest read every backend indexes."""


def implements(cls: type, hook: str) -> bool:
    """Whether ``cls`` implements ``hook`` below :class:`PersistenceAdapter`.

    Re-exporting the base's own default (``_save_x = PersistenceAdapter._save_x``) is
    not an implementation: it still raises NotSupported.  O(depth of the MRO).
    """
    for klass in cls.__mro__:
        if klass is PersistenceAdapter:
            return False
        if hook in vars(klass):
            return vars(klass)[hook] is not inspect.getattr_static(PersistenceAdapter, hook, None)
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


# The mixins are listed last area first: the reference renders inherited members from the
# last base on, so the page shows rooms first, as the contract does.
class PersistenceAdapter(
    InterchangeCallbacks, OptionalCallbacks, RecordCallbacks, KeyCallbacks, EntityCallbacks
):
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

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # Each new store decides whether callbacks are observed (jido_persistence.telemetry).
        telemetry.refresh()
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # getattr walks the whole MRO, so a public name from a plain mixin counts too.
        overridden = sorted(
            name
            for name in CALLBACKS
            if getattr(cls, name) is not getattr(PersistenceAdapter, name)
        )
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


telemetry.install(PersistenceAdapter, PersistenceAdapter._guard)
