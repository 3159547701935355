"""The upstream HTTP clients over real HTTP: every timeout names the phase that ran out,
with the same budgets on both transports (aiohttp, httpx)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import orjson
import pytest
from aiohttp import BodyPartReader, web

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.providers.http import AiohttpClient, Form, FormFile, HttpClient
from llmgateway.providers.httpx_client import HttpxClient

PROVIDER = "upstream"
HEADERS = {"Content-Type": "application/json"}


class Server:
    """Answers after the pauses the query asks for, and counts callers that left early."""

    def __init__(self) -> None:
        self.received = 0
        self.disconnects = 0
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            self.disconnects += 1
            raise

    async def disconnected(self) -> bool:
        """Whether one caller left early (waits up to 2 s for the server to notice)."""
        for _ in range(100):
            if self.disconnects:
                break
            await asyncio.sleep(0.02)
        return self.disconnects == 1

    async def whole(self, request: web.Request) -> web.StreamResponse:
        """`headers`: pause before the headers; `body`: pause after half the body."""
        await request.read()
        self.received += 1
        await self._pause(float(request.query.get("headers", 0)))
        raw = b'{"answer": "' + b"x" * 64 + b'"}'
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        resp.content_length = len(raw)
        await resp.prepare(request)
        await resp.write(raw[:10])
        await self._pause(float(request.query.get("body", 0)))
        await resp.write(raw[10:])
        await resp.write_eof()
        return resp

    async def stream(self, request: web.Request) -> web.StreamResponse:
        """`headers`, `first`: pauses before the headers and the first chunk; then `n`
        chunks `interval` apart."""
        await request.read()
        self.received += 1
        await self._pause(float(request.query.get("headers", 0)))
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await self._pause(float(request.query.get("first", 0)))
        for i in range(int(request.query.get("n", 3))):
            if i:
                await self._pause(float(request.query.get("interval", 0)))
            try:
                await resp.write(b"data: %d\n\n" % i)
            except ConnectionResetError:
                self.disconnects += 1
                raise
        await resp.write_eof()
        return resp

    async def form(self, request: web.Request) -> web.Response:
        """What a multipart form held, part by part, as JSON (text as UTF-8, file bytes as latin-1)."""
        parts = []
        reader = await request.multipart()
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            data = await part.read()
            text = data.decode("latin-1" if part.filename else "utf-8")
            parts.append([part.name, part.filename, part.headers.get("Content-Type"), text])
        return web.json_response({"content_type": request.headers["Content-Type"], "parts": parts})

    async def __aenter__(self) -> Server:
        app = web.Application()
        app.add_routes([web.post("/whole", self.whole), web.get("/whole", self.whole)])
        app.add_routes([web.post("/form", self.form)])
        app.add_routes([web.post("/stream", self.stream)])
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture(params=[AiohttpClient, HttpxClient], ids=["aiohttp", "httpx"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[HttpClient]:
    http: HttpClient = request.param(PROVIDER)
    try:
        yield http
    finally:
        await http.aclose()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with Server() as srv:
        yield srv


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A loopback port whose accept queue is full: a new connection never completes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # completes in the background
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for s in [*fillers, listener]:
            s.close()


def budget(connect: float = 2, first_token: float = 5, idle: float = 5, total: float = 10) -> Budget:
    return Budget(connect, first_token, idle, total)


async def read_stream(http: HttpClient, url: str, b: Budget) -> list[bytes]:
    async with http.post(url, HEADERS, b"{}", b) as resp:
        return [chunk async for chunk in resp.iter_chunks()]


def assert_timeout(info: pytest.ExceptionInfo[GatewayError], phase: str) -> None:
    err = info.value
    assert (err.code, err.reason) == (Code.DEADLINE_EXCEEDED, Reason.PROVIDER_TIMEOUT)
    assert err.metadata["timeout"] == phase
    assert phase in err.message


async def test_connect(client: HttpClient, unanswered_port: int) -> None:
    url = f"http://127.0.0.1:{unanswered_port}/whole"
    with pytest.raises(GatewayError) as info:
        await client.fetch(url, HEADERS, b"{}", budget(connect=0.2))
    assert_timeout(info, "connect")
    with pytest.raises(GatewayError) as info:
        await read_stream(client, url, budget(connect=0.2))
    assert_timeout(info, "connect")


async def test_response_headers_of_a_stream(client: HttpClient, server: Server) -> None:
    with pytest.raises(GatewayError) as info:
        await read_stream(client, f"{server.base_url}/stream?headers=5", budget(first_token=0.2))
    assert_timeout(info, "response headers")


async def test_first_token_counts_from_the_request(client: HttpClient, server: Server) -> None:
    # Either pause alone fits the budget; together they do not.
    url = f"{server.base_url}/stream?headers=0.3&first=0.5"
    with pytest.raises(GatewayError) as info:
        await read_stream(client, url, budget(first_token=0.6))
    assert_timeout(info, "first token")
    chunks = await read_stream(client, url, budget(first_token=2))
    assert b"".join(chunks) == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"


async def test_idle(client: HttpClient, server: Server) -> None:
    with pytest.raises(GatewayError) as info:
        await read_stream(client, f"{server.base_url}/stream?interval=5", budget(idle=0.2))
    assert_timeout(info, "idle")


async def test_a_slow_consumer_is_not_an_idle_upstream(client: HttpClient, server: Server) -> None:
    # The upstream sends promptly; the caller takes longer than `idle` over each chunk.
    chunks = []
    url = f"{server.base_url}/stream?n=4&interval=0.05"
    async with client.post(url, HEADERS, b"{}", budget(idle=0.2)) as resp:
        async for chunk in resp.iter_chunks():
            chunks.append(chunk)
            await asyncio.sleep(0.3)
    assert b"".join(chunks) == b"data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\n"


async def test_total_bounds_a_steady_stream(client: HttpClient, server: Server) -> None:
    url = f"{server.base_url}/stream?n=100&interval=0.05"
    with pytest.raises(GatewayError) as info:
        await read_stream(client, url, budget(idle=1, total=0.5))
    assert_timeout(info, "total")
    assert await server.disconnected()


@pytest.mark.parametrize("stall", ["headers", "body"])
async def test_total_bounds_a_whole_answer(client: HttpClient, server: Server, stall: str) -> None:
    with pytest.raises(GatewayError) as info:
        await client.fetch(f"{server.base_url}/whole?{stall}=5", HEADERS, b"{}", budget(total=0.3))
    assert_timeout(info, "total")


async def test_a_whole_answer_is_not_bounded_by_first_token_or_idle(
    client: HttpClient, server: Server
) -> None:
    b = budget(first_token=0.05, idle=0.05)
    reply = await client.fetch(f"{server.base_url}/whole?headers=0.2&body=0.2", HEADERS, b"{}", b)
    assert (reply.status, reply.body[:11]) == (200, b'{"answer": ')
    reply = await client.get(f"{server.base_url}/whole?headers=0.2", {}, b)
    assert reply.status == 200 and reply.headers["content-type"] == "application/json"


@pytest.mark.parametrize("stall", ["headers", "body"])
async def test_cancelling_a_call_closes_the_request(client: HttpClient, server: Server, stall: str) -> None:
    task = asyncio.create_task(client.fetch(f"{server.base_url}/whole?{stall}=5", HEADERS, b"{}", budget()))
    for _ in range(200):
        if server.received:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # the headers and half the body are out (stall "body")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await server.disconnected()


async def test_connection_refused_is_unavailable(client: HttpClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: the connection is refused
        with pytest.raises(GatewayError) as info:
            await client.fetch(f"http://127.0.0.1:{port}/", HEADERS, b"{}", budget())
    assert (info.value.code, info.value.reason) == (Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE)


async def test_a_form_is_sent_as_multipart_form_data(client: HttpClient, server: Server) -> None:
    audio = bytes(range(256)) * 4 + b"\r\n--boundary\r\n"  # every byte value, and a fake delimiter
    form = Form(
        (("model", "whisper-1"), ("timestamp_granularities[]", "segment"), ("prompt", "Zoë, naïve café")),
        (FormFile("file", "audio.wav", "audio/wav", audio),),
    )
    headers = {"Authorization": "Bearer k"}
    reply = await client.fetch(f"{server.base_url}/form", headers, form, budget())
    got = orjson.loads(reply.body)
    assert got["content_type"].startswith("multipart/form-data; boundary=")
    texts = [[name, value] for name, filename, _, value in got["parts"] if filename is None]
    assert texts == [list(field) for field in form.fields]
    files = [part for part in got["parts"] if part[1] is not None]
    assert files == [["file", "audio.wav", "audio/wav", audio.decode("latin-1")]]
