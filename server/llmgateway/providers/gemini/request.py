"""ChatRequest / EmbedRequest -> Gemini generateContent and embedding bodies (camelCase JSON).

Roles: system and developer messages become `systemInstruction`; the assistant is
`model`; tool results are `functionResponse` parts of a user turn, named after the call
they answer (Gemini matches results to calls by name and order); consecutive turns of
one role are merged, so the results of parallel calls share one turn.

Thought signatures must go back on the part they came with. The domain keeps them on
reasoning parts, so they are placed by Gemini's rule: on the function calls, in order,
when the turn called functions (where Gemini 3 requires them), else on the turn's last
text part. Thought summaries go back as `thought` parts.
"""

from __future__ import annotations

import mimetypes
from typing import Any

import orjson

from llmgateway.core.errors import invalid_request
from llmgateway.core.types import (
    ChatRequest,
    EmbedRequest,
    ImagePart,
    Message,
    ReasoningPart,
    ResponseFormat,
    Role,
    TextPart,
    ToolChoice,
)
from llmgateway.providers.base import generation_fields
from llmgateway.providers.media import inline_image
from llmgateway.providers.toolcalls import CallNames, is_generated

_Part = dict[str, Any]
_JSON = "application/json"
_GENERATION = {
    "max_tokens": "maxOutputTokens",
    "temperature": "temperature",
    "top_p": "topP",
    "top_k": "topK",
    "stop": "stopSequences",
    "seed": "seed",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
}
# reasoning_effort -> thinkingBudget for models before Gemini 3 (which take a level instead)
EFFORT_BUDGETS = {"minimal": 512, "low": 1024, "medium": 8192, "high": 24576}


def chat_body(upstream_model: str, request: ChatRequest) -> bytes:
    system: list[_Part] = []
    contents: list[dict[str, Any]] = []
    names = CallNames()
    for i, msg in enumerate(request.messages):
        role = msg.role
        if role is Role.SYSTEM or role is Role.DEVELOPER:
            system.extend({"text": p.text} for p in msg.parts if isinstance(p, TextPart) and p.text)
            continue
        if role is Role.USER:
            wire_role, parts = "user", _user_parts(msg, i)
        elif role is Role.ASSISTANT:
            names.learn(msg)
            wire_role, parts = "model", _model_parts(msg, i)
        elif role is Role.TOOL:
            wire_role, parts = "user", [_function_response(msg, names.name_of(msg, i))]
        else:
            raise invalid_request([(f"messages[{i}].role", "a role is required")])
        if not parts:
            continue
        if contents and contents[-1]["role"] == wire_role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": wire_role, "parts": parts})
    body: dict[str, Any] = {"contents": contents}
    if system:
        body["systemInstruction"] = {"parts": system}
    if request.tools:
        declarations = []
        for tool in request.tools:
            declaration: dict[str, Any] = {"name": tool.name}
            if tool.description:
                declaration["description"] = tool.description
            declaration["parametersJsonSchema"] = tool.parameters
            declarations.append(declaration)
        body["tools"] = [{"functionDeclarations": declarations}]
    if request.tool_choice is not None:
        body["toolConfig"] = {"functionCallingConfig": _calling_config(request.tool_choice)}
    config = _generation_config(upstream_model, request)
    if config:
        body["generationConfig"] = config
    return orjson.dumps(body)


def _user_parts(msg: Message, i: int) -> list[_Part]:
    parts: list[_Part] = []
    for j, part in enumerate(msg.parts):
        if isinstance(part, TextPart):
            if part.text:
                parts.append({"text": part.text})
        elif isinstance(part, ImagePart):
            parts.append(_image(part, f"messages[{i}].parts[{j}]"))
    return parts


def _image(part: ImagePart, field: str) -> _Part:
    inline = inline_image(part, field)
    if inline is not None:
        return {"inlineData": {"mimeType": inline[0], "data": inline[1]}}
    spec: dict[str, str] = {"fileUri": part.uri or ""}
    mime = part.mime_type or mimetypes.guess_type(spec["fileUri"].partition("?")[0])[0]
    if mime:
        spec["mimeType"] = mime
    return {"fileData": spec}


