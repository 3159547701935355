"""Loopback provider emulators: real HTTP servers on 127.0.0.1:0 that answer a
provider-neutral `Script` in one provider's exact wire format.

A subclass implements `render_json` (non-streaming body), `render_stream`
(the list of raw byte frames of a stream, in order) and `render_error`
(status, headers, body) for its provider. The base class serves them, with the
stalls, truncation and CRLF framing the script asks for, records every request,
and counts callers that disconnected before the response was complete.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web


@dataclass
class ToolCallScript:
    id: str
    name: str
    argument_fragments: list[str]

    @property
    def arguments(self) -> str:
        return "".join(self.argument_fragments)


@dataclass
class Script:
    """What the upstream answers. Error kinds: rate_limit, quota, overloaded, server,
    auth, invalid, context_length, not_found."""

    text_chunks: list[str] = field(default_factory=lambda: ["Hello", ", ", "world", "!"])
    reasoning_chunks: list[str] = field(default_factory=list)
    reasoning_signature: str = ""
    tool_calls: list[ToolCallScript] = field(default_factory=list)
    interleave_tool_calls: bool = False  # fragments of different calls alternate
    finish: str = "stop"  # stop | length | tool_calls
    prompt_tokens: int = 11
    completion_tokens: int = 4
    cached_tokens: int = 0
    cache_write_tokens: int = 0  # written to the prompt cache (Anthropic's cache creation)
    reasoning_tokens: int = 0
    no_usage: bool = False  # the answer carries no token counts
    upstream_model: str = "emulated-model"
    response_id: str = "resp_emulated_1"
    # failures
    error_status: int | None = None
    error_kind: str = ""
    error_headers: dict[str, str] = field(default_factory=dict)
    midstream_error: bool = False  # some deltas, then the provider's in-stream error
    truncate: bool = False  # stop before the stream terminator / finish
    stall_before_headers: float = 0.0
    stall_before_first_event: float = 0.0
    stall_after_first_event: float = 0.0
    stall_mid_body: float = 0.0  # a JSON answer: half its body, this pause, then the rest
    crlf: bool = False  # frame events with \r\n instead of \n
    garbage_body: bool = False  # 200 with a body that is not JSON
    echo_key: bool = False  # quote the key the request carried in error messages (and headers)
    one_write: bool = False  # the whole stream in one write: the reader finds every delta at once
    # No backlog: frames 1 .. len(text_chunks)-1 (a text-only stream's later text deltas) each
    # wait for one release, which a test gives when it received the delta before.
    gate: asyncio.Semaphore | None = None


@dataclass
class RecordedRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    peer: str = ""  # client address:port; equal peers mean a reused connection


class Emulator:
    """Base emulator. Use as `async with Emulator() as emu:`; `emu.base_url`."""

    content_type_stream = "text/event-stream"
    crlf_always = False  # the provider frames its stream with \r\n (Gemini)

    def __init__(self) -> None:
        self.script = Script()
        self.scripts: list[Script] = []  # consumed one per request before falling back to `script`
        self.requests: list[RecordedRequest] = []
        self.disconnects = 0
        self._disconnected = asyncio.Event()
        self.completed_streams = 0
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- provider-specific rendering -------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    def is_stream_request(self, body: Any) -> bool:
        return bool(isinstance(body, dict) and body.get("stream"))

    def render_json(self, script: Script, body: Any) -> Any:
        raise NotImplementedError

    def render_stream(self, script: Script, body: Any) -> list[bytes]:
        """Frames in order; `script.truncate` must already be applied by the subclass
        only where the provider has no single terminator frame (else the base drops the last frame)."""
        raise NotImplementedError

    def render_midstream_error(self, script: Script) -> bytes:
        raise NotImplementedError

    def render_error(self, script: Script) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError

    def base_path(self) -> str:
        return ""

    # -- serving ---------------------------------------------------------------------
    def next_script(self) -> Script:
        return self.scripts.pop(0) if self.scripts else self.script

    async def record(self, request: web.Request) -> Any:
        raw = await request.read()
        body: Any = orjson.loads(raw) if raw else None
        self.remember(request, body)
        return body

    def remember(self, request: web.Request, body: Any) -> None:
        """Records a request whose body was read (and decoded) by the caller."""
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.requests.append(
            RecordedRequest(
                request.path,
                dict(request.query),
                {k.lower(): v for k, v in request.headers.items()},
                body,
                f"{peer[0]}:{peer[1]}" if peer else "",
            )
        )

    async def handle_generation(self, request: web.Request, stream: bool | None = None) -> web.StreamResponse:
        """Serves a chat-like request according to the next script; `stream` when the
        path rather than the body says whether to stream."""
        body = await self.record(request)
        script = self.next_script()
        if script.stall_before_headers:
            await self._sleep(script.stall_before_headers)
        if script.error_status is not None:
            status, headers, err = self.render_error(script)
            return web.json_response(err, status=status, headers=headers)
        if script.garbage_body:
            return web.Response(body=b"{not json", content_type="application/json")
        if not (self.is_stream_request(body) if stream is None else stream):
            if script.stall_mid_body or script.truncate:
                return await self.split_json(request, script, orjson.dumps(self.render_json(script, body)))
            return web.json_response(self.render_json(script, body))
        return await self.stream(request, script, self.render_stream(script, body))

    async def split_json(self, request: web.Request, script: Script, raw: bytes) -> web.StreamResponse:
        """A JSON answer sent in two halves (Content-Length set): a pause between them,
        or (truncate) the connection closed after the first."""
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        resp.content_length = len(raw)
        await resp.prepare(request)
        half = len(raw) // 2
        await resp.write(raw[:half])
        if script.truncate:
            if request.transport is not None:
                request.transport.close()
            return resp
        try:
            await self._sleep(script.stall_mid_body)
            await resp.write(raw[half:])
        except ConnectionResetError:
            self.note_disconnect()
            raise
        await resp.write_eof()
        return resp

    async def stream(
        self, request: web.Request, script: Script, frames: list[bytes], content_type: str = ""
    ) -> web.StreamResponse:
        """Writes `frames` (chunked) as the script says: stalls, truncation, a mid-stream
        error; `content_type` defaults to the provider's stream type."""
        resp = web.StreamResponse(headers={"Content-Type": content_type or self.content_type_stream})
        await resp.prepare(request)
        if script.midstream_error:
            frames = [*frames[: max(len(frames) // 2, 1)], self.render_midstream_error(script)]
        elif script.truncate:
            frames = frames[:-1]
        try:
            if script.stall_before_first_event:
                await self._sleep(script.stall_before_first_event)
            if script.crlf or self.crlf_always:
                frames = [frame.replace(b"\n", b"\r\n") for frame in frames]
            if script.one_write:
                frames = [b"".join(frames)]
            for i, frame in enumerate(frames):
                if script.gate is not None and 0 < i < len(script.text_chunks):
                    await script.gate.acquire()
                await resp.write(frame)
                if i == 0 and script.stall_after_first_event:
                    await self._sleep(script.stall_after_first_event)
            self.completed_streams += 1
        except (asyncio.CancelledError, ConnectionResetError):
            self.note_disconnect()
            raise
        if script.midstream_error or script.truncate:
            # End the connection the way a failing upstream does: no clean terminator.
            if request.transport is not None:
                request.transport.close()
            return resp
        await resp.write_eof()
        return resp

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            self.note_disconnect()
            raise

    def note_disconnect(self) -> None:
        """The caller closed the connection before the response was complete."""
        self.disconnects += 1
        self._disconnected.set()

    async def __aenter__(self) -> Emulator:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}{self.base_path()}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for_disconnect(self, within: float = 5.0) -> bool:
        try:
            await asyncio.wait_for(self._disconnected.wait(), within)
        except TimeoutError:
            return False
        return True


def sse(data: Any, event: str | None = None) -> bytes:
    """One SSE frame with compact JSON data (or a raw string such as [DONE])."""
    payload = data if isinstance(data, str) else orjson.dumps(data).decode()
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {payload}\n\n".encode()
