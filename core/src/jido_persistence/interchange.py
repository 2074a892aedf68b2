"""The interchange file of ``export_records``/``import_records`` (contract 9.2): JSON Lines.

Line 1 is the header, a JSON object::

    {"contract_version": "1.3", "exported_at": "2026-12-04T02:00:00.123456Z",
     "format": "jido-persistence-export", "format_version": 1, "source_adapter": "memory"}

Every further line is one :data:`~jido_persistence.records.Record` as a JSON object with
its ``kind`` (``{"kind":"room","record":{...}}``), in UTF-8, ended by ``\\n``.  Lines are
written canonically (keys sorted, no spaces, ``ensure_ascii=False``), so two exports of
stores that hold the same data are byte-identical apart from ``exported_at``.

**Record order** (what every exporter writes; a stable order defined by the data):

1. ``bridge_config`` by id; ``room`` by ``(inserted_at, id)``; ``participant`` by id;
   ``routing_policy`` by room id; ``room_binding`` by id; ``onboarding`` by
   onboarding id; ``ingress_subscription`` by ``(bridge_id, subscription_id)``;
2. ``thread``, then ``message``, each in **save order**: the record saved longest ago
   first, the most recently saved last (a re-save moves a record to the end).  Saving
   them in file order therefore rebuilds "the most recently saved holder" of every
   message and thread key, and its fall-back order, on any backend;
3. the keys, last: ``binding_key`` by ``(channel, bridge_id, external_id)``,
   ``participant_key`` by ``(channel, external_id)``, then ``message_key``,
   ``thread_external_key`` and ``thread_root_key`` in the save order of the record
   each resolves to (a thread's external key before its root key).

The **last line is the trailer**, a JSON object that says what came before it::

    {"by_kind": {"room": 2, "binding_key": 1}, "end": "jido-persistence-export",
     "records": 3, "sha256": "<hex SHA-256 of the record lines, each with its \\n>"}

A reader of format version 1 requires it: a file that ends without it (cut short at a
line boundary), with lines after it, or whose records do not match its counts or digest
is refused, naming the line, once every record was read, so an import fed by the reader
writes nothing.

Ids and other strings compare by code point; ``None`` timestamps sort first.  An
importer accepts the kinds in any order, except that messages and threads are saved
in the order they come.  Message and thread key records are derived (see
:mod:`jido_persistence.records`).

Reading refuses, with the line number (:class:`InterchangeError`): a file that is not
an export, a header of a newer ``format_version`` (:class:`NewerFormatVersion`), and
any line that is not a valid record (bad JSON, bad UTF-8, an unknown kind, a field that
its model rejects), and a missing or wrong trailer.  Files are written to a temporary
file created ``0600`` (a backup holds bridge credentials) and renamed into place once
complete.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, TypeAdapter, ValidationError

from jido_persistence._model_fields import UtcDatetime
from jido_persistence.errors import InvalidArgument
from jido_persistence.records import BridgeConfigRecord, Record

__all__ = [
    "CONTRACT_VERSION",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ExportHeader",
    "ExportSummary",
    "ExportTrailer",
    "InterchangeError",
    "KindDigests",
    "NewerFormatVersion",
    "decode_record",
    "encode_header",
    "encode_record",
    "encode_trailer",
    "read_export",
    "read_records",
    "without_credentials",
    "write_export",
]

FORMAT_NAME: Final = "jido-persistence-export"
"""The header's ``format``."""

FORMAT_VERSION: Final = 1
"""The ``format_version`` this module writes and the newest it reads."""

CONTRACT_VERSION: Final = "1.3"
"""The contract version of the records this module writes."""

_RECORD: Final[TypeAdapter[Record]] = TypeAdapter(Record)


class InterchangeError(InvalidArgument):
    """An interchange file that cannot be read; ``line`` is the 1-based line number."""

    def __init__(self, line: int, problem: str, path: str | None = None) -> None:
        self.line = line
        self.problem = problem
        self.path = path
        where = f"{path}, line {line}" if path is not None else f"line {line}"
        super().__init__(f"{where}: {problem}")


class NewerFormatVersion(InterchangeError):
    """The header names a ``format_version`` newer than :data:`FORMAT_VERSION`."""

    def __init__(self, version: int, path: str | None = None) -> None:
        self.version = version
        super().__init__(
            1,
            f"format_version {version} is newer than this jido-persistence reads "
            f"({FORMAT_VERSION}); upgrade jido-persistence to import it",
            path,
        )


