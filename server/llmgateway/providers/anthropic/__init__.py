"""Anthropic Messages API: request translation, event-stream folding, thinking, tools, vision."""

from llmgateway.providers.anthropic.adapter import AnthropicAdapter

__all__ = ["AnthropicAdapter"]
