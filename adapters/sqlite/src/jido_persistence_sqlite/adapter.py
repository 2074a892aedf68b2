"""``SQLiteAdapter``: the persistence contract on one SQLite file (standard library ``sqlite3``).

The callbacks, export and import included, are core's SQL toolkit (``SqlRecords``,
``SqlInterchange``) over this adapter's statements (``_statements``) and schema
(``_schema``); connections, transactions and retries are ``_database``'s (see the README).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from jido_persistence.ngrams import NGRAM, rarest_ngrams
from jido_persistence.sqlkit_interchange import SqlInterchange
from jido_persistence.sqlkit_records import SqlRecords
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._base import SQLiteBase

__all__ = ["SQLiteAdapter"]

T = TypeVar("T")


class SQLiteAdapter(SqlRecords, SqlInterchange, SQLiteBase):
    """A store in one SQLite file; durable, shared by several processes of one machine.

    Construct with the options of :class:`~jido_persistence_sqlite.SQLiteOptions`
    (``path``, ``synchronous``, ``busy_timeout``, ``mmap_size``) or open
    ``sqlite:///chat.sqlite3``.  Creates the file (mode 0600) and its tables on first open.
    """

    _sql = sql.STATEMENTS
    _sql_interchange = sql.INTERCHANGE
    sql_no_limit = -1

    def _sql_snapshot(self, work: Callable[[Any], T]) -> T:
        return self._db.snapshot(work)

    def _sql_name_filter(self, target: str, fold: str) -> tuple[list[str], list[object]] | None:
        """Through the FTS5 trigram index (its rarest trigrams, ``instr`` rechecking the
        candidates) when the store has it and ``fold`` has a trigram; else ``instr``."""
        if not self._db.name_index or len(fold) < NGRAM:
            return [sql.DIRECTORY_NAME], [fold]
        chosen = rarest_ngrams(fold, self._trigram_counts, sql.CHOSEN_TRIGRAMS)
        if chosen is None:
            return None
        query = " AND ".join(sql.fts_phrase(trigram) for trigram in chosen)
        return [sql.DIRECTORY_INDEXED[target], sql.DIRECTORY_NAME], [query, fold]

    def _trigram_counts(self, trigrams: list[str]) -> dict[str, int]:
        statement = " UNION ALL ".join([sql.TRIGRAM_COUNT] * len(trigrams))
        params = tuple(part for gram in trigrams for part in (gram, sql.fts_phrase(gram)))
        return {str(gram): int(found) for gram, found in self._db.all(statement, params) if found}
