"""The process lock: one open store per file, held from construction to ``close()``.

An exclusive, non-blocking ``flock`` on ``path + ".lock"`` (mode 0600) holding the
owner's pid.  ``flock`` belongs to an open file description, so a second instance in
the same process conflicts too, as another process does; the lock dies with its
process (a SIGKILLed owner leaves no stale lock).  POSIX only.
"""

from __future__ import annotations

import fcntl
import os
import weakref
from pathlib import Path
from typing import Final

from jido_persistence.errors import StoreLocked

__all__ = ["ProcessLock"]

_FLAGS: Final = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)


class ProcessLock:
    """The held lock of one store; :meth:`release` is idempotent."""

    def __init__(self, lock_path: Path, store_path: Path) -> None:
        """Take the lock or raise StoreLocked naming the store file and the holder's pid."""
        self.path = lock_path
        fd = os.open(lock_path, _FLAGS, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            owner = "this process" if holder == str(os.getpid()) else "process"
            raise StoreLocked(
                f"{store_path} is in use by {owner} {holder or '(pid unknown)'} "
                f"(lock file {lock_path}); the TinyDB adapter allows one open store per file"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            os.close(fd)
            raise
        # A store dropped without close() releases its lock when collected.
        self._release = weakref.finalize(self, os.close, fd)

    def release(self) -> None:
        """Release the lock (closing the descriptor releases the flock); idempotent."""
        self._release()


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
