"""The upstream HTTP client seam.

Adapters talk to upstreams only through `HttpClient`, so the transport can be
chosen by measurement. Two implementations: aiohttp (the default: ~0.25 ms of
CPU per call here) and httpx (~1.5 ms with its own transport). Transport
failures are translated into GatewayErrors here, once for every adapter.

Two ways to call: `fetch` reads a whole answer and frees the connection before
it returns (unary calls: no context manager, no response wrapper on the hot
path); `post` yields the open response for streaming.

Time budgets: every request is bounded by `connect` and `total`. Reading a
stream is also bounded per chunk: `first_token` for the first chunk and `idle`
between later ones. A non-streamed answer has no such bound besides `total`: a
long generation is not an idle upstream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import aiohttp
import httpx

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError, provider_timeout, provider_unavailable


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


class HttpClient(Protocol):
    async def fetch(self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget) -> Reply: ...

    def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AbstractAsyncContextManager[UpstreamResponse]: ...

    async def aclose(self) -> None: ...


def _translate(exc: BaseException, provider: str, phase: str) -> GatewayError:
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return provider_timeout(provider, "total" if phase != "connecting" else "connect")
    return provider_unavailable(provider, f"{type(exc).__name__} while {phase}")


async def _timed_chunks(
    read: Callable[[], Awaitable[bytes]], budget: Budget, provider: str
) -> AsyncIterator[bytes]:
    """Chunks until EOF, each awaited under the first-token or idle budget. The
    timeout covers only the await, never a `yield`, so a slow consumer is not
    mistaken for a slow upstream."""
    wait, phase = budget.first_token, "first token"
    while True:
        timer = asyncio.timeout(wait)
        try:
            async with timer:
                chunk = await read()
        except TimeoutError:
            if timer.expired():
                raise provider_timeout(provider, phase) from None
            raise
        if not chunk:
            return
        yield chunk
        wait, phase = budget.idle, "idle"


class _AiohttpResponse:
    __slots__ = ("_budget", "_provider", "_resp", "headers", "status")

    def __init__(self, resp: aiohttp.ClientResponse, provider: str, budget: Budget) -> None:
        self._resp = resp
        self._provider = provider
        self._budget = budget
        self.status = resp.status
        self.headers: Mapping[str, str] = resp.headers

    async def read(self) -> bytes:
        try:
            return await self._resp.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _translate(exc, self._provider, "reading the response") from None

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in _timed_chunks(self._resp.content.readany, self._budget, self._provider):
                yield chunk
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _translate(exc, self._provider, "reading the stream") from None


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
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> aiohttp.ClientResponse:
        timeout = aiohttp.ClientTimeout(total=budget.total, connect=budget.connect)
        try:
            return await self._get_session().post(url, data=body, headers=headers, timeout=timeout)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise _translate(exc, self._provider, "connecting") from None

    async def fetch(self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget) -> Reply:
        resp = await self._send(url, headers, body, budget)
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

    @asynccontextmanager
    async def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AsyncIterator[UpstreamResponse]:
        resp = await self._send(url, headers, body, budget)
        try:
            yield _AiohttpResponse(resp, self._provider, budget)
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


class _HttpxResponse:
    __slots__ = ("_budget", "_provider", "_resp", "headers", "status")

    def __init__(self, resp: httpx.Response, provider: str, budget: Budget) -> None:
        self._resp = resp
        self._provider = provider
        self._budget = budget
        self.status = resp.status_code
        self.headers: Mapping[str, str] = resp.headers

    async def read(self) -> bytes:
        try:
            return await self._resp.aread()
        except httpx.HTTPError as exc:
            raise _translate(exc, self._provider, "reading the response") from None

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        raw = self._resp.aiter_raw()
        try:
            async for chunk in _timed_chunks(lambda: anext(raw, b""), self._budget, self._provider):
                yield chunk
        except httpx.HTTPError as exc:
            raise _translate(exc, self._provider, "reading the stream") from None


class HttpxClient:
    """httpx with its own transport; kept to compare against aiohttp in bench/."""

    def __init__(self, provider: str) -> None:
        self._provider = provider
        self._client: httpx.AsyncClient | None = None

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=256)
            )
        return self._client

    async def fetch(self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget) -> Reply:
        async with self.post(url, headers, body, budget) as resp:
            return Reply(resp.status, resp.headers, await resp.read())

    @asynccontextmanager
    async def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AsyncIterator[UpstreamResponse]:
        timeout = httpx.Timeout(budget.total, connect=budget.connect, read=None)
        client = self._get_client()
        request = client.build_request("POST", url, content=body, headers=headers, timeout=timeout)
        try:
            async with asyncio.timeout(budget.total):
                resp = await client.send(request, stream=True)
        except (TimeoutError, httpx.HTTPError) as exc:
            raise _translate(exc, self._provider, "connecting") from None
        try:
            yield _HttpxResponse(resp, self._provider, budget)
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
