"""Protobuf <-> domain conversion for the data plane."""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

from llmgateway.api import bounds
from llmgateway.api.money import cost_message
from llmgateway.core import types as t
from llmgateway.core.calls import CacheMode, CacheStatus, CacheUse, Call
from llmgateway.core.errors import invalid_request
from llmgateway.v1 import cache_pb2, chat_pb2, embedding_pb2, image_pb2

_ROLES = {
    chat_pb2.ROLE_SYSTEM: t.Role.SYSTEM,
    chat_pb2.ROLE_DEVELOPER: t.Role.DEVELOPER,
    chat_pb2.ROLE_USER: t.Role.USER,
    chat_pb2.ROLE_ASSISTANT: t.Role.ASSISTANT,
    chat_pb2.ROLE_TOOL: t.Role.TOOL,
}
_ROLES_OUT = {v: k for k, v in _ROLES.items()}
_DETAIL = {
    chat_pb2.IMAGE_DETAIL_AUTO: "auto",
    chat_pb2.IMAGE_DETAIL_LOW: "low",
    chat_pb2.IMAGE_DETAIL_HIGH: "high",
}
_TOOL_MODES = {
    chat_pb2.TOOL_CHOICE_MODE_AUTO: "auto",
    chat_pb2.TOOL_CHOICE_MODE_NONE: "none",
    chat_pb2.TOOL_CHOICE_MODE_REQUIRED: "required",
}
_EFFORT = {
    chat_pb2.REASONING_EFFORT_MINIMAL: "minimal",
    chat_pb2.REASONING_EFFORT_LOW: "low",
    chat_pb2.REASONING_EFFORT_MEDIUM: "medium",
    chat_pb2.REASONING_EFFORT_HIGH: "high",
}
_FORMATS = {
    chat_pb2.RESPONSE_FORMAT_TYPE_TEXT: "text",
    chat_pb2.RESPONSE_FORMAT_TYPE_JSON_OBJECT: "json_object",
    chat_pb2.RESPONSE_FORMAT_TYPE_JSON_SCHEMA: "json_schema",
}
_FINISH = {
    t.FinishReason.STOP: chat_pb2.FINISH_REASON_STOP,
    t.FinishReason.LENGTH: chat_pb2.FINISH_REASON_LENGTH,
    t.FinishReason.TOOL_CALLS: chat_pb2.FINISH_REASON_TOOL_CALLS,
    t.FinishReason.CONTENT_FILTER: chat_pb2.FINISH_REASON_CONTENT_FILTER,
    t.FinishReason.OTHER: chat_pb2.FINISH_REASON_OTHER,
}
_IMAGE_OUTPUT = {image_pb2.IMAGE_OUTPUT_DATA: "data", image_pb2.IMAGE_OUTPUT_URI: "uri"}
_DETAIL_OUT = {v: k for k, v in _DETAIL.items()}
_CACHE_MODES = {
    cache_pb2.CACHE_MODE_UNSPECIFIED: CacheMode.DEFAULT,
    cache_pb2.CACHE_MODE_BYPASS: CacheMode.BYPASS,
    cache_pb2.CACHE_MODE_REFRESH: CacheMode.REFRESH,
    cache_pb2.CACHE_MODE_ONLY: CacheMode.ONLY,
}
_CACHE_STATUS = {
    CacheStatus.HIT: cache_pb2.CACHE_STATUS_HIT,
    CacheStatus.COALESCED: cache_pb2.CACHE_STATUS_COALESCED,
    CacheStatus.MISS: cache_pb2.CACHE_STATUS_MISS,
    CacheStatus.REFRESH: cache_pb2.CACHE_STATUS_REFRESH,
    CacheStatus.BYPASS: cache_pb2.CACHE_STATUS_BYPASS,
}


