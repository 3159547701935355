"""The inference service: validates a request, routes it, runs the adapter under
the call's time budget and records what happened. Transport-neutral."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass

from llmgateway.core.calls import CallInfo
from llmgateway.core.deadline import Budget
from llmgateway.core.errors import invalid_request, provider_timeout
from llmgateway.core.models import Capability, ModelConfig
from llmgateway.core.ports import ProviderAdapter
from llmgateway.core.router import Router
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    ImagePart,
    ImageRequest,
    ImageResult,
    StreamEnd,
    StreamEvent,
)
from llmgateway.core.validation import validate_chat, validate_embed, validate_image
from llmgateway.telemetry.tracing import upstream_span

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class ModelPage:
    models: Sequence[ModelConfig]
    next_page_token: str


class InferenceService:
    def __init__(self, router: Router) -> None:
        self.router = router

    def _route_chat(
        self, req: ChatRequest, call: CallInfo, capability: Capability
    ) -> tuple[ModelConfig, ProviderAdapter]:
        validate_chat(req)
        model, adapter = self.router.resolve(req.model, capability)
        if req.tools:
            self.router.require(model, Capability.TOOLS)
        if any(isinstance(p, ImagePart) for m in req.messages for p in m.parts):
            self.router.require(model, Capability.VISION)
        call.model, call.provider, call.upstream_model = model.id, model.provider, model.upstream_model
        return model, adapter

    async def chat(self, req: ChatRequest, call: CallInfo) -> ChatResult:
        model, adapter = self._route_chat(req, call, Capability.CHAT)
        budget = Budget.for_call(model.timeouts, call.deadline)
        with upstream_span("chat", model):
            result = await adapter.chat(model, req, budget)
        call.mark_first_token()
        call.usage = result.usage
        return result

    async def stream_chat(self, req: ChatRequest, call: CallInfo) -> AsyncGenerator[StreamEvent, None]:
        """Adapter events, with the first-token budget enforced here for every adapter.
        Routing and validation errors surface on the first `anext()`, before any event."""
        model, adapter = self._route_chat(req, call, Capability.STREAM)
        budget = Budget.for_call(model.timeouts, call.deadline)
        with upstream_span("stream_chat", model):
            async with aclosing(adapter.stream_chat(model, req, budget)) as events:
                try:
                    async with asyncio.timeout(budget.first_token):
                        first = await anext(events)
                except TimeoutError:
                    raise provider_timeout(model.provider, "first token") from None
                call.mark_first_token()
                yield first
                async for event in events:
                    if isinstance(event, StreamEnd):
                        call.usage = event.usage
                    yield event

    async def embed(self, req: EmbedRequest, call: CallInfo) -> EmbedResult:
        validate_embed(req)
        model, adapter = self.router.resolve(req.model, Capability.EMBED)
        call.model, call.provider, call.upstream_model = model.id, model.provider, model.upstream_model
        with upstream_span("embed", model):
            return await adapter.embed(model, req, Budget.for_call(model.timeouts, call.deadline))

    async def generate_image(self, req: ImageRequest, call: CallInfo) -> ImageResult:
        validate_image(req)
        model, adapter = self.router.resolve(req.model, Capability.IMAGE)
        call.model, call.provider, call.upstream_model = model.id, model.provider, model.upstream_model
        with upstream_span("generate_image", model):
            return await adapter.generate_image(model, req, Budget.for_call(model.timeouts, call.deadline))

    def list_models(
        self, page_size: int, page_token: str, provider: str = "", capability: Capability | None = None
    ) -> ModelPage:
        if page_size < 0:
            raise invalid_request([("page_size", "must not be negative")])
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after = _decode_page_token(page_token)
        matching = [
            m
            for m in self.router.catalog.list()
            if m.enabled
            and (not provider or m.provider == provider)
            and (capability is None or capability in m.capabilities)
            and m.id > after
        ]
        page = matching[:size]
        token = _encode_page_token(page[-1].id) if len(matching) > size else ""
        return ModelPage(page, token)


# Page tokens are opaque to callers: a versioned marker and the last id of the previous page, base64url.
_TOKEN_PREFIX = "models/v1:"


def _encode_page_token(last_id: str) -> str:
    return base64.urlsafe_b64encode((_TOKEN_PREFIX + last_id).encode()).decode()


def _decode_page_token(token: str) -> str:
    if not token:
        return ""
    try:
        decoded = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.startswith(_TOKEN_PREFIX):
        raise invalid_request([("page_token", "is not a token returned by ListModels")])
    return decoded.removeprefix(_TOKEN_PREFIX)
