"""The workloads: what is timed on every store, in the contract's words.

Each :class:`Workload` turns a loaded store into a :class:`~.timing.Bench`: its
``prepare`` picks the arguments of a batch of calls (random existing ids and keys,
or new records) outside the clock, and its ``run`` makes the calls.  The four
single-row workloads (``RAW_OPERATIONS``) take any object with the same methods
as the adapter, so the raw baselines of :mod:`.raw` are timed by the very same
code.

Workloads run in the order of :data:`WORKLOADS`: reads first, then writes, and
``delete_room`` last, since it removes rooms (a different room, holding 1% of
the messages, on every call).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from jido_persistence import PersistenceAdapter
from jido_persistence.models import (
    DirectoryTarget,
    Message,
    MessageRole,
    ParticipantType,
    RoomType,
    TextPart,
    Thread,
)
from jido_persistence_bench.context import Context
from jido_persistence_bench.dataset import (
    BRIDGE_ID,
    CHANNEL,
    message_external_id,
    message_id,
    participant_external_id,
    participant_name,
    room_external_id,
    room_id,
)
from jido_persistence_bench.ingest import ingest_new, ingest_repeated
from jido_persistence_bench.timing import Bench

__all__ = [
    "PAGES_BACK",
    "PAGE_LIMIT",
    "RAW_OPERATIONS",
    "WORKLOADS",
    "BridgeEvent",
    "MessageStore",
    "Workload",
    "bridge_event",
    "page_back",
]

LATEST_LIMIT: Final = 10
"""The page size of the ``get_messages`` latest-page workload: a full page at every
store size (a room of the 1,000-message store holds 10), so that scaling compares
equal work."""

PAGE_LIMIT: Final = 10
"""The page size of the paging workload."""

PAGES_BACK: Final = 10
"""How many pages the paging workload walks back with ``before`` after the latest one."""

NEW_ROOM_SHARE: Final = 0.1
"""Share of bridge events that come from a room the store has not seen yet."""

NEW_USER_SHARE: Final = 0.2
"""Share of bridge events whose sender the store has not seen yet."""


class MessageStore(Protocol):
    """The four single-row callbacks that adapters and raw baselines both offer."""

    def save_message(self, message: Message) -> Message:
        """Insert or replace ``message``."""

    def get_message(self, message_id: str) -> Message:
        """The message with this id."""

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """The message holding this external key."""

    def get_messages(self, room_id: str, *, limit: int = 50) -> list[Message]:
        """The newest ``limit`` messages of the room, oldest first."""


@dataclass(frozen=True)
class Workload:
    """One timed operation.

    Attributes:
        name: the operation, as it appears in tables, JSON and plots.
        description: one line saying what one call does.
        bench: builds the bench for a store (or a raw baseline) in a context.
        calls_per_round: a fixed number of calls per round (for operations that
            use up data, such as ``delete_room``); ``None`` calibrates.
        capability: the ``capabilities`` flag a store needs for it (``"ingest"``);
            stores without it skip the workload.
    """

    name: str
    description: str
    bench: Callable[[Context, Any], Bench]
    calls_per_round: int | None = None
    capability: str | None = None

    def applies_to(self, store: PersistenceAdapter) -> bool:
        """Whether ``store`` declares the capability this workload needs."""
        return self.capability is None or bool(getattr(store.capabilities, self.capability))


def _ids(context: Context, count: int) -> list[str]:
    return [message_id(context.random_message()) for _ in range(count)]


def _get_message(context: Context, store: MessageStore) -> Bench:
    def run(ids: list[str]) -> int:
        for identifier in ids:
            store.get_message(identifier)
        return len(ids)

    return Bench("get_message", lambda count: _ids(context, count), run)


def _get_message_by_external_id(context: Context, store: MessageStore) -> Bench:
    def prepare(count: int) -> list[str]:
        return [message_external_id(context.random_message()) for _ in range(count)]

    def run(external_ids: list[str]) -> int:
        for external_id in external_ids:
            store.get_message_by_external_id(CHANNEL, BRIDGE_ID, external_id)
        return len(external_ids)

    return Bench("get_message_by_external_id", prepare, run)


def _rooms(context: Context, count: int) -> list[str]:
    return [room_id(context.random_room()) for _ in range(count)]


def _get_messages_latest(context: Context, store: MessageStore) -> Bench:
    def run(rooms: list[str]) -> int:
        for room in rooms:
            store.get_messages(room, limit=LATEST_LIMIT)
        return len(rooms)

    return Bench("get_messages_latest", lambda count: _rooms(context, count), run)


def _save_message(context: Context, store: MessageStore) -> Bench:
    def prepare(count: int) -> list[Message]:
        return [
            Message(
                id=context.unique("new-msg-"),
                room_id=room_id(context.random_room()),
                sender_id="user-bot",
                role=MessageRole.ASSISTANT,
                content=[TextPart(text="a new message written by the benchmark")],
                external_id=context.unique("NEW"),
                metadata={"channel": CHANNEL, "bridge_id": BRIDGE_ID},
            )
            for _ in range(count)
        ]

    def run(messages: list[Message]) -> int:
        for message in messages:
            store.save_message(message)
        return len(messages)

    return Bench("save_message", prepare, run)


def page_back(
    store: PersistenceAdapter, room: str, *, limit: int = PAGE_LIMIT, pages: int = PAGES_BACK
) -> list[list[Message]]:
    """The latest page of ``room`` and up to ``pages`` older pages, fetched with ``before``.

    Stops early at a page shorter than ``limit`` (the start of the room).  Pages
    are returned newest page first, each oldest message first.
    """
    page = store.get_messages(room, limit=limit)
    walked = [page]
    for _ in range(pages):
        if len(page) < limit:
            break
        page = store.get_messages(room, limit=limit, before=page[0].id)
        walked.append(page)
    return walked


def _page_back(context: Context, store: PersistenceAdapter) -> Bench:
    def run(rooms: list[str]) -> int:
        return sum(len(page_back(store, room)) for room in rooms)

    return Bench("get_messages_page_back", lambda count: _rooms(context, count), run)


def _list_threads(context: Context, store: PersistenceAdapter) -> Bench:
    def run(rooms: list[str]) -> int:
        for room in rooms:
            store.list_threads(room)
        return len(rooms)

    return Bench("list_threads", lambda count: _rooms(context, count), run)


def _directory_search(context: Context, store: PersistenceAdapter) -> Bench:
    def prepare(count: int) -> list[dict[str, str]]:
        picks = (context.rng.randrange(context.data.participants) for _ in range(count))
        return [{"name": participant_name(index).lower()} for index in picks]

    def run(queries: list[dict[str, str]]) -> int:
        for query in queries:
            store.directory_search(DirectoryTarget.PARTICIPANT, query)
        return len(queries)

    return Bench("directory_search_name", prepare, run)


def _room_by_binding_existing(context: Context, store: PersistenceAdapter) -> Bench:
    def prepare(count: int) -> list[str]:
        return [room_external_id(context.random_room()) for _ in range(count)]

    def run(external_ids: list[str]) -> int:
        for external_id in external_ids:
            store.get_or_create_room_by_external_binding(
                CHANNEL, BRIDGE_ID, external_id, {"type": RoomType.GROUP}
            )
        return len(external_ids)

    return Bench("get_or_create_room_existing", prepare, run)


def _room_by_binding_new(context: Context, store: PersistenceAdapter) -> Bench:
    def prepare(count: int) -> list[str]:
        return [context.unique("NEWROOM") for _ in range(count)]

    def run(external_ids: list[str]) -> int:
        for external_id in external_ids:
            store.get_or_create_room_by_external_binding(
                CHANNEL, BRIDGE_ID, external_id, {"type": RoomType.GROUP, "name": external_id}
            )
        return len(external_ids)

    return Bench("get_or_create_room_new", prepare, run)


@dataclass(frozen=True)
class BridgeEvent:
    """One platform event as a bridge receives it: a user's post that the bot answers."""

    external_room_id: str
    external_user_id: str
    platform_message_id: str
    platform_thread_id: str
    text: str


