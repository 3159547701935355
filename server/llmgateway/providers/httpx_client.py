"""The httpx transport of the upstream HTTP client seam (providers/http.py): kept to
compare against aiohttp in bench/ (`upstream.client: httpx`). Every time budget is
bounded the same way as with aiohttp."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import provider_timeout
from llmgateway.providers.http import (
    TOTAL,
    Body,
    Clock,
    Failures,
    Form,
    Reply,
    UpstreamResponse,
    open_response,
    timed_chunks,
    translate_error,
)

HTTPX_FAILURES = Failures((httpx.HTTPError,), (httpx.ConnectTimeout,), (TimeoutError, httpx.TimeoutException))


class _HttpxResponse:
    __slots__ = ("_clock", "_provider", "_resp", "headers", "status")

    def __init__(self, resp: httpx.Response, provider: str, clock: Clock) -> None:
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
            raise translate_error(exc, self._provider, "reading the response", HTTPX_FAILURES) from None

    def iter_chunks(self) -> AsyncIterator[bytes]:
        raw = self._resp.aiter_raw()
        return timed_chunks(lambda: anext(raw, b""), self._clock, self._provider, HTTPX_FAILURES)


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
            raise translate_error(exc, self._provider, "connecting", HTTPX_FAILURES) from None

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
        clock = Clock(budget)
        request = self._request("POST", url, headers, body, budget)
        resp = await open_response(self._send(request, stream=True), clock, self._provider)
        try:
            yield _HttpxResponse(resp, self._provider, clock)
        finally:
            await resp.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
