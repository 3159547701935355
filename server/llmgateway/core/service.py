"""The inference service: validates a request, runs the policy pipeline around it,
routes it and runs the adapter under the call's time budget through `Resilience`.
Transport-neutral: the edge gives it domain requests and a `Call`, and gets
domain results (and, for a stream, domain events starting with a StreamStart or,
for speech, a SpeechStart)."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from functools import partial
from typing import TypeVar, cast

from llmgateway.core.attempts import Attempt
from llmgateway.core.calls import Call
from llmgateway.core.deadline import Budget
from llmgateway.core.dimensions import check_dimensions, fit_dimensions
from llmgateway.core.errors import GatewayError, invalid_request
from llmgateway.core.estimate import delta_chars, estimate_usage
from llmgateway.core.models import Capability, Model
from llmgateway.core.paging import decode_page_token, encode_page_token
from llmgateway.core.patterns import EVERY_MODEL, ModelGrant
from llmgateway.core.pipeline import Outcome, Pipeline, Result
from llmgateway.core.ports import ProviderAdapter
from llmgateway.core.resilience import Resilience
from llmgateway.core.router import Router
from llmgateway.core.streams import StreamFolder, first_event, replay, stream_outcome
from llmgateway.core.types import (
    AudioChunk,
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    ImagePart,
    ImageRequest,
    ImageResult,
    Served,
    SpeechEnd,
    SpeechEvent,
    SpeechRequest,
    SpeechStart,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    TranscribeRequest,
    TranscribeResult,
    Usage,
)
from llmgateway.core.validation import (
    validate_chat,
    validate_embed,
    validate_image,
    validate_speech,
    validate_transcribe,
)

Req = TypeVar("Req", ChatRequest, EmbedRequest, ImageRequest, TranscribeRequest)
Res = TypeVar("Res", ChatResult, EmbedResult, ImageResult, TranscribeResult)
_LISTING = "models/v1"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class ModelPage:
    models: Sequence[Model]
    next_page_token: str


class InferenceService:
    """Chat, StreamChat, Embed, GenerateImage, Transcribe and SynthesizeSpeech:
    validate, `admit*`, then a ready answer or route + resilience + adapter, then
    `settle*`. With no policy the pipeline steps are skipped entirely."""

    def __init__(self, router: Router, resilience: Resilience, pipeline: Pipeline | None = None) -> None:
        self.router = router
        self.resilience = resilience
        self.pipeline = pipeline if pipeline is not None else Pipeline()
        self.observers = self.pipeline.observers

    # -- the RPCs -----------------------------------------------------------------------
    async def chat(self, req: ChatRequest, call: Call) -> ChatResult:
        validate_chat(req)
        if not self.pipeline.policies:
            return await self._chat(req, call)
        return await self._governed(req, call, self._chat)

    def stream_chat(self, req: ChatRequest, call: Call) -> AsyncIterator[StreamEvent]:
        """A StreamStart (with the served facts), then the upstream's deltas and one
        StreamEnd. Nothing is yielded before an upstream produced its first delta:
        until then a failure may be retried or fall back; after it, it ends the stream.
        Validation, admission and routing errors surface on the first `anext()`."""
        validate_chat(req)
        if not self.pipeline.policies:
            return self._stream(req, call)
        return self._governed_stream(req, call)

    async def embed(self, req: EmbedRequest, call: Call) -> EmbedResult:
        validate_embed(req)
        if not self.pipeline.policies:
            return await self._embed(req, call)
        return await self._governed(req, call, self._embed)

    async def generate_image(self, req: ImageRequest, call: Call) -> ImageResult:
        validate_image(req)
        if not self.pipeline.policies:
            return await self._image(req, call)
        return await self._governed(req, call, self._image)

    async def transcribe(self, req: TranscribeRequest, call: Call) -> TranscribeResult:
        validate_transcribe(req)
        if not self.pipeline.policies:
            return await self._transcribe(req, call)
        return await self._governed(req, call, self._transcribe)

    def synthesize_speech(self, req: SpeechRequest, call: Call) -> AsyncIterator[SpeechEvent]:
        """A SpeechStart (served facts and format), the audio chunks and one SpeechEnd.
        Like a chat stream, nothing is yielded before the upstream sent its first audio:
        until then a failure may be retried or fall back."""
        validate_speech(req)
        if not self.pipeline.policies:
            return self._speech(req, call)
        return self._governed_speech(req, call)

    def list_models(
        self,
        page_size: int,
        page_token: str,
        provider: str = "",
        capability: Capability | None = None,
        grant: ModelGrant = EVERY_MODEL,
    ) -> ModelPage:
        """The enabled models, filtered, one page; only those `grant` (the caller's
        API key) allows."""
        if page_size < 0:
            raise invalid_request([("page_size", "must not be negative")])
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after = decode_page_token(_LISTING, page_token)
        if after is None:
            raise invalid_request([("page_token", "is not a token returned by ListModels")])
        matching = [
            m
            for m in self.router.catalog.list()
            if m.is_available
            and (not provider or m.provider == provider)
            and (capability is None or capability in m.capabilities)
            and m.id > after
            and grant.allows(m.id)
        ]
        page = matching[:size]
        token = encode_page_token(_LISTING, page[-1].id) if len(matching) > size else ""
        return ModelPage(page, token)

    # -- the upstream paths -------------------------------------------------------------
    def _route_chat(
        self, req: ChatRequest, call: Call, capability: Capability
    ) -> tuple[Model, tuple[Capability, ...]]:
        model = self.router.lookup(req.model, capability)
        call.model = model.id
        needs: tuple[Capability, ...] = (capability,)
        if req.tools:
            self.router.require(model, Capability.TOOLS)
            needs += (Capability.TOOLS,)
        if any(isinstance(p, ImagePart) for m in req.messages for p in m.parts):
            self.router.require(model, Capability.VISION)
            needs += (Capability.VISION,)
        return model, needs

    async def _chat(self, req: ChatRequest, call: Call) -> ChatResult:
        model, needs = self._route_chat(req, call, Capability.CHAT)

        async def op(cfg: Model, adapter: ProviderAdapter, budget: Budget) -> ChatResult:
            return await adapter.chat(cfg, req, budget)

        result, attempt = await self.resilience.run(model, needs, call, "chat", op)
        attempt.ok(result.usage, result.response_id, result.upstream_model)
        self._answered(call, attempt.served(result.response_id, result.upstream_model), result.usage)
        return result

    async def _embed(self, req: EmbedRequest, call: Call) -> EmbedResult:
        async def run(adapter: ProviderAdapter, cfg: Model, budget: Budget) -> EmbedResult:
            check_dimensions(req.dimensions, cfg)
            result = await adapter.embed(cfg, req, budget)
            result.vectors = fit_dimensions(result.vectors, req.dimensions, cfg)
            return result

        return await self._unary(req.model, Capability.EMBED, call, "embed", run)

    async def _image(self, req: ImageRequest, call: Call) -> ImageResult:
        return await self._unary(
            req.model,
            Capability.IMAGE,
            call,
            "generate_image",
            lambda a, m, b: a.generate_image(m, req, b),
            lambda r: Usage(
                images=len(r.images),
                image_size=r.size or req.size,
                image_quality=r.quality or req.quality,
            ),
        )

    async def _transcribe(self, req: TranscribeRequest, call: Call) -> TranscribeResult:
        return await self._unary(
            req.model, Capability.TRANSCRIBE, call, "transcribe", lambda a, m, b: a.transcribe(m, req, b)
        )

    async def _unary(
        self,
        model_id: str,
        capability: Capability,
        call: Call,
        operation: str,
        run: Callable[[ProviderAdapter, Model, Budget], Awaitable[Res]],
        usage_of: Callable[[Res], Usage | None] = lambda r: _usage_of(r),
    ) -> Res:
        """One unary upstream operation (Embed, GenerateImage, Transcribe) through
        deployments, retries and fallbacks."""
        model = self.router.lookup(model_id, capability)
        call.model = model.id

        async def op(cfg: Model, adapter: ProviderAdapter, budget: Budget) -> Res:
            return await run(adapter, cfg, budget)

        result, attempt = await self.resilience.run(model, (capability,), call, operation, op)
        usage = usage_of(result)
        attempt.ok(usage)
        self._answered(call, attempt.served(), usage)
        return result

    def _answered(self, call: Call, served: Served | None, usage: Usage | None) -> None:
        call.served = served
        call.usage = usage
        call.first_event_at = time.perf_counter()
        self.observers.first_event(call)

    async def _stream(self, req: ChatRequest, call: Call) -> AsyncGenerator[StreamEvent, None]:
        model, needs = self._route_chat(req, call, Capability.STREAM)
        (events, start, first), attempt = await self.resilience.run(
            model, needs, call, "stream_chat", partial(_open, req)
        )
        served = attempt.served(start.response_id, start.upstream_model)
        self._streaming(call, served, attempt)
        chars = delta_chars(first)  # generated so far: a stream stopped early is billed them, estimated
        try:
            yield StreamStart(start.response_id, served.upstream_model, served)
            if isinstance(first, StreamEnd):
                call.usage = first.usage
            yield first
            async for event in events:
                if type(event) is TextDelta:
                    chars += len(event.text)
                elif isinstance(event, StreamEnd):
                    call.usage = event.usage
                else:
                    chars += delta_chars(event)
                yield event
        except BaseException as exc:
            call.usage = call.usage or estimate_usage(req, chars)
            if isinstance(exc, GatewayError):
                attempt.fail(exc)
            else:
                attempt.cancel()
            raise
        else:
            attempt.ok(call.usage, start.response_id, served.upstream_model)
        finally:
            await events.aclose()

    async def _speech(self, req: SpeechRequest, call: Call) -> AsyncGenerator[SpeechEvent, None]:
        model = self.router.lookup(req.model, Capability.SPEECH)
        call.model = model.id
        (events, start, first), attempt = await self.resilience.run(
            model, (Capability.SPEECH,), call, "synthesize_speech", partial(_open_speech, req)
        )
        served = attempt.served()
        self._streaming(call, served, attempt)
        sent = 0
        try:
            call.usage = Usage(characters=len(req.input))  # billed once the upstream speaks
            yield SpeechStart(start.format, start.sample_rate_hz, served)
            if isinstance(first, AudioChunk):
                sent = len(first.data)
                yield first
            async for event in events:
                if isinstance(event, AudioChunk):
                    sent += len(event.data)
                    yield event
            yield SpeechEnd(len(req.input), sent)
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

    def _streaming(self, call: Call, served: Served, attempt: Attempt) -> None:
        """A stream's first event arrived: the call is served."""
        call.served = served
        attempt.first_event()
        call.first_event_at = time.perf_counter()
        self.observers.first_event(call)

    # -- the pipeline around them -------------------------------------------------------
    async def _governed(self, req: Req, call: Call, upstream: Callable[[Req, Call], Awaitable[Res]]) -> Res:
        pipeline = self.pipeline
        admitted, admitted_req, answer = await pipeline.admit(call, req)
        try:
            if answer is not None:
                result = cast(Res, answer)
                self._answered(call, call.served, _usage_of(result))
            else:
                result = await upstream(cast(Req, admitted_req), call)
        except GatewayError as exc:
            await pipeline.settle(call, admitted, Outcome(error=exc))
            raise
        except BaseException:
            await pipeline.settle(call, admitted, Outcome(cancelled=True))
            raise
        await pipeline.settle(call, admitted, Outcome(result=result, complete=True))
        return result

    async def _governed_stream(self, req: ChatRequest, call: Call) -> AsyncGenerator[StreamEvent, None]:
        pipeline = self.pipeline
        admitted, admitted_req, answer = await pipeline.admit(call, req)
        folder = StreamFolder() if pipeline.wants_result or call.fold else None
        if answer is not None:
            result = cast(ChatResult, answer)
            self._answered(call, call.served, result.usage)
            chunk_chars = call.cache.replay_chunk_chars if call.cache is not None else 0
            events: AsyncGenerator[StreamEvent, None] = _replayed(replay(result, call.served, chunk_chars))
        else:
            events = self._stream(cast(ChatRequest, admitted_req), call)
        try:
            async with aclosing(events):
                async for event in events:
                    if folder is not None:
                        folder.add(event)
                    yield event
        except GatewayError as exc:
            await pipeline.settle(call, admitted, stream_outcome(folder, error=exc))
            raise
        except BaseException:
            await pipeline.settle(call, admitted, stream_outcome(folder, cancelled=True))
            raise
        await pipeline.settle(call, admitted, stream_outcome(folder))

    async def _governed_speech(self, req: SpeechRequest, call: Call) -> AsyncGenerator[SpeechEvent, None]:
        pipeline = self.pipeline
        # No policy has a ready answer for speech (`Result` holds none), nor folds audio.
        admitted, admitted_req, _ = await pipeline.admit(call, req)
        events = self._speech(cast(SpeechRequest, admitted_req), call)
        try:
            async with aclosing(events):
                async for event in events:
                    yield event
        except GatewayError as exc:
            await pipeline.settle(call, admitted, stream_outcome(None, error=exc))
            raise
        except BaseException:
            await pipeline.settle(call, admitted, stream_outcome(None, cancelled=True))
            raise
        await pipeline.settle(call, admitted, stream_outcome(None))


