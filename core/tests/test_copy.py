"""``copy_store`` and ``jido-persistence copy``: every observable answer survives a copy.

The property test fills a memory store with random rooms, messages sharing external
keys, threads sharing keys, binding records of several rooms per key, participants with
several platform ids (some shared, some never bound), configs, policies and ingress
subscriptions, copies it into another memory store, and compares every answer a caller
can get, plus ``raw_index()``.  The CLI tests go memory -> TinyDB file -> DuckDB file
through URLs, and one test copies TinyDB -> PostgreSQL when a server answers.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence import copy as copy_module
from jido_persistence import open_store, registry
from jido_persistence.adapter import PersistenceAdapter, SupportsRawIndex
from jido_persistence.bulk import BulkMessageSaving, SupportsBulkSaveMessages
from jido_persistence.cli import main
from jido_persistence.copy import ONBOARDING_NOTE, CopyProgress, TargetNotEmpty, copy_store
from jido_persistence.errors import InvalidArgument, NotFound, PersistenceError, redact_url
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BindingDirection,
    BridgeConfig,
    Capabilities,
    DeliveryMode,
    IngressStatus,
    IngressSubscription,
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

POSTGRES_VARIABLE = "JIDO_PERSISTENCE_TEST_POSTGRES_URL"
EXAMPLE_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
MAX = 2**63 - 1
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
TIMES = [EPOCH + timedelta(seconds=n) for n in range(3)]
ROOMS = ["r1", "r2", "r3"]
MESSAGES = [f"m{n}" for n in range(8)]
THREADS = ["t1", "t2", "t3"]
CHANNELS = ["slack", "tg"]
BRIDGES: list[str | int] = ["b1", 7]
EXTERNAL_IDS = ["1", "2"]
PARTICIPANTS = ["p1", "p2", "p3", "p4"]
CONFIGS = ["bridge_a", "bridge_b"]
BINDING_KEYS = [(c, str(b), e) for c in CHANNELS for b in BRIDGES for e in EXTERNAL_IDS]
PARTICIPANT_KEYS = [(c, e) for c in CHANNELS for e in [*EXTERNAL_IDS, "3"]]

Op = tuple[Any, ...]

# --- building a source store -----------------------------------------------------


def _room_exists(store: PersistenceAdapter, room_id: str) -> bool:
    try:
        store.get_room(room_id)
    except NotFound:
        return False
    return True


def _all_bindings(store: PersistenceAdapter) -> list[Any]:
    return [b for room in store.list_rooms(limit=MAX) for b in store.list_room_bindings(room.id)]


def _message(op: Op) -> Message:
    _, message_id, room_id, external_id, channel, bridge_id, thread_id, at = op
    metadata: dict[str, Any] = {}
    if channel is not None:
        metadata["channel"] = channel
    if bridge_id is not None:
        metadata["bridge_id"] = bridge_id
    return Message(
        id=message_id,
        room_id=room_id,
        sender_id="user:alice",
        role=MessageRole.USER,
        content=[TextPart(text=f"hello {message_id}")],
        external_id=external_id,
        thread_id=thread_id,
        metadata=metadata,
        inserted_at=at,
        updated_at=at,
    )


def _participant(store: PersistenceAdapter, op: Op) -> None:
    _, participant_id, kind, listed, bound = op
    with contextlib.suppress(NotFound):
        store.get_participant(participant_id)
        return  # each participant is written once, so every key it holds stays listed
    for channel in bound:
        attrs = {"id": participant_id, "type": kind}
        store.get_or_create_participant_by_external_id(channel, listed[channel], attrs)
    identity = {"name": participant_id.upper()}
    store.save_participant(
        Participant(id=participant_id, type=kind, identity=identity, external_ids=listed)
    )


def apply(store: PersistenceAdapter, op: Op) -> None:
    """Apply one generated operation; operations on missing rooms are skipped."""
    name = op[0]
    if name == "room":
        _, room_id, kind, room_name, at = op
        store.save_room(Room(id=room_id, type=kind, name=room_name, inserted_at=at))
    elif name == "room_by_key":
        _, key, room_id = op
        store.get_or_create_room_by_external_binding(*key, {"id": room_id, "type": "group"})
    elif name == "bind" and _room_exists(store, op[1]):
        _, room_id, key, direction, enabled, at = op
        attrs = {"direction": direction, "enabled": enabled, "inserted_at": at}
        store.create_room_binding(room_id, *key, attrs)
    elif name == "unbind":
        bindings = _all_bindings(store)
        if bindings:
            store.delete_room_binding(bindings[op[1] % len(bindings)].id)
    elif name == "unbind_key":
        # Delete the record of the key's holder: records of other rooms keep naming the
        # key, which now resolves to nothing.
        key = (op[1][0], str(op[1][1]), op[1][2])
        with contextlib.suppress(NotFound):
            holder = store.get_room_by_external_binding(*key)
            for binding in store.list_room_bindings(holder.id):
                if (binding.channel, binding.bridge_id, binding.external_room_id) == key:
                    store.delete_room_binding(binding.id)
    elif name == "delete_room":
        store.delete_room(op[1])
    elif name == "message" and _room_exists(store, op[2]):
        store.save_message(_message(op))
    elif name == "delete_message":
        store.delete_message(op[1])
    elif name == "rekey":
        with contextlib.suppress(NotFound):
            store.update_message_external_id(op[1], op[2])
    elif name == "thread" and _room_exists(store, op[2]):
        _, thread_id, room_id, external, root, at = op
        thread = Thread(
            id=thread_id,
            room_id=room_id,
            external_thread_id=external,
            root_message_id=root,
            inserted_at=at,
            updated_at=at,
        )
        store.save_thread(thread)
    elif name == "participant":
        _participant(store, op)
    elif name == "config":
        store.save_bridge_config(BridgeConfig(id=op[1], adapter_module="bots.x", enabled=op[2]))
    elif name == "policy" and _room_exists(store, op[1]):
        store.save_routing_policy(RoutingPolicy(room_id=op[1], delivery_mode=op[2]))
    elif name == "ingress":
        _, bridge_id, subscription_id, status = op
        with contextlib.suppress(NotFound):
            store.get_bridge_config(bridge_id)  # subscriptions of listed bridges only
            subscription = IngressSubscription(
                bridge_id=bridge_id,
                subscription_id=subscription_id,
                adapter_name="slack",
                status=status,
            )
            store.save_ingress_subscription(subscription)


rooms_ = st.sampled_from(ROOMS)
times = st.sampled_from(TIMES)
# Few keys, so that records of several rooms share them.
binding_keys = st.sampled_from([("slack", "b1", "1"), ("slack", "b1", "2"), ("tg", 7, "1")])


def maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | values


@st.composite
def participant_ops(draw: st.DrawFn) -> Op:
    listed = draw(st.dictionaries(st.sampled_from(CHANNELS), st.sampled_from([*EXTERNAL_IDS, "3"])))
    bound = draw(st.lists(st.sampled_from(sorted(listed)), unique=True)) if listed else []
    kind = draw(st.sampled_from(ParticipantType))
    return ("participant", draw(st.sampled_from(PARTICIPANTS)), kind, listed, bound)


room_ops = st.tuples(
    st.just("room"), rooms_, st.sampled_from(RoomType), maybe(st.just("Straße")), times
)
bind_ops = st.one_of(
    st.tuples(st.just("room_by_key"), binding_keys, rooms_),
    st.tuples(
        st.just("bind"),
        rooms_,
        binding_keys,
        st.sampled_from(BindingDirection),
        st.booleans(),
        times,
    ),
)
message_ops = st.tuples(
    st.just("message"),
    st.sampled_from(MESSAGES),
    st.sampled_from(["r1", "r1", "r2", "r3"]),
    st.sampled_from(["1", "1", "2", None]),
    st.sampled_from(["slack", "slack", "slack", "tg", None]),
    st.sampled_from(["b1", "b1", "b1", 7, None]),
    maybe(st.sampled_from(THREADS)),
    st.sampled_from([*TIMES, None]),
)
thread_ops = st.tuples(
    st.just("thread"),
    st.sampled_from(THREADS),
    st.sampled_from(["r1", "r1", "r2"]),
    st.sampled_from(["1", "1", "2", None]),
    st.sampled_from(["m0", "m0", "m1", None]),
    times,
)
other_ops = st.one_of(
    st.tuples(st.just("unbind"), st.integers(0, 20)),
    st.tuples(st.just("delete_room"), rooms_),
    st.tuples(st.just("delete_message"), st.sampled_from(MESSAGES)),
    st.tuples(st.just("rekey"), st.sampled_from(MESSAGES), st.sampled_from(EXTERNAL_IDS)),
    participant_ops(),
    st.tuples(st.just("config"), st.sampled_from(CONFIGS), st.booleans()),
    st.tuples(st.just("policy"), rooms_, st.sampled_from(DeliveryMode)),
    st.tuples(
        st.just("ingress"),
        st.sampled_from(CONFIGS),
        st.sampled_from(["s1", "s2"]),
        st.sampled_from(IngressStatus),
    ),
)
ops = st.one_of(room_ops, bind_ops, message_ops, thread_ops, other_ops)


@st.composite
def histories(draw: st.DrawFn) -> list[Op]:
    """Phases that each write several records sharing keys, then anything at all.

    So that ~25 examples reach shared holders, unbound keys and fallbacks.
    """
    unbind = st.tuples(st.just("unbind"), st.integers(0, 20))
    unbind_key = st.tuples(st.just("unbind_key"), binding_keys)
    phases = [
        st.lists(st.one_of(bind_ops, bind_ops, unbind), min_size=4, max_size=10),
        st.lists(unbind_key, max_size=2),
        st.lists(message_ops, min_size=4, max_size=12),
        st.lists(thread_ops, min_size=3, max_size=8),
        st.lists(participant_ops(), min_size=1, max_size=4),
        st.lists(ops, max_size=20),
    ]
    return [*PRELUDE, *(op for phase in phases for op in draw(phase))]


PRELUDE: list[Op] = [("room", room_id, RoomType.GROUP, None, TIMES[1]) for room_id in ROOMS]

# A fixed history with every interesting case: shared message, thread and binding
# keys, a key unbound though records name it, participants with shared and unbound
# ids, ingress subscriptions of bridges named only by a binding and by a message.
SAMPLE: list[Op] = [
    ("room", "r1", RoomType.GROUP, "General", TIMES[0]),
    ("room", "r2", RoomType.DIRECT, None, TIMES[1]),
    ("room_by_key", ("slack", "b1", "1"), "r3"),
    ("bind", "r1", ("slack", "b1", "1"), BindingDirection.INBOUND, False, TIMES[2]),
    ("bind", "r2", ("slack", "b1", "1"), BindingDirection.BOTH, True, TIMES[0]),
    ("bind", "r1", ("tg", 7, "2"), BindingDirection.OUTBOUND, True, TIMES[1]),
    ("bind", "r2", ("tg", 7, "2"), BindingDirection.BOTH, True, TIMES[1]),
    ("unbind", 3),
    ("message", "m1", "r1", "1", "slack", "b1", "t1", TIMES[1]),
    ("message", "m2", "r2", "1", "slack", "b1", None, None),
    ("message", "m3", "r1", "1", "slack", "b1", None, TIMES[0]),
    ("message", "m4", "r1", "2", "tg", 7, "t1", TIMES[2]),
    ("message", "m1", "r1", "1", "slack", "b1", "t1", TIMES[1]),
    ("message", "m5", "r2", None, None, None, None, TIMES[2]),
    ("thread", "t1", "r1", "1", "m1", TIMES[0]),
    ("thread", "t2", "r1", "1", "m2", TIMES[1]),
    ("thread", "t3", "r1", "2", "m1", TIMES[1]),
    ("thread", "t1", "r1", "1", "m1", TIMES[0]),
    ("participant", "p1", ParticipantType.HUMAN, {"slack": "1", "tg": "2"}, ["slack", "tg"]),
    ("participant", "p2", ParticipantType.AGENT, {"slack": "1", "tg": "3"}, ["slack"]),
    ("config", "bridge_a", True),
    ("config", "bridge_b", False),
    ("policy", "r1", DeliveryMode.BROADCAST),
    ("ingress", "bridge_a", "s1", IngressStatus.PENDING),
]


def fill(store: PersistenceAdapter, history: list[Op]) -> None:
    """Apply ``history`` to ``store``."""
    for op in history:
        apply(store, op)


def fill_sample(store: PersistenceAdapter) -> None:
    """The fixed history, plus subscriptions of bridges named by a binding and a message."""
    fill(store, SAMPLE)
    for bridge_id in ("b1", "7"):
        store.save_ingress_subscription(
            IngressSubscription(bridge_id=bridge_id, subscription_id="s", adapter_name="x")
        )


# --- observing a store -----------------------------------------------------------


def _answer(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except (NotFound, InvalidArgument) as error:
        return type(error).__name__


def observe(store: PersistenceAdapter) -> dict[str, Any]:
    """Every answer a caller can get about the pools' ids and keys (no writes)."""
    seen: dict[str, Any] = {"rooms": store.list_rooms(limit=MAX)}
    for room_id in ROOMS:
        seen[f"room {room_id}"] = _answer(lambda r=room_id: store.get_room(r))
        seen[f"messages {room_id}"] = store.get_messages(room_id, limit=MAX)
        seen[f"newest {room_id}"] = store.get_messages(room_id, limit=2)
        for thread_id in THREADS:
            seen[f"messages {room_id} {thread_id}"] = store.get_messages(
                room_id, limit=MAX, thread_id=thread_id
            )
        seen[f"threads {room_id}"] = store.list_threads(room_id, limit=MAX)
        seen[f"bindings {room_id}"] = store.list_room_bindings(room_id)
        seen[f"policy {room_id}"] = _answer(lambda r=room_id: store.get_routing_policy(r))
        for value in [*EXTERNAL_IDS, *MESSAGES]:
            seen[f"thread keys {room_id} {value}"] = (
                _answer(lambda r=room_id, v=value: store.get_thread_by_external_id(r, v)),
                _answer(lambda r=room_id, v=value: store.get_thread_by_root_message(r, v)),
            )
    for key in BINDING_KEYS:
        seen[f"binding {key}"] = _answer(lambda k=key: store.get_room_by_external_binding(*k))
        seen[f"message key {key}"] = _answer(lambda k=key: store.get_message_by_external_id(*k))
        query = dict(zip(("channel", "bridge_id", "external_id"), key, strict=True))
        seen[f"room search {key}"] = store.directory_search("room", query)
    for channel, external_id in PARTICIPANT_KEYS:
        seen[f"participant key {channel} {external_id}"] = _answer(
            lambda c=channel, e=external_id: store.get_or_create_participant_by_external_id(
                c, e, {}
            )
        )
        query = {"channel": channel, "external_id": external_id}
        seen[f"participant search {channel} {external_id}"] = store.directory_search(
            "participant", query
        )
    seen["participants"] = store.directory_search("participant", {})
    seen["rooms by id"] = store.directory_search("room", {})
    seen["configs"] = store.list_bridge_configs()
    for bridge_id in [*CONFIGS, "b1", "7"]:
        seen[f"ingress {bridge_id}"] = store.list_ingress_subscriptions(bridge_id)
    return seen


