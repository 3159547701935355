"""The Ollama native API adapter (`/api/chat`, `/api/embed`; `/api/tags` and `/api/show`
to discover a running server's models). No key is needed; one that is configured is sent
as a bearer token (Ollama's cloud, or a proxy in front of a server)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, ClassVar

import orjson

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError, bad_response
from llmgateway.core.models import Capability, Model, ModelSpec
from llmgateway.core.ports import Endpoint
from llmgateway.core.types import ChatRequest, ChatResult, EmbedRequest, EmbedResult, StreamEvent
from llmgateway.providers.base import BaseAdapter
from llmgateway.providers.ndjson import ndjson_batches
from llmgateway.providers.ollama.request import chat_body, embed_body
from llmgateway.providers.ollama.response import PROVIDER, StreamFold, http_error, inband_error, parse_chat
from llmgateway.providers.streaming import relay

MAX_DISCOVERED = 500
_BASIC = frozenset({Capability.CHAT, Capability.STREAM, Capability.JSON_OUTPUT})
# /api/show "capabilities" -> the gateway's
_CAPABILITIES = {
    "completion": _BASIC,
    "tools": frozenset({Capability.TOOLS}),
    "vision": frozenset({Capability.VISION}),
    "thinking": frozenset({Capability.REASONING}),
    "embedding": frozenset({Capability.EMBED}),
}


class OllamaAdapter(BaseAdapter):
    """Options (model/endpoint): `keep_alive` (e.g. `5m`, `-1`), `think` (`true`, `false`,
    or a level `low` / `medium` / `high`: overrides what a request asks), and `num_ctx`
    and the other PASSTHROUGH_OPTIONS of request.py, sent in `options`."""

    provider: ClassVar[str] = PROVIDER
    default_base_url: ClassVar[str] = "http://localhost:11434"
    default_credential_env: ClassVar[str] = ""

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self._headers = {"Content-Type": "application/json"}
        if endpoint.api_key:
            self._headers["Authorization"] = f"Bearer {endpoint.api_key}"
        self._options = dict(endpoint.options)
        self._chat_url = f"{self.base_url}/api/chat"
        self._embed_url = f"{self.base_url}/api/embed"

    def _model_options(self, model: Model) -> dict[str, str]:
        return {**self._options, **model.options} if model.options else self._options

    async def _post_json(self, url: str, body: bytes, budget: Budget) -> Any:
        reply = await self.http.fetch(url, self._headers, body, budget)
        if reply.status != 200:
            raise http_error(reply.status, reply.headers, reply.body)
        return self.parse_json(reply.body)

    async def chat(self, model: Model, request: ChatRequest, budget: Budget) -> ChatResult:
        body = chat_body(model.upstream_model, request, self._model_options(model), stream=False)
        return parse_chat(await self._post_json(self._chat_url, body, budget), request)

    async def stream_chat(
        self, model: Model, request: ChatRequest, budget: Budget
    ) -> AsyncGenerator[StreamEvent, None]:
        body = chat_body(model.upstream_model, request, self._model_options(model), stream=True)
        async with self.http.post(self._chat_url, self._headers, body, budget) as resp:
            if resp.status != 200:
                raise http_error(resp.status, resp.headers, await resp.read())
            async with aclosing(relay(ndjson_batches(resp.iter_chunks()), StreamFold(request))) as events:
                async for event in events:
                    yield event

    async def embed(self, model: Model, request: EmbedRequest, budget: Budget) -> EmbedResult:
        body = embed_body(model.upstream_model, request, self._model_options(model))
        obj = await self._post_json(self._embed_url, body, budget)
        if isinstance(obj, dict) and obj.get("error"):
            raise inband_error(obj["error"])
        try:
            vectors = [[float(x) for x in row] for row in obj["embeddings"]]
        except (KeyError, TypeError, ValueError):
            raise bad_response(self.provider, "the embeddings response has an unexpected shape") from None
        if len(vectors) != len(request.inputs):
            raise bad_response(
                self.provider, f"expected {len(request.inputs)} embeddings, got {len(vectors)}"
            )
        count = obj.get("prompt_eval_count")
        return EmbedResult(vectors, count if isinstance(count, int) else 0)

    async def discover_models(self, budget: Budget) -> list[ModelSpec]:
        """The models the server has pulled (`/api/tags`), with their capabilities and
        context length from `/api/show` (basic chat when a server is too old to say)."""
        reply = await self.http.get(f"{self.base_url}/api/tags", self._headers, budget)
        if reply.status != 200:
            raise http_error(reply.status, reply.headers, reply.body)
        listed = self.parse_json(reply.body)
        rows = listed.get("models") if isinstance(listed, dict) else None
        if not isinstance(rows, list):
            raise bad_response(self.provider, "/api/tags has no models list")
        names = [str(r.get("model") or r.get("name")) for r in rows if isinstance(r, dict)]
        return [await self._describe(name, budget) for name in names[:MAX_DISCOVERED] if name]

    async def _describe(self, name: str, budget: Budget) -> ModelSpec:
        body = orjson.dumps({"model": name})
        try:
            shown = await self._post_json(f"{self.base_url}/api/show", body, budget)
        except GatewayError:
            shown = None
        if not isinstance(shown, dict):
            shown = {}
        capabilities: frozenset[Capability] = frozenset()
        for cap in shown.get("capabilities") or ("completion",):
            capabilities |= _CAPABILITIES.get(cap, frozenset())
        info = shown.get("model_info")
        context = 0
        if isinstance(info, dict):
            context = next(
                (v for k, v in info.items() if k.endswith(".context_length") and isinstance(v, int)), 0
            )
        return ModelSpec(name, capabilities or _BASIC, context, name)
