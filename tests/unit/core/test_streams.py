"""Fold and replay: a replayed result folds back to itself, at any chunk size, for
any mix of signed and redacted reasoning blocks, text and tool calls; and folding a
provider-shaped stream gives the answer a unary call would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from llmgateway.core.streams import StreamFolder, replay
from llmgateway.core.types import (
    ChatResult,
    FinishReason,
    Message,
    ReasoningDelta,
    ReasoningPart,
    Role,
    Served,
    StreamEnd,
    StreamStart,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
)

SERVED = Served("m/x", "openai", "primary", "gpt-x", "resp-1")

texts = st.text(min_size=1, max_size=40)
reasoning_parts = st.one_of(
    st.builds(ReasoningPart, texts, st.text(min_size=1, max_size=10)),  # signed block
    st.builds(lambda d: ReasoningPart(redacted_data=d), st.text(min_size=1, max_size=10)),
)
tool_calls = st.lists(
    st.builds(
        ToolCall, st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8), st.text(max_size=30)
    ),
    max_size=4,
)


@st.composite
def results(draw: st.DrawFn) -> ChatResult:
    # Reasoning blocks first, then at most one text part: the shape providers produce
    # (two adjacent text parts would fold into one).
    parts: list[TextPart | ReasoningPart] = draw(st.lists(reasoning_parts, max_size=3))
    if draw(st.booleans()):
        parts.append(TextPart(draw(texts)))
    usage = Usage(*(draw(st.integers(0, 10**6)) for _ in range(4)))
    return ChatResult(
        Message(Role.ASSISTANT, parts, draw(tool_calls)),
        draw(st.sampled_from(list(FinishReason))),
        usage,
        "resp-1",
        "gpt-x",
    )


def fold(events: object) -> StreamFolder:
    folder = StreamFolder()
    for event in events:  # type: ignore[attr-defined]
        folder.add(event)
    return folder


@settings(max_examples=300)
@given(results(), st.integers(0, 7))
def test_replay_folds_back_to_the_same_result(result: ChatResult, chunk: int) -> None:
    events = list(replay(result, SERVED, chunk))
    assert events[0] == StreamStart("resp-1", "gpt-x", SERVED)
    assert isinstance(events[-1], StreamEnd)
    folder = fold(events)
    assert folder.complete
    assert folder.result() == result


def test_chunking_splits_text_but_never_merges_kinds() -> None:
    result = ChatResult(
        Message(
            Role.ASSISTANT, [ReasoningPart("abcd", "sig"), TextPart("hello")], [ToolCall("c", "f", "{}")]
        ),
        FinishReason.TOOL_CALLS,
        Usage(1, 2),
    )
    kinds = [type(e).__name__ for e in replay(result, None, 2)]
    assert kinds == [
        "StreamStart",
        "ReasoningDelta",
        "ReasoningDelta",
        "TextDelta",
        "TextDelta",
        "TextDelta",
        "ToolCallDelta",
        "ToolCallDelta",
        "StreamEnd",
    ]


def test_a_provider_stream_folds_into_the_unary_answer() -> None:
    """Anthropic-like: two signed thinking blocks, text, then interleaved tool-call fragments."""
    events = [
        StreamStart("msg_1", "claude-x"),
        ReasoningDelta("first "),
        ReasoningDelta("thought"),
        ReasoningDelta(signature="s1"),
        ReasoningDelta("second"),
        ReasoningDelta(signature="s2"),
        TextDelta("Hel"),
        TextDelta("lo"),
        ToolCallDelta(0, "t0", "a", '{"x"'),
        ToolCallDelta(1, "t1", "b", "{}"),
        ToolCallDelta(0, arguments=": 1}"),
        StreamEnd(FinishReason.TOOL_CALLS, Usage(3, 4), "msg_1", "claude-x"),
    ]
    assert fold(events).result() == ChatResult(
        Message(
            Role.ASSISTANT,
            [ReasoningPart("first thought", "s1"), ReasoningPart("second", "s2"), TextPart("Hello")],
            [ToolCall("t0", "a", '{"x": 1}'), ToolCall("t1", "b", "{}")],
        ),
        FinishReason.TOOL_CALLS,
        Usage(3, 4),
        "msg_1",
        "claude-x",
    )


def test_an_unfinished_stream_folds_into_a_partial_answer() -> None:
    folder = fold([StreamStart("r", "m", SERVED), TextDelta("par"), TextDelta("tial")])
    assert not folder.complete
    partial = folder.result()
    assert partial.message.text() == "partial" and partial.finish_reason is FinishReason.UNSPECIFIED
