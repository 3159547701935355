"""The seam between the core and provider adapters."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

from llmgateway.core.deadline import Budget
from llmgateway.core.models import Model, ModelSpec
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    ImageRequest,
    ImageResult,
    SpeechEvent,
    SpeechRequest,
    StreamEvent,
    TranscribeRequest,
    TranscribeResult,
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
    `stream_chat` and `synthesize_speech` are async generators: closing one early
    (caller cancelled) must close the upstream request. `synthesize_speech` opens
    with a SpeechStart naming the format it produces, then yields AudioChunks.
    """

    provider: ClassVar[str]
    default_base_url: ClassVar[str]
    default_credential_env: ClassVar[str]

    def __init__(self, endpoint: Endpoint) -> None: ...

    @classmethod
    def supported_models(cls) -> list[ModelSpec]: ...

    async def chat(self, model: Model, request: ChatRequest, budget: Budget) -> ChatResult: ...

    def stream_chat(
        self, model: Model, request: ChatRequest, budget: Budget
    ) -> AsyncGenerator[StreamEvent, None]: ...

    async def embed(self, model: Model, request: EmbedRequest, budget: Budget) -> EmbedResult: ...

    async def generate_image(self, model: Model, request: ImageRequest, budget: Budget) -> ImageResult: ...

    async def transcribe(
        self, model: Model, request: TranscribeRequest, budget: Budget
    ) -> TranscribeResult: ...

    def synthesize_speech(
        self, model: Model, request: SpeechRequest, budget: Budget
    ) -> AsyncGenerator[SpeechEvent, None]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class ModelDiscovery(Protocol):
    """An adapter that can ask a running server which models it serves (Ollama's
    `/api/tags`), beside the static `supported_models()`. A registry sync calls it for
    the servers the `discover:` settings list."""

    async def discover_models(self, budget: Budget) -> list[ModelSpec]: ...


class CacheUnavailable(Exception):
    """A response cache backend could not answer; the call goes on without the cache."""


class ResponseCache(Protocol):
    """Where the response cache keeps its entries: opaque bytes under a key, each with
    its own time to live, and short locks that let one of several identical calls
    (across replicas, when shared) ask the upstream while the others wait. Embedded in
    the process (an LRU bounded in bytes) or in Redis (shared by replicas).

    A backend that cannot answer raises CacheUnavailable; the call goes on without it."""

    shared: ClassVar[bool]  # whether other replicas see the same entries

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def set_many(self, items: Sequence[tuple[str, bytes]], ttl_s: float) -> None: ...

    async def lock(self, key: str, ttl_s: float) -> str | None:
        """A token when the lock was free (it expires after `ttl_s`), else None."""
        ...

    async def unlock(self, key: str, token: str) -> None:
        """Releases the lock if `token` still holds it."""
        ...