def raw(store: PersistenceAdapter) -> Any:
    """The store's raw index, or ``None`` without the test hook."""
    return store.raw_index() if isinstance(store, SupportsRawIndex) else None


def assert_same(source: PersistenceAdapter, target: PersistenceAdapter) -> None:
    """Every observable answer, and the raw index where both offer it, are equal.

    Row counts are compared for the tables both name, except onboarding flows, which
    cannot be listed and so are never copied.
    """
    expected, got = observe(source), observe(target)
    assert [key for key in expected if expected[key] != got[key]] == []
    source_raw, target_raw = raw(source), raw(target)
    if source_raw is None or target_raw is None:
        return
    for part in source_raw:
        if part != "row_counts":
            assert source_raw[part] == target_raw[part], part
    source_counts, target_counts = source_raw["row_counts"], target_raw["row_counts"]
    shared = (set(source_counts) & set(target_counts)) - {"onboarding"}
    assert shared
    assert {k: source_counts[k] for k in shared} == {k: target_counts[k] for k in shared}


# --- the property ----------------------------------------------------------------


@settings(max_examples=25)
@given(history=histories())
def test_a_copy_answers_every_question_like_the_source(history: list[Op]) -> None:
    with MemoryAdapter() as source, MemoryAdapter() as target:
        fill(source, history)
        before = raw(source)
        report = copy_store(source, target)
        assert raw(source) == before  # the source is only read
        assert report.not_copied == []
        assert_same(source, target)
        assert report.counts["rooms"] == len(source.list_rooms(limit=MAX))


