"""Fixtures of the retention area: a two-room, two-participant store and its oracle.

:func:`populate` stores the same records in any store (explicit ids and timestamps,
so the adapter under test and the in-memory reference hold identical data), with the
traps retention bugs hide in: a ``None`` timestamp, a message exactly at the cut, a
thread, external-id keys shared by a message that goes and one that stays (the key
must fall back), a participant with two keys and messages in both rooms, and
everything else (threads, bindings, policies, another participant) that must not be
touched.  Not public API.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.models import (
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Room,
    RoomType,
    RoutingPolicy,
    TextPart,
    Thread,
)
from jido_persistence_conformance._support import raw_index_or_none

__all__ = [
    "ERASED",
    "KEEP",
    "MESSAGE_KEYS",
    "ROOMS",
    "T0",
    "assert_rest_untouched",
    "keys_pointing_at",
    "messages",
    "populate",
    "snapshot_kwargs",
]

T0: Final = datetime(2024, 1, 1, tzinfo=UTC)
ROOMS: Final = ("room:a", "room:b")
ERASED: Final = "p:erase"
"""The participant the erasure tests erase."""
KEEP: Final = "p:keep"
"""A participant that nothing may touch."""
SLACK: Final = {"channel": "slack", "bridge_id": 7}
MESSAGE_KEYS: Final = (("slack", "7", "K1"), ("slack", "7", "K2"), ("slack", "7", "K3"))


def _message(
    message_id: str,
    room_id: str,
    inserted_at: datetime | None,
    sender_id: str,
    **fields: Any,
) -> Message:
    return Message(
        id=message_id,
        room_id=room_id,
        sender_id=sender_id,
        role=MessageRole.USER,
        content=[TextPart(text=f"text of {message_id}")],
        inserted_at=inserted_at,
        updated_at=inserted_at,
        **fields,
    )


def messages() -> list[Message]:
    """The messages :func:`populate` saves, in save order (later saves win keys)."""
    second = timedelta(seconds=1)
    return [
        _message("m:a0", "room:a", None, ERASED, reactions={"+1": [KEEP]}),
        _message("m:a1", "room:a", T0, KEEP, external_id="K1", metadata=SLACK),
        _message(
            "m:a2",
            "room:a",
            T0 + second,
            ERASED,
            external_id="K1",
            metadata={**SLACK, "note": 1.5},
            thread_id="t:1",
            external_thread_id="XT",
            external_reply_to_id="K0",
            delivery_external_room_id="C1",
            receipts={KEEP: "read"},
        ),
        _message("m:a3", "room:a", T0 + 2 * second, KEEP, thread_id="t:1", reply_to_id="m:a2"),
        _message("m:a4", "room:a", T0 + 3 * second, ERASED, thread_id="t:1"),
        _message("m:b0", "room:b", T0, ERASED, external_id="K2", metadata=SLACK),
        _message("m:b1", "room:b", T0 + second, KEEP, external_id="K3", metadata=SLACK),
        _message("m:b2", "room:b", T0 + 2 * second, ERASED, external_id="K3", metadata=SLACK),
    ]


def populate(store: PersistenceAdapter) -> None:
    """Store the retention fixture (identical in every store it is given)."""
    for room_id in ROOMS:
        store.save_room(Room(id=room_id, type=RoomType.GROUP, name=room_id, inserted_at=T0))
        store.save_routing_policy(RoutingPolicy(room_id=room_id, inserted_at=T0, updated_at=T0))
        store.save_thread(
            Thread(
                id=f"t:{room_id}",
                room_id=room_id,
                external_thread_id="XT",
                root_message_id="m:a2",
                inserted_at=T0,
                updated_at=T0,
            )
        )
        store.create_room_binding(
            room_id, "slack", 7, f"C:{room_id}", {"id": f"bind:{room_id}", "inserted_at": T0}
        )
    # Two keys of one participant: the first key stays behind when the record is deleted
    # (allowed), then get-or-create of a new key makes the record again.
    for participant_id, external_id in ((ERASED, "U1"), (ERASED, "U2"), (KEEP, "U3")):
        if external_id == "U2":
            store.delete_participant(ERASED)
        store.get_or_create_participant_by_external_id(
            "slack", external_id, {"id": participant_id, "type": ParticipantType.HUMAN}
        )
    store.save_participant(
        Participant(
            id=ERASED,
            type=ParticipantType.HUMAN,
            identity={"name": "Erin"},
            external_ids={"slack": "U1"},
        )
    )
    for message in messages():
        store.save_message(message)
    store.save_onboarding({"onboarding_id": "o:1", "step": 1})
    store.save_onboarding({"onboarding_id": "o:2", "step": 2})


def snapshot_kwargs() -> dict[str, Any]:
    """The extra ids and keys :func:`~jido_persistence_conformance._support.snapshot` reads."""
    return {
        "room_ids": list(ROOMS),
        "participant_ids": [ERASED, KEEP],
        "message_ids": [message.id for message in messages()],
        "thread_ids": [f"t:{room_id}" for room_id in ROOMS],
        "onboarding_ids": ["o:1", "o:2"],
        "message_keys": list(MESSAGE_KEYS),
        "raw": False,
    }


def keys_pointing_at(store: PersistenceAdapter, participant_id: str) -> list[tuple[str, ...]]:
    """The participant keys the raw index reader shows pointing at ``participant_id``."""
    raw = raw_index_or_none(store)
    if raw is None:
        return []
    return sorted(key for key, owner in raw["participant_keys"].items() if owner == participant_id)


def assert_rest_untouched(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    message_ids: Iterable[str] = (),
    participant_id: str | None = None,
) -> None:
    """Raw indexes before and after a retention call differ only where it may act.

    Every key that resolved to something other than the removed ``message_ids`` (or,
    for participant keys, pointed elsewhere than ``participant_id``) resolves to the
    same id afterwards, and no new key appears except one that resolved to a removed
    message before (it may fall back to another holder).  No-op without a raw reader.
    """
    if before is None or after is None:
        return
    gone = set(message_ids)
    for name, entries in before.items():
        if name == "row_counts":
            continue

        def removable(value: str, name: str = name) -> bool:
            return value in gone or (name == "participant_keys" and value == participant_id)

        kept = {key: value for key, value in entries.items() if not removable(value)}
        now = after[name]
        assert {key: now.get(key) for key in kept} == kept, (
            f"raw_index()[{name!r}]: a key of another room, message or participant changed"
        )
        new = set(now) - set(entries)
        assert not new, f"raw_index()[{name!r}]: keys appeared: {sorted(map(str, new))}"
