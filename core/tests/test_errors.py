"""The exception hierarchy of contract section 5 and password redaction."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence import errors
from jido_persistence.errors import (
    AdapterNotFound,
    AmbiguousLookup,
    ConfigurationError,
    CursorNotFound,
    InvalidArgument,
    InvalidCursor,
    InvalidDirectoryTarget,
    InvalidLimit,
    InvalidOnboardingId,
    NotFound,
    NotSupported,
    PersistenceError,
    StorageError,
    StoreClosed,
    StoreLocked,
    redact_text,
    redact_url,
)


@pytest.mark.parametrize(
    ("error", "bases"),
    [
        (NotFound, (PersistenceError, LookupError)),
        (AmbiguousLookup, (PersistenceError, LookupError)),
        (InvalidArgument, (PersistenceError, ValueError)),
        (InvalidCursor, (InvalidArgument,)),
        (CursorNotFound, (InvalidArgument,)),
        (InvalidLimit, (InvalidArgument,)),
        (InvalidDirectoryTarget, (InvalidArgument,)),
        (InvalidOnboardingId, (InvalidArgument,)),
        (NotSupported, (PersistenceError, NotImplementedError)),
        (ConfigurationError, (PersistenceError,)),
        (AdapterNotFound, (ConfigurationError,)),
        (StoreClosed, (PersistenceError,)),
        (StoreLocked, (PersistenceError,)),
        (StorageError, (PersistenceError,)),
        (PersistenceError, (Exception,)),
    ],
)
def test_hierarchy(error: type[Exception], bases: tuple[type[Exception], ...]) -> None:
    for base in bases:
        assert issubclass(error, base)


def test_the_cursor_and_limit_errors_are_not_each_other() -> None:
    assert not issubclass(CursorNotFound, InvalidCursor)
    assert not issubclass(InvalidCursor, CursorNotFound)
    assert not issubclass(StoreClosed, InvalidArgument)
    assert not issubclass(NotFound, InvalidArgument)


def test_every_public_error_is_exported() -> None:
    for name in errors.__all__:
        assert hasattr(errors, name)


def test_not_found_carries_entity_and_key() -> None:
    error = NotFound("room_binding", ("slack", "b", "C1"))
    assert error.entity == "room_binding"
    assert error.key == ("slack", "b", "C1")
    assert "room_binding" in str(error)
    assert "C1" in str(error)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is NotFound
    assert (copy.entity, copy.key) == (error.entity, error.key)


def test_ambiguous_lookup_carries_matches() -> None:
    error = AmbiguousLookup("room", {"name": "a"}, ["r1", "r2"], truncated=True)
    assert error.matches == ["r1", "r2"]
    assert error.truncated is True
    assert "ambiguous" in str(error)
    assert "or more" in str(error)
    not_truncated = AmbiguousLookup("room", {"name": "a"}, ("r1", "r2"), truncated=False)
    assert not_truncated.matches == ["r1", "r2"]
    assert "or more" not in str(not_truncated)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.matches, copy.truncated, copy.query) == (["r1", "r2"], True, {"name": "a"})


def test_not_supported_names_the_callback() -> None:
    error = NotSupported("save_ingress_subscription", "TinyAdapter")
    assert error.callback == "save_ingress_subscription"
    assert "save_ingress_subscription" in str(error)
    assert "TinyAdapter" in str(error)
    assert pickle.loads(pickle.dumps(error)).callback == "save_ingress_subscription"


def test_adapter_not_found_says_what_to_do() -> None:
    error = AdapterNotFound("duckdv", ["memory", "duckdb"], "duckdb", "jido-persistence-duckdb")
    text = str(error)
    assert "'duckdv'" in text
    assert "did you mean 'duckdb'" in text
    assert "pip install jido-persistence-duckdb" in text
    assert "known adapters: duckdb, memory" in text
    assert error.known == ["duckdb", "memory"]
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == text
    assert "known adapters: none" in str(AdapterNotFound("x", []))


def test_storage_error_redacts_passwords() -> None:
    error = StorageError("connect to postgresql://bob:hunter2@db/chat failed: password=hunter2")
    assert "hunter2" not in str(error)
    assert "bob" in str(error)
    assert "hunter2" not in repr(error)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://bob:secret@db/chat", "postgresql://bob:***@db/chat"),
        (
            "postgresql+psycopg://bob:s%40c@db:5432/chat",
            "postgresql+psycopg://bob:***@db:5432/chat",
        ),
        ("postgresql://bob@db/chat", "postgresql://bob@db/chat"),
        ("postgresql://db/chat", "postgresql://db/chat"),
        ("tinydb:///chat.json", "tinydb:///chat.json"),
        ("postgresql://:secret@db/chat", "postgresql://:***@db/chat"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redact_text_masks_keyword_passwords() -> None:
    assert redact_text("host=db password=secret user=bob") == "host=db password=*** user=bob"
    assert "secret" not in redact_text("PASSWORD = 'se cret' x")
    assert redact_text("nothing to hide") == "nothing to hide"


@settings(max_examples=60)
@given(
    user=st.text(alphabet="abcdefghijklmnop0123", min_size=1, max_size=8),
    password=st.text(alphabet="QRSTUVWXYZ!$&()*+,;=~-._", min_size=4, max_size=16),
    host=st.sampled_from(["db", "127.0.0.1", "db.example.org:5432"]),
)
def test_no_url_password_survives_redaction(user: str, password: str, host: str) -> None:
    url = f"postgresql://{user}:{password}@{host}/chat"
    redacted = redact_url(url)
    assert password not in redacted
    assert redacted == f"postgresql://{user}:***@{host}/chat"
    assert password not in str(StorageError(f"failed on {url}"))
