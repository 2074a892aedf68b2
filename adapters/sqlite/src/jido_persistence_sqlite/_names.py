"""The directory's name index: an FTS5 trigram index over the stored name folds.

``directory_search`` by name is the contract's literal substring test on the casefold
(``query.casefold() in name.casefold()``); ``name_fold`` holds the fold of each room's
and participant's name.  Schema version 3 indexes those folds with FTS5's ``trigram``
tokenizer (``case_sensitive 1``: the folds are matched as stored, SQLite folds
nothing), so a query of three characters or more is a phrase of its trigrams, which
would match exactly the folds holding it as a substring; but a phrase reads the whole
posting list of each of its trigrams, and common ones ("use" in every "User ...") are
as long as the directory.  So the search first counts, for each trigram of the query,
the folds holding it up to :data:`COUNT_CAP` (one statement; a capped count stops
early, where ``fts5vocab`` would read whole posting lists), and matches only the
:data:`CHOSEN_TRIGRAMS` rarest (every fold holding the query holds them, so nothing is
missed); ``instr`` then rechecks those few candidates, which makes the answer exact.
A trigram no fold holds answers at once: nothing matches.  A query shorter than three
characters has no trigram: it keeps the scan (``instr``), as does every query on a
SQLite built without FTS5 (see :func:`ensure_name_index`).

The FTS rows are keyed by ``name_rows.seq``, an ``INTEGER PRIMARY KEY`` (which
``VACUUM`` never renumbers, unlike the implicit rowids of ``rooms`` and
``participants``), and kept in step by triggers on both tables: whatever writes a
fold (a save, a delete, a cascade, the Unicode refresh of the folds) updates the index
in the same transaction.  The FTS table is contentless (``content=''``): it stores the
trigrams only, and a removal names the old fold (FTS5's ``'delete'`` command).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, Final

from jido_persistence.errors import ConfigurationError
from jido_persistence_sqlite._statements import DIRECTORY_NAME

__all__ = [
    "CHOSEN_TRIGRAMS",
    "MIN_INDEXED_LENGTH",
    "ensure_name_index",
    "fts_phrase",
    "has_fts5",
    "name_filter",
]

MIN_INDEXED_LENGTH: Final = 3
"""Queries shorter than this (in code points) have no trigram and scan."""

CHOSEN_TRIGRAMS: Final = 2
"""How many of the query's rarest trigrams the index is asked for."""

COUNT_CAP: Final = 32
"""Folds counted per trigram at most when choosing the rarest."""

_KINDS: Final = {"rooms": "room", "participants": "participant"}


