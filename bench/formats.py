"""The wire formats of the bench upstream (upstream.py), each rendered once per request and
once per token, so that the adapters can be compared at the same emulated latency.

OpenAI, as api.openai.com sends it: one chat.completion, or an SSE stream of a role chunk, one
chunk per token, a finish chunk ("stop", or "length" when max_tokens cut it), a usage chunk
(`choices: []`) only with `stream_options.include_usage`, and `data: [DONE]`.
Gemini: `...:generateContent` answers one GenerateContentResponse; `...:streamGenerateContent
?alt=sse` sends one `data:` event per token (a text part and cumulative usageMetadata, each
event ending in `\\r\\n\\r\\n` as Gemini frames them), then one with the finish reason and the
final usage; no terminator. Ollama: `/api/chat` answers one object with `"stream": false`,
otherwise one NDJSON line per token and a last `done: true` line with the counts.
"""

from __future__ import annotations

import time
import uuid

import orjson

TOKEN = " tok"
FINGERPRINT = "fp_bench0001"
GEMINI_FINISH = {"stop": "STOP", "length": "MAX_TOKENS"}
# A stream: (content type, bytes before the first token, bytes of one token, bytes after the last).
Stream = tuple[str, bytes, bytes, bytes]
Request = dict[str, object]


def _openai_usage(prompt_tokens: int, completion_tokens: int) -> dict[str, object]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def openai_json(model: str, n: int, reason: str, ptoks: int) -> bytes:
    message = {"role": "assistant", "content": TOKEN * n, "refusal": None, "annotations": []}
    return orjson.dumps(
        {
            "id": "chatcmpl-" + uuid.uuid4().hex[:29],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": reason}],
            "usage": _openai_usage(ptoks, n),
            "service_tier": "default",
            "system_fingerprint": FINGERPRINT,
        }
    )


def openai_stream(req: Request, model: str, n: int, reason: str, ptoks: int) -> Stream:
    so = req.get("stream_options")
    include_usage = isinstance(so, dict) and bool(so.get("include_usage"))
    prefix = (
        f'data: {{"id":"chatcmpl-{uuid.uuid4().hex[:29]}","object":"chat.completion.chunk",'
        f'"created":{int(time.time())},"model":{orjson.dumps(model).decode()},"service_tier":"default",'
        f'"system_fingerprint":"{FINGERPRINT}","choices":'
    )
    tail = ',"usage":null}\n\n' if include_usage else "}\n\n"

    def chunk(choices: str) -> str:
        return prefix + choices + tail

    role = (
        '[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},'
        '"logprobs":null,"finish_reason":null}]'
    )
    token = f'[{{"index":0,"delta":{{"content":"{TOKEN}"}},"logprobs":null,"finish_reason":null}}]'
    last = chunk(f'[{{"index":0,"delta":{{}},"logprobs":null,"finish_reason":"{reason}"}}]')
    if include_usage:
        last += prefix + '[],"usage":' + orjson.dumps(_openai_usage(ptoks, n)).decode() + "}\n\n"
    last += "data: [DONE]\n\n"
    return "text/event-stream; charset=utf-8", chunk(role).encode(), chunk(token).encode(), last.encode()


def _gemini_usage(ptoks: int, n: int) -> dict[str, object]:
    return {
        "promptTokenCount": ptoks,
        "candidatesTokenCount": n,
        "totalTokenCount": ptoks + n,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": ptoks}],
    }


def _gemini_response(model: str, rid: str, text: str, finish: str | None, usage: dict[str, object]) -> bytes:
    candidate: dict[str, object] = {"content": {"parts": [{"text": text}], "role": "model"}}
    if finish:
        candidate["finishReason"] = finish
    candidate["index"] = 0
    body = {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": rid}
    return orjson.dumps(body)


def gemini_json(model: str, n: int, reason: str, ptoks: int) -> bytes:
    rid = uuid.uuid4().hex[:22]
    return _gemini_response(model, rid, TOKEN * n, GEMINI_FINISH[reason], _gemini_usage(ptoks, n))


def gemini_stream(req: Request, model: str, n: int, reason: str, ptoks: int) -> Stream:
    rid = uuid.uuid4().hex[:22]
    token = _gemini_response(model, rid, TOKEN, None, _gemini_usage(ptoks, 1))
    last = _gemini_response(model, rid, "", GEMINI_FINISH[reason], _gemini_usage(ptoks, n))
    return "text/event-stream", b"", b"data: " + token + b"\r\n\r\n", b"data: " + last + b"\r\n\r\n"


def _ollama_head(model: str) -> str:
    created = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    return f'{{"model":{orjson.dumps(model).decode()},"created_at":"{created}",'


def _ollama_done(model: str, content: str, reason: str, ptoks: int, n: int) -> bytes:
    message = orjson.dumps({"role": "assistant", "content": content}).decode()
    return (
        f'{_ollama_head(model)}"message":{message},"done":true,"done_reason":"{reason}",'
        f'"total_duration":174560334,"load_duration":101397084,"prompt_eval_count":{ptoks},'
        f'"prompt_eval_duration":13074791,"eval_count":{n},"eval_duration":52479709}}'
    ).encode()


def ollama_json(model: str, n: int, reason: str, ptoks: int) -> bytes:
    return _ollama_done(model, TOKEN * n, reason, ptoks, n)


def ollama_stream(req: Request, model: str, n: int, reason: str, ptoks: int) -> Stream:
    message = orjson.dumps({"role": "assistant", "content": TOKEN}).decode()
    token = f'{_ollama_head(model)}"message":{message},"done":false}}\n'.encode()
    return "application/x-ndjson", b"", token, _ollama_done(model, "", reason, ptoks, n) + b"\n"


ANSWERS = {"openai": openai_json, "gemini": gemini_json, "ollama": ollama_json}
STREAMS = {"openai": openai_stream, "gemini": gemini_stream, "ollama": ollama_stream}
