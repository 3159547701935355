"""Fast fake upstream for the llmgateway benchmark: OpenAI, Gemini and Ollama wire formats.

A raw asyncio HTTP/1.1 server (keep-alive, Content-Length or chunked request
bodies), no framework, so the upstream itself costs as little CPU as possible:
it shares CPU 0 with the load generator.

Endpoints:
  POST /v1/chat/completions   OpenAI: JSON, or SSE when "stream": true
  POST /v1beta/models/M:generateContent, M:streamGenerateContent?alt=sse   Gemini (formats.py)
  POST /api/chat              Ollama native: NDJSON, or JSON when "stream": false (formats.py)
  GET  /v1/models             model list
  GET  /health                "ok"

Streams send N one-token chunks (--tokens, default 20), one write each, between the
framing of each format (formats.py).

--fail-rate R answers that share of chat requests with HTTP 500 and an OpenAI
error body, deterministically by request counter (R=0.2: requests 5, 10, 15...).

  python bench/upstream.py --port 8001 [--tokens 20] [--token-delay-ms 0] [--fail-rate 0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import sys
import uuid

import orjson
from formats import ANSWERS, STREAMS, Stream

MAX_BODY = 8 * 1024 * 1024
REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class Config:
    tokens = 20
    token_delay = 0.0
    fail_rate = 0.0
    fail_status = 500
    quiet = False


CFG = Config()
COUNTERS = {"chat": 0, "failed": 0}


def _error_body(message: str, etype: str = "invalid_request_error", code: str | None = None) -> bytes:
    return orjson.dumps({"error": {"message": message, "type": etype, "param": None, "code": code}})


def _prompt_tokens(req: dict[str, object]) -> int:
    n = 0
    for m in req.get("messages") or req.get("contents") or []:  # type: ignore[union-attr]
        c = m.get("content", m.get("parts")) if isinstance(m, dict) else None
        if isinstance(c, str):
            n += 4 + len(c) // 4
        elif isinstance(c, list):
            n += 4 + sum(len(p.get("text") or "") // 4 for p in c if isinstance(p, dict))
    return max(n, 1)


def _n_tokens(req: dict[str, object]) -> tuple[int, bool]:
    """(completion tokens, cut by max_tokens)."""
    for k in ("max_completion_tokens", "max_tokens"):
        v = req.get(k)
        if isinstance(v, int) and v > 0 and v < CFG.tokens:
            return v, True
    return CFG.tokens, False


def _wire(path: str) -> str:
    """The wire format a chat path speaks ("" for no chat path)."""
    if path.endswith("/chat/completions"):
        return "openai"
    if path.endswith((":generateContent", ":streamGenerateContent")):
        return "gemini"
    return "ollama" if path == "/api/chat" else ""


def _should_fail() -> bool:
    """Deterministic share: request k fails when floor(k*R) steps up."""
    COUNTERS["chat"] += 1
    r = CFG.fail_rate
    if r <= 0:
        return False
    k = COUNTERS["chat"]
    fail = math.floor(k * r + 1e-9) != math.floor((k - 1) * r + 1e-9)
    if fail:
        COUNTERS["failed"] += 1
    return fail


class HTTPProtocol(asyncio.Protocol):
    __slots__ = ("_drain_waiter", "buf", "busy", "closed", "paused", "transport")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.busy = False
        self.closed = False
        self.paused = False
        self._drain_waiter: asyncio.Future[None] | None = None

    # flow control
    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        w = self._drain_waiter
        if w is not None and not w.done():
            w.set_result(None)
        self._drain_waiter = None

    async def drain(self) -> None:
        if self.paused and not self.closed:
            self._drain_waiter = asyncio.get_running_loop().create_future()
            await self._drain_waiter

    # connection
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        w = self._drain_waiter
        if w is not None and not w.done():
            w.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.busy:
            self._try_parse()

    def _try_parse(self) -> None:
        """Parse one complete request from buf, if there is one, and dispatch it."""
        buf = self.buf
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > 65536:
                self._send(400, _error_body("header too large"), close=True)
            return
        lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            self._send(400, _error_body("bad request line"), close=True)
            return
        headers: dict[str, str] = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        start = end + 4
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            pos = start
            while True:
                le = buf.find(b"\r\n", pos)
                if le < 0:
                    return
                size = int(bytes(buf[pos:le]).split(b";")[0], 16)
                if size == 0:
                    tr = buf.find(b"\r\n\r\n", le)
                    if tr < 0:
                        return
                    consumed = tr + 4
                    break
                if len(buf) < le + 2 + size + 2:
                    return
                body += buf[le + 2 : le + 2 + size]
                pos = le + 2 + size + 2
                if len(body) > MAX_BODY:
                    self._send(413, _error_body("body too large"), close=True)
                    return
            raw = bytes(body)
        else:
            clen = int(headers.get("content-length", "0") or 0)
            if clen > MAX_BODY:
                self._send(413, _error_body("body too large"), close=True)
                return
            if len(buf) < start + clen:
                return
            raw = bytes(buf[start : start + clen])
            consumed = start + clen
        del buf[:consumed]
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        self.busy = True
        asyncio.get_running_loop().create_task(self._handle(method, target, raw, keep_alive))

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        keep_alive: bool = True,
        close: bool = False,
    ) -> None:
        if self.closed or self.transport is None:
            return
        close = close or not keep_alive
        head = (
            f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}\r\n"
            f"content-type: {ctype}\r\n"
            f"content-length: {len(body)}\r\n"
            f"x-request-id: req_{uuid.uuid4().hex[:24]}\r\n"
            + ("connection: close\r\n" if close else "")
            + "\r\n"
        ).encode()
        self.transport.write(head + body)
        if close:
            self.transport.close()
            self.closed = True

    async def _handle(self, method: str, target: str, body: bytes, keep_alive: bool) -> None:
        try:
            path = target.split("?", 1)[0]
            wire = _wire(path)
            if wire:
                if method != "POST":
                    self._send(405, _error_body("Method not allowed"), keep_alive=keep_alive)
                else:
                    await self._chat(body, keep_alive, wire, path)
            elif path.endswith("/models") and method == "GET":
                data = {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 1700000000, "owned_by": "system"}
                        for m in ("fake-model", "gpt-4o-mini")
                    ],
                }
                self._send(200, orjson.dumps(data), keep_alive=keep_alive)
            elif path in ("/health", "/healthz", "/"):
                self._send(200, b"ok", ctype="text/plain", keep_alive=keep_alive)
            else:
                msg = f"Invalid URL ({method} {path})"
                self._send(404, _error_body(msg, code="unknown_url"), keep_alive=keep_alive)
        except Exception as exc:  # never kill the server
            self._send(500, _error_body(f"fake upstream error: {exc!r}", "server_error"), close=True)
        finally:
            self.busy = False
            if not self.closed and self.buf:
                self._try_parse()

    async def _chat(self, body: bytes, keep_alive: bool, wire: str, path: str) -> None:
        try:
            req = orjson.loads(body or b"{}")
            if not isinstance(req, dict):
                raise ValueError("body must be an object")
        except Exception as exc:
            msg = f"We could not parse the JSON body of your request. ({exc})"
            self._send(400, _error_body(msg), keep_alive=keep_alive)
            return
        if not req.get("messages") and not req.get("contents"):
            msg = "Missing required parameter: 'messages'."
            self._send(400, _error_body(msg, code="missing_required_parameter"), keep_alive=keep_alive)
            return
        if _should_fail():
            status = CFG.fail_status
            etype = "rate_limit_exceeded" if status == 429 else "server_error"
            msg = "The server had an error while processing your request. (injected by bench upstream)"
            self._send(status, _error_body(msg, etype), keep_alive=keep_alive)
            return
        model = str(req.get("model") or path.rpartition("/")[2].partition(":")[0] or "fake-model")
        n, cut = _n_tokens(req)
        reason = "length" if cut else "stop"
        ptoks = _prompt_tokens(req)
        if path.endswith(":streamGenerateContent") or req.get("stream", wire == "ollama"):
            await self._write_stream(STREAMS[wire](req, model, n, reason, ptoks), n, keep_alive)
            return
        if CFG.token_delay:
            await asyncio.sleep(CFG.token_delay * n)
        self._send(200, ANSWERS[wire](model, n, reason, ptoks), keep_alive=keep_alive)

    async def _write_stream(self, frames: Stream, n: int, keep_alive: bool) -> None:
        """A chunked stream: `first`, `token` n times (one write each, --token-delay-ms apart, as
        a real upstream and the anchor kit's fake send them), then `last`."""
        ctype, first, token, last = frames
        head = (
            f"HTTP/1.1 200 OK\r\ncontent-type: {ctype}\r\ntransfer-encoding: chunked\r\n"
            f"cache-control: no-cache\r\nx-request-id: req_{uuid.uuid4().hex[:24]}\r\n"
            + ("" if keep_alive else "connection: close\r\n")
            + "\r\n"
        ).encode()
        tr = self.transport
        assert tr is not None
        tr.write(head + (b"%x\r\n%s\r\n" % (len(first), first) if first else b""))
        chunk = b"%x\r\n%s\r\n" % (len(token), token)
        for _ in range(n):
            if CFG.token_delay:
                await asyncio.sleep(CFG.token_delay)
            if self.closed:
                return
            tr.write(chunk)
            if self.paused:
                await self.drain()
        tr.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(last), last))
        if not keep_alive:
            tr.close()
            self.closed = True


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(HTTPProtocol, host, port, backlog=4096, reuse_address=True)
    print(
        f"bench upstream on http://{host}:{port} tokens={CFG.tokens} "
        f"delay_ms={CFG.token_delay * 1000:g} fail_rate={CFG.fail_rate:g} "
        f"loop={type(loop).__module__}",
        flush=True,
    )
    async with server:
        await server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument("--tokens", type=int, default=20, help="content chunks per response (default 20)")
    ap.add_argument("--token-delay-ms", type=float, default=0.0, help="delay before each token")
    ap.add_argument("--fail-rate", type=float, default=0.0, help="share of chat requests answered 500")
    ap.add_argument("--fail-status", type=int, default=500, help="status of injected failures")
    ap.add_argument("--no-uvloop", action="store_true")
    args = ap.parse_args()
    if not 0.0 <= args.fail_rate <= 1.0:
        sys.exit("--fail-rate must be within [0, 1]")
    CFG.tokens = args.tokens
    CFG.token_delay = args.token_delay_ms / 1000.0
    CFG.fail_rate = args.fail_rate
    CFG.fail_status = args.fail_status
    if not args.no_uvloop:
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
