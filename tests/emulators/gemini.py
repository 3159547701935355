"""Loopback emulator of the Gemini API (Generative Language API, `v1beta` and `v1`).

`POST /{version}/models/{model}:generateContent | :streamGenerateContent | :embedContent |
:batchEmbedContents`, key in `x-goog-api-key` (or `?key=`). Wire shapes follow
/work/shared/reference/wire-protocols.md section 6 and its corrections: Google's JSON
spacing (`": "` after keys, no space after commas), SSE events framed with `\\r\\n`, no
terminator, thought parts and thought signatures, whole function calls in the chunk that
carries the finish reason, cumulative `usageMetadata`, google.rpc error bodies (a list of
them on the streaming endpoint), and a failure after the stream started as raw
multi-line JSON. Without `alt=sse`, the stream is one JSON array.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.emulators.base import Emulator, Script, ToolCallScript

VERSIONS = ("v1beta", "v1")
FINISH = {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP"}
API_KEY_INVALID = "API key not valid. Please pass a valid API key."
_DOMAIN = "generativelanguage.googleapis.com"
_HELP = {
    "@type": "type.googleapis.com/google.rpc.Help",
    "links": [{"description": "docs", "url": "https://ai.google.dev"}],
}

# kind -> (HTTP status when the script gives none, google.rpc status, message)
ERRORS = {
    "rate_limit": (
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    "server": (
        500,
        "INTERNAL",
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    ),
    "overloaded": (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
    "invalid": (
        400,
        "INVALID_ARGUMENT",
        "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"",
    ),
    "not_found": (
        404,
        "NOT_FOUND",
        "models/emulated-model is not found for API version v1beta, or is not supported for "
        "generateContent. Call ListModels to see the list of available models and their supported methods.",
    ),
}
_AUTH = {
    401: ("UNAUTHENTICATED", "Request had invalid authentication credentials."),
    403: (
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). Please use "
        "API Key or other form of API consumer identity to call this API.",
    ),
}


def dumps(obj: Any) -> str:
    """Google's JSON style on the wire."""
    return json.dumps(obj, separators=(",", ": "), ensure_ascii=False)


def rpc_error(code: int, status: str, message: str, *details: dict[str, Any]) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        err["details"] = list(details)
    return {"error": err}


def error_info(reason: str) -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": _DOMAIN},
    }


