"""Folds `StreamChat` events into the final answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass, field
from typing import Any

from llmgateway.v1 import cache_pb2, chat_pb2


@dataclass
class ToolCall:
    """A complete tool call: `arguments` is the raw JSON string as the model produced it,
    `parsed_arguments` its decoded value, or None when it is not valid JSON."""

    id: str
    name: str
    arguments: str
    parsed_arguments: Any = None

    @staticmethod
    def parse(arguments: str) -> Any:
        try:
            return json.loads(arguments) if arguments else None
        except ValueError:
            return None


@dataclass
class ChatResult:
    """The folded answer of a stream (or of a `ChatResponse`, see `ChatResult.from_response`)."""

    model: str = ""
    provider: str = ""
    upstream_model: str = ""
    id: str = ""
    request_id: str = ""
    text: str = ""
    reasoning: str = ""
    reasoning_signature: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: chat_pb2.FinishReason = chat_pb2.FINISH_REASON_UNSPECIFIED
    usage: chat_pb2.Usage = field(default_factory=chat_pb2.Usage)
    complete: bool = False
    """True once the `end` event arrived (a stream that ended without it is not a full answer)."""
    cache: cache_pb2.CacheInfo = field(default_factory=cache_pb2.CacheInfo)
    """What the gateway's response cache did (status UNSPECIFIED when the gateway has none)."""
    session_id: str = ""
    """The session of a virtual model with memory: pass it as `session_id=` to continue."""

    @property
    def cached(self) -> bool:
        """The answer came from the cache (a hit, or the answer of an identical call in flight):
        no upstream call was made for it."""
        return self.cache.status in (cache_pb2.CACHE_STATUS_HIT, cache_pb2.CACHE_STATUS_COALESCED)

    @property
    def cache_age(self) -> float:
        """How old a cached answer is, in seconds (0 when it is not from the cache)."""
        return self.cache.age.ToTimedelta().total_seconds()

    @property
    def finish_reason_name(self) -> str:
        """The finish reason without its prefix, for example "STOP" or "TOOL_CALLS"."""
        return chat_pb2.FinishReason.Name(self.finish_reason).removeprefix("FINISH_REASON_")

    @classmethod
    def from_response(cls, response: chat_pb2.ChatResponse) -> ChatResult:
        """The same shape from a unary `ChatResponse`."""
        parts = response.message.content
        return cls(
            model=response.model,
            provider=response.provider,
            upstream_model=response.upstream_model,
            id=response.id,
            request_id=response.request_id,
            text="".join(p.text for p in parts if p.WhichOneof("part") == "text"),
            reasoning="".join(p.reasoning.text for p in parts if p.WhichOneof("part") == "reasoning"),
            reasoning_signature="".join(
                p.reasoning.signature for p in parts if p.WhichOneof("part") == "reasoning"
            ),
            tool_calls=[
                ToolCall(c.id, c.name, c.arguments, ToolCall.parse(c.arguments))
                for c in response.message.tool_calls
            ],
            finish_reason=response.finish_reason,
            usage=response.usage,
            complete=True,
            cache=response.cache,
            session_id=response.session_id,
        )

    def to_message(self) -> chat_pb2.Message:
        """The assistant message to send back on the next turn (reasoning, text, tool calls)."""
        parts = []
        if self.reasoning or self.reasoning_signature:
            parts.append(
                chat_pb2.ContentPart(
                    reasoning=chat_pb2.ReasoningPart(text=self.reasoning, signature=self.reasoning_signature)
                )
            )
        if self.text:
            parts.append(chat_pb2.ContentPart(text=self.text))
        return chat_pb2.Message(
            role=chat_pb2.ROLE_ASSISTANT,
            content=parts,
            tool_calls=[
                chat_pb2.ToolCall(id=c.id, name=c.name, arguments=c.arguments) for c in self.tool_calls
            ],
        )


class StreamFolder:
    """Accumulates events one at a time; `result()` gives the answer so far."""

    def __init__(self) -> None:
        self._result = ChatResult()
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._calls: dict[int, list[str]] = {}  # index -> [id, name, fragments...]

    def add(self, event: chat_pb2.StreamChatResponse) -> None:
        kind = event.WhichOneof("event")
        r = self._result
        if kind == "start":
            r.id, r.model, r.provider = event.start.id, event.start.model, event.start.provider
            r.upstream_model, r.request_id = event.start.upstream_model, event.start.request_id
            r.cache, r.session_id = event.start.cache, event.start.session_id
        elif kind == "text_delta":
            self._text.append(event.text_delta.text)
        elif kind == "reasoning_delta":
            self._reasoning.append(event.reasoning_delta.text)
            if event.reasoning_delta.signature:
                r.reasoning_signature = event.reasoning_delta.signature
        elif kind == "tool_call_delta":
            delta = event.tool_call_delta
            call = self._calls.setdefault(delta.index, ["", ""])
            call[0] = call[0] or delta.id
            call[1] = call[1] or delta.name
            call.append(delta.arguments_fragment)
        elif kind == "end":
            r.finish_reason = event.end.finish_reason
            r.usage = event.end.usage
            r.complete = True

    def result(self) -> ChatResult:
        r = self._result
        r.text = "".join(self._text)
        r.reasoning = "".join(self._reasoning)
        r.tool_calls = []
        for index in sorted(self._calls):
            call_id, name, *fragments = self._calls[index]
            arguments = "".join(fragments)
            r.tool_calls.append(ToolCall(call_id, name, arguments, ToolCall.parse(arguments)))
        return r


def fold_stream(events: Iterable[chat_pb2.StreamChatResponse]) -> ChatResult:
    """Consumes a `StreamChat` event iterator and returns the final answer."""
    folder = StreamFolder()
    for event in events:
        folder.add(event)
    return folder.result()


async def fold_stream_async(events: AsyncIterable[chat_pb2.StreamChatResponse]) -> ChatResult:
    """`fold_stream` for an async iterator (`AsyncGatewayClient.stream_chat`)."""
    folder = StreamFolder()
    async for event in events:
        folder.add(event)
    return folder.result()
