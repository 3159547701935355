"""The adapters the conformance suite runs over, each with its loopback emulator."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from llmgateway.core.models import CHAT_CAPABILITIES, Capability, Model
from llmgateway.core.ports import Endpoint
from llmgateway.providers.presets import PRESETS


@dataclass(frozen=True)
class Target:
    name: str
    emulator: str  # "module:Class"
    adapter: str  # dotted path, as in the registry
    options: dict[str, str] = field(default_factory=dict)
    # error kinds the provider has no structured signal for (skipped in the error table)
    unsupported_error_kinds: frozenset[str] = frozenset()
    image_urls: bool = True  # the provider takes images by URL (Ollama: inline only)
    reports_cached_tokens: bool = True
    response_ids: bool = True  # the provider names its responses (Ollama does not)

    def make_emulator(self) -> Any:
        module, _, cls = self.emulator.partition(":")
        return getattr(importlib.import_module(module), cls)()

    def make_adapter(self, base_url: str, api_key: str = "test-key-0123456789") -> Any:
        module, _, cls = self.adapter.rpartition(".")
        adapter_cls = getattr(importlib.import_module(module), cls)
        return adapter_cls(Endpoint(base_url, api_key, tuple(sorted(self.options.items()))))

    def model(self) -> Model:
        return Model(
            id=f"{self.name}/emulated",
            provider=self.name,
            upstream_model="emulated-model",
            adapter_class=self.adapter,
            capabilities=CHAT_CAPABILITIES | {Capability.EMBED, Capability.IMAGE, Capability.REASONING},
            options=self.options,
        )


TARGETS = [
    Target("openai", "tests.emulators.openai:OpenAIEmulator", "llmgateway.providers.openai.OpenAIAdapter"),
    Target(
        "azure",
        "tests.emulators.openai:AzureOpenAIEmulator",
        "llmgateway.providers.openai.AzureOpenAIAdapter",
        {"api_version": "2024-10-21"},
    ),
    Target(
        "vllm",
        "tests.emulators.openai_compat:VLLMEmulator",
        "llmgateway.providers.openai.OpenAIAdapter",
        dict(PRESETS["vllm"].options),
        unsupported_error_kinds=frozenset({"quota"}),
    ),
    Target(
        "llama.cpp",
        "tests.emulators.openai_compat:LlamaCppEmulator",
        "llmgateway.providers.openai.OpenAIAdapter",
        unsupported_error_kinds=frozenset({"quota", "rate_limit"}),
    ),
    Target(
        "anthropic",
        "tests.emulators.anthropic:AnthropicEmulator",
        "llmgateway.providers.anthropic.AnthropicAdapter",
        unsupported_error_kinds=frozenset({"context_length"}),
    ),
    Target(
        "gemini",
        "tests.emulators.gemini:GeminiEmulator",
        "llmgateway.providers.gemini.GeminiAdapter",
        unsupported_error_kinds=frozenset({"context_length", "quota"}),
    ),
    Target(
        "ollama",
        "tests.emulators.ollama:OllamaEmulator",
        "llmgateway.providers.ollama.OllamaAdapter",
        unsupported_error_kinds=frozenset({"context_length", "quota"}),
        image_urls=False,
        reports_cached_tokens=False,
        response_ids=False,
    ),
]