# --- behaviour -------------------------------------------------------------------


def test_the_sample_copies_with_every_key_and_the_report_says_what_it_cannot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(copy_module, "PAGE_SIZE", 2)  # room r1's 3 messages take 2 pages
    events: list[CopyProgress] = []
    with MemoryAdapter() as source, MemoryAdapter() as target:
        fill_sample(source)
        source.save_onboarding({"onboarding_id": "o1"})
        report = copy_store(source, target, progress=events.append)
        assert_same(source, target)
        with pytest.raises(NotFound):
            target.get_onboarding("o1")
    assert ONBOARDING_NOTE in report.notes
    assert report.counts == {
        "bridge_configs": 2,
        "rooms": 3,
        "routing_policies": 1,
        "threads": 3,
        "messages": 5,
        "room_bindings": 4,
        "participants": 2,
        "participant_keys": 2,
        "ingress_subscriptions": 3,
    }
    assert {event.stage for event in events} >= {"rooms", "messages", "participants"}
    assert events[-1].counts == report.counts


def test_a_nonempty_target_is_refused_unless_overwrite() -> None:
    with MemoryAdapter() as source, MemoryAdapter() as target:
        fill_sample(source)
        target.save_bridge_config(BridgeConfig(id="bridge_a", adapter_module="old"))
        with pytest.raises(TargetNotEmpty, match="bridge_configs"):
            copy_store(source, target)
        assert target.list_rooms() == []
        copy_store(source, target, overwrite=True)
        copy_store(source, target, overwrite=True)  # re-running changes nothing
        assert_same(source, target)
        with pytest.raises(InvalidArgument):
            copy_store(source, source)


