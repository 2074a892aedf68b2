"""Capabilities: declared equals implemented; close() and StoreClosed (contract 1, 6)."""

from __future__ import annotations

import pytest

from jido_persistence._checks import CALLBACK_CHECKS
from jido_persistence.adapter import AdapterOptions, PersistenceAdapter, check_adapter_class
from jido_persistence.errors import ConfigurationError, NotSupported, StoreClosed
from jido_persistence.models import Capabilities
from jido_persistence_conformance._calls import INGRESS_CALLBACKS, VALID_CALLS
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["CapabilitiesTests"]


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

    def test_declared_ingress_support_is_real(self, store: PersistenceAdapter) -> None:
        """With ``ingress_subscriptions`` declared, no ingress callback raises NotSupported.

        Troubleshooting: declared equals implemented.  Usual mistake: inheriting
        from an adapter that implements the trio and re-raising NotSupported.
        """
        for name in sorted(INGRESS_CALLBACKS):
            try:
                VALID_CALLS[name](store)
            except NotSupported:
                assert not store.capabilities.ingress_subscriptions, f"{name} raised NotSupported"
            except Exception:  # NotFound from the delete is fine: the call is implemented
                assert store.capabilities.ingress_subscriptions
            else:
                assert store.capabilities.ingress_subscriptions, f"{name} works but is undeclared"

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
        assert set(VALID_CALLS) == set(CALLBACK_CHECKS), "the kit misses a callback"
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
