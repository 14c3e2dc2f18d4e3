"""Record declarations, and the one parser that reads every record kind by its declaration.

A record kind is a frozen dataclass deriving from `Record`; its field annotations declare what
each stored field must be:

- the type: `str`, `int`, `bool`, `tuple[str, ...]` (stored as a list of ids) or `Any`;
- `T | None`: the field may be absent and then reads as None;
- `Annotated[T, Default(v)]` (or a dataclass default): absent reads as `v`;
- `Annotated[T, OneOf(choices)]`: the allowed values; `Annotated[int, POSITIVE]`: above zero;
- a field named `id` holds the record's key; `Annotated[T, Key(convert)]` another key field.

Any other field is required. A missing or null field takes its default. Fields the declaration
does not name are not an error and are never dropped: a change merges its fields into the
stored record (mlpl_tui.changes), so they survive every write.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Annotated, Any, ClassVar, TypeVar, Union, get_args, get_origin, get_type_hints

from mlpl_tui.errors import UsageError

Raw = Mapping[str, Any]
R = TypeVar("R", bound="Record")


class StateError(UsageError):
    """The state file holds something this program cannot use (exit 2)."""


class RecordError(StateError):
    """One record has a missing or wrongly typed field."""


@dataclass(frozen=True)
class Default:
    """What a missing or null field reads as; a field without one is required."""

    value: Any


@dataclass(frozen=True)
class OneOf:
    """The values a text field may hold."""

    choices: tuple[str, ...]


@dataclass(frozen=True)
class Positive:
    """A whole number above zero."""


@dataclass(frozen=True)
class Key:
    """This field holds the record's key, as `convert` turns it (a ValueError refuses the key)."""

    convert: Callable[[str], Any] | None = None

    def read(self, raw: Raw, kind: str, id: str) -> Any:
        """The key as this field holds it; `raw` is not read."""
        if self.convert is None:
            return id
        try:
            return self.convert(id)
        except ValueError as exc:
            raise RecordError(f"{named(kind, id)}: {exc}") from None


POSITIVE = Positive()
Text = Annotated[str, Default("")]
Ids = Annotated[tuple[str, ...], Default(())]


def named(kind: str, id: str) -> str:
    """How messages name a record; an id from a hostile file can be a megabyte long."""
    return f"{kind} '{id}'" if len(id) <= 40 else f"{kind} '{id[:39]}…'"


_REQUIRED: Any = object()


@dataclass(frozen=True)
class FieldSpec:
    """One declared field: how it is stored and what a missing one reads as."""

    name: str
    kind: type | None  # None: any JSON value, unchecked
    default: Any = _REQUIRED
    choices: tuple[str, ...] = ()
    positive: bool = False

    def read(self, raw: Raw, kind: str, id: str) -> Any:
        """The field's value in `raw`; a RecordError naming the record (`kind`, `id`) if wrong."""
        value: Any = raw.get(self.name)
        if value is None:
            if self.default is _REQUIRED:
                raise RecordError(f"{named(kind, id)}: field '{self.name}' is missing")
            return self.default
        expected = self.kind
        if expected is None:
            return value
        if type(value) is not expected and not _instance(value, expected):
            raise RecordError(
                f"{named(kind, id)}: field '{self.name}' should be {expected.__name__}, "
                f"not {value!r:.40}"
            )
        if expected is list:
            if not all(isinstance(v, str) for v in value):
                raise RecordError(f"{named(kind, id)}: field '{self.name}' should list text ids")
            return tuple(value)
        if self.choices and value not in self.choices:
            raise RecordError(
                f"{named(kind, id)}: field '{self.name}' is '{value:.40}'; "
                f"use one of {', '.join(self.choices)}"
            )
        if self.positive and value <= 0:
            raise RecordError(
                f"{named(kind, id)}: field '{self.name}' must be positive, not {value}"
            )
        return value


def _instance(value: object, expected: type) -> bool:
    # bool is an int in Python; a count stored as true/false is still wrong.
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


class Record:
    """Base of the record kinds: `kind` names one record in messages, `table` holds them."""

    KIND: ClassVar[str]
    TABLE: ClassVar[str]

    def __init_subclass__(cls, *, kind: str, table: str, **rest: Any) -> None:
        super().__init_subclass__(**rest)
        cls.KIND, cls.TABLE = kind, table

    @classmethod
    def parse(cls: type[R], id: str, raw: Raw) -> R:
        """One stored record as this kind, or a RecordError naming the record and the field."""
        return parser(cls)(id, raw)

    @classmethod
    def spec(cls, name: str) -> FieldSpec:
        """The declaration of one stored field."""
        return next(s for s in _specs(cls) if isinstance(s, FieldSpec) and s.name == name)


_parsers: dict[type[Record], Callable[[str, Raw], Any]] = {}


def parser(cls: type[R]) -> Callable[[str, Raw], R]:
    """The function that reads records of `cls`, built from its declaration on first use."""
    found = _parsers.get(cls)
    if found is None:
        found = _parsers[cls] = _build_parser(cls)
    return found


def _build_parser(cls: type[Record]) -> Callable[[str, Raw], Any]:
    specs, kind, construct = _specs(cls), cls.KIND, cls

    def parse(id: str, raw: Raw) -> Any:
        return construct(*[spec.read(raw, kind, id) for spec in specs])

    return parse


def _specs(cls: type) -> tuple[FieldSpec | Key, ...]:
    """Each dataclass field of `cls`, in order, as its key or its stored field's declaration."""
    hints = get_type_hints(cls, include_extras=True)
    return tuple(_spec(f.name, hints[f.name], f.default) for f in fields(cls))


def _spec(name: str, hint: Any, default: Any) -> FieldSpec | Key:
    markers: list[Any] = []
    if get_origin(hint) is Annotated:
        hint, *markers = get_args(hint)
    keys = [m for m in markers if isinstance(m, Key)]
    if keys or name == "id":
        return keys[0] if keys else Key()
    if default is MISSING:
        default = _REQUIRED
    if get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint):
        (hint,) = (arg for arg in get_args(hint) if arg is not type(None))
        default = None if default is _REQUIRED else default
    kind: type | None = hint
    if hint is Any:
        kind, default = None, None
    elif hint == tuple[str, ...]:
        kind = list  # ids are stored as a JSON list
    elif hint not in (str, int, bool):
        raise TypeError(f"field '{name}': cannot declare a stored field of type {hint!r}")
    choices: tuple[str, ...] = ()
    for marker in markers:
        if isinstance(marker, Default):
            default = marker.value
        elif isinstance(marker, OneOf):
            choices = marker.choices
    return FieldSpec(name, kind, default, choices, positive=POSITIVE in markers)
