"""Tokens estimated from the text: the usage of a provider that reports no counts,
a rate limit's reservation, a session's history budget.

One heuristic everywhere, so that estimates agree:

- text costs one token per 4 characters, rounded up (the usual rule of thumb for BPE
  tokenizers on English; code and other scripts run denser, so this undercounts them);
- every message adds 4 tokens for its role and framing;
- every image adds 85 tokens (what OpenAI charges for a low-detail image);
- a tool definition counts as the text of its name, description and JSON schema;
- the answer counts its text, reasoning and tool-call names and arguments.

It costs one pass over the request, run once per call; usage built from it is marked
`estimated` so that callers and accounting can tell it from real counts. Good enough for
limits, budgets and dashboards, not for reconciling a provider's bill.
"""

from __future__ import annotations

import orjson

from llmgateway.core.types import (
    ChatRequest,
    ImagePart,
    Message,
    ReasoningDelta,
    ReasoningPart,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    Usage,
)

CHARS_PER_TOKEN = 4
MESSAGE_TOKENS = 4
IMAGE_TOKENS = 85


def text_tokens(chars: int) -> int:
    """Tokens of `chars` characters of text."""
    return -(-chars // CHARS_PER_TOKEN)


def message_tokens(message: Message) -> int:
    """Estimated tokens of one message: its framing, text, images and tool calls."""
    chars = 0
    images = 0
    for part in message.parts:
        if isinstance(part, ImagePart):
            images += 1
        else:
            chars += len(part.text)
    for call in message.tool_calls:
        chars += len(call.name) + len(call.arguments)
    return MESSAGE_TOKENS + images * IMAGE_TOKENS + text_tokens(chars)


def prompt_tokens(request: ChatRequest) -> int:
    """Estimated input tokens of a chat request (plain loops: a rate limit and a
    budget estimate every call)."""
    tokens = 0
    for message in request.messages:
        tokens += message_tokens(message)
    if request.tools:
        tools = sum(len(t.name) + len(t.description) + len(orjson.dumps(t.parameters)) for t in request.tools)
        tokens += text_tokens(tools)
    return tokens


def answer_chars(message: Message) -> int:
    """Characters of an answer that count as output."""
    chars = sum(len(p.text) for p in message.parts if isinstance(p, TextPart | ReasoningPart))
    return chars + sum(len(c.name) + len(c.arguments) for c in message.tool_calls)


def delta_chars(event: StreamEvent) -> int:
    """Characters of a stream event that count as output, as `answer_chars` counts them."""
    if isinstance(event, TextDelta | ReasoningDelta):
        return len(event.text)
    if isinstance(event, ToolCallDelta):
        return len(event.name) + len(event.arguments)
    return 0


def estimate_usage(request: ChatRequest, output_chars: int) -> Usage:
    """Usage of a call whose provider sent no counts; `output_chars` as `answer_chars` counts them."""
    return Usage(prompt_tokens(request), text_tokens(output_chars), estimated=True)
