"""The wire bounds as pure functions, and the README's "Limits" table kept equal to them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from google.protobuf import struct_pb2

from llmgateway.api import bounds
from llmgateway.core.errors import GatewayError
from llmgateway.v1 import chat_pb2, embedding_pb2

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_lists_every_bound_with_its_value() -> None:
    section = README.read_text().split("## Limits", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (\d+) \|", section, re.MULTILINE))
    assert rows == {name: str(limit.value) for name, limit in bounds.LIMITS.items()}


def _violations(check: object, request: object) -> list[tuple[str, str]]:
    with pytest.raises(GatewayError) as info:
        check(request)  # type: ignore[operator]
    return info.value.field_violations


def test_a_count_past_its_bound_is_reported_without_walking_the_elements() -> None:
    # A million unknown roles: one violation for the count, none for the elements.
    request = chat_pb2.ChatRequest(model="m", messages=[chat_pb2.Message(role=99)] * 1_000_000)
    assert _violations(bounds.check_chat, request) == [
        ("messages", f"at most {bounds.MESSAGES} messages (got 1000000)")
    ]


def test_the_schema_walk_stops_at_the_shared_budget() -> None:
    schema = struct_pb2.Struct()
    schema.update({"enum": list(range(bounds.SCHEMA_NODES - 1))})  # with the key: the whole budget
    tools = [chat_pb2.Tool(name="a", parameters=schema), chat_pb2.Tool(name="b", parameters=schema)]
    violations = _violations(bounds.check_chat, chat_pb2.ChatRequest(tools=tools))
    assert [field for field, _ in violations] == ["tools[1].parameters"]


def test_enum_numbers_this_server_does_not_know_are_violations() -> None:
    request = chat_pb2.ChatRequest(
        messages=[chat_pb2.Message(role=7)], generation=chat_pb2.GenerationConfig(reasoning_effort=42)
    )
    fields = [f for f, _ in _violations(bounds.check_chat, request)]
    assert fields == ["messages[0].role", "generation.reasoning_effort"]


def test_dimensions_bound_the_answer_size() -> None:
    over = embedding_pb2.EmbedRequest(inputs=["a"] * 2, dimensions=bounds.EMBED_VALUES // 2 + 1)
    assert [f for f, _ in _violations(bounds.check_embed, over)] == ["dimensions"]
    fits = bounds.EMBED_VALUES // bounds.DIMENSIONS
    bounds.check_embed(embedding_pb2.EmbedRequest(inputs=["a"] * fits, dimensions=bounds.DIMENSIONS))


def test_violations_never_echo_the_value() -> None:
    request = chat_pb2.ChatRequest(model="secret-looking-" * 100)
    (violation,) = _violations(bounds.check_chat, request)
    assert "secret" not in violation[1]
