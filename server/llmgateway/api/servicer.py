"""The GatewayService methods: convert in, call the inference service, convert out.
Everything around them (call record, errors, observers, load shedding) is the edge's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from llmgateway.api import audio_convert, convert, model_convert
from llmgateway.core.calls import CacheMode, Call
from llmgateway.core.errors import cache_miss
from llmgateway.core.memo import Memo, by_wire
from llmgateway.core.patterns import EVERY_MODEL
from llmgateway.core.service import InferenceService
from llmgateway.core.types import ChatRequest, SpeechEvent, StreamEvent
from llmgateway.v1 import (
    audio_pb2,
    cache_pb2,
    chat_pb2,
    embedding_pb2,
    gateway_service_pb2,
    image_pb2,
    model_pb2,
)

GATEWAY_SERVICE = gateway_service_pb2.DESCRIPTOR.services_by_name["GatewayService"]
# A converted request holds up to ~100x its wire size in objects (an empty message is 2
# bytes on the wire and ~190 as an object): the memo of converted requests counts that
# much per wire byte, so it holds at most 32 MiB whatever the requests.
_OBJECT_BYTES_PER_WIRE_BYTE = 100


class GatewayServicer:
    """`caching`: whether a response cache serves this gateway (without one, a call that
    wants a cached answer only fails with CACHE_MISS, and other cache modes do nothing)."""

    def __init__(self, service: InferenceService, caching: bool = False) -> None:
        self.service = service
        self.caching = caching
        # Chat requests received byte for byte before (a cache hit's, a retry's), by method:
        # checked and converted once, then shared. Nothing changes a request past this
        # point: a policy that rewrites one builds a new one, and validation only fills in
        # an image's MIME type from its bytes (the same for every call that shares it).
        self.chat_requests: Memo[tuple[str, bytes], ChatRequest] = Memo(1024, 32 * 1024 * 1024)

    def _cache(self, pb: cache_pb2.CacheControl, model: str, call: Call) -> None:
        call.cache = convert.cache_use(pb)
        if call.cache.mode is CacheMode.ONLY and not self.caching:
            raise cache_miss(model)

    def _chat_request(
        self, request: chat_pb2.ChatRequest | chat_pb2.StreamChatRequest, call: Call
    ) -> ChatRequest:
        wire = call.wire_request
        if not by_wire(wire):
            return convert.chat_request(request)
        # An invalid request raises: never kept.
        return self.chat_requests.get_or_make(
            (call.method, wire),
            lambda: convert.chat_request(request),
            len(wire) * _OBJECT_BYTES_PER_WIRE_BYTE,
        )

    async def chat(self, request: chat_pb2.ChatRequest, call: Call) -> chat_pb2.ChatResponse:
        if request.HasField("cache"):
            self._cache(request.cache, request.model, call)
        req = self._chat_request(request, call)
        _tag(call, request.tags)
        result = await self.service.chat(req, call)
        return convert.chat_response(result, call)

    def stream_chat(self, request: chat_pb2.StreamChatRequest, call: Call) -> AsyncIterator[StreamEvent]:
        if request.HasField("cache"):
            self._cache(request.cache, request.model, call)
        req = self._chat_request(request, call)
        _tag(call, request.tags)
        return self.service.stream_chat(req, call)

    convert_stream_chat = staticmethod(convert.stream_event)

    async def embed(self, request: embedding_pb2.EmbedRequest, call: Call) -> embedding_pb2.EmbedResponse:
        if request.HasField("cache"):
            self._cache(request.cache, request.model, call)
        req = convert.embed_request(request)
        _tag(call, request.tags)
        result = await self.service.embed(req, call)
        return convert.embed_response(result, call)

    async def generate_image(
        self, request: image_pb2.GenerateImageRequest, call: Call
    ) -> image_pb2.GenerateImageResponse:
        req = convert.image_request(request)
        _tag(call, request.tags)
        result = await self.service.generate_image(req, call)
        return convert.image_response(result, call)

    async def transcribe(
        self, request: audio_pb2.TranscribeRequest, call: Call
    ) -> audio_pb2.TranscribeResponse:
        req = audio_convert.transcribe_request(request)
        _tag(call, request.tags)
        result = await self.service.transcribe(req, call)
        return audio_convert.transcribe_response(result, call)

    def synthesize_speech(
        self, request: audio_pb2.SynthesizeSpeechRequest, call: Call
    ) -> AsyncIterator[SpeechEvent]:
        req = audio_convert.speech_request(request)
        _tag(call, request.tags)
        return self.service.synthesize_speech(req, call)

    convert_synthesize_speech = staticmethod(audio_convert.speech_event)

    async def list_models(
        self, request: model_pb2.ListModelsRequest, call: Call
    ) -> model_pb2.ListModelsResponse:
        page_size, page_token, provider, capability = model_convert.list_models_request(request)
        grant = call.principal.models if call.principal is not None else EVERY_MODEL
        page = self.service.list_models(page_size, page_token, provider, capability, grant)
        return model_pb2.ListModelsResponse(
            models=[model_convert.model_out(m) for m in page.models], next_page_token=page.next_page_token
        )


def _tag(call: Call, tags: Mapping[str, str]) -> None:
    """The caller's tags (bounded by the request's conversion) on the call record."""
    if tags:
        call.tags = dict(tags)