def _model_parts(msg: Message, i: int) -> list[_Part]:
    parts: list[_Part] = []
    signatures: list[str] = []
    for j, part in enumerate(msg.parts):
        if isinstance(part, ReasoningPart):
            if part.signature:
                signatures.append(part.signature)
            if part.text:
                parts.append({"text": part.text, "thought": True})
        elif isinstance(part, TextPart):
            if part.text:
                parts.append({"text": part.text})
        else:
            parts.append(_image(part, f"messages[{i}].parts[{j}]"))
    calls: list[_Part] = []
    for j, call in enumerate(msg.tool_calls):
        spec: dict[str, Any] = {"name": call.name, "args": _arguments(call.arguments, i, j)}
        if call.id and not is_generated(call.id):
            spec["id"] = call.id  # Gemini 3 numbers its calls: echo the id
        calls.append({"functionCall": spec})
    if signatures:
        if calls:
            for call_part, signature in zip(calls, signatures, strict=False):
                call_part["thoughtSignature"] = signature
        else:
            answer = next((p for p in reversed(parts) if "thought" not in p), None)
            if answer is not None:
                answer["thoughtSignature"] = signatures[-1]
    return parts + calls


def _arguments(arguments: str, i: int, j: int) -> dict[str, Any]:
    if not arguments.strip():
        return {}
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise invalid_request([(f"messages[{i}].tool_calls[{j}].arguments", "must be a JSON object")])
    return value


def _function_response(msg: Message, name: str) -> _Part:
    """A tool result: a JSON object as it is, anything else as {"output": value}."""
    text = msg.text()
    try:
        value: Any = orjson.loads(text) if text else ""
    except orjson.JSONDecodeError:
        value = text
    response = value if isinstance(value, dict) else {"output": value}
    spec: dict[str, Any] = {"name": name, "response": response}
    if msg.tool_call_id and not is_generated(msg.tool_call_id):
        spec["id"] = msg.tool_call_id
    return {"functionResponse": spec}


def _calling_config(choice: ToolChoice) -> dict[str, Any]:
    if choice.mode == "function":
        return {"mode": "ANY", "allowedFunctionNames": [choice.function_name]}
    return {"mode": {"none": "NONE", "required": "ANY"}.get(choice.mode, "AUTO")}


def _generation_config(upstream_model: str, request: ChatRequest) -> dict[str, Any]:
    g = request.generation
    config = generation_fields(g, _GENERATION)
    if request.response_format is not None:
        config.update(_response_format(request.response_format))
    if g.reasoning_budget_tokens is not None:
        config["thinkingConfig"] = {"thinkingBudget": g.reasoning_budget_tokens, "includeThoughts": True}
    elif g.reasoning_effort:
        if upstream_model.startswith("gemini-3"):
            thinking: dict[str, Any] = {"thinkingLevel": g.reasoning_effort}
        else:
            thinking = {"thinkingBudget": EFFORT_BUDGETS.get(g.reasoning_effort, EFFORT_BUDGETS["medium"])}
        config["thinkingConfig"] = {**thinking, "includeThoughts": True}
    return config


def _response_format(fmt: ResponseFormat) -> dict[str, Any]:
    if fmt.type == "json_object":
        return {"responseMimeType": _JSON}
    if fmt.type == "json_schema":
        return {"responseMimeType": _JSON, "responseJsonSchema": fmt.schema or {}}
    return {}


def _embed_request(text: str, request: EmbedRequest, task_type: str) -> dict[str, Any]:
    out: dict[str, Any] = {"content": {"parts": [{"text": text}]}}
    if task_type:
        out["taskType"] = task_type
    if request.dimensions is not None:
        out["outputDimensionality"] = request.dimensions
    return out


def embed_body(upstream_model: str, request: EmbedRequest, task_type: str) -> bytes:
    """`embedContent` for one input, `batchEmbedContents` (each entry naming the model)
    for several."""
    if len(request.inputs) == 1:
        return orjson.dumps(_embed_request(request.inputs[0], request, task_type))
    model = f"models/{upstream_model}"
    entries = [{"model": model, **_embed_request(text, request, task_type)} for text in request.inputs]
    return orjson.dumps({"requests": entries})
