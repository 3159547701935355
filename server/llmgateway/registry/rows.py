"""A model <-> its `llm_models` row, generic over the model's fields: a scalar
column holds the field's value (an enum's value), a JSON column what `to_json`
makes of it; a row is read back by validating it into the model with pydantic,
the way a YAML entry is. No field is named here."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import TypeAdapter

from llmgateway.core.fields import FieldInfo, describe, plain
from llmgateway.core.models import Model

_MODEL: TypeAdapter[Model] = TypeAdapter(Model)


def to_json(value: Any) -> Any:
    """The one JSON encoding of model values: records as objects, enums as their
    values, sets sorted (so equal models store equal JSON), money as decimal strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, frozenset | set):
        return sorted(to_json(v) for v in value)
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def to_row(model: Model) -> dict[str, Any]:
    """Column values by column name."""
    return {info.name: _column_value(info, getattr(model, info.name)) for info in describe(Model)}


def _column_value(info: FieldInfo, value: Any) -> Any:
    if value is None or not info.is_scalar:
        return None if value is None else to_json(value)
    return value.value if isinstance(value, Enum) else value


def from_row(row: Mapping[Any, Any]) -> Model:
    """The model a row holds; raises pydantic.ValidationError (a ValueError) for
    a row that does not fit the model's types."""
    return _MODEL.validate_python({name: _utc(value) for name, value in row.items()})


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite keeps no zone; the registry writes UTC
    return value