def bridge_event(store: PersistenceAdapter, event: BridgeEvent) -> tuple[Message, Message]:
    """Ingest ``event`` the way a bridge does; return the stored post and the bot's reply.

    Get-or-create the room and the sender, save the post, record its platform id
    with ``update_message_external_id``, open a thread on it and save the reply
    in that thread.  Seven callbacks.
    """
    room = store.get_or_create_room_by_external_binding(
        CHANNEL, BRIDGE_ID, event.external_room_id, {"type": RoomType.GROUP}
    )
    sender = store.get_or_create_participant_by_external_id(
        CHANNEL, event.external_user_id, {"type": ParticipantType.HUMAN}
    )
    metadata = {"channel": CHANNEL, "bridge_id": BRIDGE_ID}
    post = store.save_message(
        Message(
            room_id=room.id,
            sender_id=sender.id,
            role=MessageRole.USER,
            content=[TextPart(text=event.text)],
            metadata=metadata,
        )
    )
    post = store.update_message_external_id(post.id, event.platform_message_id)
    thread = store.save_thread(
        Thread(
            room_id=room.id,
            root_message_id=post.id,
            root_external_message_id=event.platform_message_id,
            external_thread_id=event.platform_thread_id,
        )
    )
    reply = store.save_message(
        Message(
            room_id=room.id,
            sender_id="agent-bot",
            role=MessageRole.ASSISTANT,
            content=[TextPart(text="an answer from the bot")],
            reply_to_id=post.id,
            thread_id=thread.id,
            external_thread_id=event.platform_thread_id,
            metadata=metadata,
        )
    )
    return post, reply


