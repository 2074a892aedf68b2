"""The callback table: every callback of the contract, once, with what each consumer needs.

Adapter-author toolkit.  :data:`CALLBACKS` is the one list of the contract's callbacks;
everything else that needs "every callback" derives from it and keeps no copy:

- the guard of :class:`~jido_persistence.adapter.PersistenceAdapter` runs
  :attr:`Callback.check` on the caller's arguments before it calls the adapter's
  protected hook :attr:`Callback.hook` (``_save_room`` for ``save_room``);
- the abstract hooks are those of the :attr:`Group.REQUIRED` callbacks without a base
  implementation (:attr:`Callback.base_default`); an optional group's hooks default
  to raising :class:`~jido_persistence.errors.NotSupported`;
- a class implements an optional group's hooks all or none (``TypeError`` at class
  definition, ``ConfigurationError`` at registration, both naming the missing hooks),
  and the group's capability flag (:data:`GROUP_FLAGS`) is true exactly when it
  implements them;
- :class:`~jido_persistence.aio.AsyncStore` offers one coroutine per entry;
- the conformance kit keeps one valid call per entry and fails when one is missing.

Adding a callback is an entry here, its public method and hook on
``PersistenceAdapter``, its argument check in ``_checks`` and the kit's call; see
``docs/adding-a-callback.md``.  Adding a group is a :class:`Group` member, its flag in
:data:`GROUP_FLAGS` and a field of :class:`~jido_persistence.models.Capabilities`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from jido_persistence import _checks

__all__ = [
    "CALLBACKS",
    "EXTENSIONS",
    "GROUP_FLAGS",
    "OPTIONAL_GROUPS",
    "Callback",
    "Check",
    "Group",
    "callbacks_in",
]

Check = Callable[..., tuple[tuple[Any, ...], dict[str, Any]]]
"""An argument check: the callback's own signature, returning ``(args, kwargs)`` normalised."""


class Group(StrEnum):
    """Which callbacks go together: the required core, or an optional group (all or none)."""

    REQUIRED = "required"
    """Required of every adapter (contract sections 4 and 9.0)."""
    INGRESS = "ingress"
    """Ingress subscriptions (contract section 4), flag ``ingress_subscriptions``."""
    INGEST = "ingest"
    """Idempotent ingestion (contract 9.1), flag ``ingest``."""
    ENUMERATION = "enumeration"
    """Keyset enumeration, export and import (contract 9.2), flag ``enumeration``."""
    RETENTION = "retention"
    """Retention and erasure (contract 9.3), flag ``retention``."""
    TRANSACTIONS = "transactions"
    """``transaction()`` blocks (contract 9.4), flag ``transactions``."""


GROUP_FLAGS: Final[Mapping[Group, str]] = MappingProxyType(
    {
        Group.INGRESS: "ingress_subscriptions",
        Group.INGEST: "ingest",
        Group.ENUMERATION: "enumeration",
        Group.RETENTION: "retention",
        Group.TRANSACTIONS: "transactions",
    }
)
"""The :class:`~jido_persistence.models.Capabilities` field of each optional group."""

OPTIONAL_GROUPS: Final[tuple[Group, ...]] = tuple(GROUP_FLAGS)
"""Every optional group, in table order."""


@dataclass(frozen=True, slots=True)
class Callback:
    """One callback of the contract.

    ``check`` validates and normalises the caller's arguments (ints in external-id
    positions become ``str``, ``attrs=None`` becomes ``{}``, targets and statuses
    become enums, directory queries become
    :class:`~jido_persistence.validation.DirectoryQuery`) and raises the contract's
    typed errors; ``writes`` says whether the callback may change the store;
    ``base_default`` that ``PersistenceAdapter`` implements the hook itself on top of
    other hooks (adapters may override it); ``after_needs`` names the group whose
    flag an ``after=`` cursor needs (without it the base raises NotSupported);
    ``block`` that the callback returns a context manager scoping the calls made inside
    it (``transaction``: the guard runs when it is called, the block when it is
    entered; the async store offers it as an async context manager, not a coroutine);
    ``stream`` that it returns an iterator (``export_records``: the guard runs when it
    is called and maps the errors raised while iterating; the async store offers it as
    an async iterator).
    ``group`` is ``None`` for an :data:`EXTENSIONS` entry (guarded, not in the contract).
    """

    name: str
    group: Group | None
    check: Check
    writes: bool
    base_default: bool = False
    after_needs: Group | None = None
    block: bool = False
    stream: bool = False

    @property
    def hook(self) -> str:
        """The protected method adapters implement: ``"_" + name``."""
        return "_" + self.name

    @property
    def abstract(self) -> bool:
        """Whether every adapter must implement the hook (required, no base default)."""
        return self.group is Group.REQUIRED and not self.base_default


_R, _W = False, True
_REQ = Group.REQUIRED

