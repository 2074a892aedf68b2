"""The PostgreSQL adapter's options, and how a store URL becomes them.

``postgresql://bot:secret@db:5432/chat?schema=bot&sslmode=require`` gives the options
``schema="bot"`` and ``conninfo="postgresql://bot:secret@db:5432/chat?sslmode=require"``:
query parameters named like an option are the adapter's, every other one stays in the
libpq URL.  The conninfo may hold a password, so it is never shown: the options'
``repr`` leaves it out and :func:`redacted_conninfo` masks it.
"""

from __future__ import annotations

import warnings
from typing import Final, Self
from urllib.parse import quote, urlencode

import psycopg.conninfo
from pydantic import Field, field_validator, model_validator

from jido_persistence.adapter import AdapterOptions
from jido_persistence.errors import ConfigurationError, redact_text
from jido_persistence.urls import StoreUrl

__all__ = [
    "DEFAULT_SCHEMA",
    "MAX_IDENTIFIER_BYTES",
    "PostgresOptions",
    "conninfo_password",
    "options_from_url",
    "redacted_conninfo",
    "with_schema",
]

DEFAULT_SCHEMA: Final = "jido_persistence"
"""The schema a store lives in when the ``schema`` option is not given."""

MAX_IDENTIFIER_BYTES: Final = 63
"""PostgreSQL's identifier limit (NAMEDATALEN - 1); longer names would be truncated."""


# ``schema`` is the contract's option name; it shadows pydantic's deprecated
# ``BaseModel.schema()`` classmethod, which this model does not need.
warnings.filterwarnings("ignore", message='Field name "schema"', category=UserWarning)


class PostgresOptions(AdapterOptions):
    """Options of :class:`~jido_persistence_postgres.PostgresAdapter`.

    Every value may come from the store URL's query string (as a string) or as a
    keyword argument of ``open_store``.
    """

    conninfo: str = Field(default="", repr=False)
    """The libpq connection string or URL (``""``: libpq defaults and ``PG*`` variables).

    Never shown in a ``repr`` or error: it may hold a password."""

    schema: str = DEFAULT_SCHEMA  # type: ignore[assignment]
    """The PostgreSQL schema that holds the store's tables (one store per schema)."""

    min_size: int = Field(default=1, ge=0)
    """Connections the pool keeps open."""

    max_size: int = Field(default=8, ge=1)
    """Most connections the pool opens (one per concurrently running callback)."""

    connect_timeout: float = Field(default=10.0, gt=0)
    """Seconds to wait for a new connection (and for a free one from the pool)."""

    statement_timeout: float = Field(default=30.0, gt=0)
    """Seconds after which the server cancels a statement (then StorageError)."""

    retries: int = Field(default=8, ge=0)
    """How often a transaction that hit a serialization failure or deadlock is retried."""

    prepared_statements: bool = True
    """Prepare every statement on first use; turn off behind a transaction-mode pooler
    (PgBouncer before 1.21) that cannot keep server-side prepared statements."""

    pool_min: int = Field(default=1, ge=0)
    """The native async store's pool (``open_async_store``): connections kept open."""

    pool_max: int = Field(default=8, ge=1)
    """The native async store's pool: most connections (one per running callback or
    open ``transaction()`` block; further calls wait for one)."""

    pool_timeout: float | None = Field(default=None, gt=0)
    """The native async store's pool: seconds a call waits for a free connection, then
    StorageError (``None``: ``connect_timeout + statement_timeout``)."""

    @field_validator("schema")
    @classmethod
    def _check_schema(cls, value: str) -> str:
        if not value:
            raise ValueError("the schema name must not be empty")
        if "\x00" in value:
            raise ValueError("the schema name must not contain U+0000")
        try:
            size = len(value.encode("utf-8"))
        except UnicodeEncodeError:
            raise ValueError("the schema name must be valid UTF-8 text") from None
        if size > MAX_IDENTIFIER_BYTES:
            raise ValueError(
                f"the schema name {value!r} is {size} bytes long; PostgreSQL identifiers "
                f"hold at most {MAX_IDENTIFIER_BYTES} bytes (a longer one would be truncated)"
            )
        if value.lower().startswith("pg_"):
            raise ValueError("schema names starting with 'pg_' are reserved by PostgreSQL")
        return value

    @model_validator(mode="after")
    def _check_sizes(self) -> Self:
        if self.min_size > self.max_size:
            raise ValueError(f"min_size {self.min_size} exceeds max_size {self.max_size}")
        if self.pool_min > self.pool_max:
            raise ValueError(f"pool_min {self.pool_min} exceeds pool_max {self.pool_max}")
        return self

    def __repr__(self) -> str:
        return (
            f"PostgresOptions(conninfo={redacted_conninfo(self.conninfo)!r}, "
            f"schema={self.schema!r}, min_size={self.min_size}, max_size={self.max_size}, "
            f"connect_timeout={self.connect_timeout}, "
            f"statement_timeout={self.statement_timeout}, retries={self.retries}, "
            f"prepared_statements={self.prepared_statements}, pool_min={self.pool_min}, "
            f"pool_max={self.pool_max}, pool_timeout={self.pool_timeout})"
        )

    __str__ = __repr__


