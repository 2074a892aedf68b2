"""The core's own plugin: registers the in-memory reference adapter ``memory``.

Declared as the entry point ``memory = "jido_persistence.plugin"`` in the group
``jido_persistence``, exactly as a third-party adapter would be.
"""

from __future__ import annotations

from jido_persistence.hookspecs import RegisterAdapter, hookimpl

__all__ = ["jido_persistence_register_adapters"]


@hookimpl
def jido_persistence_register_adapters(register: RegisterAdapter) -> None:
    """Register ``memory`` (URL ``memory://``): one isolated, non-durable store per instance."""
    register(
        "memory",
        "jido_persistence.memory:MemoryAdapter",
        schemes=["memory"],
        description="In-memory reference adapter: one isolated store per instance, not durable.",
    )