class GeminiEmulator(Emulator):
    crlf_always = True
    call_ids = True  # Gemini 3 numbers function calls; Gemini 2.5 gives no ids
    valid_keys: set[str] | None = None  # None: any non-empty key is valid
    embedding_dimensions = 8  # when the request sets no outputDimensionality
    finish_override: str | None = None  # e.g. SAFETY, RECITATION
    block_reason: str | None = None  # the prompt is blocked: no candidates, promptFeedback

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/{version}/models/{call}", self.handle)]

    def base_path(self) -> str:
        return "/v1beta"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        model, _, method = request.match_info["call"].partition(":")
        if request.match_info["version"] not in VERSIONS or not method:
            await self.record(request)
            return web.json_response(rpc_error(404, "NOT_FOUND", "Not Found"), status=404, dumps=dumps)
        key = request.headers.get("x-goog-api-key") or request.query.get("key", "")
        if not key or (self.valid_keys is not None and key not in self.valid_keys):
            await self.record(request)
            if not key:
                return web.json_response(rpc_error(403, *_AUTH[403]), status=403, dumps=dumps)
            body = rpc_error(400, "INVALID_ARGUMENT", API_KEY_INVALID, error_info("API_KEY_INVALID"))
            return web.json_response(body, status=400, dumps=dumps)
        if method == "generateContent":
            return await self.handle_generation(request, stream=False)
        if method == "streamGenerateContent":
            return await self.handle_generation(request, stream=True)
        if method in ("embedContent", "batchEmbedContents"):
            return await self.handle_embed(request, model, method == "batchEmbedContents")
        await self.record(request)
        return web.json_response(
            rpc_error(404, "NOT_FOUND", f"Method {method} not found"), status=404, dumps=dumps
        )

    async def stream(self, request: web.Request, script: Script, frames: list[bytes]) -> web.StreamResponse:
        if request.query.get("alt") != "sse":  # one JSON array of the responses
            items = [f.removeprefix(b"data: ").strip().decode() for f in frames if f.startswith(b"data: ")]
            return web.Response(text="[" + ",\n".join(items) + "]", content_type="application/json")
        return await super().stream(request, script, frames)

    # -- rendering ---------------------------------------------------------------------
    def usage(self, script: Script, completion: int | None = None) -> dict[str, Any]:
        """usageMetadata; `completion` overrides the output so far (early stream chunks)."""
        done = script.completion_tokens if completion is None else completion
        thoughts = min(script.reasoning_tokens, done)
        u: dict[str, Any] = {"promptTokenCount": script.prompt_tokens}
        if done > thoughts:
            u["candidatesTokenCount"] = done - thoughts
        u["totalTokenCount"] = script.prompt_tokens + done
        if script.cached_tokens:
            u["cachedContentTokenCount"] = script.cached_tokens
        u["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": script.prompt_tokens}]
        if thoughts:
            u["thoughtsTokenCount"] = thoughts
        return u

    def function_call(self, call: ToolCallScript) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "name": call.name,
            "args": json.loads(call.arguments) if call.arguments else {},
        }
        if self.call_ids:
            spec = {"id": call.id, **spec}
        return {"functionCall": spec}

    def response(
        self, script: Script, parts: list[dict[str, Any]], finish: bool, completion: int | None
    ) -> str:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
        if finish:
            candidate["finishReason"] = self.finish_override or FINISH[script.finish]
            if script.tool_calls:
                candidate["finishMessage"] = "Model generated function call(s)."
        candidate["index"] = 0
        out: dict[str, Any] = {"candidates": [candidate]}
        if self.block_reason:
            out = {"promptFeedback": {"blockReason": self.block_reason, "safetyRatings": []}}
        if not script.no_usage:
            out["usageMetadata"] = self.usage(script, completion)
        out["modelVersion"] = script.upstream_model
        out["responseId"] = script.response_id
        return dumps(out)

    def answer_parts(self, script: Script) -> list[list[dict[str, Any]]]:
        """The parts of each stream chunk: thoughts, then text, then every call at once. The
        thought signature is on the first call, else on the first answer text."""
        chunks: list[list[dict[str, Any]]] = [[{"text": r, "thought": True}] for r in script.reasoning_chunks]
        texts = [[{"text": t}] for t in script.text_chunks]
        calls = [self.function_call(c) for c in script.tool_calls]
        signature = script.reasoning_signature
        if signature and calls:
            calls[0]["thoughtSignature"] = signature
        elif signature and texts:
            texts[0][0]["thoughtSignature"] = signature
        chunks += texts
        if calls:
            chunks.append(calls)
        return chunks

    def render_json(self, script: Script, body: Any) -> Any:
        chunks = self.answer_parts(script)
        parts: list[dict[str, Any]] = []
        if script.reasoning_chunks:
            parts.append({"text": "".join(script.reasoning_chunks), "thought": True})
        texts = [p for chunk in chunks for p in chunk if "text" in p and not p.get("thought")]
        if texts:
            joined = {"text": "".join(p["text"] for p in texts)}
            if "thoughtSignature" in texts[0]:
                joined["thoughtSignature"] = texts[0]["thoughtSignature"]
            parts.append(joined)
        parts += [p for chunk in chunks for p in chunk if "functionCall" in p]
        return json.loads(self.response(script, parts, True, None))

    def render_stream(self, script: Script, body: Any) -> list[bytes]:
        chunks = self.answer_parts(script) or [[{"text": ""}]]
        frames = []
        for n, parts in enumerate(chunks):
            last = n == len(chunks) - 1
            done = None if last else min(n + 1, script.completion_tokens)
            frames.append(f"data: {self.response(script, parts, last, done)}\n\n".encode())
        return frames

    def render_midstream_error(self, script: Script) -> bytes:
        body = rpc_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
        return (json.dumps(body, indent=2) + "\n").encode()

    def render_error(self, script: Script) -> tuple[int, dict[str, str], Any]:
        kind = script.error_kind
        headers = {k: v for k, v in script.error_headers.items() if not k.startswith("retry-after")}
        if kind == "auth":
            status = script.error_status or 403
            body = rpc_error(status, *_AUTH.get(status, _AUTH[403]))
        else:
            default_status, rpc_status, message = ERRORS.get(kind, ERRORS["server"])
            status = script.error_status or default_status
            details = []
            if kind == "rate_limit":
                details = [
                    {
                        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [
                            {
                                "quotaMetric": f"{_DOMAIN}/generate_content_requests",
                                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
                            }
                        ],
                    },
                    _HELP,
                ]
                delay = self.retry_delay(script.error_headers)
                if delay:
                    details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay})
            body = rpc_error(status, rpc_status, message, *details)
        if self.requests and self.requests[-1].path.endswith(":streamGenerateContent"):
            return status, headers, [body]
        return status, headers, body

    @staticmethod
    def retry_delay(headers: dict[str, str]) -> str:
        """A scripted retry-after header as Gemini says it: RetryInfo.retryDelay."""
        if "retry-after-ms" in headers:
            return f"{int(headers['retry-after-ms']) / 1000:g}s"
        return f"{headers['retry-after']}s" if "retry-after" in headers else ""

    # -- embeddings ----------------------------------------------------------------------
    async def handle_embed(self, request: web.Request, model: str, batch: bool) -> web.StreamResponse:
        body = await self.record(request)
        script = self.next_script()
        if script.error_status is not None:
            status, headers, err = self.render_error(script)
            return web.json_response(err, status=status, headers=headers, dumps=dumps)
        entries = body["requests"] if batch else [body]
        vectors = []
        for i, entry in enumerate(entries):
            if batch and entry.get("model") != f"models/{model}":
                message = (
                    f"Model name in the request ({entry.get('model')}) does not match the URL ({model})."
                )
                return web.json_response(rpc_error(400, "INVALID_ARGUMENT", message), status=400, dumps=dumps)
            dims = entry.get("outputDimensionality") or self.embedding_dimensions
            vectors.append({"values": [((i + 1) * 8 + j) / 8 - 2.0 for j in range(dims)]})
        answer = {"embeddings": vectors} if batch else {"embedding": vectors[0]}
        return web.json_response(answer, dumps=dumps)

    # -- readers used by the conformance suite -------------------------------------------
    @staticmethod
    def images_in_request(body: Any) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for content in body["contents"]:
            for part in content["parts"]:
                if "inlineData" in part:
                    out.append(("data", f"{part['inlineData']['mimeType']};{part['inlineData']['data']}"))
                elif "fileData" in part:
                    out.append(("url", part["fileData"]["fileUri"]))
        return out

    @staticmethod
    def tools_in_request(body: Any) -> list[tuple[str, dict[str, Any]]]:
        return [
            (d["name"], d["parametersJsonSchema"])
            for tool in body.get("tools") or []
            for d in tool.get("functionDeclarations") or []
        ]
