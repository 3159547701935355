"""OpenAI Chat Completions / embeddings / images / audio emulator, and its Azure OpenAI variant.

Wire shapes follow /work/shared/reference/wire-protocols.md sections 1-4, 7.2 and 8. The knobs
on `OpenAIEmulator` reproduce the quirks of OpenAI-compatible servers (vLLM, Ollama /v1,
DeepSeek, OpenRouter) for adapter tests.
"""

from __future__ import annotations

import base64
import re
import struct
from itertools import zip_longest
from typing import Any

from aiohttp import web

from tests.emulators.base import Emulator, Script, sse
from tests.emulators.openai_audio import AudioEndpoints

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_CREATED = 1754400000
_FINGERPRINT = "fp_560af6e559"


def _obfuscation(n: int) -> str:
    return "wl1L4ubkZC2Xq"[: 4 + n % 9]


def embedding_vector(i: int, dims: int) -> list[float]:
    """Deterministic and exact in float32 (multiples of 1/8)."""
    return [((i + 1) * 8 + j) / 8 - 2.0 for j in range(dims)]


def _join_leading(frames: list[bytes]) -> list[bytes]:
    """Sends the frames that carry nothing a client shows (Azure's filter chunk, the role-only
    first chunk, keep-alives) in one network write with the first one that does, so that a
    script's stall "after the first event" follows an event the client can see."""
    for i, frame in enumerate(frames):
        if (b'"content":"' in frame and b'"content":""' not in frame) or any(
            k in frame for k in (b'"reasoning', b'"tool_calls":[{', b'"finish_reason":"', b"[DONE]")
        ):
            return [b"".join(frames[: i + 1]), *frames[i + 1 :]]
    return frames


