"""ChatRequest / EmbedRequest / ImageRequest -> OpenAI Chat Completions wire JSON."""

from __future__ import annotations

import base64
from typing import Any

import orjson

from llmgateway.core.errors import invalid_request
from llmgateway.core.types import (
    ChatRequest,
    EmbedRequest,
    ImagePart,
    ImageRequest,
    Message,
    ResponseFormat,
    Role,
    TextPart,
    ToolChoice,
)
from llmgateway.providers.media import sniff_image_mime

_ROLES = {
    Role.SYSTEM: "system",
    Role.DEVELOPER: "developer",
    Role.USER: "user",
    Role.ASSISTANT: "assistant",
    Role.TOOL: "tool",
}
_STREAM_OPTIONS = {"include_usage": True}


def image_url(part: ImagePart, where: str) -> dict[str, Any]:
    if part.data is not None:
        mime = part.mime_type or sniff_image_mime(part.data) or "image/png"
        url = f"data:{mime};base64,{base64.b64encode(part.data).decode('ascii')}"
    elif part.uri:
        url = part.uri
    else:
        raise invalid_request([(where, "an image needs data or a uri")])
    spec: dict[str, Any] = {"url": url}
    if part.detail:
        spec["detail"] = part.detail
    return {"type": "image_url", "image_url": spec}


def _user_content(msg: Message, where: str) -> str | list[dict[str, Any]]:
    parts = msg.parts
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    content: list[dict[str, Any]] = []
    for j, part in enumerate(parts):
        if isinstance(part, TextPart):
            content.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            content.append(image_url(part, f"{where}.parts[{j}]"))
        # ReasoningPart: never sent back upstream.
    return content


def message_to_wire(msg: Message, i: int) -> dict[str, Any]:
    role = _ROLES.get(msg.role)
    if role is None:
        raise invalid_request([(f"messages[{i}].role", "a role is required")])
    out: dict[str, Any] = {"role": role}
    if msg.role is Role.USER:
        out["content"] = _user_content(msg, f"messages[{i}]")
    elif msg.role is Role.ASSISTANT:
        text = "".join(p.text for p in msg.parts if isinstance(p, TextPart))
        if msg.tool_calls:
            out["content"] = text or None
            out["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in msg.tool_calls
            ]
        else:
            out["content"] = text
    elif msg.role is Role.TOOL:
        out["tool_call_id"] = msg.tool_call_id
        out["content"] = msg.text()
    else:  # system / developer: text only
        out["content"] = msg.text()
    if msg.name and msg.role is not Role.TOOL:
        out["name"] = msg.name
    return out


def _tool_choice(choice: ToolChoice) -> str | dict[str, Any]:
    if choice.mode == "function":
        return {"type": "function", "function": {"name": choice.function_name}}
    return choice.mode


def _response_format(fmt: ResponseFormat) -> dict[str, Any] | None:
    if fmt.type == "json_object":
        return {"type": "json_object"}
    if fmt.type == "json_schema":
        spec: dict[str, Any] = {"name": fmt.schema_name or "response", "schema": fmt.schema or {}}
        if fmt.strict:
            spec["strict"] = True
        return {"type": "json_schema", "json_schema": spec}
    return None  # "text" is the default


def _reasoning(body: dict[str, Any], effort: str | None, budget: int | None, param: str) -> None:
    """Asks for reasoning the way the server understands (`reasoning_param`)."""
    if param == "reasoning":  # OpenRouter
        body["reasoning"] = {"max_tokens": budget} if budget is not None else {"effort": effort}
    elif param == "enable_thinking":  # Qwen (DashScope)
        body["enable_thinking"] = True
        if budget is not None:
            body["thinking_budget"] = budget
    elif param != "none" and effort:
        body["reasoning_effort"] = effort


def chat_body(
    upstream_model: str,
    request: ChatRequest,
    *,
    stream: bool,
    max_tokens_field: str,
    send_top_k: bool,
    reasoning_param: str = "reasoning_effort",
) -> bytes:
    body: dict[str, Any] = {
        "model": upstream_model,
        "messages": [message_to_wire(m, i) for i, m in enumerate(request.messages)],
    }
    if stream:
        body["stream"] = True
        body["stream_options"] = _STREAM_OPTIONS
    if request.tools:
        tools = []
        for t in request.tools:
            fn: dict[str, Any] = {"name": t.name}
            if t.description:
                fn["description"] = t.description
            fn["parameters"] = t.parameters
            if t.strict:
                fn["strict"] = True
            tools.append({"type": "function", "function": fn})
        body["tools"] = tools
        if request.parallel_tool_calls is not None:
            body["parallel_tool_calls"] = request.parallel_tool_calls
    if request.tool_choice is not None:
        body["tool_choice"] = _tool_choice(request.tool_choice)
    if request.response_format is not None:
        fmt = _response_format(request.response_format)
        if fmt is not None:
            body["response_format"] = fmt
    g = request.generation
    if g.max_tokens is not None:
        body[max_tokens_field] = g.max_tokens
    if g.temperature is not None:
        body["temperature"] = g.temperature
    if g.top_p is not None:
        body["top_p"] = g.top_p
    if g.top_k is not None and send_top_k:
        body["top_k"] = g.top_k
    if g.stop:
        body["stop"] = g.stop
    if g.seed is not None:
        body["seed"] = g.seed
    if g.presence_penalty is not None:
        body["presence_penalty"] = g.presence_penalty
    if g.frequency_penalty is not None:
        body["frequency_penalty"] = g.frequency_penalty
    if g.reasoning_effort or g.reasoning_budget_tokens is not None:
        _reasoning(body, g.reasoning_effort, g.reasoning_budget_tokens, reasoning_param)
    if request.user:
        body["user"] = request.user
    return orjson.dumps(body)


def embed_body(upstream_model: str, request: EmbedRequest, encoding_format: str) -> bytes:
    body: dict[str, Any] = {"model": upstream_model, "input": request.inputs}
    body["encoding_format"] = encoding_format
    if request.dimensions is not None:
        body["dimensions"] = request.dimensions
    if request.user:
        body["user"] = request.user
    return orjson.dumps(body)


def is_gpt_image(upstream_model: str) -> bool:
    return upstream_model.startswith("gpt-image")


def image_body(upstream_model: str, request: ImageRequest) -> bytes:
    body: dict[str, Any] = {"model": upstream_model, "prompt": request.prompt, "n": request.count}
    if request.size:
        body["size"] = request.size
    if request.quality:
        body["quality"] = request.quality
    if request.style:
        body["style"] = request.style
    if request.output is not None and not is_gpt_image(upstream_model):
        body["response_format"] = "b64_json" if request.output == "data" else "url"
    if request.user:
        body["user"] = request.user
    return orjson.dumps(body)