# -- JSON Schema structs ----------------------------------------------------------------
def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A Struct as plain JSON data. Struct stores every number as a double; integral
    ones become ints again so that schemas keep `"minimum": 1`, not `1.0`."""
    fields = struct.fields
    return {key: _value(fields[key]) for key in fields}  # faster than fields.items()


def _value(v: struct_pb2.Value) -> Any:
    kind = v.WhichOneof("kind")
    if kind == "string_value":
        return v.string_value
    if kind == "number_value":
        n = v.number_value
        return int(n) if n.is_integer() and abs(n) < 2**53 else n
    if kind == "bool_value":
        return v.bool_value
    if kind == "struct_value":
        return struct_to_dict(v.struct_value)
    if kind == "list_value":
        return [_value(x) for x in v.list_value.values]
    return None


# -- requests -----------------------------------------------------------------------------
def chat_request(pb: chat_pb2.ChatRequest | chat_pb2.StreamChatRequest) -> t.ChatRequest:
    bounds.check_chat(pb)
    req = t.ChatRequest(
        model=pb.model, messages=[_message(m) for m in pb.messages], user=pb.user, session_id=pb.session_id
    )
    if pb.tools:
        req.tools = [
            t.Tool(
                x.name,
                x.description,
                struct_to_dict(x.parameters)
                if x.HasField("parameters")
                else {"type": "object", "properties": {}},
                x.strict,
            )
            for x in pb.tools
        ]
    if pb.HasField("tool_choice"):
        which = pb.tool_choice.WhichOneof("choice")
        if which == "function_name":
            req.tool_choice = t.ToolChoice("function", pb.tool_choice.function_name)
        elif which == "mode" and pb.tool_choice.mode in _TOOL_MODES:
            req.tool_choice = t.ToolChoice(_TOOL_MODES[pb.tool_choice.mode])
    if pb.HasField("generation"):
        req.generation = _generation(pb.generation)
    if pb.HasField("response_format") and pb.response_format.type in _FORMATS:
        rf = pb.response_format
        req.response_format = t.ResponseFormat(
            _FORMATS[rf.type],
            rf.schema_name,
            struct_to_dict(rf.schema) if rf.HasField("schema") else None,
            rf.strict,
        )
    if pb.HasField("parallel_tool_calls"):
        req.parallel_tool_calls = pb.parallel_tool_calls
    return req


def _message(m: chat_pb2.Message) -> t.Message:
    msg = t.Message(_ROLES.get(m.role, t.Role.UNSPECIFIED), tool_call_id=m.tool_call_id, name=m.name)
    for part in m.content:
        which = part.WhichOneof("part")
        if which == "text":
            msg.parts.append(t.TextPart(part.text))
        elif which == "image":
            img = part.image
            source = img.WhichOneof("source")
            msg.parts.append(
                t.ImagePart(
                    data=img.data if source == "data" else None,
                    uri=img.uri if source == "uri" else None,
                    mime_type=img.mime_type,
                    detail=_DETAIL.get(img.detail),
                )
            )
        elif which == "reasoning":
            r = part.reasoning
            msg.parts.append(t.ReasoningPart(r.text, r.signature, r.redacted_data))
        else:
            msg.parts.append(t.TextPart(None))  # type: ignore[arg-type]  # an empty part: validation names it
    if m.tool_calls:
        msg.tool_calls = [t.ToolCall(c.id, c.name, c.arguments) for c in m.tool_calls]
    return msg


def _generation(g: chat_pb2.GenerationConfig) -> t.GenerationConfig:
    return t.GenerationConfig(
        max_tokens=g.max_tokens if g.HasField("max_tokens") else None,
        temperature=g.temperature if g.HasField("temperature") else None,
        top_p=g.top_p if g.HasField("top_p") else None,
        top_k=g.top_k if g.HasField("top_k") else None,
        stop=list(g.stop),
        seed=g.seed if g.HasField("seed") else None,
        presence_penalty=g.presence_penalty if g.HasField("presence_penalty") else None,
        frequency_penalty=g.frequency_penalty if g.HasField("frequency_penalty") else None,
        reasoning_effort=_EFFORT.get(g.reasoning_effort),
        reasoning_budget_tokens=g.reasoning_budget_tokens if g.HasField("reasoning_budget_tokens") else None,
    )


def embed_request(pb: embedding_pb2.EmbedRequest) -> t.EmbedRequest:
    bounds.check_embed(pb)
    return t.EmbedRequest(
        pb.model, list(pb.inputs), pb.dimensions if pb.HasField("dimensions") else None, pb.user
    )


def image_request(pb: image_pb2.GenerateImageRequest) -> t.ImageRequest:
    bounds.check_image(pb)
    return t.ImageRequest(
        model=pb.model,
        prompt=pb.prompt,
        count=pb.count if pb.HasField("count") else 1,
        size=pb.size,
        quality=pb.quality,
        style=pb.style,
        output=_IMAGE_OUTPUT.get(pb.output),
        user=pb.user,
    )


def cache_use(pb: cache_pb2.CacheControl) -> CacheUse:
    """A call's cache instructions (`cache` of ChatRequest, StreamChatRequest, EmbedRequest)."""
    mode = _CACHE_MODES.get(pb.mode)
    violations = []
    if mode is None:
        violations.append(("cache.mode", "is not a CacheMode value"))
    if pb.HasField("ttl_seconds") and pb.ttl_seconds <= 0:
        violations.append(("cache.ttl_seconds", "must be positive"))
    if violations:
        raise invalid_request(violations)
    return CacheUse(mode or CacheMode.DEFAULT, float(pb.ttl_seconds) if pb.HasField("ttl_seconds") else None)


