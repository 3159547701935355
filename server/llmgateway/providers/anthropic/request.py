"""Translation of a domain ChatRequest into an Anthropic Messages API body."""

from __future__ import annotations

from typing import Any

import orjson

from llmgateway.core.errors import capability_not_supported, invalid_request
from llmgateway.core.models import Model
from llmgateway.core.types import (
    ChatRequest,
    ImagePart,
    Message,
    ReasoningPart,
    Role,
    TextPart,
    Tool,
    ToolChoice,
)
from llmgateway.providers.media import inline_image

DEFAULT_MAX_TOKENS = 4096
# reasoning_effort -> thinking budget when the caller gave no explicit budget (minimum is 1024).
EFFORT_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 16384}

_Block = dict[str, Any]


def build_body(model: Model, request: ChatRequest, default_max_tokens: int, *, stream: bool) -> bytes:
    """The JSON body of `POST /v1/messages` for `request`."""
    fmt = request.response_format
    if fmt is not None and fmt.type != "text":
        raise capability_not_supported(model.id, "response_format")

    system, messages = _translate_messages(request.messages)
    gen = request.generation
    max_tokens = gen.max_tokens if gen.max_tokens is not None else default_max_tokens
    body: dict[str, Any] = {"model": model.upstream_model, "messages": messages}
    if system:
        body["system"] = system

    budget_tokens = gen.reasoning_budget_tokens
    if budget_tokens is None and gen.reasoning_effort:
        budget_tokens = EFFORT_BUDGETS.get(gen.reasoning_effort)
    if budget_tokens:
        body["thinking"] = {"type": "enabled", "budget_tokens": budget_tokens}
        if max_tokens <= budget_tokens:
            # The budget counts toward max_tokens: keep the caller's allowance for the answer.
            max_tokens += budget_tokens
    body["max_tokens"] = max_tokens

    if gen.temperature is not None:
        body["temperature"] = gen.temperature
    if gen.top_p is not None:
        body["top_p"] = gen.top_p
    if gen.top_k is not None:
        body["top_k"] = gen.top_k
    if gen.stop:
        body["stop_sequences"] = gen.stop
    if request.tools:
        body["tools"] = [_tool(t) for t in request.tools]
        choice = _tool_choice(request.tool_choice, request.parallel_tool_calls)
        if choice is not None:
            body["tool_choice"] = choice
    if request.user:
        body["metadata"] = {"user_id": request.user}
    if stream:
        body["stream"] = True
    return orjson.dumps(body)


def _translate_messages(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    """(system text, alternating turns). System and developer messages are lifted
    out; tool results become user turns; consecutive same-role turns are merged."""
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    last_role = ""
    for i, msg in enumerate(messages):
        role = msg.role
        if role is Role.SYSTEM or role is Role.DEVELOPER:
            text = msg.text()
            if text:
                system.append(text)
            continue
        if role is Role.USER:
            wire_role, blocks = "user", _user_blocks(msg, i)
        elif role is Role.ASSISTANT:
            wire_role, blocks = "assistant", _assistant_blocks(msg, i)
        elif role is Role.TOOL:
            wire_role, blocks = "user", [_tool_result(msg, i)]
        else:
            raise invalid_request(
                [(f"messages[{i}].role", "must be system, developer, user, assistant or tool")]
            )
        if not blocks:
            continue
        if wire_role == last_role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": wire_role, "content": blocks})
            last_role = wire_role
    return "\n\n".join(system), turns


def _user_blocks(msg: Message, i: int) -> list[_Block]:
    blocks: list[_Block] = []
    for j, part in enumerate(msg.parts):
        if isinstance(part, TextPart):
            if part.text:
                blocks.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            blocks.append(_image(part, f"messages[{i}].parts[{j}]"))
        # Reasoning in a user turn has no meaning upstream: dropped.
    return blocks


def _assistant_blocks(msg: Message, i: int) -> list[_Block]:
    blocks: list[_Block] = []
    for j, part in enumerate(msg.parts):
        if isinstance(part, ReasoningPart):
            if part.redacted_data:
                blocks.append({"type": "redacted_thinking", "data": part.redacted_data})
            elif part.text or part.signature:
                blocks.append({"type": "thinking", "thinking": part.text, "signature": part.signature})
        elif isinstance(part, TextPart):
            if part.text:
                blocks.append({"type": "text", "text": part.text})
        else:
            blocks.append(_image(part, f"messages[{i}].parts[{j}]"))
    for j, call in enumerate(msg.tool_calls):
        blocks.append(
            {
                "type": "tool_use",
                "id": call.id,
                "name": call.name,
                "input": _arguments(call.arguments, f"messages[{i}].tool_calls[{j}].arguments"),
            }
        )
    return blocks


def _arguments(arguments: str, field: str) -> dict[str, Any]:
    if not arguments.strip():
        return {}
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        raise invalid_request([(field, "is not valid JSON")]) from None
    if not isinstance(value, dict):
        raise invalid_request([(field, "must be a JSON object")])
    return value


def _tool_result(msg: Message, i: int) -> _Block:
    if not msg.tool_call_id:
        raise invalid_request([(f"messages[{i}].tool_call_id", "is required for a tool message")])
    block: _Block = {"type": "tool_result", "tool_use_id": msg.tool_call_id}
    if any(isinstance(p, ImagePart) for p in msg.parts):
        block["content"] = _user_blocks(msg, i)
    else:
        text = msg.text()
        if text:
            block["content"] = text
    return block


def _image(part: ImagePart, field: str) -> _Block:
    inline = inline_image(part, field)
    if inline is None:
        return {"type": "image", "source": {"type": "url", "url": part.uri}}
    media_type, data = inline
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def _tool(tool: Tool) -> _Block:
    out: _Block = {"name": tool.name, "input_schema": tool.parameters}
    if tool.description:
        out["description"] = tool.description
    return out


def _tool_choice(choice: ToolChoice | None, parallel: bool | None) -> _Block | None:
    if choice is None:
        out: _Block = {"type": "auto"}
    elif choice.mode == "none":
        return {"type": "none"}
    elif choice.mode == "required":
        out = {"type": "any"}
    elif choice.mode == "function":
        if not choice.function_name:
            raise invalid_request([("tool_choice.function_name", "is required when mode is function")])
        out = {"type": "tool", "name": choice.function_name}
    elif choice.mode == "auto":
        out = {"type": "auto"}
    else:
        raise invalid_request([("tool_choice.mode", "must be auto, none, required or function")])
    if parallel is False:
        out["disable_parallel_tool_use"] = True
    elif choice is None:
        return None  # the provider's default is auto
    return out
