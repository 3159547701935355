"""Ollama's native API: NDJSON chat streams with thinking and whole tool calls, JSON output,
embeddings, and discovery of a running server's models."""

from llmgateway.providers.ollama.adapter import OllamaAdapter

__all__ = ["OllamaAdapter"]