# -- responses ----------------------------------------------------------------------------
def cache_info(use: CacheUse | None) -> dict[str, Any] | None:
    """What the cache did, for the response (None: no cache looked at the call)."""
    if use is None or use.status is None:
        return None
    if use.status is not CacheStatus.HIT:
        return {"status": _CACHE_STATUS[use.status]}
    seconds = int(use.age_s)
    return {
        "status": cache_pb2.CACHE_STATUS_HIT,
        "age": {"seconds": seconds, "nanos": int((use.age_s - seconds) * 1e9)},
    }


# Nested messages are passed to constructors as dicts: upb builds them in place,
# where a message object would be built and then copied (about twice the cost).
def usage(u: t.Usage) -> dict[str, int | bool]:
    """Token counts (a media call's images, audio and characters are in its own response)."""
    return {
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "total_tokens": u.total_tokens,
        "cached_prompt_tokens": u.cached_prompt_tokens,
        "reasoning_tokens": u.reasoning_tokens,
        "estimated": u.estimated,
        "cache_write_tokens": u.cache_write_tokens,
    }


def message_out(m: t.Message) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for p in m.parts:
        if isinstance(p, t.TextPart):
            content.append({"text": p.text})
        elif isinstance(p, t.ReasoningPart):
            content.append(
                {"reasoning": {"text": p.text, "signature": p.signature, "redacted_data": p.redacted_data}}
            )
        else:
            content.append({"image": _image_out(p)})
    out: dict[str, Any] = {
        "role": _ROLES_OUT.get(m.role, chat_pb2.ROLE_UNSPECIFIED),
        "content": content,
        "tool_calls": [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in m.tool_calls],
    }
    if m.tool_call_id:
        out["tool_call_id"] = m.tool_call_id
    if m.name:
        out["name"] = m.name
    return out


def _image_out(p: t.ImagePart) -> dict[str, Any]:
    image: dict[str, Any] = {"mime_type": p.mime_type, "detail": _DETAIL_OUT.get(p.detail or "", 0)}
    if p.data is not None:
        image["data"] = p.data
    else:
        image["uri"] = p.uri or ""
    return image


NOBODY = t.Served("", "", "", "", attempts=0)


