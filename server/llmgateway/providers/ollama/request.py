"""ChatRequest / EmbedRequest -> Ollama native `/api/chat` and `/api/embed` bodies.

Ollama takes images inline only (base64, no MIME type, no URLs), tool-call arguments
as JSON objects, tool results named by the function they answer (`tool_name`),
sampling parameters inside `options` (`num_predict` is the token limit) and thinking
as `think`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from llmgateway.core.errors import invalid_request
from llmgateway.core.types import ChatRequest, EmbedRequest, ImagePart, Message, ReasoningPart, Role
from llmgateway.providers.base import generation_fields
from llmgateway.providers.media import inline_image
from llmgateway.providers.toolcalls import CallNames, is_generated

# Model options passed through into `options` (numbers; anything else is sent as a string).
PASSTHROUGH_OPTIONS = ("num_ctx", "num_batch", "num_gpu", "num_thread", "repeat_penalty", "min_p")
_THINK = {"true": True, "false": False}
_GENERATION = {
    "max_tokens": "num_predict",
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "seed": "seed",
    "stop": "stop",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
}


def _number(raw: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw


def chat_body(
    upstream_model: str, request: ChatRequest, options: Mapping[str, str], *, stream: bool
) -> bytes:
    """`options` are the model's adapter options: `think`, `keep_alive` and PASSTHROUGH_OPTIONS."""
    names = CallNames()
    messages = [_message(m, i, names) for i, m in enumerate(request.messages)]
    body: dict[str, Any] = {"model": upstream_model, "messages": messages, "stream": stream}
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
            }
            for t in request.tools
        ]
    fmt = request.response_format
    if fmt is not None and fmt.type == "json_object":
        body["format"] = "json"
    elif fmt is not None and fmt.type == "json_schema":
        body["format"] = fmt.schema or {}
    g = request.generation
    think = options.get("think")
    if think:
        body["think"] = _THINK.get(think.lower(), think)  # true / false / low / medium / high
    elif g.reasoning_effort or g.reasoning_budget_tokens:
        body["think"] = True
    sampling = generation_fields(g, _GENERATION)
    for name in PASSTHROUGH_OPTIONS:
        if options.get(name):
            sampling[name] = _number(options[name])
    if sampling:
        body["options"] = sampling
    if options.get("keep_alive"):
        body["keep_alive"] = _number(options["keep_alive"])  # "5m", or seconds
    return orjson.dumps(body)


def _message(msg: Message, i: int, names: CallNames) -> dict[str, Any]:
    role = msg.role
    if role is Role.SYSTEM or role is Role.DEVELOPER:
        return {"role": "system", "content": msg.text()}
    if role is Role.USER:
        out: dict[str, Any] = {"role": "user", "content": msg.text()}
        images = [
            _image(p, f"messages[{i}].parts[{j}]")
            for j, p in enumerate(msg.parts)
            if isinstance(p, ImagePart)
        ]
        if images:
            out["images"] = images
        return out
    if role is Role.ASSISTANT:
        names.learn(msg)
        out = {"role": "assistant", "content": msg.text()}
        thinking = "".join(p.text for p in msg.parts if isinstance(p, ReasoningPart))
        if thinking:
            out["thinking"] = thinking
        if msg.tool_calls:
            out["tool_calls"] = [
                _tool_call(c.id, c.name, c.arguments, i, j) for j, c in enumerate(msg.tool_calls)
            ]
        return out
    if role is Role.TOOL:
        return {"role": "tool", "content": msg.text(), "tool_name": names.name_of(msg, i)}
    raise invalid_request([(f"messages[{i}].role", "a role is required")])


def _image(part: ImagePart, field: str) -> str:
    inline = inline_image(part, field, default_mime="image/png")
    if inline is None:
        raise invalid_request(
            [(f"{field}.uri", "Ollama takes images inline only: send the bytes or a data: URI")]
        )
    return inline[1]


def _tool_call(call_id: str, name: str, arguments: str, i: int, j: int) -> dict[str, Any]:
    try:
        args = orjson.loads(arguments) if arguments.strip() else {}
    except orjson.JSONDecodeError:
        args = None
    if not isinstance(args, dict):
        raise invalid_request([(f"messages[{i}].tool_calls[{j}].arguments", "must be a JSON object")])
    out: dict[str, Any] = {"function": {"name": name, "arguments": args}}
    if call_id and not is_generated(call_id):
        out["id"] = call_id
    return out


def embed_body(upstream_model: str, request: EmbedRequest, options: Mapping[str, str]) -> bytes:
    body: dict[str, Any] = {"model": upstream_model, "input": request.inputs}
    if request.dimensions is not None:
        body["dimensions"] = request.dimensions
    if options.get("keep_alive"):
        body["keep_alive"] = _number(options["keep_alive"])
    return orjson.dumps(body)
