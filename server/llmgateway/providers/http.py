"""The upstream HTTP client seam.

Adapters talk to upstreams only through `HttpClient`, so the transport can be
chosen by measurement. Two implementations: aiohttp (the default: ~0.25 ms of
CPU per call here) and httpx (~1.5 ms with its own transport). Transport
failures are translated into GatewayErrors here, once for every adapter.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
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


class HttpClient(Protocol):
    def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AbstractAsyncResponseContext: ...

    async def aclose(self) -> None: ...


class AbstractAsyncResponseContext(Protocol):
    async def __aenter__(self) -> UpstreamResponse: ...

    async def __aexit__(self, *exc: object) -> None: ...


def _translate(exc: BaseException, provider: str, phase: str) -> GatewayError:
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return provider_timeout(provider, phase)
    return provider_unavailable(provider, f"{type(exc).__name__} while {phase}")


class _AiohttpResponse:
    __slots__ = ("_provider", "_resp", "headers", "status")

    def __init__(self, resp: aiohttp.ClientResponse, provider: str) -> None:
        self._resp = resp
        self._provider = provider
        self.status = resp.status
        self.headers: Mapping[str, str] = resp.headers

    async def read(self) -> bytes:
        try:
            return await self._resp.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _translate(exc, self._provider, "reading the response") from None

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.content.iter_any():
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

    @asynccontextmanager
    async def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AsyncIterator[UpstreamResponse]:
        timeout = aiohttp.ClientTimeout(total=budget.total, connect=budget.connect, sock_read=budget.idle)
        try:
            resp = await self._get_session().post(url, data=body, headers=headers, timeout=timeout)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise _translate(exc, self._provider, "connecting") from None
        try:
            yield _AiohttpResponse(resp, self._provider)
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
    __slots__ = ("_provider", "_resp", "headers", "status")

    def __init__(self, resp: httpx.Response, provider: str) -> None:
        self._resp = resp
        self._provider = provider
        self.status = resp.status_code
        self.headers: Mapping[str, str] = resp.headers

    async def read(self) -> bytes:
        try:
            return await self._resp.aread()
        except httpx.HTTPError as exc:
            raise _translate(exc, self._provider, "reading the response") from None

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.aiter_raw():
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
            self._client = httpx.AsyncClient(limits=httpx.Limits(max_connections=None, max_keepalive_connections=256))
        return self._client

    @asynccontextmanager
    async def post(
        self, url: str, headers: Mapping[str, str], body: bytes, budget: Budget
    ) -> AsyncIterator[UpstreamResponse]:
        timeout = httpx.Timeout(budget.total, connect=budget.connect, read=budget.idle)
        client = self._get_client()
        request = client.build_request("POST", url, content=body, headers=headers, timeout=timeout)
        try:
            async with asyncio.timeout(budget.total):
                resp = await client.send(request, stream=True)
        except (TimeoutError, httpx.HTTPError) as exc:
            raise _translate(exc, self._provider, "connecting") from None
        try:
            yield _HttpxResponse(resp, self._provider)
        finally:
            await resp.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


_CLIENTS: dict[str, type[AiohttpClient] | type[HttpxClient]] = {"aiohttp": AiohttpClient, "httpx": HttpxClient}
_default_kind = "aiohttp"


def set_default_client(kind: str) -> None:
    """Chooses the transport for adapters created from now on (a start-up setting)."""
    global _default_kind
    if kind not in _CLIENTS:
        raise ValueError(f"unknown upstream HTTP client {kind!r}; choose one of {sorted(_CLIENTS)}")
    _default_kind = kind


def new_http_client(provider: str) -> HttpClient:
    return _CLIENTS[_default_kind](provider)
