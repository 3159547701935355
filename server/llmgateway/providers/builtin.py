"""The built-in adapters, by provider kind. A registry row may name any other
adapter class by dotted path; these are the ones that ship with the gateway.
The OpenAI-compatible vendors of providers/presets.py are kinds too, served by
the OpenAI adapter with their preset's endpoint, key variable and options."""

from __future__ import annotations

from llmgateway.providers.presets import PRESETS

ADAPTERS: dict[str, str] = {
    "mock": "llmgateway.providers.mock.MockAdapter",
    "openai": "llmgateway.providers.openai.OpenAIAdapter",
    "azure": "llmgateway.providers.openai.AzureOpenAIAdapter",
    "anthropic": "llmgateway.providers.anthropic.AnthropicAdapter",
    "gemini": "llmgateway.providers.gemini.GeminiAdapter",
    "ollama": "llmgateway.providers.ollama.OllamaAdapter",
}
BUILTIN_ADAPTERS: dict[str, str] = {**ADAPTERS, **{kind: p.adapter_class for kind, p in PRESETS.items()}}