CALLBACKS: Final[Mapping[str, Callback]] = MappingProxyType(
    {
        entry.name: entry
        for entry in (
            Callback("save_room", _REQ, _checks.save_room, _W),
            Callback("get_room", _REQ, _checks.by_id("room_id"), _R),
            Callback("delete_room", _REQ, _checks.by_id("room_id"), _W),
            Callback("list_rooms", _REQ, _checks.list_rooms, _R, after_needs=Group.ENUMERATION),
            Callback("save_participant", _REQ, _checks.save_participant, _W),
            Callback("get_participant", _REQ, _checks.by_id("participant_id"), _R),
            Callback("delete_participant", _REQ, _checks.by_id("participant_id"), _W),
            Callback("save_message", _REQ, _checks.save_message, _W),
            Callback("get_message", _REQ, _checks.by_id("message_id"), _R),
            Callback("get_messages", _REQ, _checks.get_messages, _R),
            Callback("delete_message", _REQ, _checks.by_id("message_id"), _W),
            Callback("save_thread", _REQ, _checks.save_thread, _W),
            Callback("get_thread", _REQ, _checks.by_id("thread_id"), _R),
            Callback("get_thread_by_external_id", _REQ, _checks.thread_external_key, _R),
            Callback("get_thread_by_root_message", _REQ, _checks.thread_root_key, _R),
            Callback("list_threads", _REQ, _checks.list_threads, _R, after_needs=Group.ENUMERATION),
            Callback(
                "get_or_create_room_by_external_binding", _REQ, _checks.get_or_create_room, _W
            ),
            Callback(
                "get_or_create_participant_by_external_id",
                _REQ,
                _checks.get_or_create_participant,
                _W,
            ),
            Callback("get_message_by_external_id", _REQ, _checks.room_key, _R),
            Callback("update_message_external_id", _REQ, _checks.update_message_external_id, _W),
            Callback("get_room_by_external_binding", _REQ, _checks.room_key, _R),
            Callback("create_room_binding", _REQ, _checks.create_room_binding, _W),
            Callback("list_room_bindings", _REQ, _checks.by_id("room_id"), _R),
            Callback("delete_room_binding", _REQ, _checks.by_id("binding_id"), _W),
            Callback("directory_search", _REQ, _checks.directory_search, _R),
            Callback("directory_lookup", _REQ, _checks.directory_lookup, _R, base_default=True),
            Callback("save_onboarding", _REQ, _checks.save_onboarding, _W),
            Callback("get_onboarding", _REQ, _checks.by_id("onboarding_id"), _R),
            Callback("save_bridge_config", _REQ, _checks.save_bridge_config, _W),
            Callback("get_bridge_config", _REQ, _checks.by_id("bridge_config_id"), _R),
            Callback("list_bridge_configs", _REQ, _checks.list_bridge_configs, _R),
            Callback("delete_bridge_config", _REQ, _checks.by_id("bridge_config_id"), _W),
            Callback("save_routing_policy", _REQ, _checks.save_routing_policy, _W),
            Callback("get_routing_policy", _REQ, _checks.by_id("room_id"), _R),
            Callback("delete_routing_policy", _REQ, _checks.by_id("room_id"), _W),
            Callback("health_check", _REQ, _checks.no_arguments, _R, base_default=True),
            Callback(
                "save_ingress_subscription", Group.INGRESS, _checks.save_ingress_subscription, _W
            ),
            Callback(
                "list_ingress_subscriptions", Group.INGRESS, _checks.list_ingress_subscriptions, _R
            ),
            Callback(
                "delete_ingress_subscription",
                Group.INGRESS,
                _checks.delete_ingress_subscription,
                _W,
            ),
            Callback("ingest_message", Group.INGEST, _checks.ingest_message, _W),
            Callback(
                "get_or_create_thread_by_external_id",
                Group.INGEST,
                _checks.get_or_create_thread,
                _W,
            ),
            Callback("list_participants", Group.ENUMERATION, _checks.list_participants, _R),
            Callback("list_onboardings", Group.ENUMERATION, _checks.list_onboardings, _R),
            Callback("export_records", Group.ENUMERATION, _checks.no_arguments, _R, stream=True),
            Callback("import_records", Group.ENUMERATION, _checks.import_records, _W),
            Callback("delete_messages", Group.RETENTION, _checks.delete_messages, _W),
            Callback("erase_participant", Group.RETENTION, _checks.erase_participant, _W),
            Callback("delete_onboarding", Group.RETENTION, _checks.by_id("onboarding_id"), _W),
            Callback("transaction", Group.TRANSACTIONS, _checks.no_arguments, _W, block=True),
        )
    }
)
"""Every callback of the contract by name, in contract order."""


EXTENSIONS: Final[Mapping[str, Callback]] = MappingProxyType(
    {"bulk_save_messages": Callback("bulk_save_messages", None, _checks.bulk_messages, _W)}
)
"""Guarded methods outside the contract: the optional bulk path of
:class:`~jido_persistence.bulk.BulkMessageSaving`.  Not in :data:`CALLBACKS`, so the
kit, the async facade and the capability flags do not count them."""


def callbacks_in(group: Group) -> tuple[Callback, ...]:
    """The callbacks of ``group``, in table order.  O(len(CALLBACKS))."""
    return tuple(entry for entry in CALLBACKS.values() if entry.group is group)
