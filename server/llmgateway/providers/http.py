"""The upstream HTTP client seam.

Adapters talk to upstreams only through `HttpClient`, so the transport can be
chosen by measurement. Two implementations: aiohttp (the default: ~0.25 ms of
CPU per call here) and httpx (~1.5 ms with its own transport; httpx_client.py,
imported only when it is chosen). Transport
failures are translated into GatewayErrors here, once for every adapter.

Three ways to call: `fetch` posts and reads a whole answer, freeing the
connection before it returns (unary calls: no context manager, no response
wrapper on the hot path); `get` is the same for a GET; `post` yields the open
response for streaming. `fetch` sends bytes as they are, or a `Form` as
multipart/form-data encoded by the transport (which sets the Content-Type and its
boundary: the caller's headers must not name one).

Time budgets. A timeout names the phase that ran out, in the error's `timeout`
metadata and its message:
- `connect`: the TCP (and TLS) connection was not up within `connect`;
- `response headers`: a stream's response headers did not come within
  `first_token` of the request;
- `first token`: a stream's first body chunk did not come within `first_token`
  of the request;
- `idle`: no stream chunk for `idle`;
- `total`: the whole call ran over `total`. A non-streamed answer has no other
  bound: a long generation is not an idle upstream, and its headers only come
  with the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar

import aiohttp

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError, provider_timeout, provider_unavailable

CONNECT = "connect"
RESPONSE_HEADERS = "response headers"
FIRST_TOKEN = "first token"
IDLE = "idle"
TOTAL = "total"
_R = TypeVar("_R")


class UpstreamResponse(Protocol):
    status: int
    headers: Mapping[str, str]  # case-insensitive

    async def read(self) -> bytes: ...

    def iter_chunks(self) -> AsyncIterator[bytes]: ...


class Reply:
    """A whole upstream answer, read and released."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers  # case-insensitive
        self.body = body


@dataclass(frozen=True, slots=True)
class FormFile:
    """A file part of a multipart form."""

    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Form:
    """A multipart/form-data body: text fields (a name may repeat) and files."""

    fields: tuple[tuple[str, str], ...]
    files: tuple[FormFile, ...]


Body = bytes | Form


class HttpClient(Protocol):
    async def fetch(self, url: str, headers: Mapping[str, str], body: Body, budget: Budget) -> Reply: ...

    async def get(self, url: str, headers: Mapping[str, str], budget: Budget) -> Reply: ...

    def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AbstractAsyncContextManager[UpstreamResponse]: ...

    async def aclose(self) -> None: ...


class Failures(NamedTuple):
    """A transport's exceptions: its failures, its connect timeouts, its other timeouts."""

    errors: tuple[type[BaseException], ...]
    connect_timeouts: tuple[type[BaseException], ...]
    timeouts: tuple[type[BaseException], ...]


AIOHTTP_FAILURES = Failures(
    (TimeoutError, aiohttp.ClientError), (aiohttp.ConnectionTimeoutError,), (TimeoutError,)
)


def translate_error(
    exc: BaseException, provider: str, what: str, failures: Failures = AIOHTTP_FAILURES
) -> GatewayError:
    """A transport failure while doing `what`; a timeout the transport raised itself is
    its connect timeout or else the total one (the other phases are timed here)."""
    if isinstance(exc, failures.connect_timeouts):
        return provider_timeout(provider, CONNECT)
    if isinstance(exc, failures.timeouts):
        return provider_timeout(provider, TOTAL)
    return provider_unavailable(provider, f"{type(exc).__name__} while {what}")