class ExportHeader(BaseModel):
    """The first line of an interchange file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["jido-persistence-export"] = FORMAT_NAME
    format_version: Annotated[int, Strict(), Field(ge=1)] = FORMAT_VERSION
    contract_version: str = CONTRACT_VERSION
    source_adapter: str
    exported_at: UtcDatetime = Field(default_factory=lambda: datetime.now(UTC))


class ExportTrailer(BaseModel):
    """The last line of an interchange file: how many records came, of which kinds, and
    the SHA-256 of their lines (the bytes between the header line and this one)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    end: Literal["jido-persistence-export"] = FORMAT_NAME
    records: Annotated[int, Strict(), Field(ge=0)]
    by_kind: dict[str, Annotated[int, Strict(), Field(ge=1)]]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _canonical(data: Any) -> bytes:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def encode_record(record: Record) -> bytes:
    """The canonical line of ``record`` (UTF-8, without the ``\\n``).  O(size)."""
    return _canonical(record.model_dump(mode="json"))


def encode_header(header: ExportHeader) -> bytes:
    """The canonical header line (UTF-8, without the ``\\n``)."""
    return _canonical(header.model_dump(mode="json"))


def encode_trailer(trailer: ExportTrailer) -> bytes:
    """The canonical trailer line (UTF-8, without the ``\\n``)."""
    return _canonical(trailer.model_dump(mode="json"))


def decode_record(line: bytes | str, number: int, path: str | None = None) -> Record:
    """The record on line ``number``; InterchangeError naming the line when it is not one.

    The error says which field failed and why, never the value (it may be a credential).
    """
    try:
        return _RECORD.validate_json(line)
    except ValidationError as error:
        raise InterchangeError(number, _describe(error), path) from None


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_input=False, include_url=False)[:3]:
        location = ".".join(str(part) for part in item["loc"])
        problems.append(f"{location}: {item['msg']}" if location else item["msg"])
    more = error.error_count() - len(problems)
    suffix = f" (and {more} more)" if more > 0 else ""
    return "not a valid record: " + "; ".join(problems) + suffix


def _read_header(line: bytes | None, path: str | None) -> ExportHeader:
    if not line:
        raise InterchangeError(1, "the file is empty: no header line", path)
    try:
        data = json.loads(line)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise InterchangeError(1, f"not a {FORMAT_NAME} file (no valid header line)", path)
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise NewerFormatVersion(version, path)
    try:
        return ExportHeader.model_validate(data)
    except ValidationError as error:
        problem = _describe(error).replace("not a valid record", "not a valid header")
        raise InterchangeError(1, problem, path) from None


def read_records(
    stream: IO[bytes], path: str | None = None
) -> tuple[ExportHeader, Iterator[Record]]:
    """The header of the binary ``stream`` (read now) and an iterator of its records.

    The iterator reads one line at a time (memory O(longest line)) and raises
    InterchangeError naming the line of the first damaged one; after the last record it
    checks the trailer (counts and digest), and raises InterchangeError when it is
    missing or does not match, or when a line follows it.
    """
    header = _read_header(stream.readline(), path)

    def records() -> Iterator[Record]:
        hasher = hashlib.sha256()
        counts: dict[str, int] = {}
        number = 1
        for number, line in enumerate(stream, 2):
            if not line.endswith(b"\n"):
                raise InterchangeError(number, "the line is cut short (no newline)", path)
            try:
                record = _RECORD.validate_json(line)
            except ValidationError as error:
                trailer = _trailer_or_none(line)
                if trailer is None:
                    raise InterchangeError(number, _describe(error), path) from None
                _check_trailer(trailer, counts, hasher.hexdigest(), number, path)
                if stream.readline():
                    raise InterchangeError(
                        number + 1, "a line after the trailer line", path
                    ) from None
                return
            hasher.update(line)
            counts[record.kind] = counts.get(record.kind, 0) + 1
            yield record
        raise InterchangeError(
            number + 1,
            f"the file ends without its trailer line: it is cut short after line {number} "
            f"({sum(counts.values())} records read); nothing of it may be imported",
            path,
        )

    return header, records()


def _trailer_or_none(line: bytes) -> ExportTrailer | None:
    """The trailer on ``line``; None when the line does not claim to be one."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or "kind" in data or data.get("end") != FORMAT_NAME:
        return None
    try:
        return ExportTrailer.model_validate(data)
    except ValidationError:  # records=-1: a trailer, but not a valid one
        return ExportTrailer.model_construct(records=-1, by_kind={}, sha256="")


def _check_trailer(
    trailer: ExportTrailer, counts: dict[str, int], digest: str, number: int, path: str | None
) -> None:
    found = sum(counts.values())
    if trailer.records < 0:
        problem = "not a valid trailer line (it needs records, by_kind and sha256)"
    elif trailer.records != found or trailer.by_kind != counts:
        problem = (
            f"the trailer says {trailer.records} records {_kinds(trailer.by_kind)}, the file "
            f"holds {found} {_kinds(counts)}: records are missing or were added"
        )
    elif trailer.sha256 != digest:
        problem = "the records' SHA-256 is not the trailer's: the file was changed"
    else:
        return
    raise InterchangeError(number, problem, path)


def _kinds(counts: dict[str, int]) -> str:
    return "(" + ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items())) + ")"


class read_export:  # noqa: N801 - used as a function: ``with read_export(path) as ...``
    """``with read_export(path) as (header, records): ...``: a file's header and records.

    Raises InterchangeError (header problems at once, record problems while iterating)
    and OSError when the file cannot be opened.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._stream: IO[bytes] | None = None

    def __enter__(self) -> tuple[ExportHeader, Iterator[Record]]:
        self._stream = open(self._path, "rb")
        try:
            return read_records(self._stream, self._path)
        except BaseException:
            self._stream.close()
            raise

    def __exit__(self, *exc_info: object) -> None:
        if self._stream is not None:
            self._stream.close()


