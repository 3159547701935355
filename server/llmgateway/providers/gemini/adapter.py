"""The Gemini API adapter (Generative Language API: generateContent, streamGenerateContent,
embedContent, batchEmbedContents)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any, ClassVar
from urllib.parse import quote

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError, bad_response
from llmgateway.core.models import CHAT_CAPABILITIES, Capability, Model, ModelSpec
from llmgateway.core.ports import Endpoint
from llmgateway.core.types import ChatRequest, ChatResult, EmbedRequest, EmbedResult, StreamEvent
from llmgateway.providers.base import BaseAdapter
from llmgateway.providers.gemini.request import chat_body, embed_body
from llmgateway.providers.gemini.response import PROVIDER, error_from_body, parse_response
from llmgateway.providers.gemini.stream import StreamFold
from llmgateway.providers.sse import sse_batches
from llmgateway.providers.streaming import relay

GENERATE = "generateContent"
STREAM = "streamGenerateContent?alt=sse"
EMBED = "embedContent"
BATCH_EMBED = "batchEmbedContents"

_CHAT = CHAT_CAPABILITIES | {Capability.REASONING}
_CONTEXT = 1_048_576
_MODELS = [
    ModelSpec("gemini-3-pro-preview", _CHAT, _CONTEXT, "Gemini 3 Pro (preview)"),
    ModelSpec("gemini-3-flash-preview", _CHAT, _CONTEXT, "Gemini 3 Flash (preview)"),
    ModelSpec("gemini-2.5-pro", _CHAT, _CONTEXT, "Gemini 2.5 Pro"),
    ModelSpec("gemini-2.5-flash", _CHAT, _CONTEXT, "Gemini 2.5 Flash"),
    ModelSpec("gemini-2.5-flash-lite", _CHAT, _CONTEXT, "Gemini 2.5 Flash-Lite"),
    ModelSpec("gemini-2.0-flash", CHAT_CAPABILITIES, _CONTEXT, "Gemini 2.0 Flash"),
    ModelSpec("gemini-embedding-001", frozenset({Capability.EMBED}), 2_048, "Gemini Embedding"),
]


class GeminiAdapter(BaseAdapter):
    """`base_url` is the API root with its version: `.../v1beta` (the default) or `.../v1`.
    The key goes in the `x-goog-api-key` header. Option (model/endpoint): `task_type` for
    embeddings (RETRIEVAL_QUERY, RETRIEVAL_DOCUMENT, SEMANTIC_SIMILARITY, ...)."""

    provider: ClassVar[str] = PROVIDER
    default_base_url: ClassVar[str] = "https://generativelanguage.googleapis.com/v1beta"
    default_credential_env: ClassVar[str] = "GEMINI_API_KEY"

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self._headers = {"Content-Type": "application/json"}
        if endpoint.api_key:
            self._headers["x-goog-api-key"] = endpoint.api_key
        self._task_type = endpoint.option("task_type")
        self._urls: dict[tuple[str, str], str] = {}

    @classmethod
    def supported_models(cls) -> list[ModelSpec]:
        return list(_MODELS)

    def _url(self, model: Model, method: str) -> str:
        key = (model.upstream_model, method)
        url = self._urls.get(key)
        if url is None:
            name = quote(model.upstream_model.removeprefix("models/"), safe="")
            url = self._urls[key] = f"{self.base_url}/models/{name}:{method}"
        return url

    async def _post_json(self, url: str, body: bytes, budget: Budget) -> Any:
        reply = await self.http.fetch(url, self._headers, body, budget)
        if reply.status != 200:
            raise self._http_error(reply.status, reply.headers, reply.body)
        return self.parse_json(reply.body)

    async def chat(self, model: Model, request: ChatRequest, budget: Budget) -> ChatResult:
        body = chat_body(model.upstream_model, request)
        return parse_response(await self._post_json(self._url(model, GENERATE), body, budget), request)

    async def stream_chat(
        self, model: Model, request: ChatRequest, budget: Budget
    ) -> AsyncGenerator[StreamEvent, None]:
        body = chat_body(model.upstream_model, request)
        async with self.http.post(self._url(model, STREAM), self._headers, body, budget) as resp:
            if resp.status != 200:
                raise self._http_error(resp.status, resp.headers, await resp.read())
            batches = sse_batches(resp.iter_chunks(), other_lines=True)
            async with aclosing(relay(batches, StreamFold(request))) as events:
                async for event in events:
                    yield event

    async def embed(self, model: Model, request: EmbedRequest, budget: Budget) -> EmbedResult:
        task_type = model.options.get("task_type") or self._task_type
        method = EMBED if len(request.inputs) == 1 else BATCH_EMBED
        body = embed_body(model.upstream_model, request, task_type)
        obj = await self._post_json(self._url(model, method), body, budget)
        try:
            rows = [obj["embedding"]] if method == EMBED else obj["embeddings"]
            vectors = [[float(x) for x in row["values"]] for row in rows]
        except (KeyError, TypeError, ValueError):
            raise bad_response(self.provider, "the embeddings response has an unexpected shape") from None
        if len(vectors) != len(request.inputs):
            raise bad_response(
                self.provider, f"expected {len(request.inputs)} embeddings, got {len(vectors)}"
            )
        return EmbedResult(vectors)  # Gemini reports no token counts for embeddings

    def _http_error(self, status: int, headers: Mapping[str, str], raw: bytes) -> GatewayError:
        try:
            body = self.parse_json(raw) if raw else None
        except GatewayError:
            body = None  # an HTML page from a proxy: classify on the status alone
        return error_from_body(status, headers, body)