_OPTION_NAMES: Final = frozenset(
    {
        "schema",
        "min_size",
        "max_size",
        "connect_timeout",
        "statement_timeout",
        "retries",
        "prepared_statements",
        "pool_min",
        "pool_max",
        "pool_timeout",
    }
)


def options_from_url(url: StoreUrl) -> dict[str, object]:
    """Split a ``postgresql://`` store URL into adapter options and the libpq URL.

    Query parameters named like an option (``schema``, ``min_size``, ``max_size``,
    ``connect_timeout``, ``statement_timeout``, ``retries``, ``prepared_statements``,
    ``pool_min``, ``pool_max``, ``pool_timeout``)
    become options; the others
    (``sslmode``, ``application_name``, ...) stay in ``conninfo``.  The ``+driver`` part
    of the scheme is dropped.
    """
    options: dict[str, object] = {
        key: value for key, value in url.query.items() if key in _OPTION_NAMES
    }
    libpq_query = {key: value for key, value in url.query.items() if key not in _OPTION_NAMES}
    conninfo = f"{url.scheme}://{url.netloc}"
    if url.path:
        conninfo += "/" + quote(url.path, safe="")
    if libpq_query:
        conninfo += "?" + urlencode(libpq_query, quote_via=quote)
    options["conninfo"] = conninfo
    return options


def with_schema(url: str, schema: str) -> str:
    """``url`` with its ``schema`` query parameter set to ``schema`` (others kept)."""
    parsed = StoreUrl.parse(url)
    query = {**parsed.query, "schema": schema}
    base = url.split("?", 1)[0]
    return base + "?" + urlencode(query, quote_via=quote)


def conninfo_password(conninfo: str) -> str | None:
    """The password held by ``conninfo``, if any (to mask it in messages)."""
    if not conninfo:
        return None
    try:
        return psycopg.conninfo.conninfo_to_dict(conninfo).get("password")  # type: ignore[return-value]
    except psycopg.Error:
        return None


def redacted_conninfo(conninfo: str) -> str:
    """``conninfo`` with any password masked as ``***``."""
    return mask_password(redact_text(conninfo), conninfo)


def mask_password(text: str, conninfo: str) -> str:
    """``text`` with every URL password, ``password=`` pair and the conninfo's password masked."""
    text = redact_text(text)
    password = conninfo_password(conninfo)
    if password:
        text = text.replace(password, "***")
        text = text.replace(quote(password, safe=""), "***")
    return text


def check_conninfo(conninfo: str) -> None:
    """Raise ConfigurationError (without the password) when libpq cannot parse ``conninfo``."""
    try:
        psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.Error as error:
        raise ConfigurationError(
            f"invalid PostgreSQL conninfo {redacted_conninfo(conninfo)!r}: "
            f"{mask_password(str(error), conninfo)}"
        ) from None
