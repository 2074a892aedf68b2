"""Store URLs: ``scheme[+driver]://[netloc]/path?option=value`` (contract section 7).

The form follows SQLAlchemy: a relative path comes after ``scheme:///``
(``tinydb:///chat.json`` is ``chat.json`` in the working directory) and an
absolute path after ``scheme:////`` (``tinydb:////var/lib/chat.json``), that is,
exactly one leading ``/`` is removed from the path of a URL that has an authority
part (``//``).  ``duckdb:///:memory:`` has the path ``:memory:`` and ``memory://``
has the empty path.  Query-string parameters become adapter options.

This module must not import :mod:`jido_persistence.adapter`, which imports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Self
from urllib.parse import parse_qsl, quote, unquote, urlencode

from jido_persistence.errors import ConfigurationError, redact_url

__all__ = ["StoreUrl", "file_url_with_host"]

# RFC 3986, section 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")

# Characters left as they are when a path is written back into a URL; ":" keeps
# ``:memory:`` readable.
_PATH_SAFE: Final = "/:@!$&'()*,;=~"


@dataclass(frozen=True)
class StoreUrl:
    """A parsed store URL.

    Two URLs that mean the same store compare equal even when written
    differently (``raw`` is not compared).  Build one with :meth:`parse`.

    Attributes:
        scheme: the part of the scheme before ``+``, lower-cased; it selects the
            adapter (``"postgresql"`` for ``postgresql+psycopg://...``).
        driver: the part after ``+``, or ``None``.
        netloc: the authority (``user:password@host:port``) as written, or ``""``.
        path: the percent-decoded path with exactly one leading ``/`` removed when
            the URL has an authority part (``""`` when there is no path).
        query: the query-string parameters, percent-decoded.
        raw: the URL exactly as given.  It may hold a password: show
            :attr:`redacted` instead.
    """

    scheme: str
    driver: str | None
    netloc: str
    path: str
    query: dict[str, str] = field(default_factory=dict, hash=False)
    raw: str = field(default="", compare=False)

    @classmethod
    def parse(cls, target: str) -> Self:
        """Parse ``target`` as a store URL.

        Raises:
            ConfigurationError: ``target`` is not a URL (no valid scheme before
                ``:``), has a fragment (``#``; write ``%23`` in a file name),
                repeats a query parameter, or is not a ``str``.  The message shows
                the URL with its password redacted.

        O(len(target)).
        """
        if not isinstance(target, str):
            raise ConfigurationError(f"a store URL must be a str, not {type(target).__name__}")
        shown = redact_url(target)
        scheme_text, colon, rest = target.partition(":")
        if not colon or not _SCHEME.fullmatch(scheme_text):
            raise ConfigurationError(
                f"{shown!r} is not a store URL: expected 'scheme://...' "
                "such as 'tinydb:///chat.json' or 'memory://'"
            )
        if "#" in rest:
            raise ConfigurationError(
                f"{shown!r}: a store URL has no fragment; write '#' in a path as '%23'"
            )
        if rest.startswith("//") and _unencoded_userinfo(rest[2:]):
            raise ConfigurationError(
                f"{shown!r}: the user name or password holds an unencoded '@', '/', '?' "
                "or '#'; percent-encode them ('@' as %40, '/' as %2F, '?' as %3F, "
                "'#' as %23)"
            )
        scheme, plus, driver = scheme_text.lower().partition("+")
        rest, _, query_text = rest.partition("?")
        netloc = ""
        if rest.startswith("//"):
            netloc, slash, path = rest[2:].partition("/")
            # With an authority part the path is "/relative" or "//absolute".
            path = path if slash else ""
        else:
            path = rest
        return cls(
            scheme=scheme,
            driver=driver if plus else None,
            netloc=netloc,
            path=unquote(path),
            query=_parse_query(query_text, shown),
            raw=target,
        )

    @property
    def redacted(self) -> str:
        """The URL as given, with its password replaced by ``***``."""
        return redact_url(self.raw or self.geturl())

    @property
    def full_scheme(self) -> str:
        """``scheme+driver`` when a driver was given, else ``scheme``."""
        return f"{self.scheme}+{self.driver}" if self.driver else self.scheme

    def geturl(self) -> str:
        """Write the URL back in its canonical form; :meth:`parse` of it gives an equal URL.

        The path is percent-encoded where needed; a URL without a path and
        without an authority part is written ``scheme://``.
        """
        url = f"{self.full_scheme}://{self.netloc}"
        if self.path:
            url += "/" + quote(self.path, safe=_PATH_SAFE)
        if self.query:
            url += "?" + urlencode(self.query, quote_via=quote)
        return url

    def __str__(self) -> str:
        """The redacted URL, so that printing a ``StoreUrl`` never shows a password."""
        return self.redacted


def file_url_with_host(url: StoreUrl) -> str:
    """The message for a file store URL with a host part, such as ``tinydb://chat.json``.

    Two slashes start a host name, so ``chat.json`` was read as a host; a file needs
    three slashes (relative to the working directory) or four (an absolute path).
    """
    scheme = url.full_scheme
    rest = url.netloc + (f"/{quote(url.path, safe=_PATH_SAFE)}" if url.path else "")
    return (
        f"{url.redacted!r}: {url.netloc!r} was read as a host name (after two slashes), "
        f"but {scheme} stores are files: write {scheme}:///{rest} for a path relative to "
        f"the working directory (three slashes) or {scheme}:////path/to/{rest} for an "
        "absolute one (four)"
    )


def _unencoded_userinfo(after_slashes: str) -> bool:
    """Whether ``user:password@`` holds a raw ``@``, ``/``, ``?`` or ``#``.

    The user info ends at the last ``@``; it is malformed when a ``:`` in it is
    followed by something other than a port and then ``/``, ``?``, ``#`` or another
    ``@`` (``u:se/cret@h``, ``u:se@cret@h``), which a parser would split elsewhere.
    """
    userinfo, at, _ = after_slashes.rpartition("@")
    if not at or ":" not in userinfo:
        return False
    _, _, secret = userinfo.partition(":")
    cut = min((secret.find(mark) for mark in "/?#@" if mark in secret), default=-1)
    return cut >= 0 and not secret[:cut].isdigit()


def _parse_query(query_text: str, shown: str) -> dict[str, str]:
    query: dict[str, str] = {}
    for key, value in parse_qsl(query_text, keep_blank_values=True):
        if key in query:
            raise ConfigurationError(f"{shown!r}: the option {key!r} is given twice")
        query[key] = value
    return query