def has_fts5(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 with the ``trigram`` tokenizer (SQLite 3.34+)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.jp_fts5_probe USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.jp_fts5_probe")
    return True


def _entry(kind: str, row: str) -> str:
    """SQL: add the fold of ``row`` (``new``) of ``kind`` to the index."""
    return (
        f"INSERT INTO name_rows (kind, id) SELECT '{kind}', {row}.id"
        f" WHERE {row}.name_fold IS NOT NULL;"
        " INSERT INTO name_trigrams (rowid, name_fold)"
        f" SELECT seq, {row}.name_fold FROM name_rows WHERE kind = '{kind}' AND id = {row}.id"
        f" AND {row}.name_fold IS NOT NULL;"
    )


def _removal(kind: str, row: str) -> str:
    """SQL: remove the fold of ``row`` (``old``) of ``kind`` from the index."""
    return (
        "INSERT INTO name_trigrams (name_trigrams, rowid, name_fold)"
        f" SELECT 'delete', seq, {row}.name_fold FROM name_rows"
        f" WHERE kind = '{kind}' AND id = {row}.id AND {row}.name_fold IS NOT NULL;"
        f" DELETE FROM name_rows WHERE kind = '{kind}' AND id = {row}.id;"
    )


def index_statements() -> list[str]:
    """The statements of schema version 3: the index, its triggers, and its filling
    from the folds already stored."""
    statements = [
        """CREATE TABLE name_rows (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        id TEXT COLLATE BINARY NOT NULL,
        UNIQUE (kind, id))""",
        "CREATE VIRTUAL TABLE name_trigrams USING fts5("
        "name_fold, content='', tokenize='trigram case_sensitive 1')",
    ]
    for table, kind in _KINDS.items():
        statements += [
            f"CREATE TRIGGER {table}_name_insert AFTER INSERT ON {table} BEGIN "
            + _entry(kind, "new")
            + " END",
            f"CREATE TRIGGER {table}_name_delete AFTER DELETE ON {table} BEGIN "
            + _removal(kind, "old")
            + " END",
            f"CREATE TRIGGER {table}_name_update AFTER UPDATE OF name_fold ON {table}"
            " WHEN old.name_fold IS NOT new.name_fold BEGIN "
            + _removal(kind, "old")
            + " "
            + _entry(kind, "new")
            + " END",
            f"INSERT INTO name_rows (kind, id) SELECT '{kind}', id FROM {table}"
            " WHERE name_fold IS NOT NULL ORDER BY id",
            "INSERT INTO name_trigrams (rowid, name_fold) SELECT n.seq, t.name_fold"
            f" FROM name_rows AS n JOIN {table} AS t ON t.id = n.id WHERE n.kind = '{kind}'",
        ]
    return statements


def ensure_name_index(conn: sqlite3.Connection) -> bool:
    """Whether the store has the name index, creating it (and filling it from the
    stored folds) when it is missing and this SQLite has FTS5's trigram tokenizer.

    Runs at every open, inside the open's transaction: a store first opened by a
    SQLite without FTS5 scans, and gains the index when a SQLite with it opens it.
    Raises ConfigurationError when the store has the index but this SQLite has no FTS5
    (its triggers could not run, so no room or participant could be written).
    """
    present = (
        conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'name_trigrams'").fetchone()
        is not None
    )
    available = has_fts5(conn)
    if present and not available:
        raise ConfigurationError(
            "this SQLite store has an FTS5 trigram index of directory names, and the "
            f"sqlite3 module's SQLite {sqlite3.sqlite_version} has no FTS5 trigram "
            "tokenizer (SQLite 3.34 or later built with FTS5 is needed to write it)"
        )
    if not present and available:
        for statement in index_statements():
            conn.execute(statement)
    return available


def fts_phrase(fold: str) -> str:
    """The FTS5 query matching ``fold`` as one phrase (quotes doubled, nothing special)."""
    return '"' + fold.replace('"', '""') + '"'


_INDEXED: Final = {
    kind: (
        # ``+n.kind``: look the matches up by seq, never scan every name of the kind.
        "id IN (SELECT n.id FROM name_rows AS n WHERE n.seq IN (SELECT rowid FROM"
        f" name_trigrams WHERE name_trigrams MATCH ?) AND +n.kind = '{kind}')"
    )
    for kind in _KINDS.values()
}


def _rarest(fold: str, counts: Callable[[list[str]], dict[str, int]]) -> list[str] | None:
    """The query's :data:`CHOSEN_TRIGRAMS` rarest trigrams, or ``None`` when one of them
    is in no fold (then nothing matches)."""
    trigrams = sorted({fold[start : start + 3] for start in range(len(fold) - 2)})
    found = counts(trigrams)
    if len(found) < len(trigrams):
        return None
    return sorted(trigrams, key=lambda trigram: (found[trigram], trigram))[:CHOSEN_TRIGRAMS]


_COUNT: Final = (
    "SELECT ?, (SELECT count(*) FROM (SELECT 1 FROM name_trigrams WHERE name_trigrams"
    f" MATCH ? LIMIT {COUNT_CAP}))"
)


def trigram_counts(
    read: Callable[[str, tuple[object, ...]], list[Any]],
) -> Callable[[list[str]], dict[str, int]]:
    """How many folds (at most :data:`COUNT_CAP`) hold each of some trigrams, read in
    one statement with ``read(query, params)``; a trigram in no fold is left out."""

    def counts(trigrams: list[str]) -> dict[str, int]:
        statement = " UNION ALL ".join([_COUNT] * len(trigrams))
        params = tuple(part for trigram in trigrams for part in (trigram, fts_phrase(trigram)))
        return {str(term): int(found) for term, found in read(statement, params) if found}

    return counts


def name_filter(
    kind: str, fold: str, counts: Callable[[list[str]], dict[str, int]] | None
) -> tuple[list[str], list[object]] | None:
    """The conditions and parameters matching the rows of ``kind`` whose fold holds
    ``fold``, or ``None`` when none can.  Through the index (``counts`` given: see
    :func:`trigram_counts`) when ``fold`` has a trigram, and always the literal
    ``instr`` test (on the index's candidates, the recheck)."""
    if counts is None or len(fold) < MIN_INDEXED_LENGTH:
        return [DIRECTORY_NAME], [fold]
    chosen = _rarest(fold, counts)
    if chosen is None:
        return None
    query = " AND ".join(fts_phrase(trigram) for trigram in chosen)
    return [_INDEXED[kind], DIRECTORY_NAME], [query, fold]
