"""OpenAI-compatible servers whose error bodies differ from OpenAI's: vLLM and llama.cpp's
`llama-server`. Both answer a prompt over the context with HTTP 400, vLLM with only a
message naming the maximum context length, llama.cpp with the error type
`exceed_context_size_error` (wire-protocols.md section 12, corrections 6 and 10).
"""

from __future__ import annotations

from typing import Any

from tests.emulators.base import Script, sse
from tests.emulators.openai import OpenAIEmulator

# kind -> (vLLM error type, message); the code is the HTTP status, an integer
VLLM_ERRORS = {
    "context_length": (
        "BadRequestError",
        "This model's maximum context length is 4096 tokens. However, you requested 5120 tokens "
        "(4096 in the messages, 1024 in the completion). Please reduce the length of the messages or "
        "completion.",
    ),
    "invalid": ("BadRequestError", "temperature must be non-negative, got -1.0."),
    "not_found": ("NotFoundError", "The model `emulated-model` does not exist."),
    "rate_limit": ("RateLimitError", "Too many requests"),
    "overloaded": ("ServiceUnavailableError", "The server is overloaded."),
}
# kind -> (llama.cpp error type, message)
LLAMA_CPP_ERRORS = {
    "invalid": ("invalid_request_error", '"temperature" must be a number'),
    "not_found": ("not_found_error", "model not found"),
    "overloaded": ("unavailable_error", "Loading model"),
    "auth": ("authentication_error", "Invalid API Key"),
}


class VLLMEmulator(OpenAIEmulator):
    """vLLM >= 0.11: reasoning in `delta.reasoning`, errors
    `{"error": {"message", "type", "param", "code": <int>}}`, and a 401 from its key check
    whose `error` is a bare string."""

    reasoning_field = "reasoning"
    obfuscation = False

    def render_error(self, script: Script) -> tuple[int, dict[str, str], Any]:
        if script.error_kind == "auth":  # vLLM's key check answers before any handler
            return script.error_status or 401, dict(script.error_headers), {"error": "Unauthorized"}
        return super().render_error(script)

    def error_body(self, script: Script, status: int) -> dict[str, Any]:
        etype, message = VLLM_ERRORS.get(script.error_kind, ("InternalServerError", "Internal Server Error"))
        return {"error": {"message": message, "type": etype, "param": None, "code": status}}

    def render_midstream_error(self, script: Script) -> bytes:
        error = {"message": "The engine died unexpectedly.", "type": "InternalServerError", "param": None}
        return sse({"error": {**error, "code": 500}})


class LlamaCppEmulator(OpenAIEmulator):
    """llama.cpp's server: `reasoning_content`, errors `{"error": {"code", "message", "type"}}`
    with its own types, and the context overflow counted in tokens."""

    obfuscation = False

    def error_body(self, script: Script, status: int) -> dict[str, Any]:
        if script.error_kind == "context_length":
            return {
                "error": {
                    "code": 400,
                    "message": "request (5120 tokens) exceeds the available context size (4096 tokens), "
                    "try increasing it",
                    "type": "exceed_context_size_error",
                    "n_prompt_tokens": 5120,
                    "n_ctx": 4096,
                }
            }
        etype, message = LLAMA_CPP_ERRORS.get(script.error_kind, ("server_error", "Internal Server Error"))
        return {"error": {"code": status, "message": message, "type": etype}}

    def render_midstream_error(self, script: Script) -> bytes:
        return (
            b'data: {"error":{"code":500,"message":"Failed to decode the batch","type":"server_error"}}\n\n'
        )
