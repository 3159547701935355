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


# -- sessions ------------------------------------------------------------------------------
class SessionsUnavailable(Exception):
    """The session store could not answer."""


class SessionLeased(Exception):
    """Another call holds the session's lease."""


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session's metadata. Times are Unix seconds; messages are numbered from 0 in
    the order they were added, and `first_seq` is the oldest one still stored."""

    id: str
    owner: str  # the API key id that created it ("" when the gateway does not authenticate)
    model: str  # the virtual model it belongs to
    create_time: float
    update_time: float
    expire_time: float
    first_seq: int
    message_count: int


@dataclass(frozen=True, slots=True)
class OpenedSession:
    session: StoredSession
    messages: list[bytes]  # encoded messages, oldest first (sequence numbers from first_seq)


class SessionStore(Protocol):
    """Where conversations live: opaque encoded messages per session, an owner, an
    idle expiry, and a lease that serialises the calls of one session.

    A call makes at most one round trip before it runs (`create` or `open`: the lease
    taken and the history read together) and one after (`commit`, or `release` when it
    failed). Every operation names the owner: a session of another owner, or an expired
    one, is not found. Raise SessionsUnavailable when the store cannot answer."""

    async def create(
        self, session_id: str, owner: str, model: str, token: str, lease_s: float, ttl_s: float
    ) -> None:
        """A new session, leased to `token`."""
        ...

    async def open(self, session_id: str, owner: str, token: str, lease_s: float) -> OpenedSession | None:
        """Takes the lease and reads the history; None when not found, SessionLeased
        when another call holds the lease."""
        ...

    async def commit(
        self, session_id: str, token: str, append: Sequence[bytes], drop: int, ttl_s: float
    ) -> bool:
        """Appends messages, drops the `drop` oldest, refreshes the expiry and releases
        the lease, if `token` still holds it and the session still exists (else False)."""
        ...

    async def release(self, session_id: str, token: str) -> None:
        """Releases the lease if `token` still holds it."""
        ...

    async def get(self, session_id: str, owner: str) -> StoredSession | None: ...

    async def messages(
        self, session_id: str, owner: str, after_seq: int, limit: int
    ) -> tuple[StoredSession, list[tuple[int, bytes]]] | None:
        """Up to `limit` (sequence number, message) with sequence numbers above
        `after_seq`, oldest first."""
        ...

    async def delete(self, session_id: str, owner: str) -> bool: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...
