"""Google Gemini API: generateContent and its SSE stream, thought signatures, function
calling, vision, JSON output and embeddings."""

from llmgateway.providers.gemini.adapter import GeminiAdapter

__all__ = ["GeminiAdapter"]
