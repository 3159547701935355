"""Loopback emulator of Ollama's native API: `POST /api/chat` (NDJSON stream by default,
one JSON object with `"stream": false`), `POST /api/embed`, `GET /api/tags`, `POST /api/show`.

Wire shapes follow /work/shared/reference/wire-protocols.md section 7.1: thinking then
content deltas, whole tool calls (with `id` and `function.index`, as recent servers send
them) in one chunk, a final `done: true` object with `done_reason`, durations in
nanoseconds and the counts, errors as `{"error": "..."}` with their status, and a
failure mid-stream as such an object on a 200 stream. No key is required.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp import web

from tests.emulators.base import Emulator, Script

CREATED_AT = "2025-10-26T17:15:24.097767Z"
DONE_REASONS = {"stop": "stop", "length": "length", "tool_calls": "stop"}
ERRORS = {
    "rate_limit": "too many requests, please retry later",
    "overloaded": "server busy, please try again.  maximum pending requests exceeded",
    "server": "llama runner process has terminated: exit status 2",
    "invalid": "invalid options: temperature",
    "not_found": 'model "emulated-model" not found, try pulling it first',
    "auth": "unauthorized",
}


def line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def png_or_jpeg(data: str) -> str:
    raw = base64.b64decode(data)
    return "image/png" if raw.startswith(b"\x89PNG") else "image/jpeg"


class OllamaEmulator(Emulator):
    content_type_stream = "application/x-ndjson"
    call_ids = True  # servers before tool-call ids send none
    models: list[dict[str, Any]]  # /api/tags rows, and what /api/show says of each
    show_capabilities = True  # older servers have no "capabilities" in /api/show
    prompt_cached = False  # the whole prompt came from the cache: no prompt_eval_count

    def __init__(self) -> None:
        super().__init__()
        self.models = [
            {"name": "llama3.2:latest", "capabilities": ["completion", "tools"], "context": 131072},
            {"name": "qwen3:8b", "capabilities": ["completion", "tools", "thinking"], "context": 40960},
            {"name": "llava:7b", "capabilities": ["completion", "vision"], "context": 32768},
            {"name": "all-minilm:latest", "capabilities": ["embedding"], "context": 512},
        ]

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/chat", self.handle_generation),
            web.post("/api/embed", self.handle_embed),
            web.get("/api/tags", self.handle_tags),
            web.post("/api/show", self.handle_show),
        ]

    def is_stream_request(self, body: Any) -> bool:
        return bool(body.get("stream", True))

    # -- rendering ---------------------------------------------------------------------
    def head(self, script: Script) -> dict[str, Any]:
        return {"model": script.upstream_model, "created_at": CREATED_AT}

    def final(self, script: Script, message: dict[str, Any]) -> dict[str, Any]:
        out = {
            **self.head(script),
            "message": message,
            "done": True,
            "done_reason": DONE_REASONS[script.finish],
        }
        out.update(total_duration=174560334, load_duration=101397084)
        if not script.no_usage:
            if not self.prompt_cached:
                out.update(prompt_eval_count=script.prompt_tokens, prompt_eval_duration=13074791)
            out.update(eval_count=script.completion_tokens, eval_duration=52479709)
        return out

    def tool_calls(self, script: Script) -> list[dict[str, Any]]:
        calls = []
        for i, c in enumerate(script.tool_calls):
            fn = {"index": i, "name": c.name, "arguments": json.loads(c.arguments) if c.arguments else {}}
            calls.append({"id": c.id, "function": fn} if self.call_ids else {"function": fn})
        return calls

    def render_json(self, script: Script, body: Any) -> Any:
        message: dict[str, Any] = {"role": "assistant", "content": "".join(script.text_chunks)}
        if script.reasoning_chunks:
            message["thinking"] = "".join(script.reasoning_chunks)
        if script.tool_calls:
            message["tool_calls"] = self.tool_calls(script)
        return self.final(script, message)

    def render_stream(self, script: Script, body: Any) -> list[bytes]:
        def delta(**message: Any) -> bytes:
            return line({**self.head(script), "message": {"role": "assistant", **message}, "done": False})

        frames = [delta(content="", thinking=r) for r in script.reasoning_chunks]
        frames += [delta(content=t) for t in script.text_chunks]
        if script.tool_calls:
            frames.append(delta(content="", tool_calls=self.tool_calls(script)))
        frames.append(line(self.final(script, {"role": "assistant", "content": ""})))
        return frames

    def render_midstream_error(self, script: Script) -> bytes:
        return line({"error": "an error was encountered while running the model: unexpected EOF"})

    def render_error(self, script: Script) -> tuple[int, dict[str, str], Any]:
        status = script.error_status or 500
        return status, dict(script.error_headers), {"error": ERRORS.get(script.error_kind, ERRORS["server"])}

    # -- embeddings and the model list -----------------------------------------------------
    async def handle_embed(self, request: web.Request) -> web.StreamResponse:
        body = await self.record(request)
        script = self.next_script()
        if script.error_status is not None:
            status, headers, err = self.render_error(script)
            return web.json_response(err, status=status, headers=headers)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dims = body.get("dimensions") or 4
        vectors = [[((i + 1) * 8 + j) / 8 - 2.0 for j in range(dims)] for i in range(len(inputs))]
        return web.json_response(
            {
                "model": body["model"],
                "embeddings": vectors,
                "total_duration": 14143917,
                "load_duration": 1019500,
                "prompt_eval_count": 8 * len(inputs),
            }
        )

    async def handle_tags(self, request: web.Request) -> web.StreamResponse:
        await self.record(request)
        rows = [
            {
                "name": m["name"],
                "model": m["name"],
                "modified_at": "2025-10-20T10:00:00.000000Z",
                "size": 2019393189,
                "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
                "details": {
                    "parent_model": "",
                    "format": "gguf",
                    "family": "llama",
                    "families": ["llama"],
                    "parameter_size": "3.2B",
                    "quantization_level": "Q4_K_M",
                },
            }
            for m in self.models
        ]
        return web.json_response({"models": rows})

    async def handle_show(self, request: web.Request) -> web.StreamResponse:
        body = await self.record(request)
        model = next((m for m in self.models if m["name"] == body.get("model")), None)
        if model is None:
            return web.json_response({"error": f"model '{body.get('model')}' not found"}, status=404)
        shown: dict[str, Any] = {
            "modelfile": '# Modelfile generated by "ollama show"',
            "details": {"format": "gguf", "family": "llama"},
            "model_info": {"general.architecture": "llama", "llama.context_length": model["context"]},
        }
        if self.show_capabilities:
            shown["capabilities"] = model["capabilities"]
        return web.json_response(shown)

    # -- readers used by the conformance suite -------------------------------------------
    @staticmethod
    def images_in_request(body: Any) -> list[tuple[str, str]]:
        return [
            ("data", f"{png_or_jpeg(img)};{img}") for m in body["messages"] for img in m.get("images") or []
        ]

    @staticmethod
    def tools_in_request(body: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(t["function"]["name"], t["function"]["parameters"]) for t in body.get("tools") or []]
