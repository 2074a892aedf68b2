"""The store's files are readable by their owner only (0600): they hold credentials.

DuckDB creates the database file and its write-ahead log itself, with mode 0666 less
the process umask (0644 under the usual 022), and deletes the log at every checkpoint
and creates it again at the next write.  So:

- the database file is created while the umask also masks group and other bits
  (:func:`private_umask`, process-wide for that moment, under a lock, so concurrent
  opens restore it correctly; a file another thread creates at that very moment is
  private too, never more open);
- before every write, under the store's write lock, a missing log is created empty,
  exclusively, 0600 and without following links (:func:`ensure_private_wal`); DuckDB
  accepts an empty log and keeps its mode.

Files that already exist keep the mode they have.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = ["ensure_private_wal", "private_umask", "wal_path"]

_PRIVATE: Final = 0o077
_FLAGS: Final = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_guard = threading.Lock()
_depth = 0
_saved = 0


@contextmanager
def private_umask() -> Iterator[None]:
    """Inside the block, files this process creates get no group or other bits."""
    global _depth, _saved
    with _guard:
        if _depth == 0:
            _saved = os.umask(_PRIVATE)
            os.umask(_saved | _PRIVATE)
        _depth += 1
    try:
        yield
    finally:
        with _guard:
            _depth -= 1
            if _depth == 0:
                os.umask(_saved)


def wal_path(location: str) -> str | None:
    """The write-ahead log of the database at ``location`` (None for ``:memory:``)."""
    return None if location.startswith(":memory:") else location + ".wal"


def ensure_private_wal(wal: str | None) -> bool:
    """Create ``wal`` empty and 0600 when it does not exist; never follows a link. O(1).

    Returns whether it created the file.
    """
    if wal is None or os.path.lexists(wal):
        return False
    try:
        os.close(os.open(wal, _FLAGS, 0o600))
    except FileExistsError:
        return False
    return True
