"""`coalesce`: the same folded answer in fewer events, never reordered or merged across
kinds or tool calls."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from llmgateway.core.streams import StreamFolder, coalesce
from llmgateway.core.types import (
    FinishReason,
    ReasoningDelta,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    ToolCallDelta,
    Usage,
)

words = st.text(alphabet='ab {}"', max_size=4)
deltas = st.one_of(
    st.builds(TextDelta, words),
    st.builds(ReasoningDelta, words, st.sampled_from(["", "", "sig"]), st.sampled_from(["", "", "", "red"])),
    st.builds(
        lambda index, named, args: (
            ToolCallDelta(index, f"call_{index}", f"f{index}", args)
            if named
            else ToolCallDelta(index, arguments=args)
        ),
        st.integers(0, 2),
        st.booleans(),
        words,
    ),
)
END = StreamEnd(FinishReason.STOP, Usage(1, 2))


def fold(events: list[StreamEvent]) -> object:
    folder = StreamFolder()
    for event in events:
        folder.add(event)
    return folder.result()


def kinds(events: list[StreamEvent]) -> list[object]:
    """The order of kinds (and tool-call indices), each run counted once."""
    out: list[object] = []
    for e in events:
        kind = (type(e).__name__, e.index) if isinstance(e, ToolCallDelta) else type(e).__name__
        if not out or out[-1] != kind:
            out.append(kind)
    return out


@given(st.lists(deltas, max_size=30))
def test_the_folded_answer_is_unchanged(body: list[StreamEvent]) -> None:
    events = [StreamStart("r", "m"), *body, END]
    merged = coalesce(events)
    assert fold(merged) == fold(events)
    assert kinds(merged) == kinds(events)  # nothing reordered, no kind or call merged into another
    assert merged[0] is events[0] and merged[-1] is END


def test_runs_of_one_kind_become_one_event() -> None:
    events: list[StreamEvent] = [
        ReasoningDelta("Let "),
        ReasoningDelta("me think"),
        ReasoningDelta(signature="sig"),
        ReasoningDelta("more"),
        TextDelta("Hel"),
        TextDelta("lo"),
        ToolCallDelta(0, "call_a", "f", '{"a'),
        ToolCallDelta(0, arguments='": 1}'),
        ToolCallDelta(1, "call_b", "g", "{"),
        ToolCallDelta(0, arguments=" "),
        ToolCallDelta(1, arguments="}"),
    ]
    assert coalesce(events) == [
        ReasoningDelta("Let me think", "sig"),  # a signature closes the block
        ReasoningDelta("more"),
        TextDelta("Hello"),
        ToolCallDelta(0, "call_a", "f", '{"a": 1}'),
        ToolCallDelta(1, "call_b", "g", "{"),  # a delta that names a call starts a new event
        ToolCallDelta(0, arguments=" "),  # interleaved calls stay apart
        ToolCallDelta(1, arguments="}"),
    ]


def test_redacted_reasoning_stays_whole() -> None:
    events: list[StreamEvent] = [ReasoningDelta("a"), ReasoningDelta(redacted_data="x"), ReasoningDelta("b")]
    assert coalesce(events) == events
