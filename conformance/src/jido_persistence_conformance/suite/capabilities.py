"""Capabilities: declared equals implemented; close(), StoreClosed, health_check (1, 6, 9.0)."""

from __future__ import annotations

import pytest

from jido_persistence.adapter import AdapterOptions, PersistenceAdapter, check_adapter_class
from jido_persistence.callbacks import GROUP_FLAGS, callbacks_in
from jido_persistence.errors import ConfigurationError, NotFound, NotSupported, StoreClosed
from jido_persistence.models import Capabilities, Health, Room, RoomType
from jido_persistence_conformance._calls import VALID_CALLS, missing_calls
from jido_persistence_conformance._support import snapshot
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["CapabilitiesTests"]


def _group_call_problem(
    store: PersistenceAdapter, name: str, flag: str, declared: bool
) -> str | None:
    """What is wrong with a valid call of ``name`` given its group's flag, or None."""
    try:
        VALID_CALLS[name](store)
    except NotSupported:
        return f"{name} raised NotSupported but {flag}=True" if declared else None
    except NotFound:
        # The contract's answer of a delete of an unknown record: the call is implemented.
        return None if declared else f"{name} is implemented (NotFound) but {flag}=False"
    except Exception as error:  # a crash is neither "implemented" nor NotSupported
        return (
            f"{name} crashed with {type(error).__name__}: {error} "
            f"({flag}={declared}; expected {'a result' if declared else 'NotSupported'})"
        )
    return None if declared else f"{name} works but {flag}=False"


class CapabilitiesTests:
    """What the adapter declares, and the store's life cycle."""

    def test_declared_capabilities_match_the_class(self, store: PersistenceAdapter) -> None:
        """``capabilities`` is a Capabilities model, derived from the class, and complete.

        Troubleshooting: ``ingress_subscriptions`` is derived from the methods the
        class defines (all three or none); ``durable`` and ``multi_process`` are class
        attributes.  Usual mistakes: overriding ``capabilities`` with hand-written
        values, or defining one or two of the ingress callbacks.
        """
        adapter = type(store)
        check_adapter_class(adapter)
        assert isinstance(store.capabilities, Capabilities)
        assert store.capabilities == adapter.capabilities_of()
        assert store.capabilities.durable is adapter.durable
        assert store.capabilities.multi_process is adapter.multi_process

    def test_declared_groups_are_real(self, store: PersistenceAdapter) -> None:
        """For every optional group, its flag is true exactly when its callbacks work.

        With the flag true, a valid call of each callback of the group returns (or, for
        a delete of an unknown record, raises NotFound); any other exception, a crash
        included, fails.  With the flag false, each callback raises NotSupported.

        Troubleshooting: each flag (``ingress_subscriptions``, ``ingest``,
        ``enumeration``, ``retention``, ``transactions``) is derived from the hooks the
        class implements, all of a group or none.  Usual mistakes: overriding
        ``capabilities`` with hand-written values, a hook that re-raises NotSupported
        (inherited from an adapter that implements the group), or a hook that crashes
        (a driver error not listed in ``backend_errors``, a half-written method).
        """
        assert not missing_calls(), f"the kit misses a callback: {missing_calls()}"
        declared = store.capabilities.model_dump()
        problems = [
            problem
            for group, flag in GROUP_FLAGS.items()
            for entry in callbacks_in(group)
            if (problem := _group_call_problem(store, entry.name, flag, declared[flag]))
        ]
        assert not problems, "\n".join(problems)

    def test_unknown_option_is_a_configuration_error(self, store: PersistenceAdapter) -> None:
        """``Options.parse`` of an unknown option raises ConfigurationError naming valid ones.

        Troubleshooting: ``Options`` must subclass ``AdapterOptions`` (frozen,
        ``extra="forbid"``).  Usual mistake: a plain pydantic model that ignores
        unknown options, so a typo in a URL query goes unnoticed.
        """
        options = type(store).Options
        assert issubclass(options, AdapterOptions)
        with pytest.raises(ConfigurationError):
            options.parse({"no_such_option_for_the_kit": "1"})

    def test_every_callback_raises_store_closed_after_close(self, factory: StoreFactory) -> None:
        """After ``close()``, every callback raises StoreClosed; ``close()`` again is fine.

        Troubleshooting: the base class raises StoreClosed for you when ``close()``
        calls ``super().close()``; ``capabilities`` still answers.  Usual mistakes:
        overriding ``close`` without calling ``super().close()``, or raising the
        backend's own "connection closed" error.
        """
        assert not missing_calls(), f"the kit misses a callback: {missing_calls()}"
        with factory.create() as store:
            assert store.closed is False
        assert store.closed is True
        store.close()
        assert isinstance(store.capabilities, Capabilities)
        problems = []
        for name, call in VALID_CALLS.items():
            try:
                call(store)
            except StoreClosed:
                continue
            except Exception as error:  # report whatever the adapter raised instead
                problems.append(f"{name}: raised {type(error).__name__}: {error}")
            else:
                problems.append(f"{name}: returned after close()")
        assert not problems, "\n".join(problems)

    def test_health_check_on_an_open_and_a_closed_store(self, factory: StoreFactory) -> None:
        """``health_check()`` answers ``Health(ok=True)`` with a latency on an open store
        (changing nothing) and raises StoreClosed after ``close()``.

        Troubleshooting: an override must report backend failures as ``ok=False`` and
        never raise them; the unreachable case is the adapter's own test (the kit cannot
        take a server away).  Usual mistake: a probe that writes, or one that answers
        ``ok=True`` without asking the backend.
        """
        with factory.create() as store:
            store.save_room(Room(id="room:health", type=RoomType.GROUP))
            before = snapshot(store)
            health = store.health_check()
            assert isinstance(health, Health)
            assert health.ok is True, health.detail
            assert 0 <= health.latency_s < 60
            assert isinstance(health.detail, str)
            assert snapshot(store) == before
        with pytest.raises(StoreClosed):
            store.health_check()
