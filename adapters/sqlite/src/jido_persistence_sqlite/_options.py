"""The SQLite adapter's options (``sqlite:///chat.sqlite3?synchronous=normal`` or keywords);
what relaxing each one risks is written next to it."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import Field, field_validator

from jido_persistence.adapter import AdapterOptions

__all__ = ["DEFAULT_PATH", "SQLiteOptions"]

DEFAULT_PATH: Final = "jido_persistence.sqlite3"
"""The database file when no ``path`` is given (relative to the working directory)."""


class SQLiteOptions(AdapterOptions):
    """Options of :class:`~jido_persistence_sqlite.SQLiteAdapter`.

    Every value may come from the store URL (``path``) and its query string (as a
    string) or as a keyword argument of ``open_store``.
    """

    path: str = DEFAULT_PATH
    """The database file; created (mode 0600) with its tables when missing.  ``:memory:``
    is refused: every thread has its own connection, and each would see a database of
    its own."""

    synchronous: Literal["full", "normal"] = "full"
    """``full`` (default): every commit is fsynced before the callback returns, so an
    acknowledged write survives a power cut.  ``normal``: commits are fsynced only at
    WAL checkpoints; several times faster writes, and an acknowledged write still
    survives a crash or SIGKILL of the process, but a power cut or operating-system
    crash may roll back the most recent commits (never corrupting the file)."""

    busy_timeout: float = Field(default=5.0, gt=0, le=3600)
    """Seconds a call waits for another connection's write lock (another process, or a
    long transaction) before it raises StorageError."""

    mmap_size: int = Field(default=256 * 2**20, ge=0, le=2**40)
    """Bytes of the file SQLite reads through a memory map (``0``: none).  Reads of a large
    store then cost no ``read()`` per page (random lookups in 100k messages: about 1.5x
    the time at 1k instead of 2x).  The risk: an I/O error on the file while mapped (a
    failing disk, a file truncated by another program) ends the process with SIGBUS
    instead of raising StorageError; set ``0`` where that matters more."""

    @field_validator("path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        if not value:
            raise ValueError("the database path must not be empty")
        if value == ":memory:" or value.startswith(("file::memory:", ":memory:")):
            raise ValueError(
                "an in-memory SQLite database (:memory:) cannot be shared by the "
                "adapter's per-thread connections; use the memory adapter ('memory://') "
                "for a store that lives in memory, or give a file path"
            )
        if "\x00" in value:
            raise ValueError("the database path must not contain U+0000")
        return value
