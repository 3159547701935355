from __future__ import annotations

from llmgateway.core.estimate import answer_chars, estimate_usage, prompt_tokens, text_tokens
from llmgateway.core.types import (
    ChatRequest,
    ImagePart,
    Message,
    ReasoningPart,
    Role,
    TextPart,
    Tool,
    ToolCall,
    Usage,
)


def test_text_tokens_round_up() -> None:
    assert [text_tokens(n) for n in (0, 1, 4, 5, 8)] == [0, 1, 1, 2, 2]


def test_prompt_counts_messages_images_calls_and_tools() -> None:
    request = ChatRequest(
        "m",
        [
            Message(Role.USER, [TextPart("12345678"), ImagePart(data=b"x")]),  # 4 + 85 + 8 chars
            Message(Role.ASSISTANT, [], [ToolCall("c", "abcd", "{}")]),  # 4 + 6 chars
        ],
        tools=[Tool("t", "", {"type": "object"})],  # 1 + 17 chars of JSON
    )
    # Each message is rounded up on its own (history is cut by messages), the tools together.
    assert prompt_tokens(request) == (4 + 85 + text_tokens(8)) + (4 + text_tokens(6)) + text_tokens(1 + 17)


def test_answer_and_usage() -> None:
    answer = Message(Role.ASSISTANT, [ReasoningPart("abcd"), TextPart("efgh")], [ToolCall("c", "f", "{}")])
    assert answer_chars(answer) == 11
    request = ChatRequest("m", [Message(Role.USER, [TextPart("hi")])])
    assert estimate_usage(request, 11) == Usage(5, 3, estimated=True)
