"""The inference service: validates a request, routes it, runs the adapter under
the call's time budget and records what happened. Transport-neutral."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from llmgateway.core.balancer import DeploymentState
from llmgateway.core.calls import CallInfo
from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError, bad_response, invalid_request, provider_timeout
from llmgateway.core.models import Capability, CooldownPolicy, ModelConfig, RetryPolicy
from llmgateway.core.paging import decode_page_token, encode_page_token
from llmgateway.core.ports import ProviderAdapter
from llmgateway.core.resilience import Resilience
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

T = TypeVar("T")
_LISTING = "models/v1"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
FIRST_EVENT_GRACE_S = 0.05


@dataclass(frozen=True, slots=True)
class ModelPage:
    models: Sequence[ModelConfig]
    next_page_token: str


class InferenceService:
    """Chat and StreamChat go through `Resilience` (deployments, retries, cooldowns,
    fallbacks); `retry`/`cooldown` are the gateway-wide defaults for models that set none."""

    def __init__(
        self,
        router: Router,
        *,
        retry: RetryPolicy | None = None,
        cooldown: CooldownPolicy | None = None,
        state: DeploymentState | None = None,
    ) -> None:
        self.router = router
        # The catalog is read through the router at each use: the registry may swap it.
        self.resilience = Resilience(
            lambda model_id: router.catalog.get(model_id), router.adapter, state, retry, cooldown
        )

    def _route_chat(
        self, req: ChatRequest, call: CallInfo, capability: Capability
    ) -> tuple[ModelConfig, tuple[Capability, ...]]:
        validate_chat(req)
        model = self.router.lookup(req.model, capability)
        needs: tuple[Capability, ...] = (capability,)
        if req.tools:
            self.router.require(model, Capability.TOOLS)
            needs += (Capability.TOOLS,)
        if any(isinstance(p, ImagePart) for m in req.messages for p in m.parts):
            self.router.require(model, Capability.VISION)
            needs += (Capability.VISION,)
        call.model, call.provider, call.upstream_model = model.id, model.provider, model.upstream_model
        return model, needs

    async def chat(self, req: ChatRequest, call: CallInfo) -> ChatResult:
        model, needs = self._route_chat(req, call, Capability.CHAT)

        async def attempt(cfg: ModelConfig, adapter: ProviderAdapter, budget: Budget) -> ChatResult:
            with upstream_span("chat", cfg):
                return await adapter.chat(cfg, req, budget)

        result, _ = await self.resilience.run(model, needs, call, attempt)
        call.mark_first_token()
        call.usage = result.usage
        return result

    async def stream_chat(self, req: ChatRequest, call: CallInfo) -> AsyncGenerator[StreamEvent, None]:
        """Adapter events, with the first-token budget enforced here for every adapter.
        Nothing is yielded before an upstream produced its first event: until then a
        failure may be retried or fall back; after it, a failure ends the stream.
        Routing and validation errors surface on the first `anext()`, before any event."""
        model, needs = self._route_chat(req, call, Capability.STREAM)
        with upstream_span("stream_chat", model):
            (events, first), attempt = await self.resilience.run(
                model, needs, call, partial(_open, req), hold=True
            )
            attempt.first_event()
            call.mark_first_token()
            try:
                if isinstance(first, StreamEnd):
                    call.usage = first.usage
                yield first
                async for event in events:
                    if isinstance(event, StreamEnd):
                        call.usage = event.usage
                    yield event
            except GatewayError as exc:
                attempt.fail(exc)
                raise
            except BaseException:
                attempt.cancel()
                raise
            else:
                attempt.ok()
            finally:
                await events.aclose()

    async def embed(self, req: EmbedRequest, call: CallInfo) -> EmbedResult:
        validate_embed(req)
        return await self._single(
            req.model, Capability.EMBED, call, "embed", lambda a, m, b: a.embed(m, req, b)
        )

    async def generate_image(self, req: ImageRequest, call: CallInfo) -> ImageResult:
        validate_image(req)
        return await self._single(
            req.model, Capability.IMAGE, call, "generate_image", lambda a, m, b: a.generate_image(m, req, b)
        )

    async def _single(
        self,
        model_id: str,
        capability: Capability,
        call: CallInfo,
        operation: str,
        run: Callable[[ProviderAdapter, ModelConfig, Budget], Awaitable[T]],
    ) -> T:
        """One unary upstream operation through deployments, retries and fallbacks."""
        model = self.router.lookup(model_id, capability)
        call.model, call.provider, call.upstream_model = model.id, model.provider, model.upstream_model

        async def attempt(cfg: ModelConfig, adapter: ProviderAdapter, budget: Budget) -> T:
            with upstream_span(operation, cfg):
                return await run(adapter, cfg, budget)

        result, _ = await self.resilience.run(model, (capability,), call, attempt)
        return result

    def list_models(
        self, page_size: int, page_token: str, provider: str = "", capability: Capability | None = None
    ) -> ModelPage:
        if page_size < 0:
            raise invalid_request([("page_size", "must not be negative")])
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after = decode_page_token(_LISTING, page_token)
        if after is None:
            raise invalid_request([("page_token", "is not a token returned by ListModels")])
        matching = [
            m
            for m in self.router.catalog.list()
            if m.enabled
            and (not provider or m.provider == provider)
            and (capability is None or capability in m.capabilities)
            and m.id > after
        ]
        page = matching[:size]
        token = encode_page_token(_LISTING, page[-1].id) if len(matching) > size else ""
        return ModelPage(page, token)


async def _open(
    req: ChatRequest, cfg: ModelConfig, adapter: ProviderAdapter, budget: Budget
) -> tuple[AsyncGenerator[StreamEvent, None], StreamEvent]:
    """Starts one upstream stream and waits for its first event (first-token budget). The
    HTTP transport times the phases before it (response headers, first chunk) itself: this
    bound is a backstop a little later, so that the transport's precise phase wins."""
    events = adapter.stream_chat(cfg, req, budget)
    try:
        async with asyncio.timeout(budget.first_token + FIRST_EVENT_GRACE_S):
            first = await anext(events, None)
    except TimeoutError:
        await events.aclose()
        raise provider_timeout(cfg.provider, "first token") from None
    except BaseException:
        await events.aclose()
        raise
    if first is None:
        await events.aclose()
        raise bad_response(cfg.provider, "the stream ended before any event")
    return events, first
