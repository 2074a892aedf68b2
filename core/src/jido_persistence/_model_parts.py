"""The parts of a message's content, discriminated on ``type`` (contract section 2)."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from jido_persistence._model_fields import Int64, Json, JsonMap, StrictBool, Text, _Record
from jido_persistence._recheck import TrackedModel
from jido_persistence._text import (
    json_problem,
)


class TextPart(_Record):
    """Plain text content."""

    type: Literal["text"] = "text"
    text: Text


class ImagePart(_Record):
    """An image, by URL or inline base64 data."""

    type: Literal["image"] = "image"
    url: Text | None = None
    data: Text | None = None
    media_type: Text | None = None
    alt_text: Text | None = None
    width: Int64 | None = None
    height: Int64 | None = None


class AudioPart(_Record):
    """An audio clip, by URL or inline base64 data; ``duration`` in seconds."""

    type: Literal["audio"] = "audio"
    url: Text | None = None
    data: Text | None = None
    media_type: Text | None = None
    transcript: Text | None = None
    duration: float | None = None


class VideoPart(_Record):
    """A video, by URL or inline base64 data; ``duration`` in seconds."""

    type: Literal["video"] = "video"
    url: Text | None = None
    data: Text | None = None
    media_type: Text | None = None
    thumbnail_url: Text | None = None
    duration: float | None = None
    width: Int64 | None = None
    height: Int64 | None = None


class FilePart(_Record):
    """A file attachment, by URL or inline base64 data; ``size`` in bytes."""

    type: Literal["file"] = "file"
    url: Text | None = None
    data: Text | None = None
    media_type: Text | None = None
    filename: Text | None = None
    size: Int64 | None = None


class ToolUsePart(_Record):
    """A tool call made by an assistant."""

    type: Literal["tool_use"] = "tool_use"
    id: Text
    name: Text
    input: JsonMap = Field(default_factory=dict)


class ToolResultPart(_Record):
    """The result of a tool call."""

    type: Literal["tool_result"] = "tool_result"
    tool_use_id: Text
    content: Json = None
    is_error: StrictBool = False


KNOWN_PART_TYPES: Final = frozenset(
    {"text", "image", "audio", "video", "file", "tool_use", "tool_result"}
)


class CustomPart(TrackedModel):
    """A content part of a type this library does not know, kept verbatim.

    Every field besides ``type`` is a JSON value.  A part whose ``type`` is one of the
    seven known types never becomes a ``CustomPart``: it must validate as that type.
    """

    model_config = ConfigDict(frozen=True, extra="allow", allow_inf_nan=False)

    type: Text

    @model_validator(mode="before")
    @classmethod
    def _only_json_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            part_type = data.get("type")
            if isinstance(part_type, str) and part_type in KNOWN_PART_TYPES:
                raise ValueError(f"a part of type {part_type!r} cannot be a CustomPart")
            problem = json_problem({k: v for k, v in data.items() if k != "type"}, "part")
            if problem:
                raise ValueError(problem)
        return data


def _part_tag(value: Any) -> str | None:
    part_type = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if not isinstance(part_type, str):
        return None
    return part_type if part_type in KNOWN_PART_TYPES else "custom"


ContentPart = Annotated[
    Annotated[TextPart, Tag("text")]
    | Annotated[ImagePart, Tag("image")]
    | Annotated[AudioPart, Tag("audio")]
    | Annotated[VideoPart, Tag("video")]
    | Annotated[FilePart, Tag("file")]
    | Annotated[ToolUsePart, Tag("tool_use")]
    | Annotated[ToolResultPart, Tag("tool_result")]
    | Annotated[CustomPart, Tag("custom")],
    Discriminator(
        _part_tag,
        custom_error_type="invalid_part",
        custom_error_message="a content part needs a string 'type'",
    ),
]
"""One part of a message's content, discriminated on ``type``."""
