"""One model shape: the model's fields have the same names in the admin proto, the
registry table and YAML; every number and string is bounded; and a model converts
to and from each of them without loss."""

from __future__ import annotations

import math
from dataclasses import fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor
from google.protobuf.duration_pb2 import Duration
from pydantic import TypeAdapter

from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.api.admin_convert import model_from_proto, model_to_proto
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.fields import describe
from llmgateway.core.models import (
    Capability,
    CooldownPolicy,
    Deployment,
    Model,
    Pricing,
    RetryPolicy,
    RoutingStrategy,
    TimeoutOverrides,
)
from llmgateway.registry.records import FALLBACK_REASONS, validate
from llmgateway.registry.rows import from_row, to_row
from llmgateway.registry.schema import models as table
from llmgateway.v1 import error_reason_pb2, model_pb2
from tests.unit.registry.samples import AZURE, full_record

# The only names that differ: the proto's `etag` is the model's `revision` as a string.
PROTO_ONLY, MODEL_ONLY = {"etag"}, {"revision"}


def full_model() -> Model:
    """Every field set, the registry's too; zero retries: a valid 0 that must survive."""
    return replace(
        full_record(),
        fallback_on=frozenset({Reason.CONTEXT_LENGTH_EXCEEDED, Reason.CONTENT_POLICY_VIOLATION}),
        is_available=False,
        retry=RetryPolicy(max_retries=0, initial_backoff=0.1, max_backoff=2.0, multiplier=3.0),
        create_time=datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC),
        update_time=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        revision=42,
        operator_fields=("display_name", "pricing"),
        source="admin",
    )


def _records(cls: type, message: Descriptor, path: str = "Model") -> list[tuple[str, type, Descriptor]]:
    """`cls` and every record nested in it, each with its proto message."""
    found = [(path, cls, message)]
    for info in describe(cls):
        if info.is_record:
            sub = message.fields_by_name[info.name].message_type
            found += _records(info.kind, sub, f"{path}.{info.name}")
    return found


@pytest.mark.parametrize(("path", "cls", "message"), _records(Model, admin_pb2.Model.DESCRIPTOR))
def test_the_proto_and_the_model_name_the_same_fields(path: str, cls: type, message: Descriptor) -> None:
    ours = {f.name for f in fields(cls)}
    theirs = set(message.fields_by_name)
    assert ours - theirs == (MODEL_ONLY if path == "Model" else set()), path
    assert theirs - ours == (PROTO_ONLY if path == "Model" else set()), path


def test_the_table_has_one_column_per_field_named_like_it() -> None:
    assert [c.name for c in table.columns] == [f.name for f in fields(Model)]


@pytest.mark.parametrize(("path", "cls"), [(p, c) for p, c, _ in _records(Model, admin_pb2.Model.DESCRIPTOR)])
def test_every_number_string_and_list_is_bounded(path: str, cls: type) -> None:
    for info in describe(cls):
        where = f"{path}.{info.name}"
        if info.kind in (int, float):
            assert info.range is not None, f"{where} has no Range"
        if info.kind in (str, dict):
            assert info.max_length is not None, f"{where} has no MaxLength"
        if info.many is tuple or info.kind is dict:
            assert info.max_items is not None, f"{where} has no MaxItems"


def test_every_enum_value_has_a_proto_value() -> None:
    proto = admin_pb2.Model()
    for cap in Capability:
        proto.CopyFrom(model_to_proto(replace(full_model(), capabilities=frozenset({cap}))))
        assert model_pb2.Capability.Name(proto.capabilities[0]) == f"CAPABILITY_{cap.value.upper()}"
    for routing in RoutingStrategy:
        assert model_to_proto(replace(full_model(), routing=routing)).routing != 0
    contract = {
        n.removeprefix("ERROR_REASON_")
        for n in error_reason_pb2.ErrorReason.keys()  # noqa: SIM118 (an EnumTypeWrapper)
        if not n.endswith("UNSPECIFIED")
    }
    assert {r.value for r in FALLBACK_REASONS} == contract
    every = model_to_proto(replace(full_model(), fallback_on=FALLBACK_REASONS))
    assert len(every.fallback_on) == len(contract)


def test_a_model_round_trips_through_the_proto() -> None:
    model = full_model()
    proto = model_to_proto(model)
    assert (
        proto.etag == "42"
        and proto.source == "admin"
        and proto.create_time.ToDatetime(UTC) == model.create_time
    )
    assert proto.timeouts.connect.ToMilliseconds() == 2000 and not proto.timeouts.HasField("first_token")
    back = model_from_proto(proto)
    registry = {i.name for i in describe(Model) if i.output_only}
    assert back == replace(model, **{name: getattr(Model("x", "y", "z"), name) for name in registry})