def _bridge_events(context: Context, store: PersistenceAdapter) -> Bench:
    return _bridge_event_bench(context, store, in_transaction=False)


def _bridge_events_in_transaction(context: Context, store: PersistenceAdapter) -> Bench:
    return _bridge_event_bench(context, store, in_transaction=True)


def _bridge_event_bench(
    context: Context, store: PersistenceAdapter, *, in_transaction: bool
) -> Bench:
    def event() -> BridgeEvent:
        rng = context.rng
        if rng.random() < NEW_ROOM_SHARE:
            external_room = context.unique("EVROOM")
        else:
            external_room = room_external_id(context.random_room())
        if rng.random() < NEW_USER_SHARE:
            external_user = context.unique("EVUSER")
        else:
            external_user = participant_external_id(rng.randrange(context.data.participants))
        return BridgeEvent(
            external_room_id=external_room,
            external_user_id=external_user,
            platform_message_id=context.unique("EVMSG"),
            platform_thread_id=context.unique("EVTHREAD"),
            text="a user's question arriving from the platform",
        )

    def run(events: list[BridgeEvent]) -> int:
        for item in events:
            if in_transaction:
                # One block per event: its writes become one commit (one log sync).
                with store.transaction():
                    bridge_event(store, item)
            else:
                bridge_event(store, item)
        return len(events)

    name = "bridge_event_transaction" if in_transaction else "bridge_event"
    return Bench(name, lambda count: [event() for _ in range(count)], run)


def _delete_room(context: Context, store: PersistenceAdapter) -> Bench:
    def prepare(count: int) -> list[str]:
        left = [index for index in range(context.data.rooms) if index not in context.deleted_rooms]
        picks = context.rng.sample(left, count)
        context.deleted_rooms.update(picks)
        return [room_id(index) for index in picks]

    def run(rooms: list[str]) -> int:
        for room in rooms:
            store.delete_room(room)
        return len(rooms)

    return Bench("delete_room", prepare, run)


RAW_OPERATIONS: Final[Sequence[Workload]] = (
    Workload("save_message", "save one new message (one call per message)", _save_message),
    Workload("get_message", "get a random message by id", _get_message),
    Workload(
        "get_message_by_external_id",
        "get a random message by its (channel, bridge_id, external_id) key",
        _get_message_by_external_id,
    ),
    Workload(
        "get_messages_latest",
        f"the latest page ({LATEST_LIMIT} messages) of a random room",
        _get_messages_latest,
    ),
)
"""The single-row workloads that raw baselines also run, in the order they are timed."""

WORKLOADS: Final[Sequence[Workload]] = (
    RAW_OPERATIONS[1],
    RAW_OPERATIONS[2],
    RAW_OPERATIONS[3],
    Workload(
        "ingest_message_repeated",
        "re-deliver a stored event: ingest a new Message carrying an existing key",
        ingest_repeated,
        capability="ingest",
    ),
    Workload(
        "get_messages_page_back",
        f"one page of {PAGE_LIMIT} while paging back {PAGES_BACK} pages with before (per page)",
        _page_back,
    ),
    Workload("list_threads", "the threads of a random room (limit 100)", _list_threads),
    Workload(
        "directory_search_name",
        "participants whose name contains a random participant's name",
        _directory_search,
    ),
    Workload(
        "get_or_create_room_existing",
        "get-or-create a room by a binding key that exists",
        _room_by_binding_existing,
    ),
    RAW_OPERATIONS[0],
    Workload(
        "ingest_message_new",
        "deliver an event never seen: ingest a message with a new key (saves it)",
        ingest_new,
        capability="ingest",
    ),
    Workload(
        "get_or_create_room_new",
        "get-or-create a room by a new binding key (creates room and binding)",
        _room_by_binding_new,
    ),
    Workload(
        "bridge_event",
        "one platform event: get-or-create room and sender, save, set external id, "
        "thread and reply",
        _bridge_events,
    ),
    Workload(
        "bridge_event_transaction",
        "the same event inside one transaction() block (its writes commit once)",
        _bridge_events_in_transaction,
        capability="transactions",
    ),
    Workload(
        "delete_room",
        "delete a room holding 1% of the messages (cascade)",
        _delete_room,
        calls_per_round=1,
    ),
)
"""Every workload, in the order it runs on a store."""
