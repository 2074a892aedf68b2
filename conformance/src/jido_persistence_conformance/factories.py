"""Store factories: how the kit creates, reopens and removes the stores it tests.

A :class:`StoreFactory` hands the kit fresh, empty stores and removes everything it
created afterwards, so the kit never touches data that existed before it ran.  Two
implementations cover the usual cases:

* :class:`UrlStoreFactory` opens stores through the registry from a URL template
  (``"tinydb:////{tmp}/store.json"``, ``"postgresql://localhost/test?schema={unique}"``)
  or a bare adapter name (``"tinydb"``), using the adapter's test hooks
  ``fresh_store_url`` and ``destroy_store`` (contract section 8).
* :class:`ClassStoreFactory` constructs an adapter class directly, for adapters that are
  not registered through an entry point (work in progress, test doubles).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from jido_persistence.adapter import PersistenceAdapter

__all__ = ["ClassStoreFactory", "StoreFactory", "UrlStoreFactory", "new_unique_name"]


def new_unique_name() -> str:
    """A fresh name usable as a file name, schema or database name: ``jp_`` + 16 hex digits."""
    return "jp_" + uuid.uuid4().hex[:16]


@runtime_checkable
class StoreFactory(Protocol):
    """Creates the stores the kit tests, and removes them afterwards."""

    def create(self) -> PersistenceAdapter:
        """Return a new, empty store at a location nothing else uses."""
        ...

    def reopen(self, store: PersistenceAdapter) -> PersistenceAdapter:
        """Return a new instance on the same location as ``store`` (already closed)."""
        ...

    def url_for(self, store: PersistenceAdapter) -> str | None:
        """A URL another process can pass to ``open_store`` to reach ``store``, or None."""
        ...

    def cleanup(self) -> None:
        """Remove every store this factory created (files, schemas, temporary dirs)."""
        ...


class UrlStoreFactory:
    """Opens stores with :func:`jido_persistence.open_store` from a URL template.

    ``url_template`` is a store URL in which ``{tmp}`` becomes a fresh temporary
    directory (inside ``tmp_path``) for every store and ``{unique}`` a fresh name
    (:func:`new_unique_name`), or a bare adapter name (``"tinydb"``), for which the
    adapter class's ``fresh_store_url(directory, unique)`` hook builds the URL.
    :meth:`reopen` opens the same resolved URL again; :meth:`cleanup` calls the
    adapter class's ``destroy_store(url)`` for every URL created and removes the
    temporary directories.

    Raises:
        ConfigurationError: (from :meth:`create`) the name or URL selects no
            installed adapter, or a bare name's adapter has no ``fresh_store_url``.
    """

    def __init__(self, url_template: str, tmp_path: Path | None = None) -> None:
        self.url_template = url_template
        self._base = Path(tmp_path) if tmp_path is not None else None
        self._owned_base: Path | None = None
        self._urls: dict[int, str] = {}
        self._created: list[str] = []
        self._directories: list[Path] = []

    def adapter_class(self) -> type[PersistenceAdapter]:
        """The adapter class the template selects (imports that adapter only)."""
        from jido_persistence.registry import select_adapter

        info, _ = select_adapter(self.url_template.replace("{tmp}", "tmp").replace("{unique}", "u"))
        return info.load()

    def _new_directory(self) -> Path:
        if self._base is None:
            self._owned_base = Path(tempfile.mkdtemp(prefix="jido_persistence_kit_"))
            self._base = self._owned_base
        directory = Path(tempfile.mkdtemp(prefix="store_", dir=self._base))
        self._directories.append(directory)
        return directory

    def resolve(self) -> str:
        """A new concrete URL for the template (creating its temporary directory)."""
        from jido_persistence.errors import ConfigurationError

        unique = new_unique_name()
        if ":" not in self.url_template:
            adapter = self.adapter_class()
            url = adapter.fresh_store_url(self._new_directory(), unique)
            if url is None:
                raise ConfigurationError(
                    f"adapter {self.url_template!r} offers no fresh_store_url() test hook; "
                    "pass a URL with {tmp} or {unique} instead"
                )
            return url
        url = self.url_template.replace("{unique}", unique)
        if "{tmp}" in url:
            # Strip the leading "/" so "tinydb:////{tmp}/x" stays an absolute path.
            url = url.replace("{tmp}", self._new_directory().as_posix().lstrip("/"))
        return url

    def create(self) -> PersistenceAdapter:
        """Open a new store on a freshly resolved URL."""
        from jido_persistence.registry import open_store

        url = self.resolve()
        self._created.append(url)
        store = open_store(url)
        self._urls[id(store)] = url
        return store

    def reopen(self, store: PersistenceAdapter) -> PersistenceAdapter:
        """Open the URL ``store`` was created from again."""
        from jido_persistence.registry import open_store

        url = self._urls[id(store)]
        again = open_store(url)
        self._urls[id(again)] = url
        return again

    def url_for(self, store: PersistenceAdapter) -> str | None:
        """The resolved URL of ``store``."""
        return self._urls.get(id(store))

    def cleanup(self) -> None:
        """Destroy every created store (adapter hook) and remove the temporary dirs."""
        if self._created:
            adapter = self.adapter_class()
            for url in self._created:
                adapter.destroy_store(url)
        self._created.clear()
        self._urls.clear()
        for directory in self._directories:
            shutil.rmtree(directory, ignore_errors=True)
        self._directories.clear()
        if self._owned_base is not None:
            shutil.rmtree(self._owned_base, ignore_errors=True)
            self._owned_base = None
            self._base = None

    def __repr__(self) -> str:
        from jido_persistence.errors import redact_url

        return f"UrlStoreFactory({redact_url(self.url_template)!r})"


class ClassStoreFactory:
    """Constructs ``adapter_cls(**options)`` directly: for adapters not registered.

    Every :meth:`create` is a new instance; :meth:`reopen` returns a NEW instance built
    with the same options (which, for an in-memory adapter, is an empty store: such
    adapters do not declare ``durable``, so the kit does not reopen them).
    :meth:`url_for` returns None, so tests needing another process are skipped.
    """

    def __init__(self, adapter_cls: type[PersistenceAdapter], **options: Any) -> None:
        self.adapter_cls = adapter_cls
        self.options = options

    def adapter_class(self) -> type[PersistenceAdapter]:
        """The adapter class this factory builds."""
        return self.adapter_cls

    def create(self) -> PersistenceAdapter:
        """A new instance."""
        return self.adapter_cls(**self.options)

    def reopen(self, store: PersistenceAdapter) -> PersistenceAdapter:
        """A new instance with the same options."""
        return self.adapter_cls(**self.options)

    def url_for(self, store: PersistenceAdapter) -> str | None:
        """Always None: the class is not reachable by URL."""
        return None

    def cleanup(self) -> None:
        """Nothing to remove."""

    def __repr__(self) -> str:
        return f"ClassStoreFactory({self.adapter_cls.__qualname__})"
