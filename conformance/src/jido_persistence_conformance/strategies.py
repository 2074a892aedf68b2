"""Hypothesis strategies for every model and argument of the persistence contract.

Every model strategy generates records that validate and round-trip through
``model_dump(mode="json")`` / ``model_validate``; each docstring names the traps it
covers, so an adapter author knows what a failing example is probing.  The ``bad_*``
strategies generate arguments that every callback must refuse with the typed error
of contract section 5 (the argument checks run before an adapter is called).

Use them in your own property tests::

    from hypothesis import given
    from jido_persistence_conformance.strategies import rooms

    @given(rooms())
    def test_room_round_trips(store, room):
        store.save_room(room)
        assert store.get_room(room.id) == room

The strategies live in private modules, one job each: scalars (text, ids, numbers,
datetimes, JSON) in ``_text_strategies``, content parts in ``_part_strategies``,
records in ``_model_strategies`` and invalid arguments in ``_bad_strategies``.  Import
them from here: this module is the public path.
"""

# ``X as X``: names that were public before the split though never in ``__all__``
# (INT64_MAX, INT64_MIN, MAX_KEY_LENGTH, ids) stay explicit re-exports for type checkers.
# ruff: noqa: PLC0414

from __future__ import annotations

from jido_persistence_conformance._bad_strategies import (
    bad_attrs,
    bad_binding_attrs,
    bad_channels,
    bad_cursors,
    bad_directory_queries,
    bad_directory_targets,
    bad_enabled_filters,
    bad_external_ids,
    bad_ids,
    bad_ingress_statuses,
    bad_limits,
    bad_models,
    bad_onboarding_flows,
)
from jido_persistence_conformance._model_strategies import (
    bridge_configs,
    ingress_subscriptions,
    messages,
    onboarding_flows,
    participants,
    room_bindings,
    rooms,
    routing_policies,
    threads,
)
from jido_persistence_conformance._part_strategies import (
    audio_parts,
    content_parts,
    custom_parts,
    file_parts,
    image_parts,
    text_parts,
    tool_result_parts,
    tool_use_parts,
    video_parts,
)
from jido_persistence_conformance._text_strategies import (
    CASEFOLD_TRAPS,
    ID_ORDER_TRAPS,
    TEXT_TRAPS,
    difficult_text,
    edge_datetimes,
    external_ids,
    int64s,
    json_objects,
    json_values,
)
from jido_persistence_conformance._text_strategies import INT64_MAX as INT64_MAX
from jido_persistence_conformance._text_strategies import INT64_MIN as INT64_MIN
from jido_persistence_conformance._text_strategies import MAX_KEY_LENGTH as MAX_KEY_LENGTH
from jido_persistence_conformance._text_strategies import ids as ids

__all__ = [
    "CASEFOLD_TRAPS",
    "ID_ORDER_TRAPS",
    "TEXT_TRAPS",
    "audio_parts",
    "bad_attrs",
    "bad_binding_attrs",
    "bad_channels",
    "bad_cursors",
    "bad_directory_queries",
    "bad_directory_targets",
    "bad_enabled_filters",
    "bad_external_ids",
    "bad_ids",
    "bad_ingress_statuses",
    "bad_limits",
    "bad_models",
    "bad_onboarding_flows",
    "bridge_configs",
    "content_parts",
    "custom_parts",
    "difficult_text",
    "edge_datetimes",
    "external_ids",
    "file_parts",
    "image_parts",
    "ingress_subscriptions",
    "int64s",
    "json_objects",
    "json_values",
    "messages",
    "onboarding_flows",
    "participants",
    "room_bindings",
    "rooms",
    "routing_policies",
    "text_parts",
    "threads",
    "tool_result_parts",
    "tool_use_parts",
    "video_parts",
]
