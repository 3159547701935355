"""Shared behaviour of provider adapters."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any, ClassVar

import orjson

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import bad_response, capability_not_supported
from llmgateway.core.models import Model, ModelSpec
from llmgateway.core.ports import Endpoint
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    GenerationConfig,
    ImageRequest,
    ImageResult,
    SpeechEvent,
    SpeechRequest,
    StreamEvent,
    TranscribeRequest,
    TranscribeResult,
)
from llmgateway.providers.http import HttpClient, new_http_client


class BaseAdapter:
    """Default behaviour: every operation is unsupported until a subclass adds it."""

    provider: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    default_credential_env: ClassVar[str] = ""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.base_url = endpoint.base_url.rstrip("/")
        self.http: HttpClient = new_http_client(self.provider)

    @classmethod
    def supported_models(cls) -> list[ModelSpec]:
        return []

    async def chat(self, model: Model, request: ChatRequest, budget: Budget) -> ChatResult:
        raise capability_not_supported(model.id, "chat")

    def stream_chat(
        self, model: Model, request: ChatRequest, budget: Budget
    ) -> AsyncGenerator[StreamEvent, None]:
        raise capability_not_supported(model.id, "stream")

    async def embed(self, model: Model, request: EmbedRequest, budget: Budget) -> EmbedResult:
        raise capability_not_supported(model.id, "embed")

    async def generate_image(self, model: Model, request: ImageRequest, budget: Budget) -> ImageResult:
        raise capability_not_supported(model.id, "image")

    async def transcribe(self, model: Model, request: TranscribeRequest, budget: Budget) -> TranscribeResult:
        raise capability_not_supported(model.id, "transcribe")

    def synthesize_speech(
        self, model: Model, request: SpeechRequest, budget: Budget
    ) -> AsyncGenerator[SpeechEvent, None]:
        raise capability_not_supported(model.id, "speech")

    async def aclose(self) -> None:
        await self.http.aclose()

    def parse_json(self, body: bytes | str) -> Any:
        """Parses an upstream JSON body; garbage becomes PROVIDER_BAD_RESPONSE."""
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise bad_response(self.provider, "body is not valid JSON") from None


def generation_fields(g: GenerationConfig, names: Mapping[str, str]) -> dict[str, Any]:
    """The generation parameters the caller set, under the provider's names
    (`names` maps GenerationConfig fields to wire names)."""
    out: dict[str, Any] = {}
    for field, wire in names.items():
        value = getattr(g, field)
        if value is not None and value != []:
            out[wire] = value
    return out
