"""OpenAI, OpenAI-compatible and Azure OpenAI adapters."""

from llmgateway.providers.openai.adapter import AzureOpenAIAdapter, OpenAIAdapter

__all__ = ["AzureOpenAIAdapter", "OpenAIAdapter"]