def test_unset_proto_fields_take_the_models_defaults() -> None:
    got = model_from_proto(
        admin_pb2.Model(
            id="a/b",
            provider="mock",
            upstream_model="echo",
            deployments=[admin_pb2.Deployment(id="d", provider="mock", upstream_model="e")],
            retry=admin_pb2.RetryPolicy(),
            cooldown=admin_pb2.CooldownPolicy(),
        )
    )
    assert got.is_available and got.weight == 1.0 and got.deployments[0].weight == 1.0
    assert got.routing is RoutingStrategy.WEIGHTED and got.timeouts == TimeoutOverrides()
    # Zero is a valid retry count, so it stays; 0 is no valid multiplier or failure count.
    assert got.retry == RetryPolicy(max_retries=0) and got.cooldown == CooldownPolicy()
    assert got.capabilities == frozenset()  # a repeated field is what it holds: refused by validation
    assert got.pricing is None and got.deployments[0].pricing is None  # unknown cost, not zero


def test_prices_travel_as_exact_decimal_strings() -> None:
    proto = model_to_proto(full_model())
    assert proto.pricing.input_per_million == "0.15" and proto.pricing.currency == "EUR"
    assert dict(proto.pricing.per_image) == {"1024x1024/hd": "0.08", "*": "0.04"}
    assert proto.deployments[0].pricing.input_per_million == "0.000000000001"
    got = model_from_proto(
        admin_pb2.Model(
            id="a/b",
            provider="mock",
            upstream_model="echo",
            pricing=admin_pb2.Pricing(output_per_million="2"),
        )
    )
    # "" is unset: the input price for cached tokens, USD for the currency; 0 is a price (free).
    assert got.pricing == Pricing(output_per_million=Decimal(2))
    assert got.pricing.cached_input_per_million is None and got.pricing.currency == "USD"


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"timeouts": admin_pb2.Timeouts(total=Duration(seconds=10**12))}, "model.timeouts.total"),
        ({"timeouts": admin_pb2.Timeouts(idle=Duration(seconds=1, nanos=-5))}, "model.timeouts.idle"),
        (
            {"retry": admin_pb2.RetryPolicy(initial_backoff=Duration(nanos=2_000_000_000))},
            "model.retry.initial_backoff",
        ),
        ({"capabilities": [model_pb2.CAPABILITY_CHAT, 99]}, "model.capabilities[1]"),
        ({"routing": 42}, "model.routing"),
        ({"fallback_on": [error_reason_pb2.ERROR_REASON_UNSPECIFIED]}, "model.fallback_on[0]"),
        ({"pricing": admin_pb2.Pricing(input_per_million="0,15")}, "model.pricing.input_per_million"),
        ({"pricing": admin_pb2.Pricing(output_per_million="NaN")}, "model.pricing.output_per_million"),
        ({"pricing": admin_pb2.Pricing(per_image={"*": "one"})}, 'model.pricing.per_image["*"]'),
    ],
)
def test_values_with_no_meaning_are_field_violations(given: dict[str, Any], field: str) -> None:
    proto = admin_pb2.Model(
        **{
            "id": "a/b",
            "provider": "mock",
            "upstream_model": "echo",
            "capabilities": [model_pb2.CAPABILITY_CHAT],
        }
        | given
    )
    with pytest.raises(GatewayError) as info:
        model_from_proto(proto)
    assert info.value.reason is Reason.INVALID_REQUEST
    assert [f for f, _ in info.value.field_violations] == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timeouts": TimeoutOverrides(total=1e10)}, "model.timeouts.total"),
        ({"timeouts": TimeoutOverrides(connect=-1)}, "model.timeouts.connect"),
        ({"timeouts": TimeoutOverrides(idle=math.nan)}, "model.timeouts.idle"),
        ({"weight": math.inf}, "model.weight"),
        ({"weight": math.nan}, "model.weight"),
        ({"pricing": Pricing(input_per_million=Decimal("NaN"))}, "model.pricing.input_per_million"),
        (
            {"pricing": Pricing(cached_input_per_million=Decimal("Inf"))},
            "model.pricing.cached_input_per_million",
        ),
        ({"pricing": Pricing(output_per_million=Decimal("-0.01"))}, "model.pricing.output_per_million"),
        ({"pricing": Pricing(input_per_million=Decimal("1e-13"))}, "model.pricing.input_per_million"),
        ({"pricing": Pricing(per_image={"*": Decimal("1e7")})}, 'model.pricing.per_image["*"]'),
        ({"pricing": Pricing(per_image={"x" * 65: Decimal(1)})}, "model.pricing.per_image"),
        ({"pricing": Pricing(currency="usd")}, "model.pricing.currency"),
        (
            {"deployments": (Deployment("d", "mock", "e", pricing=Pricing(currency="EURO")),)},
            "model.deployments[0].pricing.currency",
        ),
        ({"retry": RetryPolicy(multiplier=math.nan)}, "model.retry.multiplier"),
        ({"retry": RetryPolicy(initial_backoff=math.inf)}, "model.retry.initial_backoff"),
        ({"retry": RetryPolicy(max_retries=11)}, "model.retry.max_retries"),
        ({"cooldown": CooldownPolicy(window=0)}, "model.cooldown.window"),
        ({"cooldown": CooldownPolicy(failures=10**6)}, "model.cooldown.failures"),
        ({"context_length": 10**12}, "model.context_length"),
        ({"max_output_tokens": -1}, "model.max_output_tokens"),
        ({"display_name": "x" * 201}, "model.display_name"),
        ({"fallbacks": tuple(f"m/{i}" for i in range(17))}, "model.fallbacks"),
        ({"options": {"k": "v" * 1001}}, "model.options"),
        ({"fallback_on": frozenset({Reason.ETAG_MISMATCH})}, "model.fallback_on"),
        (
            {"deployments": (Deployment("d", "mock", "e", "", weight=math.nan),)},
            "model.deployments[0].weight",
        ),
        ({"deployments": (Deployment("d" * 65, "mock", "e"),)}, "model.deployments[0].id"),
    ],
)
def test_validation_bounds_every_value(change: dict[str, Any], field: str) -> None:
    model = replace(full_model(), **change)
    assert field in [f for f, _ in validate(model, strict=False)]