class Clock:
    """The deadlines of one stream, on the event loop's clock, from its start, watched by
    one timer per stream rather than one per read: a read only notes its deadline; the
    timer, when it fires, ends the read in progress if that read is late, else moves
    itself to that read's deadline. A timer covers only a read, never the time the
    caller takes between two reads, so a slow consumer is not taken for a slow upstream."""

    __slots__ = (
        "cancelling",
        "deadline",
        "expired",
        "fires_at",
        "first_token",
        "handle",
        "idle",
        "loop",
        "phase",
        "reading",
        "task",
        "total",
    )

    def __init__(self, budget: Budget) -> None:
        self.loop = asyncio.get_running_loop()
        start = self.loop.time()
        self.first_token = start + budget.first_token
        self.total = start + budget.total
        self.idle = budget.idle
        self.handle: asyncio.TimerHandle | None = None
        self.fires_at = 0.0
        self.deadline = 0.0
        self.phase = FIRST_TOKEN
        self.reading = False
        self.expired = False
        self.task: asyncio.Task[object] | None = None
        self.cancelling = 0

    def headers_phase(self) -> str:
        return TOTAL if self.first_token >= self.total else RESPONSE_HEADERS

    def watch(self) -> None:
        """The reads from here on are in the current task."""
        self.task = asyncio.current_task()
        assert self.task is not None
        self.cancelling = self.task.cancelling()

    def read_until(self, when: float, phase: str) -> None:
        if when >= self.total:
            when, phase = self.total, TOTAL
        self.deadline, self.phase, self.reading = when, phase, True
        if self.handle is None or self.fires_at > when:
            self._schedule(when)

    def read_ended(self) -> None:
        self.reading = False

    def timed_out(self) -> bool:
        """After a CancelledError in a read: whether the timer caused it (and not a caller)."""
        assert self.task is not None
        return self.expired and self.task.uncancel() <= self.cancelling

    def close(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def _schedule(self, when: float) -> None:
        if self.handle is not None:
            self.handle.cancel()
        self.fires_at = when
        self.handle = self.loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self.handle = None
        if not self.reading:
            return  # the next read sets it again
        if self.loop.time() < self.deadline:
            self._schedule(self.deadline)
        elif self.task is not None:
            self.expired = True
            self.task.cancel()


async def open_response(send: Awaitable[_R], clock: Clock, provider: str) -> _R:
    """Awaits a stream's response headers within the first-token deadline."""
    timer = asyncio.timeout_at(clock.first_token)
    try:
        async with timer:
            return await send
    except TimeoutError:
        if timer.expired():
            raise provider_timeout(provider, clock.headers_phase()) from None
        raise


async def timed_chunks(
    read: Callable[[], Awaitable[bytes]],
    clock: Clock,
    provider: str,
    failures: Failures,
) -> AsyncIterator[bytes]:
    """Chunks until EOF: the first by the first-token deadline, each later one within
    `idle`, all by the total deadline. A transport failure becomes a GatewayError."""
    clock.watch()
    when, phase = clock.first_token, FIRST_TOKEN
    try:
        while True:
            clock.read_until(when, phase)
            try:
                chunk = await read()
            except asyncio.CancelledError:
                if clock.timed_out():
                    raise provider_timeout(provider, clock.phase) from None
                raise
            except failures.errors as exc:
                raise translate_error(exc, provider, "reading the stream", failures) from None
            finally:
                clock.read_ended()
            if not chunk:
                return
            yield chunk
            when, phase = clock.loop.time() + clock.idle, IDLE
    finally:
        clock.close()


class _AiohttpResponse:
    __slots__ = ("_clock", "_provider", "_resp", "headers", "status")

    def __init__(self, resp: aiohttp.ClientResponse, provider: str, clock: Clock) -> None:
        self._resp = resp
        self._provider = provider
        self._clock = clock
        self.status = resp.status
        self.headers: Mapping[str, str] = resp.headers

    async def read(self) -> bytes:
        try:
            return await self._resp.read()  # under aiohttp's own total timeout
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise translate_error(exc, self._provider, "reading the response") from None

    def iter_chunks(self) -> AsyncIterator[bytes]:
        return timed_chunks(self._resp.content.readany, self._clock, self._provider, AIOHTTP_FAILURES)


class AiohttpClient:
    """One pooled aiohttp session (keep-alive) per upstream, created in the running loop."""

    def __init__(self, provider: str) -> None:
        self._provider = provider
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300, enable_cleanup_closed=True),
                auto_decompress=True,
            )
        return self._session

    async def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: Body | None, budget: Budget
    ) -> aiohttp.ClientResponse:
        timeout = aiohttp.ClientTimeout(total=budget.total, connect=budget.connect)
        data = _form_data(body) if isinstance(body, Form) else body
        try:
            return await self._get_session().request(method, url, data=data, headers=headers, timeout=timeout)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise translate_error(exc, self._provider, "connecting") from None

    async def _whole(
        self, method: str, url: str, headers: Mapping[str, str], body: Body | None, budget: Budget
    ) -> Reply:
        resp = await self._send(method, url, headers, body, budget)
        try:
            raw = await resp.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            resp.close()
            raise translate_error(exc, self._provider, "reading the response") from None
        except BaseException:
            resp.close()  # cancelled mid-body: the connection cannot be reused
            raise
        resp.release()
        return Reply(resp.status, resp.headers, raw)

    async def fetch(self, url: str, headers: Mapping[str, str], body: Body, budget: Budget) -> Reply:
        return await self._whole("POST", url, headers, body, budget)

    async def get(self, url: str, headers: Mapping[str, str], budget: Budget) -> Reply:
        return await self._whole("GET", url, headers, None, budget)

    @asynccontextmanager
    async def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AsyncIterator[UpstreamResponse]:
        clock = Clock(budget)
        resp = await open_response(self._send("POST", url, headers, body, budget), clock, self._provider)
        try:
            yield _AiohttpResponse(resp, self._provider, clock)
        finally:
            # close() (not release()) drops a connection whose body was not read to the end:
            # a caller that cancels a stream closes the upstream request at once.
            if resp.content.at_eof():
                resp.release()
            else:
                resp.close()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def _form_data(form: Form) -> aiohttp.FormData:
    data = aiohttp.FormData(default_to_multipart=True)
    for name, value in form.fields:
        data.add_field(name, value)
    for f in form.files:
        data.add_field(f.name, f.data, filename=f.filename, content_type=f.content_type)
    return data


CLIENTS = ("aiohttp", "httpx")
_default_kind = "aiohttp"


def set_default_client(kind: str) -> None:
    """Chooses the transport for adapters created from now on (a start-up setting)."""
    global _default_kind
    if kind not in CLIENTS:
        raise ValueError(f"unknown upstream HTTP client {kind!r}; choose one of {sorted(CLIENTS)}")
    _default_kind = kind


def new_http_client(provider: str) -> HttpClient:
    if _default_kind == "httpx":
        from llmgateway.providers.httpx_client import HttpxClient  # imported only when chosen

        return HttpxClient(provider)
    return AiohttpClient(provider)