class NoIngressAdapter(MemoryAdapter):
    """A memory store that declares no ingress-subscription support."""

    @property
    def capabilities(self) -> Capabilities:
        """The memory adapter's capabilities, without ingress subscriptions."""
        return super().capabilities.model_copy(update={"ingress_subscriptions": False})


def test_subscriptions_a_target_cannot_store_are_reported() -> None:
    with MemoryAdapter() as source, NoIngressAdapter() as target:
        fill_sample(source)
        report = copy_store(source, target)
    assert report.counts["ingress_subscriptions"] == 0
    assert sorted(item.key for item in report.not_copied) == [
        "('7', 's')",
        "('b1', 's')",
        "('bridge_a', 's1')",
    ]
    assert {item.kind for item in report.not_copied} == {"ingress_subscription"}


# --- the bulk message path --------------------------------------------------------


class RecordingAdapter(MemoryAdapter):
    """A memory store that records the id of every message saved, in order."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.saved: list[str] = []

    def _save_message(self, message: Message) -> Message:
        """Record the id, then save as the memory adapter does."""
        self.saved.append(message.id)
        return super()._save_message(message)


class BulkRecordingAdapter(BulkMessageSaving, RecordingAdapter):
    """A recording memory store with a bulk path that also records each batch."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.batches: list[list[str]] = []

    def _bulk_save_messages(self, messages: list[Message]) -> int:
        """Save ``messages`` one by one (recorded), and record them as one batch."""
        self.batches.append([message.id for message in messages])
        for message in messages:
            self._save_message(message)
        return len(messages)


