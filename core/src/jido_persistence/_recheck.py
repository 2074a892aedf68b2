"""Re-checking ``save_*`` arguments as their model would check them (contract 9.0).

Pydantic builds unvalidated instances on two documented routes, ``model_construct()``
and ``model_copy(update=...)``.  Re-validating every argument on every save would
cost a full model validation (tens of microseconds for a message) on the hot path, so
the models instead *remember* the instances those routes produced: the contract
models override both routes (and ``copy``/``deepcopy``/unpickling, which carry an
instance's state over) to enter the new instance in a registry of unchecked
instances, held by weak reference.  An instance that pydantic validated is never in
it.

:func:`recheck` is then a dictionary lookup per model instance for a validated
argument (the message and each of its content parts), and a full validation only for
an instance that came from one of those routes.  Instances of a subclass of the model
are always validated in full, since a subclass may have changed its fields' rules.
"""

from __future__ import annotations

import typing
import weakref
from collections.abc import Mapping
from typing import Any, Final, Self, TypeVar

from pydantic import BaseModel, JsonValue, TypeAdapter, ValidationError

from jido_persistence._text import json_is_plainly_storable

__all__ = ["TrackedModel", "is_unchecked", "mark_unchecked", "recheck", "validation_problems"]

ModelT = TypeVar("ModelT", bound=BaseModel)

_UNCHECKED: Final[dict[int, weakref.ref[BaseModel]]] = {}
"""``id(instance) -> weakref(instance)`` for every instance built without validation."""

_NESTED_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}

_CONTAINER_FIELDS: dict[type[BaseModel], tuple[tuple[str, TypeAdapter[Any] | None], ...]] = {}

_HAS_CONTAINERS: dict[type[BaseModel], bool] = {}

_MODELS: Final[TypeAdapter[Any]] = TypeAdapter(list[Any])
"""Marks a field holding a list of models: its items are re-checked one by one."""


def _forget(ref: weakref.ref[BaseModel], key: int) -> None:
    if _UNCHECKED.get(key) is ref:
        del _UNCHECKED[key]


def mark_unchecked(instance: BaseModel) -> None:
    """Record that ``instance`` was built without validation, so a save re-validates it.

    O(1); the entry goes away with the instance.
    """
    key = id(instance)
    _UNCHECKED[key] = weakref.ref(instance, lambda ref: _forget(ref, key))


def is_unchecked(instance: object) -> bool:
    """Whether ``instance`` came from ``model_construct``/``model_copy(update=...)``. O(1)."""
    ref = _UNCHECKED.get(id(instance))
    return ref is not None and ref() is instance


def _holds_models(annotation: object) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel)
    return any(_holds_models(arg) for arg in typing.get_args(annotation))


def _nested_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The names of ``model``'s fields whose values may be (lists of) models; cached."""
    names = _NESTED_FIELDS.get(model)
    if names is None:
        names = tuple(
            name
            for name, field in model.model_fields.items()
            if _holds_models(field.annotation)
            or any(_holds_models(item) for item in field.metadata)
        )
        _NESTED_FIELDS[model] = names
    return names


def _all_checked(value: BaseModel) -> bool:
    """True when ``value`` and every model nested in it were built by validation."""
    if is_unchecked(value):
        return False
    fields = value.__dict__
    for name in _nested_fields(type(value)):
        held = fields.get(name)
        if isinstance(held, BaseModel):
            if type(held).__module__ != value.__module__ or not _all_checked(held):
                return False
        elif type(held) is list:
            for item in held:
                if isinstance(item, BaseModel) and (
                    type(item).__module__ != value.__module__ or not _all_checked(item)
                ):
                    return False
    return True


def _container_fields(model: type[BaseModel]) -> tuple[tuple[str, TypeAdapter[Any] | None], ...]:
    """``model``'s fields that may hold a ``dict`` or ``list``, with how to re-check them.

    A frozen model's fields cannot be re-bound, but a ``dict`` or ``list`` it holds can
    still be changed in place after validation (``room.metadata["x"] = float("nan")``).
    Free-form JSON maps (``None``: the fast JSON walk decides), lists of models
    (``_MODELS``: each item is checked as a record) and other typed containers (a
    ``TypeAdapter`` of the field's annotation) are listed; the result is cached.
    """
    fields = _CONTAINER_FIELDS.get(model)
    if fields is None:
        found: list[tuple[str, TypeAdapter[Any] | None]] = []
        for name, field in model.model_fields.items():
            origin = typing.get_origin(field.annotation)
            if origin not in (dict, list):
                continue
            args = typing.get_args(field.annotation)
            if origin is dict and args and args[1] is JsonValue:
                found.append((name, None))
                continue
            if origin is list and _holds_models(field.annotation):
                found.append((name, _MODELS))
                continue
            annotation: Any = field.annotation
            if field.metadata:
                annotation = typing.Annotated[(annotation, *field.metadata)]
            found.append((name, TypeAdapter(annotation)))
        fields = tuple(found)
        _CONTAINER_FIELDS[model] = fields
    return fields


