"""Options and URLs: what a store URL means, what is refused, what is never shown.

These tests need no server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence.errors import ConfigurationError
from jido_persistence.registry import select_adapter
from jido_persistence.urls import StoreUrl
from jido_persistence_postgres._directory import like_pattern
from jido_persistence_postgres._options import PostgresOptions, with_schema
from jido_persistence_postgres.adapter import TEST_URL_VARIABLE, PostgresAdapter


def url_options(url: str) -> dict[str, object]:
    return PostgresAdapter.url_options(StoreUrl.parse(url))


def test_both_schemes_and_the_alias_select_the_adapter() -> None:
    for target in ("postgresql://h/db", "postgres://h/db", "postgresql+psycopg://h/db"):
        info, _ = select_adapter(target)
        assert info.load() is PostgresAdapter
    assert select_adapter("postgresql")[0].load() is PostgresAdapter


def test_the_url_query_gives_options_and_keeps_libpq_parameters() -> None:
    options = url_options(
        "postgresql+psycopg://bot:pw@db.example:6543/chat"
        "?schema=bots&sslmode=require&max_size=3&application_name=x%20y"
    )
    assert options == {
        "schema": "bots",
        "max_size": "3",
        "conninfo": "postgresql://bot:pw@db.example:6543/chat?sslmode=require&application_name=x%20y",
    }
    parsed = PostgresOptions.parse(options)
    assert (parsed.schema, parsed.max_size) == ("bots", 3)


def test_the_schema_defaults_to_jido_persistence() -> None:
    assert PostgresOptions.parse(url_options("postgresql:///test")).schema == "jido_persistence"


def test_a_schema_of_63_bytes_is_accepted_and_64_refused() -> None:
    assert PostgresOptions.parse({"schema": "é" * 31 + "x"}).schema == "é" * 31 + "x"
    with pytest.raises(ConfigurationError, match="63 bytes"):
        PostgresOptions.parse({"schema": "é" * 32})
    with pytest.raises(ConfigurationError, match="63 bytes"):
        PostgresOptions.parse({"schema": "x" * 64})


@pytest.mark.parametrize("schema", ["", "pg_catalog", "a\x00b"])
def test_unusable_schema_names_are_refused(schema: str) -> None:
    with pytest.raises(ConfigurationError):
        PostgresOptions.parse({"schema": schema})


def test_unknown_options_and_bad_sizes_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match=r"valid options: .*schema"):
        PostgresOptions.parse({"shema": "x"})
    with pytest.raises(ConfigurationError, match="min_size"):
        PostgresOptions.parse({"min_size": 5, "max_size": 2})
    with pytest.raises(ConfigurationError):
        PostgresOptions.parse({"statement_timeout": "0"})


def test_the_options_repr_never_shows_the_password() -> None:
    options = PostgresOptions.parse(
        url_options("postgresql://bot:hunter2secret@db/chat?schema=s&password=other2secret")
    )
    for text in (repr(options), str(options)):
        assert "hunter2secret" not in text
        assert "other2secret" not in text
        assert "schema='s'" in text


def test_an_unparsable_conninfo_is_a_configuration_error_without_the_password() -> None:
    with pytest.raises(ConfigurationError) as raised:
        PostgresAdapter(conninfo="host=db password=hunter2secret bogus_key=1")
    assert "hunter2secret" not in str(raised.value)
    assert "hunter2secret" not in repr(raised.value)


def test_fresh_store_url_puts_the_unique_name_in_the_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(TEST_URL_VARIABLE, raising=False)
    assert PostgresAdapter.fresh_store_url(tmp_path, "jp_1") is None
    monkeypatch.setenv(TEST_URL_VARIABLE, "postgresql://u@h/db?sslmode=disable&schema=old")
    url = PostgresAdapter.fresh_store_url(tmp_path, "jp_1")
    assert url is not None
    assert StoreUrl.parse(url).query == {"sslmode": "disable", "schema": "jp_1"}
    long_url = PostgresAdapter.fresh_store_url(tmp_path, "x" * 100)
    assert long_url is not None
    PostgresOptions.parse(url_options(long_url))


def test_with_schema_replaces_only_the_schema() -> None:
    assert (
        with_schema("postgresql://u@h/db?a=1&schema=x", "y") == "postgresql://u@h/db?a=1&schema=y"
    )


@given(st.text(alphabet=st.sampled_from("ab%_\\*é'"), max_size=12))
def test_like_pattern_escapes_every_pattern_character(text: str) -> None:
    pattern = like_pattern(text)
    body = pattern[1:-1]
    unescaped = body.replace("\\\\", "").replace("\\%", "").replace("\\_", "")
    assert "%" not in unescaped
    assert "_" not in unescaped
    assert "\\" not in unescaped
    assert pattern.startswith("%")
    assert pattern.endswith("%")
