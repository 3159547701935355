"""The seam between the core and provider adapters."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

from llmgateway.core.deadline import Budget
from llmgateway.core.models import ModelConfig, ModelSpec
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    ImageRequest,
    ImageResult,
    StreamEvent,
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One upstream: base URL, resolved API key and adapter options. The key is
    excluded from repr so it cannot leak through logs or tracebacks."""

    base_url: str
    api_key: str = field(default="", repr=False)
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str, default: str = "") -> str:
        return dict(self.options).get(name, default)


class ProviderAdapter(Protocol):
    """A provider adapter. One instance per upstream endpoint, shared by every
    model on it; it owns that upstream's pooled HTTP connections.

    Unsupported operations raise a CAPABILITY_NOT_SUPPORTED GatewayError.
    `stream_chat` is an async generator: closing it early (caller cancelled)
    must close the upstream request.
    """

    provider: ClassVar[str]
    default_base_url: ClassVar[str]
    default_credential_env: ClassVar[str]

    def __init__(self, endpoint: Endpoint) -> None: ...

    @classmethod
    def supported_models(cls) -> list[ModelSpec]: ...

    async def chat(self, model: ModelConfig, request: ChatRequest, budget: Budget) -> ChatResult: ...

    def stream_chat(
        self, model: ModelConfig, request: ChatRequest, budget: Budget
    ) -> AsyncGenerator[StreamEvent, None]: ...

    async def embed(self, model: ModelConfig, request: EmbedRequest, budget: Budget) -> EmbedResult: ...

    async def generate_image(
        self, model: ModelConfig, request: ImageRequest, budget: Budget
    ) -> ImageResult: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class ModelDiscovery(Protocol):
    """An adapter that can ask a running server which models it serves (Ollama's
    `/api/tags`), beside the static `supported_models()`. A registry sync calls it for
    the servers the `discover:` settings list."""

    async def discover_models(self, budget: Budget) -> list[ModelSpec]: ...
