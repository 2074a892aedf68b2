"""The export and import callbacks of the enumeration group (contract 9.2).

A mixin of :class:`~jido_persistence.adapter.PersistenceAdapter`: both public callbacks
are final and run the guard; an export's iteration runs the guard's error mapping too,
so a backend failing in the middle of a stream raises StorageError, not the driver's
exception.  The hooks raise NotSupported unless a class implements the whole
enumeration group.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar, final

from jido_persistence._guard import CODEC_ERRORS, GuardedStore
from jido_persistence.errors import PersistenceError, StorageError, StoreClosed, redact_text
from jido_persistence.models import ImportReport
from jido_persistence.records import Record

T = TypeVar("T")


def _guarded_iteration(store: GuardedStore, name: str, records: Iterator[T]) -> Iterator[T]:
    """``records``, with the guard's error mapping applied while iterating."""
    try:
        for record in records:
            if store._closed:
                raise StoreClosed(f"{type(store).__name__} was closed during {name}()")
            yield record
    except PersistenceError:
        raise
    except store.backend_errors as error:
        raise StorageError(f"{name}() failed in the backend: {error}") from error
    except CODEC_ERRORS as error:
        raise StorageError(
            f"{name}() failed: {type(error).__name__}: {redact_text(str(error))}"
        ) from error
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


class InterchangeCallbacks(GuardedStore):
    """``export_records`` and ``import_records`` (part of the enumeration group)."""

    @final
    def export_records(self) -> Iterator[Record]:
        """Every record and key of the store, streamed in the documented order.

        The order, and what each record kind holds, are those of
        :mod:`jido_persistence.interchange` and :mod:`jido_persistence.records`; memory
        stays bounded independently of the store's size.  Raises StoreClosed and
        NotSupported when called; StorageError (the backend failing) while iterating.
        Consume or close the iterator on the thread that started it (in-process
        adapters hold their lock while it runs).  Optional: NotSupported.
        """
        return self._guard("export_records", self._guarded_export)

    @final
    def import_records(self, records: Iterable[Record]) -> ImportReport:
        """Write ``records`` (an export's) into this store, which must be empty.

        All or nothing, through the backend's bulk path; messages and threads are saved
        in the order given (so keys resolve as in the exported store).  Raises
        InvalidArgument when the store holds any record (nothing written) or for a value
        that is not a valid record (the store left empty), and whatever iterating
        ``records`` raises (the store left empty).  Optional: NotSupported.
        """
        return self._guard("import_records", self._import_records, records)

    @final
    def _guarded_export(self) -> Iterator[Record]:
        return _guarded_iteration(self, "export_records", self._export_records())

    def _export_records(self) -> Iterator[Record]:
        """Hook of :meth:`export_records` (default: NotSupported)."""
        raise self._unsupported("export_records")

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """Hook of :meth:`import_records` (default: NotSupported): ``records`` checked
        one by one as they are read (a bad one raises InvalidArgument then)."""
        raise self._unsupported("import_records")
