"""The upstream HTTP client seam.

Adapters talk to upstreams only through `HttpClient`, so the transport can be
chosen by measurement. Two implementations: aiohttp (the default: ~0.25 ms of
CPU per call here) and httpx (~1.5 ms with its own transport). Transport
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
from typing import Protocol, TypeVar

import aiohttp
import httpx

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


def _translate(exc: BaseException, provider: str, what: str) -> GatewayError:
    """A transport failure while doing `what`; a timeout the transport raised itself is
    its connect timeout or else the total one (the other phases are timed here)."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError | httpx.ConnectTimeout):
        return provider_timeout(provider, CONNECT)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return provider_timeout(provider, TOTAL)
    return provider_unavailable(provider, f"{type(exc).__name__} while {what}")


class _Clock:
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


async def _open(send: Awaitable[_R], clock: _Clock, provider: str) -> _R:
    """Awaits a stream's response headers within the first-token deadline."""
    timer = asyncio.timeout_at(clock.first_token)
    try:
        async with timer:
            return await send
    except TimeoutError:
        if timer.expired():
            raise provider_timeout(provider, clock.headers_phase()) from None
        raise


async def _timed_chunks(
    read: Callable[[], Awaitable[bytes]],
    clock: _Clock,
    provider: str,
    errors: tuple[type[BaseException], ...],
) -> AsyncIterator[bytes]:
    """Chunks until EOF: the first by the first-token deadline, each later one within
    `idle`, all by the total deadline. A transport failure (`errors`) becomes a
    GatewayError."""
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
            except errors as exc:
                raise _translate(exc, provider, "reading the stream") from None
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

    def __init__(self, resp: aiohttp.ClientResponse, provider: str, clock: _Clock) -> None:
        self._resp = resp
        self._provider = provider
        self._clock = clock
        self.status = resp.status
        self.headers: Mapping[str, str] = resp.headers

    async def read(self) -> bytes:
        try:
            return await self._resp.read()  # under aiohttp's own total timeout
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _translate(exc, self._provider, "reading the response") from None

    def iter_chunks(self) -> AsyncIterator[bytes]:
        errors = (TimeoutError, aiohttp.ClientError)
        return _timed_chunks(self._resp.content.readany, self._clock, self._provider, errors)


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
            raise _translate(exc, self._provider, "connecting") from None

    async def _whole(
        self, method: str, url: str, headers: Mapping[str, str], body: Body | None, budget: Budget
    ) -> Reply:
        resp = await self._send(method, url, headers, body, budget)
        try:
            raw = await resp.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            resp.close()
            raise _translate(exc, self._provider, "reading the response") from None
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
        clock = _Clock(budget)
        resp = await _open(self._send("POST", url, headers, body, budget), clock, self._provider)
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


class _HttpxResponse:
    __slots__ = ("_clock", "_provider", "_resp", "headers", "status")

    def __init__(self, resp: httpx.Response, provider: str, clock: _Clock) -> None:
        self._resp = resp
        self._provider = provider
        self._clock = clock
        self.status = resp.status_code
        self.headers: Mapping[str, str] = resp.headers

    async def read(self) -> bytes:
        try:
            async with asyncio.timeout_at(self._clock.total):
                return await self._resp.aread()
        except (TimeoutError, httpx.HTTPError) as exc:
            raise _translate(exc, self._provider, "reading the response") from None

    def iter_chunks(self) -> AsyncIterator[bytes]:
        raw = self._resp.aiter_raw()
        return _timed_chunks(lambda: anext(raw, b""), self._clock, self._provider, (httpx.HTTPError,))


class HttpxClient:
    """httpx with its own transport; kept to compare against aiohttp in bench/.
    httpx has no total timeout of its own: every phase is bounded here, the same
    way as with aiohttp."""

    def __init__(self, provider: str) -> None:
        self._provider = provider
        self._client: httpx.AsyncClient | None = None

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=256)
            )
        return self._client

    def _request(
        self, method: str, url: str, headers: Mapping[str, str], body: Body | None, budget: Budget
    ) -> httpx.Request:
        timeout = httpx.Timeout(budget.total, connect=budget.connect, read=None)
        client = self._get_client()
        if isinstance(body, Form):
            fields: dict[str, list[str]] = {}
            for name, value in body.fields:
                fields.setdefault(name, []).append(value)
            files = [(f.name, (f.filename, f.data, f.content_type)) for f in body.files]
            return client.build_request(
                method, url, data=fields, files=files, headers=headers, timeout=timeout
            )
        return client.build_request(method, url, content=body, headers=headers, timeout=timeout)

    async def _send(self, request: httpx.Request, stream: bool) -> httpx.Response:
        try:
            return await self._get_client().send(request, stream=stream)
        except httpx.HTTPError as exc:
            raise _translate(exc, self._provider, "connecting") from None

    async def _whole(
        self, method: str, url: str, headers: Mapping[str, str], body: Body | None, budget: Budget
    ) -> Reply:
        request = self._request(method, url, headers, body, budget)
        try:
            async with asyncio.timeout(budget.total):
                resp = await self._send(request, stream=False)  # reads the body
        except TimeoutError:
            raise provider_timeout(self._provider, TOTAL) from None
        return Reply(resp.status_code, resp.headers, resp.content)

    async def fetch(self, url: str, headers: Mapping[str, str], body: Body, budget: Budget) -> Reply:
        return await self._whole("POST", url, headers, body, budget)

    async def get(self, url: str, headers: Mapping[str, str], budget: Budget) -> Reply:
        return await self._whole("GET", url, headers, None, budget)

    @asynccontextmanager
    async def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AsyncIterator[UpstreamResponse]:
        clock = _Clock(budget)
        request = self._request("POST", url, headers, body, budget)
        resp = await _open(self._send(request, stream=True), clock, self._provider)
        try:
            yield _HttpxResponse(resp, self._provider, clock)
        finally:
            await resp.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


_CLIENTS: dict[str, type[AiohttpClient] | type[HttpxClient]] = {
    "aiohttp": AiohttpClient,
    "httpx": HttpxClient,
}
_default_kind = "aiohttp"


def set_default_client(kind: str) -> None:
    """Chooses the transport for adapters created from now on (a start-up setting)."""
    global _default_kind
    if kind not in _CLIENTS:
        raise ValueError(f"unknown upstream HTTP client {kind!r}; choose one of {sorted(_CLIENTS)}")
    _default_kind = kind


def new_http_client(provider: str) -> HttpClient:
    return _CLIENTS[_default_kind](provider)
