"""Participants: save/get/delete round trips (contract 2 and 4)."""

from __future__ import annotations

import pytest
from hypothesis import given

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import Participant, ParticipantType
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import canonical, kit_settings

__all__ = ["ParticipantsTests"]


class ParticipantsTests:
    """Participants: upserts, exact round trips, NotFound, idempotent deletes."""

    @kit_settings()
    @given(participant=strategies.participants())
    def test_participant_round_trips_exactly(
        self, store: PersistenceAdapter, participant: Participant
    ) -> None:
        """``save_participant`` returns its argument; ``get_participant`` gives it back exactly.

        Troubleshooting: identity, metadata and capabilities are JSON and must keep
        their types and list order.  Usual mistakes: a ``jsonb`` column, or storing
        ``capabilities`` as a set.
        """
        assert store.save_participant(participant) == participant
        assert canonical(store.get_participant(participant.id)) == canonical(participant)

    def test_get_unknown_participant_raises_not_found(self, store: PersistenceAdapter) -> None:
        """``get_participant`` of an unknown id raises NotFound("participant", id).

        Troubleshooting: ``.entity`` is ``"participant"`` and ``.key`` the id as given.
        Usual mistake: returning ``None``.
        """
        with pytest.raises(NotFound) as caught:
            store.get_participant("p:missing")
        assert (caught.value.entity, caught.value.key) == ("participant", "p:missing")

    def test_save_participant_replaces_by_id(self, store: PersistenceAdapter) -> None:
        """A second save with the same id replaces the participant.

        Troubleshooting: saves are upserts.  Usual mistake: merging the old and new
        ``identity`` maps instead of replacing the record.
        """
        store.save_participant(
            Participant(id="p:1", type=ParticipantType.HUMAN, identity={"name": "A", "x": 1})
        )
        newer = Participant(id="p:1", type=ParticipantType.AGENT, identity={"name": "B"})
        assert store.save_participant(newer) == newer
        assert canonical(store.get_participant("p:1")) == canonical(newer)

    def test_delete_participant_is_idempotent(self, store: PersistenceAdapter) -> None:
        """``delete_participant`` removes it; deleting again or an unknown id is no error.

        Troubleshooting: participant deletes are idempotent.  Usual mistake: raising
        NotFound on the second delete.
        """
        store.save_participant(Participant(id="p:1", type=ParticipantType.HUMAN))
        assert store.delete_participant("p:1") is None
        store.delete_participant("p:1")
        store.delete_participant("p:never")
        with pytest.raises(NotFound):
            store.get_participant("p:1")

    def test_save_participant_writes_no_external_id_key(self, store: PersistenceAdapter) -> None:
        """``Participant.external_ids`` is informational: saving it binds no key.

        Troubleshooting: only ``get_or_create_participant_by_external_id`` writes
        participant keys, so get-or-create after a plain save creates a new
        participant.  Usual mistake: indexing ``external_ids`` on save.
        """
        store.save_participant(
            Participant(id="p:1", type=ParticipantType.HUMAN, external_ids={"slack": "U1"})
        )
        created = store.get_or_create_participant_by_external_id(
            "slack", "U1", {"type": "human", "id": "p:2"}
        )
        assert created.id == "p:2"
        assert store.get_participant("p:1").external_ids == {"slack": "U1"}
