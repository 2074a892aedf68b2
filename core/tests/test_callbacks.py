"""The callback table and what derives from it: hooks, groups, flags, class checks.

Every expectation here is computed from :data:`jido_persistence.callbacks.CALLBACKS`
and :data:`~jido_persistence.callbacks.GROUP_FLAGS`, never counted by hand, so a new
callback or group is covered as soon as it is in the table.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence import aio
from jido_persistence.adapter import PersistenceAdapter, check_adapter_class, implements
from jido_persistence.callbacks import (
    CALLBACKS,
    EXTENSIONS,
    GROUP_FLAGS,
    OPTIONAL_GROUPS,
    Group,
    callbacks_in,
)
from jido_persistence.errors import (
    ConfigurationError,
    InvalidArgument,
    InvalidCursor,
    NotSupported,
    StoreClosed,
)
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Capabilities

OPTIONAL = [entry for entry in CALLBACKS.values() if entry.group is not Group.REQUIRED]


def _hook(name: str) -> Any:
    def hook(self: Any, *args: Any, **kwargs: Any) -> Any:
        return (name, args, kwargs)

    hook.__name__ = "_" + name
    return hook


def _minimal(*extra_hooks: str, name: str = "Minimal") -> type[PersistenceAdapter]:
    """A subclass defining every abstract hook (recording its arguments) and ``extra_hooks``."""
    hooks = [entry.name for entry in CALLBACKS.values() if entry.abstract]
    hooks += [hook.removeprefix("_") for hook in extra_hooks]
    return type(name, (PersistenceAdapter,), {"_" + hook: _hook(hook) for hook in hooks})


# --- the table itself -------------------------------------------------------------------


def test_every_entry_is_a_final_public_method_with_a_hook() -> None:
    for name, entry in CALLBACKS.items():
        public = inspect.getattr_static(PersistenceAdapter, name)
        assert getattr(public, "__final__", False), f"{name} is not @final"
        assert entry.hook == "_" + name
        assert callable(getattr(PersistenceAdapter, entry.hook))


def test_every_final_public_method_is_in_the_table() -> None:
    finals = {
        name
        for name in dir(PersistenceAdapter)
        if not name.startswith("_")
        and getattr(inspect.getattr_static(PersistenceAdapter, name), "__final__", False)
    }
    assert finals == set(CALLBACKS)


def test_checks_take_the_public_signature() -> None:
    """Each check binds exactly the arguments its public method takes."""
    for name, entry in CALLBACKS.items():
        public = inspect.signature(getattr(PersistenceAdapter, name))
        check = inspect.signature(entry.check)
        public_names = [p for p in public.parameters if p != "self"]
        if list(check.parameters) in (["args", "kwargs"],):
            assert len(public_names) == 1, name
            continue
        assert list(check.parameters) == public_names, name
        for parameter in check.parameters.values():
            assert parameter.kind == public.parameters[parameter.name].kind, (name, parameter)


def test_groups_have_flags_and_members() -> None:
    assert set(GROUP_FLAGS) == set(Group) - {Group.REQUIRED}
    assert set(OPTIONAL_GROUPS) == set(GROUP_FLAGS)
    assert set(GROUP_FLAGS.values()) <= set(Capabilities.model_fields)
    for group in OPTIONAL_GROUPS:
        assert callbacks_in(group), f"group {group} has no callback"
    assert not set(EXTENSIONS) & set(CALLBACKS)


# --- abstract and default hooks ---------------------------------------------------------


def test_abstract_hooks_are_the_required_ones_without_a_base_default() -> None:
    expected = {entry.hook for entry in CALLBACKS.values() if entry.abstract}
    assert PersistenceAdapter.__abstractmethods__ == expected


def test_check_adapter_class_names_the_missing_hooks() -> None:
    abstract = sorted(entry.hook for entry in CALLBACKS.values() if entry.abstract)
    kept, dropped = abstract[0], abstract[1:]
    incomplete = type("Incomplete", (PersistenceAdapter,), {kept: _hook(kept[1:])})
    with pytest.raises(ConfigurationError) as caught:
        check_adapter_class(incomplete)
    message = str(caught.value)
    assert all(hook in message for hook in dropped)
    assert f"{kept}," not in message
    with pytest.raises(TypeError):
        incomplete()


@pytest.mark.parametrize("name", [entry.name for entry in OPTIONAL], ids=str)
def test_optional_hooks_default_to_not_supported(name: str) -> None:
    store = _minimal()()
    hook = getattr(store, "_" + name)
    parameters = inspect.signature(hook).parameters.values()
    positional = [p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    keywords = {p.name: None for p in parameters if p.kind is p.KEYWORD_ONLY}
    with pytest.raises(NotSupported) as caught:
        hook(*[None] * len(positional), **keywords)
    assert caught.value.callback == name
    assert "Minimal" in str(caught.value)


# --- all or none, and the flags ---------------------------------------------------------


@st.composite
def partial_groups(draw: st.DrawFn) -> tuple[Group, list[str]]:
    """An optional group with more than one hook, and a non-empty proper subset of them."""
    group = draw(st.sampled_from([g for g in OPTIONAL_GROUPS if len(callbacks_in(g)) > 1]))
    hooks = [entry.hook for entry in callbacks_in(group)]
    chosen = draw(
        st.lists(st.sampled_from(hooks), min_size=1, max_size=len(hooks) - 1, unique=True)
    )
    return group, chosen


@given(partial_groups())
def test_a_partial_group_is_a_type_error_naming_the_missing_hooks(
    partial: tuple[Group, list[str]],
) -> None:
    group, chosen = partial
    missing = [entry.hook for entry in callbacks_in(group) if entry.hook not in chosen]
    with pytest.raises(TypeError) as caught:
        _minimal(*chosen, name="Partial")
    message = str(caught.value)
    assert group.value in message
    assert all(hook in message for hook in missing)
    assert not any(f" {hook}" in message.split("misses")[1] for hook in chosen)


@given(partial_groups())
def test_a_partial_group_patched_in_later_fails_registration(
    partial: tuple[Group, list[str]],
) -> None:
    group, chosen = partial
    patched = _minimal()
    for hook in chosen:
        setattr(patched, hook, _hook(hook[1:]))
    with pytest.raises(ConfigurationError) as caught:
        check_adapter_class(patched)
    assert group.value in str(caught.value)


@given(st.sets(st.sampled_from(OPTIONAL_GROUPS)))
def test_flags_derive_from_the_hooks_a_class_implements(groups: set[Group]) -> None:
    hooks = [entry.hook for group in groups for entry in callbacks_in(group)]
    cls = _minimal(*hooks)
    check_adapter_class(cls)
    declared = cls.capabilities_of().model_dump()
    for group, flag in GROUP_FLAGS.items():
        assert declared[flag] is (group in groups), flag
    assert cls().capabilities == cls.capabilities_of()


def test_re_exporting_the_base_default_is_not_implementing() -> None:
    hooks = {
        entry.hook: inspect.getattr_static(PersistenceAdapter, entry.hook) for entry in OPTIONAL
    }
    cls = type("ReExports", (_minimal(),), hooks)
    assert not any(implements(cls, hook) for hook in hooks)
    assert cls.capabilities_of() == Capabilities()


def test_the_memory_adapter_flags_match_its_hooks() -> None:
    declared = MemoryAdapter.capabilities_of().model_dump()
    for group, flag in GROUP_FLAGS.items():
        has = all(implements(MemoryAdapter, entry.hook) for entry in callbacks_in(group))
        assert declared[flag] is has


# --- the guard on a minimal class -------------------------------------------------------


def test_the_guard_checks_normalises_and_calls_the_hook() -> None:
    store = _minimal()()
    assert store.get_room("r") == ("get_room", ("r",), {})
    assert store.get_message_by_external_id("c", 1, 2) == (
        "get_message_by_external_id",
        ("c", "1", "2"),
        {},
    )
    assert store.list_rooms() == ("list_rooms", (), {"limit": 100, "after": None})
    with pytest.raises(InvalidArgument):
        store.get_room(5)  # type: ignore[arg-type]
    store.close()
    with pytest.raises(StoreClosed):
        store.get_room("r")


@pytest.mark.parametrize(
    "call",
    [lambda s, v: s.list_rooms(after=v), lambda s, v: s.list_threads("room:1", after=v)],
    ids=["list_rooms", "list_threads"],
)
def test_after_needs_the_enumeration_group(call: Any) -> None:
    without = _minimal()()
    with pytest.raises(NotSupported):
        call(without, "x")
    for bad in ("", 1, b"x", "\x00"):
        with pytest.raises(InvalidCursor):
            call(without, bad)
    hooks = [entry.hook for entry in callbacks_in(Group.ENUMERATION)]
    enumerating = _minimal(*hooks)()
    assert call(enumerating, "x")[2]["after"] == "x"


def test_the_async_facade_has_one_coroutine_per_callback() -> None:
    names = {
        name
        for name, value in vars(aio.AsyncStore).items()
        if inspect.iscoroutinefunction(value) and not name.startswith("_") and name != "aclose"
    }
    assert names == {name for name, entry in CALLBACKS.items() if not (entry.block or entry.stream)}
    # A block callback is the async store's own method returning an async context
    # manager; a stream callback, its own method returning an async iterator.
    for name in (name for name, entry in CALLBACKS.items() if entry.block or entry.stream):
        assert callable(vars(aio.AsyncStore)[name])
        assert not inspect.iscoroutinefunction(vars(aio.AsyncStore)[name])
