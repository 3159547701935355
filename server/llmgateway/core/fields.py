"""What a field of a record dataclass is, read once from its type hints: its
kind, whether it is optional or a collection, and its bounds. The converters of
the model (YAML, DB row, admin proto) and its validation walk this description
instead of naming fields, so a new field needs no mapping line anywhere.

Bounds ride on the type as `Annotated` markers (`Annotated[float, Range(0, 1e6)]`);
pydantic ignores them, `registry.records.validate` enforces them. Money is `Decimal`
(a decimal string outside the process), bounded by `Range` and `Places`."""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Union


@dataclass(frozen=True, slots=True)
class Range:
    """A number's valid values: finite, `lo <= x <= hi` (`lo < x` when `above`)."""

    lo: float
    hi: float
    above: bool = False

    def __contains__(self, value: float | Decimal) -> bool:
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite or value > self.hi:
            return False
        return value > self.lo if self.above else value >= self.lo

    def describe(self) -> str:
        low = f"greater than {self.lo:g}" if self.above else f"at least {self.lo:g}"
        return f"must be {low} and at most {self.hi:g}"


@dataclass(frozen=True, slots=True)
class MaxLength:
    """The longest valid string (for a mapping: each key and each value)."""

    chars: int


@dataclass(frozen=True, slots=True)
class Places:
    """The most decimal places of a Decimal."""

    digits: int

    def __contains__(self, value: Decimal) -> bool:
        exponent = value.as_tuple().exponent
        return isinstance(exponent, int) and exponent >= -self.digits


@dataclass(frozen=True, slots=True)
class MaxItems:
    """The most entries of a collection."""

    count: int


class OutputOnly:
    """Maintained by the registry: never read from YAML or an admin write."""


OUTPUT_ONLY = OutputOnly()


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field: `kind` is the element type (str, int, float, bool, datetime,
    Decimal, an Enum, a record dataclass, or dict for a mapping from str to
    `values`: str or Decimal); `many` is the container (tuple or frozenset) of a
    repeated field, else None. `range` and `places` bound a number (a mapping's
    values). A scalar is stored in a column of its own, anything else as JSON."""

    name: str
    kind: type
    many: type | None
    optional: bool
    range: Range | None
    places: Places | None
    values: type | None
    max_length: int | None
    max_items: int | None
    output_only: bool
    is_record: bool
    is_enum: bool
    is_scalar: bool


_DESCRIBED: dict[type, tuple[FieldInfo, ...]] = {}


def describe(cls: type) -> tuple[FieldInfo, ...]:
    """The fields of record dataclass `cls`, in declaration order (read once)."""
    found = _DESCRIBED.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        found = _DESCRIBED[cls] = tuple(_info(f.name, hints[f.name]) for f in dataclasses.fields(cls))
    return found


def _info(name: str, hint: Any) -> FieldInfo:
    markers: list[Any] = []
    hint, markers = _strip(hint, markers)
    optional = False
    if typing.get_origin(hint) in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        (hint,) = args
        hint, markers = _strip(hint, markers)
    many = values = None
    origin = typing.get_origin(hint)
    if origin in (tuple, frozenset):
        many, hint = origin, typing.get_args(hint)[0]
        hint, markers = _strip(hint, markers)
    elif origin is Mapping or origin is dict:
        values, markers = _strip(typing.get_args(hint)[1], markers)
        hint = dict
    is_enum = issubclass(hint, Enum)
    return FieldInfo(
        name=name,
        kind=hint,
        many=many,
        optional=optional,
        range=next((m for m in markers if isinstance(m, Range)), None),
        places=next((m for m in markers if isinstance(m, Places)), None),
        values=values,
        max_length=next((m.chars for m in markers if isinstance(m, MaxLength)), None),
        max_items=next((m.count for m in markers if isinstance(m, MaxItems)), None),
        output_only=any(isinstance(m, OutputOnly) for m in markers),
        is_record=dataclasses.is_dataclass(hint),
        is_enum=is_enum,
        is_scalar=many is None and (hint in (str, int, float, bool, datetime) or is_enum),
    )


def _strip(hint: Any, markers: list[Any]) -> tuple[Any, list[Any]]:
    if typing.get_origin(hint) is Annotated:
        return hint.__origin__, [*markers, *hint.__metadata__]
    return hint, markers


@functools.lru_cache(maxsize=1024)  # every answered call writes its cost twice (response, trailer)
def plain(value: Decimal) -> str:
    """A decimal as a person writes it: no exponent, no trailing zeros (`0.00015`)."""
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def parse_decimal(text: str) -> Decimal | None:
    """A finite decimal written as text (`0.15`, `1e-7`), or None."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def writable(cls: type) -> tuple[str, ...]:
    """The fields an operator writes: all but `id` and the output-only ones."""
    return tuple(i.name for i in describe(cls) if not i.output_only and i.name != "id")


def output_only(cls: type) -> tuple[str, ...]:
    return tuple(i.name for i in describe(cls) if i.output_only)
