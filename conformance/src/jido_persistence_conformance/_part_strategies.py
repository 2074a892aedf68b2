"""Strategies for message content parts: the seven known types and ``CustomPart``.

Re-exported by :mod:`jido_persistence_conformance.strategies`.
"""

from __future__ import annotations

import string
from typing import Any, Final

from hypothesis import strategies as st

from jido_persistence.models import (
    AudioPart,
    CustomPart,
    FilePart,
    ImagePart,
    TextPart,
    ToolResultPart,
    ToolUsePart,
    VideoPart,
)
from jido_persistence_conformance._strategy_support import _optional, _short_repr
from jido_persistence_conformance._text_strategies import (
    _floats,
    _short_text,
    difficult_text,
    int64s,
    json_objects,
    json_values,
)


@_short_repr
def text_parts() -> st.SearchStrategy[TextPart]:
    """``TextPart`` with difficult text, including very long text."""
    return st.builds(TextPart, text=difficult_text())


@_short_repr
def image_parts() -> st.SearchStrategy[ImagePart]:
    """``ImagePart`` with every optional field present or ``None``; 64-bit sizes."""
    return st.builds(
        ImagePart,
        url=_optional(_short_text()),
        data=_optional(_short_text()),
        media_type=_optional(_short_text()),
        alt_text=_optional(_short_text()),
        width=_optional(int64s()),
        height=_optional(int64s()),
    )


@_short_repr
def audio_parts() -> st.SearchStrategy[AudioPart]:
    """``AudioPart``; ``duration`` floats include ``-0.0`` and ``1e16``."""
    return st.builds(
        AudioPart,
        url=_optional(_short_text()),
        data=_optional(_short_text()),
        media_type=_optional(_short_text()),
        transcript=_optional(_short_text()),
        duration=_optional(_floats()),
    )


@_short_repr
def video_parts() -> st.SearchStrategy[VideoPart]:
    """``VideoPart``; float duration and 64-bit width/height."""
    return st.builds(
        VideoPart,
        url=_optional(_short_text()),
        data=_optional(_short_text()),
        media_type=_optional(_short_text()),
        thumbnail_url=_optional(_short_text()),
        duration=_optional(_floats()),
        width=_optional(int64s()),
        height=_optional(int64s()),
    )


@_short_repr
def file_parts() -> st.SearchStrategy[FilePart]:
    """``FilePart``; ``size`` up to ``2**63 - 1``."""
    return st.builds(
        FilePart,
        url=_optional(_short_text()),
        data=_optional(_short_text()),
        media_type=_optional(_short_text()),
        filename=_optional(_short_text()),
        size=_optional(int64s()),
    )


@_short_repr
def tool_use_parts() -> st.SearchStrategy[ToolUsePart]:
    """``ToolUsePart`` with a nested JSON ``input``."""
    return st.builds(ToolUsePart, id=_short_text(), name=_short_text(), input=json_objects())


@_short_repr
def tool_result_parts() -> st.SearchStrategy[ToolResultPart]:
    """``ToolResultPart`` whose ``content`` is any JSON value, ``None`` included."""
    return st.builds(
        ToolResultPart,
        tool_use_id=_short_text(),
        content=json_values(),
        is_error=st.booleans(),
    )


_KNOWN_PART_TYPES: Final = frozenset(
    {"text", "image", "audio", "video", "file", "tool_use", "tool_result"}
)


@_short_repr
def custom_parts() -> st.SearchStrategy[CustomPart]:
    """``CustomPart``: an unknown ``type`` kept verbatim with extra JSON fields.

    Traps: types that differ from a known one only by case (``"Text"``, ``"IMAGE"``),
    the empty type ``""``, and extra fields holding type-exact JSON values.
    """
    part_type = st.one_of(
        st.sampled_from(("Text", "IMAGE", "tool-use", "", "location", "sticker", "%")),
        _short_text(),
    ).filter(lambda t: t not in _KNOWN_PART_TYPES)
    extra = st.dictionaries(
        st.text(string.ascii_lowercase, min_size=1, max_size=8).map(lambda k: "x_" + k),
        json_values(max_leaves=4),
        max_size=3,
    )
    return st.builds(
        lambda t, fields: CustomPart.model_validate({**fields, "type": t}), part_type, extra
    )


@_short_repr
def content_parts() -> st.SearchStrategy[Any]:
    """Any content part: the seven known types and ``CustomPart``."""
    return st.one_of(
        text_parts(),
        image_parts(),
        audio_parts(),
        video_parts(),
        file_parts(),
        tool_use_parts(),
        tool_result_parts(),
        custom_parts(),
    )
