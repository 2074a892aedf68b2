"""Schema names in SQL text: quoted by :class:`psycopg.sql.Identifier`, and safe with ``%s``.

A schema may be any identifier PostgreSQL accepts, ``%`` and ``{`` included.
``sql.Identifier`` quotes it, but psycopg then reads a ``%`` inside the quotes as the
start of a placeholder in any statement that takes parameters ("the query has 2
placeholders"), and neither psycopg 2 nor 3 doubles it (psycopg/psycopg2#825).
:class:`ParameterSafe` is the identifier with ``%`` doubled, for statements executed
with parameters (psycopg turns ``%%`` back into ``%`` there); statements executed
without parameters use ``sql.Identifier`` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psycopg import sql

if TYPE_CHECKING:
    from psycopg.abc import AdaptContext

__all__ = ["ParameterSafe", "schema_for_parameters"]


class ParameterSafe(sql.Composable):
    """A composable (an :class:`~psycopg.sql.Identifier`) with every ``%`` doubled."""

    def __init__(self, inner: sql.Composable) -> None:
        """Wrap ``inner``; its text is rendered by psycopg, then ``%`` is doubled."""
        super().__init__(inner)
        self._inner = inner

    def as_bytes(self, context: AdaptContext | None = None) -> bytes:
        """The inner composable's bytes with ``%`` doubled."""
        return bytes(self._inner.as_bytes(context)).replace(b"%", b"%%")


def schema_for_parameters(schema: str) -> str:
    """``schema`` quoted by ``sql.Identifier``, ``%`` doubled: for statements with parameters."""
    return ParameterSafe(sql.Identifier(schema)).as_string()
