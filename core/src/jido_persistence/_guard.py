"""The guard every public callback runs: closed check, argument check, hook, error mapping.

:class:`GuardedStore` is the root of :class:`~jido_persistence.adapter.PersistenceAdapter`
and of its callback mixins; the steps are listed in :mod:`jido_persistence.adapter`.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any, ClassVar, Final, TypeVar, final

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from jido_persistence._checks import key_as_given
from jido_persistence.callbacks import CALLBACKS, EXTENSIONS, Group
from jido_persistence.detach import detached
from jido_persistence.errors import (
    AmbiguousLookup,
    NotFound,
    NotSupported,
    PersistenceError,
    StorageError,
    StoreClosed,
    redact_text,
)

__all__ = ["CODEC_ERRORS", "GuardedStore"]

T = TypeVar("T")

_GUARDED: Final = {**CALLBACKS, **EXTENSIONS}

CODEC_ERRORS: Final[tuple[type[Exception], ...]] = (
    ValidationError,
    PydanticSerializationError,
    ValueError,
    TypeError,
    OverflowError,
    LookupError,
)
"""What a hook's decoding or encoding raises (pydantic, ``json``, a text codec, a
malformed stored row): the guard turns it into StorageError, so that no exception but
those of ``jido_persistence.errors`` leaves a callback (contract 9.0).  ``NotFound``
and ``AmbiguousLookup``, which are LookupErrors too, are re-raised before."""


# An ABC although it declares no abstract method: ABCMeta collects the mixins' abstract
# hooks only from bases that are ABCs themselves.
class GuardedStore(abc.ABC):  # noqa: B024
    """The guard and the state it reads; every callback mixin derives from it."""

    backend_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    """Exceptions of the backend library that callbacks turn into StorageError."""

    keeps_python_objects: ClassVar[bool] = False
    """True for a store that keeps the Python objects it is given and returns the ones it
    keeps (the memory and TinyDB adapters, the kit's example ``DictAdapter``): the guard
    then passes the hook a :func:`~jido_persistence.detach.detached` copy of each model
    or dict argument and hands the caller a detached copy of the result, so that a
    change made in place to the caller's dicts or lists (``room.metadata["x"] = 1``),
    before or after the call, never reaches the store.  O(size of the containers) per
    call; a store that encodes arguments and decodes results (every SQL adapter) leaves
    it False and pays nothing."""

    _groups: ClassVar[frozenset[Group]] = frozenset()
    _closed: bool = False

    @final
    def _guard(self, name: str, hook: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run callback ``name``: closed check, argument check, ``hook``, error mapping."""
        if self._closed:
            raise StoreClosed(f"{type(self).__name__} is closed: {name}() needs an open store")
        entry = _GUARDED[name]
        checked_args, checked_kwargs = entry.check(*args, **kwargs)
        if (
            entry.after_needs is not None
            and checked_kwargs["after"] is not None
            and entry.after_needs not in type(self)._groups
        ):
            raise NotSupported(f"{name}(after=)", type(self).__name__)
        originals = checked_args
        if self.keeps_python_objects:
            checked_args = tuple(map(detached, checked_args))
            checked_kwargs = {key: detached(value) for key, value in checked_kwargs.items()}
        try:
            result = hook(*checked_args, **checked_kwargs)
        except NotFound as error:
            given = key_as_given(entry.check, error.key, checked_args, args, kwargs)
            if given is not error.key:
                error.key = given
                error.args = (f"{error.entity} not found: {given!r}",)
            raise
        except AmbiguousLookup as error:
            error.query = key_as_given(entry.check, error.query, checked_args, args, kwargs)
            raise
        except PersistenceError:
            raise
        except self.backend_errors as error:
            raise StorageError(f"{name}() failed in the backend: {error}") from error
        except CODEC_ERRORS as error:
            # Contract 9.0: arguments are checked before the hook, so a pydantic or
            # codec error here comes from stored data or the backend's codec.
            raise StorageError(
                f"{name}() failed: {type(error).__name__}: {redact_text(str(error))}"
            ) from error
        if not self.keeps_python_objects:
            return result
        for before, after in zip(originals, checked_args, strict=True):
            if result is after:
                # A save answering the very copy it stored: the caller's own checked
                # argument is equal and shares no container with it (one copy, not two).
                return before  # type: ignore[no-any-return]
        return detached(result)

    def _unsupported(self, name: str) -> NotSupported:
        return NotSupported(name, type(self).__name__)
