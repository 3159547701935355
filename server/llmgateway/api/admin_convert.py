"""The admin proto `Model` <-> the model (`core.models.Model`), generic over the
fields: a message field and a record field of the same name convert by their
kinds, with hooks for what protobuf spells differently (Duration: seconds as a
float; Timestamp: a datetime; enums by value name, `CAPABILITY_CHAT` <-> "chat").
Money (Decimal) travels as a decimal string, "" meaning unset.
Output-only fields are written, never read. The one proto field without a record
field of its name is `etag`, the model's `revision` as a string; a credential
reference is shown as `shown_reference` has it (a key stored by mistake is never
sent back)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.message import Message

from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.core.errors import invalid_request
from llmgateway.core.fields import FieldInfo, describe, output_only, parse_decimal, plain, writable
from llmgateway.core.models import Model
from llmgateway.core.secrets import shown_reference

WRITABLE_FIELDS = writable(Model)
OUTPUT_ONLY_FIELDS = (*output_only(Model), "etag")
_DURATION = duration_pb2.Duration.DESCRIPTOR.full_name
_TIMESTAMP = timestamp_pb2.Timestamp.DESCRIPTOR.full_name
_MAX_DURATION_S = 315_576_000_000  # google.protobuf.Duration's range: about 10,000 years
_SHOWN: dict[str, Callable[[Any], Any]] = {"credential_ref": shown_reference}  # at every depth
Violations = list[tuple[str, str]]


def model_to_proto(model: Model) -> admin_pb2.Model:
    out = admin_pb2.Model(etag=model.etag)
    _write(model, out)
    return out


def model_from_proto(msg: admin_pb2.Model, prefix: str = "model") -> Model:
    """The writable fields of `msg` as a model. Raises INVALID_REQUEST for values
    with no meaning (UNSPECIFIED or unknown enum values, invalid Durations); ranges
    and formats are `registry.records.validate`'s."""
    violations: Violations = []
    model: Model = _read(Model, msg, prefix, violations)
    if violations:
        raise invalid_request(violations)
    return model


# --- record -> message ----------------------------------------------------------------------------


def _write(record: object, message: Message) -> None:
    fields = message.DESCRIPTOR.fields_by_name
    for info in describe(type(record)):
        value = getattr(record, info.name)
        fd = fields.get(info.name)
        if fd is None or value is None:
            continue
        target = getattr(message, info.name)
        if info.kind is dict:
            target.update({k: plain(v) if isinstance(v, Decimal) else v for k, v in value.items()})
        elif info.many is not None and info.is_record:
            for item in value:
                _write(item, target.add())
        elif info.many is not None:
            items = [_scalar_out(fd, info, item) for item in value]
            target.extend(sorted(items) if info.many is frozenset else items)
        elif info.is_record:
            target.SetInParent()
            _write(value, target)
        elif fd.message_type is not None and fd.message_type.full_name == _DURATION:
            target.FromNanoseconds(round(value * 1e9))
        elif fd.message_type is not None and fd.message_type.full_name == _TIMESTAMP:
            target.FromDatetime(value)
        else:
            shown = _SHOWN.get(info.name)
            setattr(message, info.name, _scalar_out(fd, info, shown(value) if shown else value))


def _scalar_out(fd: Any, info: FieldInfo, value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    return _enum_numbers(fd.enum_type, info.kind)[value] if fd.enum_type is not None else value


# --- message -> record ----------------------------------------------------------------------------


def _read(cls: type, message: Message, path: str, violations: Violations) -> Any:
    fields = message.DESCRIPTOR.fields_by_name
    values: dict[str, Any] = {}
    for info in describe(cls):
        fd = fields.get(info.name)
        if fd is None or info.output_only:
            continue
        at = f"{path}.{info.name}"
        raw = getattr(message, info.name)
        if info.kind is dict and info.values is Decimal:
            values[info.name] = {k: _decimal(v, f'{at}["{k}"]', violations) for k, v in raw.items()}
        elif info.kind is dict:
            values[info.name] = dict(raw)
        elif info.kind is Decimal:
            if raw:  # "" is unset: the default
                values[info.name] = _decimal(raw, at, violations)
        elif info.many is not None:
            items = (_one(info, fd, item, f"{at}[{i}]", violations) for i, item in enumerate(raw))
            values[info.name] = info.many(item for item in items if item is not None)
        elif fd.message_type is not None or fd.has_presence or fd.enum_type is not None:
            # Unset (a message or `optional` field not present, an enum at UNSPECIFIED): the default.
            present = message.HasField(info.name) if fd.has_presence else raw != 0
            value = _one(info, fd, raw, at, violations) if present else None
            if value is not None:
                values[info.name] = value
        elif raw == "" and info.name in _text_defaults(cls):
            continue  # unset: the default (a Pricing's `currency` is USD)
        elif raw != 0 or info.range is None or 0 in info.range:
            # proto3 cannot tell an unset number from 0: where 0 is not a valid value
            # (a weight, a multiplier), it means unset and the default applies.
            values[info.name] = raw
    return cls(**values)


def _one(info: FieldInfo, fd: Any, raw: Any, at: str, violations: Violations) -> Any:
    """One value of a field (None after a violation)."""
    if info.is_record:
        return _read(info.kind, raw, at, violations)
    if fd.message_type is not None and fd.message_type.full_name == _DURATION:
        return _seconds(raw, at, violations)
    if fd.enum_type is not None:
        member = _enum_members(fd.enum_type, info.kind).get(raw)
        if member is None:
            violations.append((at, f"must be a known {fd.enum_type.name} value, not UNSPECIFIED"))
        return member
    return raw


@cache
def _text_defaults(cls: type) -> frozenset[str]:
    """Text fields whose default is not empty: "" (unset in proto3) means the default."""
    return frozenset(f.name for f in dataclasses.fields(cls) if isinstance(f.default, str) and f.default)


def _decimal(text: str, at: str, violations: Violations) -> Decimal:
    value = parse_decimal(text)
    if value is None:
        violations.append((at, "must be a decimal number, e.g. 0.15"))
        return Decimal(0)
    return value


def _seconds(d: duration_pb2.Duration, at: str, violations: Violations) -> float | None:
    valid = (
        abs(d.seconds) <= _MAX_DURATION_S
        and abs(d.nanos) < 1_000_000_000
        and (d.seconds == 0 or d.nanos == 0 or (d.seconds > 0) == (d.nanos > 0))
    )
    if not valid:
        violations.append(
            (at, "is not a valid Duration (nanos must be within ±999999999, of the seconds' sign)")
        )
        return None
    return d.seconds + d.nanos / 1e9


# --- enums: proto value names are the enum's prefix and the record value in capitals ------------


@cache
def _enum_numbers(descriptor: EnumDescriptor, enum: type[Enum]) -> dict[Enum, int]:
    return {member: number for number, member in _enum_members(descriptor, enum).items()}


@cache
def _enum_members(descriptor: EnumDescriptor, enum: type[Enum]) -> dict[int, Enum]:
    prefix = _snake(descriptor.name).upper() + "_"
    by_name = {f"{prefix}{str(member.value).upper()}": member for member in enum}
    return {v.number: by_name[v.name] for v in descriptor.values if v.name in by_name}


def _snake(camel: str) -> str:
    return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(camel))