def _containers_hold_valid_data(value: BaseModel) -> bool:
    """True when every ``dict``/``list`` in ``value`` (nested models too) is still valid.

    The cost is one fast walk per non-empty container; an empty one (the usual
    ``reactions``/``receipts``) costs a length test.  A container whose content its
    field would reject or store differently answers False, and the caller then
    re-validates the whole record, which names the field at fault.
    """
    held = value.__dict__
    for name, adapter in _container_fields(type(value)):
        item = held.get(name)
        if not item:
            continue
        if adapter is None:
            if type(item) is not dict or not json_is_plainly_storable(item):
                return False
            continue
        if adapter is _MODELS:
            # _all_checked vouched for the models themselves; a foreign item, or a
            # changed container inside a part, sends the record to full validation.
            for part in item:
                if not isinstance(part, BaseModel):
                    return False
                if _has_containers(type(part)) and not _containers_hold_valid_data(part):
                    return False
            continue
        try:
            if adapter.validate_python(item) != item:
                return False
        except (ValidationError, TypeError, ValueError, RecursionError):
            return False
    for name in _nested_fields(type(value)):
        nested = held.get(name)
        if isinstance(nested, BaseModel) and not _containers_hold_valid_data(nested):
            return False
    return True


def _has_containers(model: type[BaseModel]) -> bool:
    """Whether instances of ``model`` can hold a changeable container; cached."""
    has = _HAS_CONTAINERS.get(model)
    if has is None:
        has = bool(_container_fields(model) or _nested_fields(model))
        _HAS_CONTAINERS[model] = has
    return has


def _raw(value: object) -> object:
    """The data a model instance holds, with nested instances turned back into dicts."""
    if isinstance(value, BaseModel):
        data = {name: _raw(item) for name, item in value.__dict__.items()}
        if value.__pydantic_extra__:
            data.update(value.__pydantic_extra__)
        return data
    if type(value) is list:
        return [_raw(item) for item in value]
    return value


def validation_problems(error: ValidationError) -> str:
    """``error``'s problems as ``"field.path: message"``, without the input values.

    The input is left out on purpose: it may be a bridge credential.
    """
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'value'}: {item['msg']}"
        for item in error.errors(include_url=False, include_input=False)
    )


def recheck(value: ModelT, model: type[ModelT], name: str) -> ModelT:
    """Return ``value`` when ``model`` would accept it as it is; else raise ValueError.

    ``value`` must already be an instance of ``model``.  A validated instance of
    ``model`` itself, whose nested models were validated too, is returned after one
    lookup per model instance.  Any other is validated again from the data it holds:
    the model must accept that data and give back an equal record (so what a store
    keeps equals the argument); the re-validated record is returned.  The ValueError
    names ``name``, the model and the fields at fault, never their values.
    """
    if (
        type(value) is model
        and (not _UNCHECKED or _all_checked(value))
        and _containers_hold_valid_data(value)
    ):
        return value  # validated, and no dict or list in it was changed since
    try:
        validated = model.model_validate(_raw(value))
    except ValidationError as error:
        raise ValueError(
            f"{name} is not a valid {model.__name__}: {validation_problems(error)}"
        ) from None
    except (TypeError, ValueError, RecursionError) as error:
        raise ValueError(f"{name} is not a valid {model.__name__}: {error}") from None
    try:
        same = validated.__dict__ == value.__dict__ and (validated.__pydantic_extra__ or None) == (
            value.__pydantic_extra__ or None
        )
    except Exception:  # an exotic value whose __eq__ fails cannot be stored as given
        same = False
    if not same:
        changed = sorted(
            key
            for key in validated.__dict__
            if not _safe_equal(validated.__dict__[key], value.__dict__.get(key, _MISSING))
        )
        raise ValueError(
            f"{name} is not a valid {model.__name__}: its model would store "
            f"{', '.join(changed) or 'its extra fields'} differently from the value given "
            f"(build it with {model.__name__}(...) or model_validate)"
        )
    return validated


_MISSING: Final = object()


def _safe_equal(left: object, right: object) -> bool:
    try:
        return bool(left == right)
    except Exception:
        return False


class TrackedModel(BaseModel):
    """Base of the contract models: remembers the instances built without validation.

    ``model_construct()``, ``model_copy(update=...)``, and ``copy``/``deepcopy``/
    unpickling of an unchecked instance (unpickling always, since pickled state is
    not validated) enter the new instance in the registry that :func:`recheck` reads.
    Each costs one weak reference; instances pydantic validates cost nothing extra.
    """

    @classmethod
    def model_construct(  # type: ignore[override]  # the pydantic plugin types it per model
        cls, _fields_set: set[str] | None = None, **values: Any
    ) -> Self:
        """Build an instance without validation, as pydantic does; a save re-validates it."""
        instance = super().model_construct(_fields_set, **values)
        mark_unchecked(instance)
        return instance

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Copy as pydantic does; a copy with ``update`` is unchecked (pydantic skips it)."""
        copied = super().model_copy(update=update, deep=deep)
        if update or is_unchecked(self):
            mark_unchecked(copied)
        return copied

    def __copy__(self) -> Self:
        copied = super().__copy__()
        if is_unchecked(self):
            mark_unchecked(copied)
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        copied = super().__deepcopy__(memo)
        if is_unchecked(self):
            mark_unchecked(copied)
        return copied

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        mark_unchecked(self)
