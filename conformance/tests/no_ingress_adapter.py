"""A complete adapter WITHOUT the optional ingress trio, delegating to MemoryAdapter.

A subclass of MemoryAdapter cannot drop the trio, so this class forwards every
required hook to an inner MemoryAdapter's; its ingress callbacks are the base
class's defaults, which raise NotSupported.  Used to check the kit's skip reasons and
``--persistence-strict``.
"""

from __future__ import annotations

from typing import Any

from jido_persistence.adapter import PersistenceAdapter, RawIndex
from jido_persistence.callbacks import CALLBACKS
from jido_persistence.memory import MemoryAdapter


def _forward(hook: str) -> Any:
    def forwarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.inner, hook)(*args, **kwargs)

    forwarded.__name__ = forwarded.__qualname__ = hook
    return forwarded


def _raw_index(self: Any) -> RawIndex:
    return self.inner.raw_index()  # type: ignore[no-any-return]


def _init(self: Any, **options: object) -> None:
    self.options = self.Options.parse(options)
    self.inner = MemoryAdapter()


def _close(self: Any) -> None:
    self.inner.close()
    PersistenceAdapter.close(self)


NoIngressAdapter: type[PersistenceAdapter] = type(
    "NoIngressAdapter",
    (PersistenceAdapter,),
    {
        "__doc__": "MemoryAdapter's behaviour without the optional ingress callbacks.",
        "__module__": __name__,
        "__init__": _init,
        "close": _close,
        "raw_index": _raw_index,
        **{entry.hook: _forward(entry.hook) for entry in CALLBACKS.values() if entry.abstract},
    },
)