def without_credentials(records: Iterable[Record]) -> Iterator[Record]:
    """``records`` with every bridge config's ``credentials`` replaced by ``{}``."""
    for record in records:
        if isinstance(record, BridgeConfigRecord):
            config = record.record.model_copy(update={"credentials": {}})
            yield BridgeConfigRecord(record=type(config).model_validate(config.model_dump()))
        else:
            yield record


@dataclass
class KindDigests:
    """Counts and SHA-256 digests of canonical lines, per kind, in the order fed.

    Two streams of records in the documented order have equal digests exactly when
    they hold the same records (``copy --verify`` compares a source and its target).
    """

    counts: dict[str, int] = field(default_factory=dict)
    _hashes: dict[str, Any] = field(default_factory=dict, repr=False)

    def add(self, kind: str, line: bytes) -> None:
        """Count ``line`` (a canonical record line) under ``kind``."""
        hasher = self._hashes.get(kind)
        if hasher is None:
            hasher = self._hashes[kind] = hashlib.sha256()
            self.counts[kind] = 0
        hasher.update(line)
        hasher.update(b"\n")
        self.counts[kind] += 1

    def add_record(self, record: Record) -> bytes:
        """Count ``record`` and return its canonical line."""
        line = encode_record(record)
        self.add(record.kind, line)
        return line

    @property
    def digests(self) -> dict[str, str]:
        """Hex SHA-256 per kind."""
        return {kind: hasher.hexdigest() for kind, hasher in self._hashes.items()}

    def differences(self, other: KindDigests) -> list[str]:
        """The kinds whose count or digest differ, each with what differs; sorted."""
        found = []
        mine, theirs = self.digests, other.digests
        for kind in sorted(set(self.counts) | set(other.counts)):
            left, right = self.counts.get(kind, 0), other.counts.get(kind, 0)
            if left != right:
                found.append(f"{kind}: {left} records, then {right}")
            elif mine.get(kind) != theirs.get(kind):
                found.append(f"{kind}: {left} records each, but they differ")
        return found


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`write_export` wrote: the header and the records' counts and digests."""

    path: str
    header: ExportHeader
    digests: KindDigests

    @property
    def records(self) -> int:
        """The number of records written (the header not counted)."""
        return sum(self.digests.counts.values())


def write_export(
    path: str | os.PathLike[str],
    records: Iterable[Record],
    *,
    source_adapter: str,
    overwrite: bool = False,
    exported_at: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Write ``records`` as an interchange file at ``path`` (header, records, trailer);
    return its summary.

    Streams: memory O(one record).  The file is written to ``<path>.partial`` (created
    ``0600``), synced and renamed over ``path`` only when every record is written, so an
    interrupted export leaves no file that looks complete.  ``progress`` is called with
    the number of records written so far, every 1,000 records and at the end.

    Raises InvalidArgument when ``path`` exists and ``overwrite`` is false (or the
    partial file of another export is there), OSError when writing fails, and whatever
    iterating ``records`` raises.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise InvalidArgument(f"{target} exists; pass overwrite=True to replace it")
    header = ExportHeader(
        source_adapter=source_adapter,
        **({} if exported_at is None else {"exported_at": exported_at}),
    )
    partial = target.with_name(target.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidArgument(
            f"{partial} exists: another export is writing it, or one was interrupted "
            "(remove it and retry)"
        ) from None
    digests = KindDigests()
    whole = hashlib.sha256()
    try:
        with os.fdopen(descriptor, "wb", buffering=1 << 20) as stream:
            os.fchmod(stream.fileno(), 0o600)
            stream.write(encode_header(header) + b"\n")
            for count, record in enumerate(records, 1):
                line = digests.add_record(record) + b"\n"
                whole.update(line)
                stream.write(line)
                if progress is not None and count % 1000 == 0:
                    progress(count)
            trailer = ExportTrailer(
                records=sum(digests.counts.values()),
                by_kind=dict(digests.counts),
                sha256=whole.hexdigest(),
            )
            stream.write(encode_trailer(trailer) + b"\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(sum(digests.counts.values()))
    return ExportSummary(os.fspath(target), header, digests)