def _shown(call: Call, response_id: str, upstream_model: str) -> tuple[str, str, str, str, str]:
    """(response id, model, provider, upstream model, deployment) as the caller may see
    them (the result's or event's own ids first): a virtual model that hides what served
    it is named alone."""
    served, route = call.served or NOBODY, call.route
    if route is not None and not route.show_served:
        return "", route.virtual_model, "", "", ""
    return (
        response_id or served.response_id,
        served.model or call.model,
        served.provider,
        upstream_model or served.upstream_model,
        served.deployment,
    )


def chat_response(result: t.ChatResult, call: Call) -> chat_pb2.ChatResponse:
    response_id, model, provider, upstream_model, deployment = _shown(
        call, result.response_id, result.upstream_model
    )
    route = call.route
    return chat_pb2.ChatResponse(
        id=response_id,
        model=model,
        provider=provider,
        upstream_model=upstream_model,
        message=message_out(result.message),
        finish_reason=_FINISH.get(result.finish_reason, chat_pb2.FINISH_REASON_UNSPECIFIED),
        usage=usage(result.usage),
        request_id=call.request_id,
        attempts=(call.served or NOBODY).attempts,
        deployment=deployment,
        cache=cache_info(call.cache),
        session_id=route.session_id if route is not None else "",
        cost=cost_message(call),
    )


def stream_event(e: t.StreamEvent, call: Call) -> chat_pb2.StreamChatResponse:
    """One stream event as sent; the start event names what served the call."""
    if isinstance(e, t.TextDelta):
        return chat_pb2.StreamChatResponse(text_delta={"text": e.text})
    if isinstance(e, t.ToolCallDelta):
        return chat_pb2.StreamChatResponse(
            tool_call_delta={"index": e.index, "id": e.id, "name": e.name, "arguments_fragment": e.arguments}
        )
    if isinstance(e, t.ReasoningDelta):
        return chat_pb2.StreamChatResponse(
            reasoning_delta={"text": e.text, "signature": e.signature, "redacted_data": e.redacted_data}
        )
    if isinstance(e, t.StreamStart):
        route = call.route
        response_id, model, provider, upstream_model, deployment = _shown(
            call, e.response_id, e.upstream_model
        )
        return chat_pb2.StreamChatResponse(
            start={
                "id": response_id,
                "model": model,
                "provider": provider,
                "upstream_model": upstream_model,
                "request_id": call.request_id,
                "attempts": (e.served or NOBODY).attempts,
                "deployment": deployment,
                "cache": cache_info(call.cache),
                "session_id": route.session_id if route is not None else "",
            }
        )
    return chat_pb2.StreamChatResponse(
        end={
            "finish_reason": _FINISH.get(e.finish_reason, chat_pb2.FINISH_REASON_UNSPECIFIED),
            "usage": usage(e.usage),
            "cost": cost_message(call),
        }
    )


def embed_response(result: t.EmbedResult, call: Call) -> embedding_pb2.EmbedResponse:
    served = call.served or NOBODY
    return embedding_pb2.EmbedResponse(
        model=served.model or call.model,
        provider=served.provider,
        embeddings=[embedding_pb2.Embedding(index=i, values=v) for i, v in enumerate(result.vectors)],
        usage=embedding_pb2.EmbeddingUsage(prompt_tokens=result.prompt_tokens),
        request_id=call.request_id,
        cache=cache_info(call.cache),
        cost=cost_message(call),
    )


def image_response(result: t.ImageResult, call: Call) -> image_pb2.GenerateImageResponse:
    served = call.served or NOBODY
    images = [
        image_pb2.GeneratedImage(data=i.data, mime_type=i.mime_type, revised_prompt=i.revised_prompt)
        if i.data is not None
        else image_pb2.GeneratedImage(uri=i.uri or "", mime_type=i.mime_type, revised_prompt=i.revised_prompt)
        for i in result.images
    ]
    return image_pb2.GenerateImageResponse(
        model=served.model or call.model,
        provider=served.provider,
        images=images,
        request_id=call.request_id,
        cost=cost_message(call),
    )
