"""A Telegram <-> Slack bridge on jido-persistence, fed with simulated platform events.

    python examples/bridge.py                        # tinydb:///bridge.json in this directory
    python examples/bridge.py duckdb:///bridge.duckdb

One Telegram group and one Slack channel are linked: every message posted on one side
is relayed to the other.  Platforms deliver events at least once (Slack retries an
event it did not see acknowledged within 3 s, Telegram re-sends updates after a
restart) and the bridge hears its own relayed posts come back; ``ingest_message``
stores each platform message once, and its ``created`` flag tells the bridge whether
the event is new, so nothing is relayed twice and nothing loops.  Run it twice: the
second run finds every event already stored and changes nothing.

No network: ``FakePlatform`` stands in for the platform APIs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from jido_persistence import BridgeConfig, Message, NotFound, PersistenceAdapter, open_store
from jido_persistence.models import MessageRole, MessageStatus, TextPart

TELEGRAM = ("telegram", "tg-bot-7", "-1001234")
"""(channel, bridge id, chat id) of the linked Telegram group."""
SLACK = ("slack", "T0SLACK", "C0OPS")
"""(channel, workspace, channel id) of the linked Slack channel."""
BOT = "bridge-bot"

# Events as the platforms send them, re-deliveries included (same ids, sent again).
EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("telegram", {"message_id": 501, "from": 11, "name": "Ann", "text": "deploy at 5?"}),
    ("slack", {"ts": "1700.0001", "user": "U02", "name": "Bo", "text": "yes, at 5"}),
    ("slack", {"ts": "1700.0001", "user": "U02", "name": "Bo", "text": "yes, at 5"}),
    (
        "slack",
        {
            "ts": "1700.0002",
            "user": "U03",
            "name": "Cy",
            "text": "I'll watch it",
            "thread_ts": "1700.0001",
        },
    ),
    ("telegram", {"message_id": 502, "from": 11, "name": "Ann", "text": "thanks", "reply_to": 501}),
    ("telegram", {"message_id": 501, "from": 11, "name": "Ann", "text": "deploy at 5?"}),
    ("slack", {"ts": "1700.0003", "user": "U02", "name": "Bo", "text": "done"}),
]


@dataclass
class FakePlatform:
    """A platform's send API: assigns message ids, and echoes the bot's posts back."""

    channel: str
    posted: list[dict[str, Any]] = field(default_factory=list)

    def send(self, text: str, source_id: str) -> str:
        """Post ``text``; the platform id is derived from the source, as a real
        platform would give one id per post."""
        platform_id = f"{self.channel}-relay-of-{source_id}"
        self.posted.append({"id": platform_id, "text": text, "bot": True})
        return platform_id


def link_rooms(store: PersistenceAdapter) -> str:
    """The bridged room, bound to both platforms (get-or-create and an idempotent binding)."""
    room = store.get_or_create_room_by_external_binding(*TELEGRAM, {"type": "group", "name": "ops"})
    store.create_room_binding(room.id, *SLACK, {"direction": "both"})
    try:
        store.get_bridge_config("bridge:tg-slack")
    except NotFound:
        store.save_bridge_config(
            BridgeConfig(id="bridge:tg-slack", adapter_module="examples.bridge")
        )
    return room.id


def receive(
    store: PersistenceAdapter, room_id: str, platform: str, event: dict[str, Any]
) -> Message | None:
    """Store one inbound event; the new message, or ``None`` for a re-delivery."""
    channel, bridge_id, _ = TELEGRAM if platform == "telegram" else SLACK
    external_id = str(event["message_id"] if platform == "telegram" else event["ts"])
    sender = store.get_or_create_participant_by_external_id(
        channel,
        event.get("from") or event["user"],
        {"type": "human", "identity": {"name": event["name"]}},
    )
    thread_id = reply_to_id = None
    if "thread_ts" in event:
        thread = store.get_or_create_thread_by_external_id(
            room_id, event["thread_ts"], {"root_external_message_id": event["thread_ts"]}
        )
        thread_id = thread.id
    if "reply_to" in event:
        reply_to_id = store.get_message_by_external_id(channel, bridge_id, event["reply_to"]).id
    result = store.ingest_message(
        Message(
            room_id=room_id,
            sender_id=sender.id,
            role=MessageRole.USER,
            content=[TextPart(text=event["text"])],
            external_id=external_id,
            thread_id=thread_id,
            reply_to_id=reply_to_id,
            metadata={"channel": channel, "bridge_id": bridge_id},
        )
    )
    return result.message if result.created else None


def relay(store: PersistenceAdapter, message: Message, platforms: dict[str, FakePlatform]) -> None:
    """Post ``message`` on the other platform and store the copy under its platform id."""
    target = SLACK if message.metadata["channel"] == "telegram" else TELEGRAM
    text = "".join(part.text for part in message.content if isinstance(part, TextPart))
    platform_id = platforms[target[0]].send(text, message.external_id or message.id)
    store.ingest_message(
        Message(
            room_id=message.room_id,
            sender_id=BOT,
            role=MessageRole.ASSISTANT,
            content=message.content,
            external_id=platform_id,
            reply_to_id=message.id,
            status=MessageStatus.SENT,
            metadata={"channel": target[0], "bridge_id": target[1], "relayed_from": message.id},
        )
    )


def run_bridge(store: PersistenceAdapter) -> dict[str, int]:
    """Deliver every event (and the echoes of the bridge's own posts); count outcomes."""
    room_id = link_rooms(store)
    platforms = {"telegram": FakePlatform("telegram"), "slack": FakePlatform("slack")}
    counts = {"events": 0, "new": 0, "repeats": 0, "echoes": 0}
    for platform, event in EVENTS:
        counts["events"] += 1
        message = receive(store, room_id, platform, event)
        if message is None:
            counts["repeats"] += 1
            continue
        counts["new"] += 1
        relay(store, message, platforms)
    # The platforms deliver the bridge's own posts back to it: already stored, so ignored.
    for name, platform in platforms.items():
        for post in platform.posted:
            echo = {"text": post["text"], "name": BOT, "from": BOT, "user": BOT}
            echo["message_id" if name == "telegram" else "ts"] = post["id"]
            if receive(store, room_id, name, echo) is not None:
                raise AssertionError(f"the bridge's own post {post['id']} came back as new")
            counts["echoes"] += 1
    return counts


def main(argv: list[str]) -> int:
    """Run the bridge on the store at ``argv[0]`` (default ``tinydb:///bridge.json``)."""
    url = argv[0] if argv else "tinydb:///bridge.json"
    with open_store(url) as store:
        counts = run_bridge(store)
        rooms = store.list_rooms(limit=10)
        messages = store.get_messages(rooms[0].id, limit=1000) if rooms else []
    print(
        f"{counts['events']} events: {counts['new']} new, {counts['repeats']} re-delivered, "
        f"{counts['echoes']} echoes ignored; the room holds {len(messages)} messages"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