def test_a_model_round_trips_through_its_row() -> None:
    model = full_model()
    row = to_row(model)
    assert row["pricing"] == {
        "currency": "EUR",
        "input_per_million": "0.15",
        "output_per_million": "0.6",
        "cached_input_per_million": "0.075",
        "cache_write_per_million": "0.1875",
        "reasoning_per_million": "0.9",
        "per_image": {"1024x1024/hd": "0.08", "*": "0.04"},
        "audio_per_minute": "0.006",
        "speech_per_million_characters": "15",
    }
    assert row["deployments"][0]["pricing"]["input_per_million"] == "0.000000000001"
    assert row["capabilities"] == ["chat", "stream", "tools"] and row["routing"] == "least_inflight"
    assert row["timeouts"]["first_token"] is None and row["retry"]["initial_backoff"] == 0.1
    assert from_row(row) == model
    naive = {**row, "create_time": model.create_time.replace(tzinfo=None)}  # type: ignore[union-attr]
    assert from_row(naive).create_time == model.create_time  # SQLite keeps no zone


def test_yaml_entries_validate_straight_into_the_model() -> None:
    entry = {
        "id": "team/full",
        "provider": "openai",
        "upstream_model": "gpt-4o-mini",
        "max_output_tokens": 16384,
        "timeouts": {"connect": 2, "idle": 15, "total": 120},
        "retry": {"max_retries": 0, "initial_backoff": 0.1, "max_backoff": 2, "multiplier": 3},
        "cooldown": {"failures": 5, "window": 10, "cooldown": 20},
        "fallback_on": ["CONTEXT_LENGTH_EXCEEDED", "CONTENT_POLICY_VIOLATION"],
        "deployments": [
            {"id": "eu", "provider": "azure", "upstream_model": "gpt4o-eu", "adapter_class": AZURE,
             "base_url": "https://eu.openai.azure.com", "credential_ref": "AZURE_EU_API_KEY",
             "options": {"api_version": "2024-10-21"},
             "pricing": {"input_per_million": "0.000000000001", "output_per_million": 1}}
        ],
        # YAML numbers and strings alike are the decimals written (0.15, not the float's binary value).
        "pricing": {"currency": "EUR", "input_per_million": 0.15, "output_per_million": "0.6",
                    "cached_input_per_million": "0.075", "cache_write_per_million": 0.1875,
                    "reasoning_per_million": "0.9", "per_image": {"1024x1024/hd": 0.08, "*": "0.04"},
                    "audio_per_minute": 0.006, "speech_per_million_characters": 15},
    }  # fmt: skip
    yaml = TypeAdapter(Model).validate_python(entry)
    full = full_model()
    names = ("max_output_tokens", "timeouts", "retry", "cooldown", "fallback_on", "deployments", "pricing")
    for name in names:
        assert getattr(yaml, name) == getattr(full, name), name
