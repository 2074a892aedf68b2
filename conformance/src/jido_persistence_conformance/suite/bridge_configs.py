"""Bridge configs: round trips, ``enabled`` filter, NotFound deletes, secret credentials."""

from __future__ import annotations

import pytest
from hypothesis import given

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import BridgeConfig
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import canonical, canonical_all, ids, kit_settings

__all__ = ["BridgeConfigsTests"]

SECRET = "s3cr3t-token-value"


class BridgeConfigsTests:
    """Bridge configs: upserts by id, listing sorted by id, credentials kept secret."""

    @kit_settings()
    @given(config=strategies.bridge_configs())
    def test_bridge_config_round_trips_exactly(
        self, store: PersistenceAdapter, config: BridgeConfig
    ) -> None:
        """``save_bridge_config`` returns its argument; ``get_bridge_config`` gives it back.

        Troubleshooting: credentials, opts, capabilities and the delivery policy are
        stored exactly.  Usual mistake: serialising with ``model_dump()`` (python
        mode) and losing datetimes or the credentials field excluded from repr.
        """
        assert store.save_bridge_config(config) == config
        assert canonical(store.get_bridge_config(config.id)) == canonical(config)

    def test_list_sorted_by_id_and_filtered(self, store: PersistenceAdapter) -> None:
        """``list_bridge_configs`` is sorted by id (code point); ``enabled`` filters.

        Troubleshooting: ``enabled=None`` lists all.  Usual mistakes: insertion order,
        a locale collation, or treating ``enabled=False`` as "no filter".
        """
        for config_id, enabled in (("b", True), ("a", False), ("B", True), ("é", False)):
            store.save_bridge_config(
                BridgeConfig(id=config_id, adapter_module="m", enabled=enabled)
            )
        assert ids(store.list_bridge_configs()) == ["B", "a", "b", "é"]
        assert ids(store.list_bridge_configs(enabled=True)) == ["B", "b"]
        assert ids(store.list_bridge_configs(enabled=False)) == ["a", "é"]

    def test_bridge_config_replace_and_delete(self, store: PersistenceAdapter) -> None:
        """Saves replace by id; delete removes; unknown ids raise NotFound("bridge_config").

        Troubleshooting: ``delete_bridge_config`` is not idempotent.  Usual mistake:
        silently ignoring an unknown id.
        """
        store.save_bridge_config(BridgeConfig(id="b1", adapter_module="old", revision=1))
        newer = BridgeConfig(id="b1", adapter_module="new", revision=2)
        store.save_bridge_config(newer)
        assert canonical_all(store.list_bridge_configs()) == [canonical(newer)]
        assert store.delete_bridge_config("b1") is None
        for call in (store.get_bridge_config, store.delete_bridge_config):
            with pytest.raises(NotFound) as caught:
                call("b1")
            assert (caught.value.entity, caught.value.key) == ("bridge_config", "b1")

    def test_credentials_never_shown(self, store: PersistenceAdapter) -> None:
        """No repr or str of a returned config shows its credentials.

        Troubleshooting: return the model itself (``credentials`` is ``repr=False``).
        Usual mistake: returning a dict or a subclass that prints every field.
        """
        config = BridgeConfig(id="b1", adapter_module="m", credentials={"token": SECRET})
        store.save_bridge_config(config)
        for shown in (store.get_bridge_config("b1"), *store.list_bridge_configs()):
            assert isinstance(shown, BridgeConfig)
            assert SECRET not in repr(shown)
            assert SECRET not in str(shown)
            assert shown.credentials == {"token": SECRET}
