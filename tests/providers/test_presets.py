"""OpenAI-compatible vendor presets: a model is one line of YAML, and each vendor gets the
request shape it expects (token-limit field, reasoning parameter, top_k), checked over real
HTTP against the OpenAI emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from llmgateway.config import Settings
from llmgateway.core.deadline import Budget, Timeouts
from llmgateway.core.models import Model
from llmgateway.core.ports import Endpoint
from llmgateway.core.router import Router
from llmgateway.core.types import ChatRequest, GenerationConfig, Message, Role, TextPart
from llmgateway.providers.openai import OpenAIAdapter
from llmgateway.providers.presets import OPENAI_ADAPTER, PRESETS
from llmgateway.registry.records import with_defaults
from llmgateway.registry.sources import configured_models, sync_sources
from tests.emulators.openai import OpenAIEmulator

BUDGET = Budget.for_call(Timeouts(connect=2, first_token=5, idle=5, total=10), None)


@pytest.fixture
async def emu() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator() as e:
        yield e  # type: ignore[misc]


def one_line(**entry: Any) -> Model:
    [model] = configured_models(Settings(include_default_models=False, models=[entry]))
    return model


def test_a_model_is_one_line_of_yaml() -> None:
    config = one_line(id="deepseek/deepseek-chat", provider="deepseek", upstream_model="deepseek-chat")
    assert (config.adapter_class, config.base_url, config.credential_ref) == (
        OPENAI_ADAPTER,
        "https://api.deepseek.com/v1",
        "DEEPSEEK_API_KEY",
    )
    assert config.options["max_tokens_field"] == "max_tokens"
    # A default key goes to its own endpoint only: elsewhere a model sends what it names, or none.
    elsewhere = one_line(id="d/x", provider="deepseek", upstream_model="x", base_url="http://127.0.0.1:9/v1")
    assert (elsewhere.credential_ref, elsewhere.options["max_tokens_field"]) == ("", "max_tokens")
    # The model's own settings win; another adapter means no preset at all.
    own = one_line(
        id="x/y",
        provider="groq",
        upstream_model="m",
        base_url="http://127.0.0.1:9/v1",
        credential_ref="MY_GROQ",
        options={"max_tokens_field": "max_tokens"},
    )
    assert (own.base_url, own.credential_ref, own.options["max_tokens_field"]) == (
        "http://127.0.0.1:9/v1",
        "MY_GROQ",
        "max_tokens",
    )
    assert own.options["send_top_k"] == "false"
    other = one_line(
        id="x/z", provider="vllm", upstream_model="m", adapter_class="llmgateway.providers.mock.MockAdapter"
    )
    assert (other.base_url, dict(other.options)) == ("", {})


def test_known_models_when_the_key_is_set() -> None:
    keyed = {m.id: m for m in sync_sources(Settings(), environ={"DEEPSEEK_API_KEY": "k"})}
    assert {"deepseek/deepseek-chat", "deepseek/deepseek-reasoner"} <= set(keyed)
    chat = keyed["deepseek/deepseek-chat"]
    assert (chat.base_url, chat.credential_ref) == ("https://api.deepseek.com/v1", "DEEPSEEK_API_KEY")
    assert not any(
        m.id.startswith(("deepseek/", "groq/", "vllm/", "lmstudio/"))
        for m in sync_sources(Settings(), environ={})
    )


def test_a_record_written_through_the_admin_api_gets_the_preset() -> None:
    # The Admin API documents an empty credential as "no key": the endpoint and options still come.
    record = with_defaults(
        Model(id="q/plus", provider="qwen", upstream_model="qwen-plus"), default_credential=False
    )
    assert (record.adapter_class, record.credential_ref) == (OPENAI_ADAPTER, "")
    assert (
        record.base_url.endswith("/compatible-mode/v1")
        and record.options["reasoning_param"] == "enable_thinking"
    )


@pytest.mark.parametrize("kind", sorted(PRESETS))
async def test_each_vendor_gets_its_request_shape(emu: OpenAIEmulator, kind: str) -> None:
    preset = PRESETS[kind]
    config = one_line(
        id=f"{kind}/m",
        provider=kind,
        upstream_model="m",
        base_url=emu.base_url,
        credential_ref="TEST_API_KEY",
    )
    router = Router(_NoCatalog(), {"TEST_API_KEY": "key-0123456789"})
    try:
        adapter = router.adapter(config)
        gen = GenerationConfig(max_tokens=9, top_k=4, reasoning_effort="low")
        await adapter.chat(
            config, ChatRequest(config.id, [Message(Role.USER, [TextPart("hi")])], generation=gen), BUDGET
        )
    finally:
        await router.aclose()
    body = emu.requests[-1].body
    field = preset.options.get("max_tokens_field", "max_tokens")
    other = "max_tokens" if field == "max_completion_tokens" else "max_completion_tokens"
    assert body[field] == 9 and other not in body
    assert ("top_k" in body) == (preset.options.get("send_top_k") != "false")
    reasoning = {k: body[k] for k in ("reasoning_effort", "reasoning", "enable_thinking") if k in body}
    expected = {
        "reasoning_effort": {"reasoning_effort": "low"},
        "reasoning": {"reasoning": {"effort": "low"}},
        "enable_thinking": {"enable_thinking": True},
        "none": {},
    }[preset.options.get("reasoning_param", "reasoning_effort")]
    assert reasoning == expected


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("reasoning", {"reasoning": {"max_tokens": 2048}}),
        ("enable_thinking", {"enable_thinking": True, "thinking_budget": 2048}),
        ("none", {}),
    ],
)
async def test_a_reasoning_budget(emu: OpenAIEmulator, param: str, expected: dict[str, Any]) -> None:
    adapter = OpenAIAdapter(Endpoint(emu.base_url, "k", (("reasoning_param", param),)))
    config = one_line(id="a/b", provider="openai", upstream_model="m", base_url=emu.base_url)
    request = ChatRequest(
        "a/b",
        [Message(Role.USER, [TextPart("hi")])],
        generation=GenerationConfig(reasoning_budget_tokens=2048),
    )
    try:
        await adapter.chat(config, request, BUDGET)
    finally:
        await adapter.aclose()
    body = emu.requests[-1].body
    assert {
        k: body[k]
        for k in ("reasoning", "enable_thinking", "thinking_budget", "reasoning_effort")
        if k in body
    } == expected


class _NoCatalog:
    revision = ""

    def get(self, model_id: str) -> Model | None:
        return None

    def list(self) -> list[Model]:
        return []
