"""Copies of records that share nothing mutable with the original.

A store that keeps records in Python (:mod:`jido_persistence.state_writes`) stores a
:func:`detached` copy of what the caller saves, so changing the caller's instance in
place afterwards (``message.metadata["x"] = 1``) does not change the stored record.
Models are frozen, so only their dicts and lists need copying; everything else is
shared, and a model with no container is not copied at all.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Final, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["detached"]

ValueT = TypeVar("ValueT")


def detached(value: ValueT) -> ValueT:
    """``value`` with every dict and list in it copied, models included (their fields
    and extras), and everything else shared: a change made in place to the original's
    containers does not reach the copy.  A model without containers is returned as it
    is.  O(size of the containers); no validation runs and no pydantic copy hook
    either (the clone is built field by field: it is what the original is).  Only the
    fields whose declared type can hold a container are looked at.
    """
    kind = type(value)
    if kind in _SHARED:
        return value
    if kind is dict:
        if not value:
            return {}  # type: ignore[return-value]
        return {  # type: ignore[return-value]
            key: item if type(item) in _SHARED else detached(item)
            for key, item in value.items()  # type: ignore[attr-defined]
        }
    if kind is list:
        return [item if type(item) in _SHARED else detached(item) for item in value]  # type: ignore[attr-defined, return-value]
    if not isinstance(value, BaseModel):
        return value
    model = type(value)
    names = _CONTAINER_FIELDS.get(model)
    if names is None:
        names = _CONTAINER_FIELDS[model] = _container_fields(model)
        if not names and model.model_config.get("extra") != "allow":
            # No field can hold a container and no extra can exist: shared as is,
            # without a call, wherever it occurs (a message's text parts).
            _SHARED.add(model)
            return value
    attributes = vars(value)
    fields = None
    for name in names:
        item = attributes[name]
        kind = type(item)
        if kind in _SHARED:
            continue
        # dicts and lists inline: a record's containers are mostly flat JSON.
        if kind is dict:
            new: Any = (
                {key: sub if type(sub) in _SHARED else detached(sub) for key, sub in item.items()}
                if item
                else {}
            )
        elif kind is list:
            new = [sub if type(sub) in _SHARED else detached(sub) for sub in item]
        else:
            new = detached(item)
            if new is item:
                continue
        if fields is None:
            fields = attributes.copy()
        fields[name] = new
    extra = value.__pydantic_extra__
    extras = {key: detached(item) for key, item in extra.items()} if extra else None
    if fields is None and extras is None:
        return value
    clone = model.__new__(model)
    object.__setattr__(clone, "__dict__", attributes if fields is None else fields)
    # The fields-set is pydantic's bookkeeping, never changed after construction: shared.
    object.__setattr__(clone, "__pydantic_fields_set__", value.__pydantic_fields_set__)
    object.__setattr__(clone, "__pydantic_extra__", extra if extras is None else extras)
    object.__setattr__(clone, "__pydantic_private__", value.__pydantic_private__)
    return clone


_PLAIN: Final[frozenset[type]] = frozenset({str, int, float, bool, type(None)})
"""Immutable JSON leaves."""

_SHARED: Final[set[type]] = set(_PLAIN)
"""Types whose instances are shared without a call: the JSON leaves, and every model
class found to hold no container (no container field, no extras)."""

_CONTAINER_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}
"""Model class -> the names of its fields whose declared type can hold a container."""

_CONTAINERS: Final = (dict, list, set, BaseModel)
"""What a field of a class type must not be to count as immutable (pydantic's own
marker classes such as ``AwareDatetime`` stand for immutable values)."""


def _container_fields(kind: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name, info in kind.model_fields.items() if not _scalar(info.annotation))


def _scalar(annotation: Any) -> bool:
    """Whether every value of ``annotation`` is immutable: a class that is no dict,
    list, set or model (str, numbers, bool, None, datetimes, enums), a literal, or a
    union or ``Annotated`` form of those."""
    if annotation is Any:
        return False
    if isinstance(annotation, type):
        return not issubclass(annotation, _CONTAINERS)
    origin = get_origin(annotation)
    if origin is Literal:
        return True
    if origin is Annotated:
        return _scalar(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        return all(_scalar(arg) for arg in get_args(annotation))
    return False