@settings(max_examples=25)
@given(history=histories(), batch=st.integers(1, 4))
def test_a_copy_through_a_bulk_path_saves_in_the_same_order(history: list[Op], batch: int) -> None:
    """Batches span pages and rooms; the messages go in in the order of a copy without a
    bulk path (key holders re-saved last, one by one), and every answer is the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(copy_module, "PAGE_SIZE", 2)
        patch.setattr(copy_module, "MESSAGE_BATCH", batch)
        with (
            MemoryAdapter() as source,
            RecordingAdapter() as plain,
            BulkRecordingAdapter() as bulk,
        ):
            fill(source, history)
            assert not isinstance(plain, SupportsBulkSaveMessages)
            assert isinstance(bulk, SupportsBulkSaveMessages)
            plain_report = copy_store(source, plain)
            bulk_report = copy_store(source, bulk)
            assert bulk_report == plain_report
            assert_same(source, bulk)
            assert bulk.saved == plain.saved
            copied = bulk_report.counts["messages"]
            assert [i for ids in bulk.batches for i in ids] == plain.saved[:copied]
            assert all(0 < len(ids) < batch + copy_module.PAGE_SIZE for ids in bulk.batches)


@pytest.mark.usefixtures("clean_environment")
@pytest.mark.parametrize("scheme", ["tinydb", "duckdb"])
def test_a_copy_into_a_file_store_uses_its_bulk_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    """TinyDB and DuckDB take the copied messages in one bulk call; only the holders of
    shared keys are re-saved with ``save_message``, and the copy answers as before."""
    url = f"{scheme}:///{tmp_path / 'target.db'}"
    with MemoryAdapter() as source, RecordingAdapter() as plain:
        fill_sample(source)
        copy_store(source, plain)
        with open_store(url) as target:
            assert isinstance(target, SupportsBulkSaveMessages)
            kind = type(target)
            bulk_calls: list[list[str]] = []
            single_calls: list[str] = []
            bulk_save, save = kind.bulk_save_messages, kind.save_message

            def bulk_spy(store: Any, messages: Iterable[Message]) -> int:
                batch = list(messages)
                bulk_calls.append([message.id for message in batch])
                return bulk_save(store, batch)

            def save_spy(store: Any, message: Message) -> Message:
                single_calls.append(message.id)
                return save(store, message)

            monkeypatch.setattr(kind, "bulk_save_messages", bulk_spy)
            monkeypatch.setattr(kind, "save_message", save_spy)
            report = copy_store(source, target)
            copied = report.counts["messages"]
            assert copied == 5
            assert bulk_calls == [plain.saved[:copied]]
            assert single_calls == plain.saved[copied:]
            assert single_calls  # the sample has a message key with several holders
            assert_same(source, target)
            assert_same(plain, target)
        with open_store(url) as reopened:
            assert_same(source, reopened)


# --- the command line, and other adapters ----------------------------------------


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fresh discovery, and no URL from the caller's environment."""
    monkeypatch.delenv(registry.URL_ENV, raising=False)
    monkeypatch.delenv(registry.PLUGINS_ENV, raising=False)
    registry.reset_registry()
    yield
    registry.reset_registry()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.usefixtures("clean_environment")
