"""Plugin module of ``jido-persistence-tinydb``: registers the ``tinydb`` adapter.

Only a string reference is registered, so listing adapters does not import tinydb.
"""

from __future__ import annotations

from jido_persistence.hookspecs import RegisterAdapter, hookimpl

__all__ = ["jido_persistence_register_adapters"]


@hookimpl
def jido_persistence_register_adapters(register: RegisterAdapter) -> None:
    """Register ``tinydb`` (URL ``tinydb:///chat.json``)."""
    register(
        "tinydb",
        "jido_persistence_tinydb.adapter:TinyDBAdapter",
        schemes=["tinydb"],
        description="TinyDB: a durable, journaled JSON file (the embedded default).",
    )
