"""Loopback emulator of the Anthropic Messages API (`POST /v1/messages`).

Renders a `Script` in Anthropic's wire format: message JSON with thinking / text /
tool_use content blocks, and `event:` + `data:` streams (message_start, per-block
start/delta/stop, ping, message_delta with cumulative usage, message_stop).
Anthropic never interleaves content blocks, so `interleave_tool_calls` is rendered
sequentially. The first frame written runs from message_start to the first delta.
`raw_json` / `raw_frames` / `raw_error` replace the rendered answers with exact
payloads (for cases a Script cannot express).
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from tests.emulators.base import Emulator, Script, sse

API_VERSION = "2023-06-01"
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}

# kind -> (error.type, message); `server` and `auth` depend on the status.
ERRORS = {
    "rate_limit": ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
    "quota": ("rate_limit_error", "You have reached your specified workspace API usage limits"),
    "overloaded": ("overloaded_error", "Overloaded"),
    "invalid": ("invalid_request_error", "max_tokens: Field required"),
    "context_length": ("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
    "not_found": ("not_found_error", "model: emulated-model"),
}


def error_body(error_type: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message, **extra},
        "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy",
    }


class AnthropicEmulator(Emulator):
    content_type_stream = "text/event-stream; charset=utf-8"

    def __init__(self) -> None:
        super().__init__()
        self.raw_json: Any = None  # served instead of render_json when set
        self.raw_frames: list[bytes] | None = None  # served instead of render_stream when set
        self.raw_error: tuple[int, bytes] | None = None  # (status, non-JSON body) answered instead
        self.peers: list[Any] = []  # the client address of each request (connection reuse)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/v1/messages", self.handle_messages)]

    async def handle_messages(self, request: web.Request) -> web.StreamResponse:
        self.peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        if self.raw_error is not None:
            await self.record(request)
            status, raw = self.raw_error
            return web.Response(status=status, body=raw, content_type="text/html")
        if not request.headers.get("x-api-key"):
            await self.record(request)
            body = error_body("authentication_error", "x-api-key header is required")
            return web.json_response(body, status=401)
        if request.headers.get("anthropic-version") != API_VERSION:
            await self.record(request)
            body = error_body("invalid_request_error", "anthropic-version: header is required")
            return web.json_response(body, status=400)
        return await self.handle_generation(request)

    # -- rendering -------------------------------------------------------------------
    @staticmethod
    def usage(script: Script, output_tokens: int) -> dict[str, Any]:
        if script.no_usage:
            return {}
        return {
            "input_tokens": script.prompt_tokens - script.cached_tokens - script.cache_write_tokens,
            "cache_creation_input_tokens": script.cache_write_tokens,
            "cache_read_input_tokens": script.cached_tokens,
            "output_tokens": output_tokens,
        }

    def render_json(self, script: Script, body: Any) -> Any:
        if self.raw_json is not None:
            return self.raw_json
        content: list[dict[str, Any]] = []
        if script.reasoning_chunks:
            content.append(
                {
                    "type": "thinking",
                    "thinking": "".join(script.reasoning_chunks),
                    "signature": script.reasoning_signature or "EqQBCgIYAhIM",
                }
            )
        if script.text_chunks:
            content.append({"type": "text", "text": "".join(script.text_chunks)})
        for call in script.tool_calls:
            args = call.arguments
            content.append(
                {
                    "type": "tool_use",
                    "id": call.id,
                    "name": call.name,
                    "input": orjson.loads(args) if args else {},
                }
            )
        usage = self.usage(script, script.completion_tokens)
        if usage:
            usage["cache_creation"] = {
                "ephemeral_5m_input_tokens": script.cache_write_tokens,
                "ephemeral_1h_input_tokens": 0,
            }
            usage["service_tier"] = "standard"
        return {
            "model": script.upstream_model,
            "id": script.response_id,
            "type": "message",
            "role": "assistant",
            "content": content,
            "stop_reason": STOP_REASONS[script.finish],
            "stop_sequence": None,
            "usage": usage,
        }

    def render_stream(self, script: Script, body: Any) -> list[bytes]:
        if self.raw_frames is not None:
            return list(self.raw_frames)
        start_usage = self.usage(script, 1)
        frames = [
            sse(
                {
                    "type": "message_start",
                    "message": {
                        "model": script.upstream_model,
                        "id": script.response_id,
                        "type": "message",
                        "role": "assistant",
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": start_usage,
                    },
                },
                "message_start",
            )
        ]
        index = 0

        def block(start: dict[str, Any], deltas: list[dict[str, Any]]) -> None:
            nonlocal index
            frames.append(
                sse(
                    {"type": "content_block_start", "index": index, "content_block": start},
                    "content_block_start",
                )
            )
            if index == 0:
                frames.append(b'event: ping\ndata: {"type": "ping"}\n\n')
            for delta in deltas:
                frames.append(
                    sse(
                        {"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta"
                    )
                )
            frames.append(sse({"type": "content_block_stop", "index": index}, "content_block_stop"))
            index += 1

        if script.reasoning_chunks:
            deltas = [{"type": "thinking_delta", "thinking": t} for t in script.reasoning_chunks]
            deltas.append(
                {"type": "signature_delta", "signature": script.reasoning_signature or "EqQBCgIYAhIM"}
            )
            block({"type": "thinking", "thinking": ""}, deltas)
        if script.text_chunks:
            block(
                {"type": "text", "text": ""}, [{"type": "text_delta", "text": t} for t in script.text_chunks]
            )
        for call in script.tool_calls:
            fragments = ["", *call.argument_fragments]
            block(
                {"type": "tool_use", "id": call.id, "name": call.name, "input": {}},
                [{"type": "input_json_delta", "partial_json": f} for f in fragments],
            )
        frames.append(
            sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": STOP_REASONS[script.finish], "stop_sequence": None},
                    "usage": self.usage(script, script.completion_tokens),
                },
                "message_delta",
            )
        )
        frames.append(sse({"type": "message_stop"}, "message_stop"))
        # The first network write carries everything up to the first delta (as a real
        # upstream's first chunk often does), so `stall_after_first_event` stalls after
        # the first event the caller can see.
        first = next((i for i, f in enumerate(frames) if f.startswith(b"event: content_block_delta")), 0)
        return [b"".join(frames[: first + 1]), *frames[first + 1 :]]

    def render_midstream_error(self, script: Script) -> bytes:
        message = self.echo(script, "Overloaded")
        error = {"type": "error", "error": {"type": "overloaded_error", "message": message}}
        return sse(error, "error")

    def received_key(self) -> str:
        return self.requests[-1].headers.get("x-api-key", "") if self.requests else ""

    def echo(self, script: Script, message: str) -> str:
        """The message, quoting the received key when the script says so (some proxies do)."""
        return f"{message} (x-api-key: {self.received_key()})" if script.echo_key else message

    def render_error(self, script: Script) -> tuple[int, dict[str, str], Any]:
        status = script.error_status or 500
        kind = script.error_kind
        headers = {"request-id": "req_011CSHoEeqs5C35K2UUqR7Fy", **script.error_headers}
        if kind == "server":
            body = error_body("api_error", "Internal server error")
        elif kind == "auth":
            if status == 403:
                body = error_body(
                    "permission_error", "Your API key does not have permission to use this resource."
                )
            else:
                body = error_body("authentication_error", "invalid x-api-key")
        elif kind == "quota":
            error_type, message = ERRORS[kind]
            body = error_body(error_type, message, details={"error_code": "enforced_spend_limit_reached"})
        else:
            error_type, message = ERRORS.get(kind, ("api_error", "Internal server error"))
            body = error_body(error_type, message)
        if script.echo_key:  # in the message, and in the request-id header (read when the body has none)
            body["error"]["message"] = self.echo(script, body["error"]["message"])
            del body["request_id"]
            headers["request-id"] = f"req_{self.received_key()}"
        return status, headers, body

    # -- readers used by the conformance suite ---------------------------------------
    @staticmethod
    def _blocks(body: Any) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        for message in body.get("messages", []):
            content = message.get("content")
            if not isinstance(content, list):
                continue
            for b in content:
                blocks.append(b)
                if b.get("type") == "tool_result" and isinstance(b.get("content"), list):
                    blocks.extend(b["content"])
        return blocks

    def images_in_request(self, body: Any) -> list[tuple[str, str]]:
        images: list[tuple[str, str]] = []
        for b in self._blocks(body):
            if b.get("type") != "image":
                continue
            source = b["source"]
            if source["type"] == "base64":
                images.append(("data", f"{source['media_type']};{source['data']}"))
            elif source["type"] == "url":
                images.append(("url", source["url"]))
        return images

    def tools_in_request(self, body: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(t["name"], t["input_schema"]) for t in body.get("tools", [])]