def test_the_cli_copies_memory_to_tinydb_to_duckdb(tmp_path: Path) -> None:
    tinydb_url = f"tinydb:///{tmp_path / 'chat.json'}"
    duckdb_url = f"duckdb:///{tmp_path / 'chat.duckdb'}"
    code, output = run("copy", "memory://", tinydb_url)
    assert code == 0, output
    assert "held nothing to copy" in output
    with MemoryAdapter() as reference:
        fill_sample(reference)
        with open_store(tinydb_url) as tinydb:
            copy_store(reference, tinydb, overwrite=True)
        code, output = run("copy", tinydb_url, duckdb_url)
        assert code == 0, output
        assert "messages" in output
        assert "onboarding flows were not copied" in " ".join(output.split())
        code, output = run("copy", tinydb_url, duckdb_url)
        assert code == 1
        assert "TARGET is not empty" in output
        assert "--into-nonempty" in output
        code, output = run("copy", "--into-nonempty", tinydb_url, duckdb_url)
        assert code == 0, output
        with open_store(duckdb_url) as duckdb:
            assert_same(reference, duckdb)


@pytest.mark.usefixtures("clean_environment")
def test_the_cli_exits_1_with_a_redacted_message() -> None:
    code, output = run("copy", "memory://", "postgresql://bot:s3cret@127.0.0.1:1/chat")
    assert code == 1
    assert "cannot copy" in output
    assert "s3cret" not in output
    assert "bot:***@" in output
    code, output = run("copy", "nosuchadapter://x", "memory://")
    assert code == 1
    assert "nosuchadapter" in output


def _postgres_store_url() -> str:
    """The URL of a fresh schema on ``$JIDO_PERSISTENCE_TEST_POSTGRES_URL``'s server.

    Skips only when the variable is unset (fails instead under ``CI=true``); a server
    the variable names that does not answer is a failure.
    """
    server = os.environ.get(POSTGRES_VARIABLE)
    if not server:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true needs a PostgreSQL server: {POSTGRES_VARIABLE} is not set")
        pytest.skip(f"set {POSTGRES_VARIABLE} (for example {EXAMPLE_POSTGRES}) to run this test")
    schema = "jp_copy_" + uuid.uuid4().hex[:12]
    url = f"{server}{'&' if '?' in server else '?'}schema={schema}&connect_timeout=5"
    try:
        with open_store(url):
            pass
    except PersistenceError as error:
        pytest.fail(
            f"the PostgreSQL server at {POSTGRES_VARIABLE} ({redact_url(server)}) does not "
            f"answer ({type(error).__name__}: {error}); start it, or unset the variable"
        )
    return url


@pytest.mark.usefixtures("clean_environment")
def test_tinydb_copies_to_postgres(tmp_path: Path) -> None:
    postgres_url = _postgres_store_url()
    tinydb_url = f"tinydb:///{tmp_path / 'chat.json'}"
    try:
        with MemoryAdapter() as reference:
            fill_sample(reference)
            with open_store(tinydb_url) as tinydb:
                copy_store(reference, tinydb)
            code, output = run("copy", tinydb_url, postgres_url)
            assert code == 0, output
            with open_store(postgres_url) as postgres:
                assert_same(reference, postgres)
    finally:
        with open_store(postgres_url) as postgres:
            type(postgres).destroy_store(postgres_url)
