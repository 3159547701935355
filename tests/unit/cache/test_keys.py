"""Cache keys: stable, bounded, and sensitive to exactly what shapes an answer."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from llmgateway.cache.keys import chat_key, embed_keys, model_revision, namespace
from llmgateway.core.calls import Principal
from llmgateway.core.models import Deployment, Model, Pricing
from llmgateway.core.types import (
    ChatRequest,
    GenerationConfig,
    ImagePart,
    Message,
    ResponseFormat,
    Role,
    TextPart,
    Tool,
    ToolChoice,
)

MODEL = Model("m/x", "openai", "gpt-x", "pkg.Adapter", base_url="http://a/v1", options={"org": "o"})


def request(**changes: object) -> ChatRequest:
    base = ChatRequest(
        "m/x",
        [Message(Role.USER, [TextPart("hi"), ImagePart(data=b"\x89PNG...", mime_type="image/png")])],
        tools=[
            Tool(
                "f",
                "d",
                {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
            )
        ],
        tool_choice=ToolChoice("auto"),
        generation=GenerationConfig(temperature=0.0, max_tokens=10),
        response_format=ResponseFormat("json_object"),
    )
    return replace(base, **changes)


def key(req: ChatRequest, space: str = "") -> str:
    return chat_key(space, "m/x", model_revision(MODEL), req)


def test_the_key_ignores_what_does_not_shape_the_answer() -> None:
    reordered = request(
        tools=[
            Tool(
                "f",
                "d",
                {"properties": {"b": {"type": "integer"}, "a": {"type": "string"}}, "type": "object"},
            )
        ]
    )
    assert key(request()) == key(request(user="u-1")) == key(reordered)
    assert len(key(request())) == 42  # "c:" and 40 hex digits, however large the request


def test_the_key_changes_with_what_shapes_the_answer() -> None:
    variants = [
        request(),
        request(messages=[Message(Role.USER, [TextPart("hi!")])]),
        request(
            messages=[
                Message(Role.USER, [TextPart("hi"), ImagePart(data=b"\x89PNG..!", mime_type="image/png")])
            ]
        ),
        request(tools=[]),
        request(tool_choice=ToolChoice("function", "f")),
        request(generation=GenerationConfig(temperature=0.0, max_tokens=11)),
        request(generation=GenerationConfig(temperature=0.0, max_tokens=10, seed=1)),
        request(response_format=None),
        request(parallel_tool_calls=False),
    ]
    assert len({key(v) for v in variants}) == len(variants)
    assert key(request(), "k:a") != key(request(), "k:b") != key(request())


def test_namespaces() -> None:
    assert namespace(None) == ""
    assert namespace(Principal("a")) == "k:a"
    assert namespace(Principal("a", shared_cache=True)) == namespace(Principal("b", shared_cache=True))
    assert namespace(Principal("*")) != namespace(Principal("x", shared_cache=True))


def test_the_revision_follows_repointing_only() -> None:
    revision = model_revision(MODEL)
    same = [
        replace(MODEL, options={"org": "o", "cache_ttl_s": "5", "cache": "on"}),
        replace(MODEL, pricing=Pricing(input_per_million=Decimal(1)), display_name="X", weight=3.0),
    ]
    assert all(model_revision(m) == revision for m in same)
    moved = [
        replace(MODEL, provider="azure"),
        replace(MODEL, upstream_model="gpt-y"),
        replace(MODEL, base_url="http://b/v1"),
        replace(MODEL, adapter_class="pkg.Other"),
        replace(MODEL, options={"org": "p"}),
        replace(MODEL, deployments=(Deployment("eu", "openai", "gpt-x", "pkg.Adapter"),)),
    ]
    assert len({model_revision(m) for m in moved} | {revision}) == len(moved) + 1


def test_embedding_keys_are_per_input_text() -> None:
    keys = embed_keys("", "m/e", "r1", None, ["a", "b", "a"])
    assert keys[0] == keys[2] != keys[1]
    assert embed_keys("", "m/e", "r1", 256, ["a"])[0] != keys[0]
    assert embed_keys("k:x", "m/e", "r1", None, ["a"])[0] != keys[0]
    assert embed_keys("", "m/e", "r2", None, ["a"])[0] != keys[0]