class OpenAIEmulator(AudioEndpoints, Emulator):
    # OpenAI-compatible quirks (defaults: api.openai.com behaviour)
    require_auth = True
    reasoning_field = "reasoning_content"  # "reasoning" for vLLM >= 0.11 / Ollama / OpenRouter
    whole_tool_calls = False  # each call complete in one chunk (Ollama /v1, some vLLM parsers)
    null_later_fragments = False  # later fragments repeat id/type/name as null
    usage_mode = "final"  # final | every (vLLM continuous_usage_stats) | finish (on the finish chunk) | none
    keepalive = False  # ": keep-alive" comment lines between events
    finish_override: str | None = None  # a non-standard finish_reason value; "" sends none at all
    send_done = True  # the data: [DONE] terminator
    obfuscation = True
    reverse_embeddings = False  # return embeddings out of index order
    fixed_dimensions: int | None = None  # ignore the request's `dimensions`, as many compatible servers do
    image_output_format: str | None = None  # gpt-image-*: the output_format answered

    def base_path(self) -> str:
        return "/v1"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/chat/completions", self.handle_chat),
            web.post("/v1/embeddings", self.handle_embeddings),
            web.post("/v1/images/generations", self.handle_images),
            *self.audio_routes("/v1"),
        ]

    # -- request checks ----------------------------------------------------------------
    def api_key(self, request: web.Request) -> str:
        auth = request.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else ""

    def reject(self, request: web.Request) -> web.Response | None:
        if self.require_auth and not self.api_key(request):
            return web.json_response(
                {
                    "error": {
                        "message": "You didn't provide an API key. You need to provide your API key in an "
                        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
                status=401,
            )
        return None

    async def handle_chat(self, request: web.Request) -> web.StreamResponse:
        rejected = self.reject(request)
        if rejected is not None:
            await self.record(request)
            return rejected
        return await self.handle_generation(request)

    # -- readers used by the conformance suite ---------------------------------------------
    @staticmethod
    def images_in_request(body: Any) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for msg in body["messages"]:
            content = msg.get("content")
            if not isinstance(content, list):
                continue
            for part in content:
                if part.get("type") != "image_url":
                    continue
                url = part["image_url"]["url"]
                m = re.fullmatch(r"data:([^;,]+);base64,(.*)", url, re.S)
                out.append(("data", f"{m.group(1)};{m.group(2)}") if m else ("url", url))
        return out

    @staticmethod
    def tools_in_request(body: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(t["function"]["name"], t["function"]["parameters"]) for t in body.get("tools") or []]

    # -- rendering -----------------------------------------------------------------------
    def usage(self, script: Script) -> dict[str, Any]:
        return {
            "prompt_tokens": script.prompt_tokens,
            "completion_tokens": script.completion_tokens,
            "total_tokens": script.prompt_tokens + script.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": script.cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": script.reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def finish_reason(self, script: Script) -> str | None:
        if self.finish_override is not None:
            return self.finish_override or None
        return script.finish

    def render_json(self, script: Script, body: Any) -> Any:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": "".join(script.text_chunks) or None,
            "refusal": None,
            "annotations": [],
        }
        if script.reasoning_chunks:
            message[self.reasoning_field] = "".join(script.reasoning_chunks)
        if script.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in script.tool_calls
            ]
        return {
            "id": script.response_id,
            "object": "chat.completion",
            "created": _CREATED,
            "model": script.upstream_model,
            "choices": [
                self.decorate_choice(
                    {
                        "index": 0,
                        "message": message,
                        "logprobs": None,
                        "finish_reason": self.finish_reason(script),
                    }
                )
            ],
            **({} if script.no_usage else {"usage": self.usage(script)}),
            "service_tier": "default",
            "system_fingerprint": _FINGERPRINT,
        }

    def decorate_choice(self, choice: dict[str, Any]) -> dict[str, Any]:
        return choice

    def tool_fragments(self, script: Script) -> list[dict[str, Any]]:
        """The `delta.tool_calls` entries in stream order (one per chunk, or all at once)."""
        if self.whole_tool_calls:
            return [
                {
                    "index": i,
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for i, c in enumerate(script.tool_calls)
            ]
        per_call: list[list[dict[str, Any]]] = []
        for i, c in enumerate(script.tool_calls):
            frags: list[dict[str, Any]] = [
                {"index": i, "id": c.id, "type": "function", "function": {"name": c.name, "arguments": ""}}
            ]
            for arg in c.argument_fragments:
                if self.null_later_fragments:
                    frags.append(
                        {"index": i, "id": None, "type": None, "function": {"name": None, "arguments": arg}}
                    )
                else:
                    frags.append({"index": i, "function": {"arguments": arg}})
            per_call.append(frags)
        if script.interleave_tool_calls:
            return [f for group in zip_longest(*per_call) for f in group if f is not None]
        return [f for frags in per_call for f in frags]

    def stream_deltas(self, script: Script) -> list[dict[str, Any]]:
        deltas: list[dict[str, Any]] = [
            {"content": None, self.reasoning_field: r} for r in script.reasoning_chunks
        ]
        deltas += [{"content": t} for t in script.text_chunks]
        if self.whole_tool_calls and script.tool_calls:
            deltas.append({"tool_calls": self.tool_fragments(script)})
        else:
            deltas += [{"tool_calls": [f]} for f in self.tool_fragments(script)]
        first = {"role": "assistant", "content": "", "refusal": None}
        if deltas and "tool_calls" in deltas[0]:
            deltas[0] = {"role": "assistant", "content": None, **deltas[0], "refusal": None}
        else:
            deltas.insert(0, first)
        return deltas

    def chunk(
        self, script: Script, choices: list[dict[str, Any]], usage: Any, n: int, include_usage: bool
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": script.response_id,
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": script.upstream_model,
            "service_tier": "default",
            "system_fingerprint": _FINGERPRINT,
            "choices": choices,
        }
        if include_usage:
            out["usage"] = usage
        if self.obfuscation:
            out["obfuscation"] = _obfuscation(n)
        return out

    def render_stream(self, script: Script, body: Any) -> list[bytes]:
        include_usage = (
            bool((body.get("stream_options") or {}).get("include_usage"))
            and self.usage_mode != "none"
            and not script.no_usage
        )
        every = self.usage_mode == "every"
        chunks: list[dict[str, Any]] = []
        deltas = self.stream_deltas(script)
        for n, delta in enumerate(deltas):
            running = {"prompt_tokens": script.prompt_tokens, "completion_tokens": n, "total_tokens": 0}
            choice = self.decorate_choice(
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}
            )
            chunks.append(self.chunk(script, [choice], running if every else None, n, include_usage))
        final_usage = self.usage(script)
        finish = self.decorate_choice(
            {"index": 0, "delta": {}, "logprobs": None, "finish_reason": self.finish_reason(script)}
        )
        on_finish = self.usage_mode in ("every", "finish")
        chunks.append(
            self.chunk(script, [finish], final_usage if on_finish else None, len(deltas), include_usage)
        )
        if include_usage and self.usage_mode == "final":
            chunks.append(self.chunk(script, [], final_usage, len(deltas) + 1, True))
        frames = [sse(c) for c in self.prefix_chunks(script)] + [sse(c) for c in chunks]
        if self.keepalive:
            frames = [f for frame in frames for f in (b": keep-alive\n\n", frame)]
        if self.send_done:
            frames.append(sse("[DONE]"))
        return _join_leading(frames)

    def prefix_chunks(self, script: Script) -> list[dict[str, Any]]:
        return []

    def render_midstream_error(self, script: Script) -> bytes:
        message = "The server had an error while processing your request. Sorry about that!"
        return sse(
            {
                "error": {
                    "message": self.echo(script, message),
                    "type": "server_error",
                    "param": None,
                    "code": None,
                }
            }
        )

    def received_key(self) -> str:
        headers = self.requests[-1].headers if self.requests else {}
        return headers.get("api-key") or headers.get("authorization", "").removeprefix("Bearer ")

    def echo(self, script: Script, message: str) -> str:
        """The message, quoting the received key when the script says so (some servers do)."""
        return f"{message} (key: {self.received_key()})" if script.echo_key else message

    def error_body(self, script: Script, status: int) -> dict[str, Any]:
        kind = script.error_kind
        key = self.requests[-1].headers.get("authorization", "")[7:] if self.requests else ""
        table: dict[str, tuple[str, str | None, str, str | None]] = {
            "rate_limit": (
                "requests",
                "rate_limit_exceeded",
                "Rate limit reached for gpt-4o in organization org-emulated on requests per min (RPM): "
                "Limit 3, Used 3, Requested 1. Please try again in 20s.",
                None,
            ),
            "quota": (
                "insufficient_quota",
                "insufficient_quota",
                "You exceeded your current quota, please check your plan and billing details.",
                None,
            ),
            "context_length": (
                "invalid_request_error",
                "context_length_exceeded",
                "This model's maximum context length is 128000 tokens. However, your messages resulted in "
                "130412 tokens. Please reduce the length of the messages.",
                "messages",
            ),
            "content_filter": (
                "invalid_request_error",
                "content_policy_violation",
                "Your request was rejected as a result of our safety system.",
                None,
            ),
            "auth": (
                "invalid_request_error",
                "invalid_api_key",
                f"Incorrect API key provided: {key[:4]}**********{key[-4:]}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                None,
            ),
            "invalid": (
                "invalid_request_error",
                "invalid_value",
                "Invalid value for 'temperature': must be between 0 and 2.",
                "temperature",
            ),
            "not_found": (
                "invalid_request_error",
                "model_not_found",
                f"The model `{script.upstream_model}` does not exist or you do not have access to it.",
                None,
            ),
            "overloaded": (
                "service_unavailable_error",
                "server_is_overloaded",
                "Our servers are currently overloaded. Please try again later.",
                None,
            ),
        }
        etype, code, message, param = table.get(
            kind,
            (
                "server_error",
                None,
                "The server had an error while processing your request. Sorry about that!",
                None,
            ),
        )
        return {"error": {"message": message, "type": etype, "param": param, "code": code}}

    def render_error(self, script: Script) -> tuple[int, dict[str, str], Any]:
        status = script.error_status or 500
        headers = {"x-request-id": "req_emulated", **script.error_headers}
        body = self.error_body(script, status)
        body["error"]["message"] = self.echo(script, body["error"]["message"])
        return status, headers, body

    # -- embeddings and images ----------------------------------------------------------
    async def scripted_error(self, request: web.Request) -> tuple[Any, web.Response | None]:
        rejected = self.reject(request)
        body = await self.record(request)
        if rejected is not None:
            return body, rejected
        script = self.next_script()
        if script.error_status is not None:
            status, headers, err = self.render_error(script)
            return body, web.json_response(err, status=status, headers=headers)
        return body, None

    async def handle_embeddings(self, request: web.Request) -> web.StreamResponse:
        body, failed = await self.scripted_error(request)
        if failed is not None:
            return failed
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dims = self.fixed_dimensions or body.get("dimensions") or 4
        b64 = body.get("encoding_format") == "base64"
        rows = []
        for i, _ in enumerate(inputs):
            vec = embedding_vector(i, dims)
            emb: Any = base64.b64encode(struct.pack(f"<{dims}f", *vec)).decode() if b64 else vec
            rows.append({"object": "embedding", "index": i, "embedding": emb})
        if self.reverse_embeddings:
            rows.reverse()
        tokens = sum(len(str(t).split()) for t in inputs)
        return web.json_response(
            {
                "object": "list",
                "data": rows,
                "model": body.get("model"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    async def handle_images(self, request: web.Request) -> web.StreamResponse:
        body, failed = await self.scripted_error(request)
        if failed is not None:
            return failed
        model = body.get("model") or "dall-e-2"
        n = body.get("n") or 1
        b64 = base64.b64encode(PNG_1PX).decode()
        if model.startswith("gpt-image"):
            if "response_format" in body:
                return web.json_response(
                    {
                        "error": {
                            "message": "Unknown parameter: 'response_format'.",
                            "type": "invalid_request_error",
                            "param": "response_format",
                            "code": "unknown_parameter",
                        }
                    },
                    status=400,
                )
            fmt = body.get("output_format") or self.image_output_format or "png"
            return web.json_response(
                {
                    "created": _CREATED,
                    "data": [{"b64_json": b64} for _ in range(n)],
                    "background": "opaque",
                    "output_format": fmt,
                    "quality": body.get("quality") or "low",
                    "size": body.get("size") or "1024x1024",
                    "usage": {
                        "input_tokens": 12,
                        "input_tokens_details": {"image_tokens": 0, "text_tokens": 12},
                        "output_tokens": 272,
                        "total_tokens": 284,
                    },
                }
            )
        revised = (
            {"revised_prompt": f"A detailed rendering of {body['prompt']}"} if model == "dall-e-3" else {}
        )
        if body.get("response_format", "url") == "b64_json":
            data = [{"b64_json": b64, **revised} for _ in range(n)]
        else:
            data = [{"url": f"https://emulated.blob.test/img-{i}.png?sig=x", **revised} for i in range(n)]
        return web.json_response({"created": _CREATED, "data": data})


_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")
_AZURE_401 = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid "
    "key for an active subscription and use a correct regional API endpoint for your resource."
)
_FILTER_OK = {
    "hate": {"filtered": False, "severity": "safe"},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": False, "severity": "safe"},
}


class AzureOpenAIEmulator(OpenAIEmulator):
    """Azure OpenAI: deployment-scoped URLs with a dated api-version (and the v1 form),
    `api-key` auth, content-filter annotations and Azure's error bodies."""

    obfuscation = False
    deployments: set[str] | None = None  # None: every deployment name exists
    async_filter_chunk = True  # a choice with content_filter_results and no delta

    def base_path(self) -> str:
        return ""

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/openai/deployments/{deployment}/chat/completions", self.handle_chat),
            web.post("/openai/deployments/{deployment}/embeddings", self.handle_embeddings),
            web.post("/openai/deployments/{deployment}/images/generations", self.handle_images),
            web.post("/openai/v1/chat/completions", self.handle_chat),
            web.post("/openai/v1/embeddings", self.handle_embeddings),
            web.post("/openai/v1/images/generations", self.handle_images),
            *self.audio_routes("/openai/deployments/{deployment}"),
            *self.audio_routes("/openai/v1"),
        ]

    def api_key(self, request: web.Request) -> str:
        return request.headers.get("api-key", "")

    def reject(self, request: web.Request) -> web.Response | None:
        if not self.api_key(request):
            return web.json_response(
                {
                    "error": {
                        "code": "401",
                        "message": _AZURE_401,
                    }
                },
                status=401,
            )
        deployment = request.match_info.get("deployment")
        if deployment is None:  # the v1 form: no api-version (or "preview"/"latest")
            version = request.query.get("api-version")
            if version is not None and version not in ("preview", "latest"):
                return web.json_response(
                    {"error": {"code": "404", "message": "Resource not found"}}, status=404
                )
            return None
        if not _API_VERSION.fullmatch(request.query.get("api-version", "")):
            return web.json_response({"error": {"code": "404", "message": "Resource not found"}}, status=404)
        if self.deployments is not None and deployment not in self.deployments:
            return web.json_response(
                {
                    "error": {
                        "code": "DeploymentNotFound",
                        "message": "The API deployment for this resource does not exist. If you created the "
                        "deployment within the last 5 minutes, please wait a moment and try again.",
                    }
                },
                status=404,
            )
        return None

    def decorate_choice(self, choice: dict[str, Any]) -> dict[str, Any]:
        delta = choice.get("delta") or choice.get("message") or {}
        visible = delta.get("content") or delta.get("tool_calls")
        return {**choice, "content_filter_results": _FILTER_OK if visible else {}}

    def prefix_chunks(self, script: Script) -> list[dict[str, Any]]:
        return [
            {
                "choices": [],
                "created": 0,
                "id": "",
                "model": "",
                "object": "",
                "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _FILTER_OK}],
            }
        ]

    def render_stream(self, script: Script, body: Any) -> list[bytes]:
        frames = super().render_stream(script, body)
        if self.async_filter_chunk:
            # Asynchronous filtering: an annotation-only choice (no delta) after the content.
            extra = sse(
                {
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": None,
                            "content_filter_offsets": {
                                "check_offset": 0,
                                "start_offset": 0,
                                "end_offset": 13,
                            },
                            "content_filter_results": _FILTER_OK,
                        }
                    ],
                    "created": _CREATED,
                    "id": script.response_id,
                    "model": script.upstream_model,
                    "object": "chat.completion.chunk",
                }
            )
            frames.insert(max(len(frames) - 3, 1), extra)
        return frames

    def render_json(self, script: Script, body: Any) -> Any:
        out = super().render_json(script, body)
        out["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": _FILTER_OK}]
        return out

    def error_body(self, script: Script, status: int) -> dict[str, Any]:
        kind = script.error_kind
        if kind in ("context_length", "content_filter", "invalid", "quota"):
            body = super().error_body(script, status)  # Azure passes these through in OpenAI's shape
            if kind == "content_filter":
                body["error"]["code"] = "content_filter"
                body["error"]["innererror"] = {"code": "ResponsibleAIPolicyViolation"}
            return body
        messages = {
            "rate_limit": (
                str(status),
                "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 "
                "have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after "
                "6 seconds.",
            ),
            "auth": (
                str(status),
                "Access denied due to invalid subscription key or wrong API endpoint.",
            ),
            "not_found": (
                "DeploymentNotFound",
                "The API deployment for this resource does not exist.",
            ),
        }
        code, message = messages.get(
            kind, ("InternalServerError", "The server had an error while processing your request.")
        )
        return {"error": {"code": code, "message": message}}
