"""Usage estimated from the text when a provider reports no token counts.

One heuristic for every adapter, so that estimates agree across providers:

- text costs one token per 4 characters, rounded up (the usual rule of thumb for BPE
  tokenizers on English; code and other scripts run denser, so this undercounts them);
- every message adds 4 tokens for its role and framing;
- every image adds 85 tokens (what OpenAI charges for a low-detail image);
- a tool definition counts as the text of its name, description and JSON schema;
- the answer counts its text, reasoning and tool-call names and arguments.

It costs one pass over the request, run once per call and only when counts are missing;
the result is marked `estimated` so that callers and accounting can tell it from real
counts. Good enough for budgets and dashboards, not for reconciling a provider's bill.
"""

from __future__ import annotations

import orjson

from llmgateway.core.types import ChatRequest, Message, ReasoningPart, TextPart, Usage

CHARS_PER_TOKEN = 4
MESSAGE_TOKENS = 4
IMAGE_TOKENS = 85


def text_tokens(chars: int) -> int:
    """Tokens of `chars` characters of text."""
    return -(-chars // CHARS_PER_TOKEN)


def prompt_tokens(request: ChatRequest) -> int:
    """Estimated input tokens of a chat request."""
    chars = 0
    tokens = 0
    for message in request.messages:
        tokens += MESSAGE_TOKENS
        for part in message.parts:
            if isinstance(part, TextPart | ReasoningPart):
                chars += len(part.text)
            else:
                tokens += IMAGE_TOKENS
        for call in message.tool_calls:
            chars += len(call.name) + len(call.arguments)
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description) + len(orjson.dumps(tool.parameters))
    return tokens + text_tokens(chars)


def answer_chars(message: Message) -> int:
    """Characters of an answer that count as output."""
    chars = sum(len(p.text) for p in message.parts if isinstance(p, TextPart | ReasoningPart))
    return chars + sum(len(c.name) + len(c.arguments) for c in message.tool_calls)


def estimate_usage(request: ChatRequest, output_chars: int) -> Usage:
    """Usage of a call whose provider sent no counts; `output_chars` as `answer_chars` counts them."""
    return Usage(prompt_tokens(request), text_tokens(output_chars), estimated=True)