def _usage_of(result: Result) -> Usage | None:
    if isinstance(result, ChatResult):
        return result.usage
    if isinstance(result, EmbedResult):
        return Usage(prompt_tokens=result.prompt_tokens)
    if isinstance(result, TranscribeResult) and result.usage is None:  # billed by the second
        seconds = result.audio_s or result.duration_s  # else heard; neither: unknown, not zero
        return Usage(audio_seconds=seconds, estimated=not result.audio_s) if seconds else None
    return result.usage if isinstance(result, TranscribeResult) else None


async def _replayed(events: Iterator[StreamEvent]) -> AsyncGenerator[StreamEvent, None]:
    for event in events:
        yield event


async def _open(
    req: ChatRequest, cfg: Model, adapter: ProviderAdapter, budget: Budget
) -> tuple[AsyncGenerator[StreamEvent, None], StreamStart, StreamEvent]:
    return await first_event(adapter.stream_chat(cfg, req, budget), StreamStart(), cfg, budget)


async def _open_speech(
    req: SpeechRequest, cfg: Model, adapter: ProviderAdapter, budget: Budget
) -> tuple[AsyncGenerator[SpeechEvent, None], SpeechStart, SpeechEvent]:
    start = SpeechStart(req.format or "")
    return await first_event(adapter.synthesize_speech(cfg, req, budget), start, cfg, budget)
