"""The built-in adapters, by provider kind. A registry row may name any other
adapter class by dotted path; these are the ones that ship with the gateway."""

from __future__ import annotations

BUILTIN_ADAPTERS: dict[str, str] = {
    "mock": "llmgateway.providers.mock.MockAdapter",
    "openai": "llmgateway.providers.openai.OpenAIAdapter",
    "azure": "llmgateway.providers.openai.AzureOpenAIAdapter",
    "anthropic": "llmgateway.providers.anthropic.AnthropicAdapter",
}
