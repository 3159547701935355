"""The Anthropic Messages API adapter (`POST /v1/messages`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError
from llmgateway.core.models import Capability, Model, ModelSpec
from llmgateway.core.ports import Endpoint
from llmgateway.core.types import ChatRequest, ChatResult, StreamEvent
from llmgateway.providers.anthropic.request import DEFAULT_MAX_TOKENS, build_body
from llmgateway.providers.anthropic.response import StreamFold, error_from_body, parse_message
from llmgateway.providers.base import BaseAdapter
from llmgateway.providers.sse import sse_batches
from llmgateway.providers.streaming import relay

log = logging.getLogger(__name__)

API_VERSION = "2023-06-01"
# After message_stop, how long to wait for the end of the HTTP body so the
# connection can go back to the pool (the API closes the body right away).
_DRAIN_SECONDS = 1.0

_BASE = frozenset({Capability.CHAT, Capability.STREAM, Capability.TOOLS, Capability.VISION})
_THINKING = _BASE | {Capability.REASONING}
_MODELS = [
    ("claude-opus-4-5", "Claude Opus 4.5", _THINKING),
    ("claude-opus-4-1", "Claude Opus 4.1", _THINKING),
    ("claude-opus-4-0", "Claude Opus 4", _THINKING),
    ("claude-sonnet-4-5", "Claude Sonnet 4.5", _THINKING),
    ("claude-sonnet-4-0", "Claude Sonnet 4", _THINKING),
    ("claude-haiku-4-5", "Claude Haiku 4.5", _THINKING),
    ("claude-3-7-sonnet-latest", "Claude Sonnet 3.7", _THINKING),
    ("claude-3-5-haiku-latest", "Claude Haiku 3.5", _BASE),
]


def _positive_int(raw: str, name: str, default: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        log.warning("anthropic: option %s=%r is not a positive integer; using %d", name, raw, default)
        return default
    return value


class AnthropicAdapter(BaseAdapter):
    provider = "anthropic"
    default_base_url = "https://api.anthropic.com"
    default_credential_env = "ANTHROPIC_API_KEY"

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self._url = f"{self.base_url}/v1/messages"
        headers = {
            "x-api-key": endpoint.api_key,
            "anthropic-version": API_VERSION,
            "content-type": "application/json",
        }
        beta = endpoint.option("anthropic_beta")
        if beta:
            headers["anthropic-beta"] = beta
        self._headers = headers
        raw = endpoint.option("default_max_tokens")
        self._default_max_tokens = (
            _positive_int(raw, "default_max_tokens", DEFAULT_MAX_TOKENS) if raw else (DEFAULT_MAX_TOKENS)
        )

    @classmethod
    def supported_models(cls) -> list[ModelSpec]:
        return [
            ModelSpec(upstream_model=name, capabilities=caps, context_length=200_000, display_name=display)
            for name, display, caps in _MODELS
        ]

    def _max_tokens_default(self, model: Model) -> int:
        raw = model.options.get("default_max_tokens")
        if not raw:
            return self._default_max_tokens
        return _positive_int(raw, "default_max_tokens", DEFAULT_MAX_TOKENS)

    async def chat(self, model: Model, request: ChatRequest, budget: Budget) -> ChatResult:
        body = build_body(model, request, self._max_tokens_default(model), stream=False)
        reply = await self.http.fetch(self._url, self._headers, body, budget)
        if reply.status != 200:
            raise self._http_error(reply.status, reply.headers, reply.body)
        return parse_message(self.parse_json(reply.body), request)

    async def stream_chat(
        self, model: Model, request: ChatRequest, budget: Budget
    ) -> AsyncGenerator[StreamEvent, None]:
        body = build_body(model, request, self._max_tokens_default(model), stream=True)
        async with self.http.post(self._url, self._headers, body, budget) as resp:
            if resp.status != 200:
                raise self._http_error(resp.status, resp.headers, await resp.read())
            batches = sse_batches(resp.iter_chunks())
            async with aclosing(relay(batches, StreamFold(request))) as events:
                async for event in events:
                    yield event
            # Read to the end of the body so the keep-alive connection is reused.
            try:
                async with asyncio.timeout(_DRAIN_SECONDS):
                    async for _ in batches:
                        pass
            except (GatewayError, TimeoutError):
                pass

    def _http_error(self, status: int, headers: Mapping[str, str], raw: bytes) -> GatewayError:
        try:
            body = self.parse_json(raw) if raw else None
        except GatewayError:
            body = None  # e.g. an HTML page from a proxy: classify on the status alone
        return error_from_body(status, headers, body)
