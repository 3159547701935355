"""How much history is sent and kept: whole turns, oldest first, never a tool result
without its call; the budget a target's context leaves; stored messages round trip."""

from __future__ import annotations

import pytest

from llmgateway.core.estimate import message_tokens
from llmgateway.core.models import Model
from llmgateway.core.types import ImagePart, Message, ReasoningPart, Role, TextPart, ToolCall
from llmgateway.sessions import codec
from llmgateway.sessions.history import cut, history_budget, turn_starts

U, A, T = Role.USER, Role.ASSISTANT, Role.TOOL
# user, assistant (tool call), tool, assistant | user, assistant | user, assistant
ROLES = [U, A, T, A, U, A, U, A]


def test_turns_begin_at_user_messages() -> None:
    assert turn_starts(ROLES) == [4, 6]
    assert turn_starts([A, U]) == [1]


@pytest.mark.parametrize(
    ("max_messages", "budget", "at_most", "dropped"),
    [
        (100, None, None, 0),
        (4, None, None, 4),  # the first turn (with its tool call and result) goes whole
        (3, None, None, 6),  # 4 would still be too many: the next whole turn goes too
        (1, None, None, 8),  # no turn fits: everything goes
        (100, 40, None, 4),  # sizes 10 each: 80 -> 40
        (100, 39, None, 6),
        (100, 5, None, 8),
        (100, 5, 6, 6),  # a turn that must be kept is kept over budget
    ],
)
def test_cut_drops_whole_turns_oldest_first(
    max_messages: int, budget: int | None, at_most: int | None, dropped: int
) -> None:
    assert cut([10] * len(ROLES), turn_starts(ROLES), max_messages, budget, at_most) == dropped


def test_a_turn_never_loses_its_tool_result() -> None:
    starts = turn_starts(ROLES)
    for max_messages in range(1, len(ROLES) + 1):
        kept = ROLES[cut([1] * len(ROLES), starts, max_messages) :]
        assert not kept or kept[0] is U


def test_the_budget_is_what_the_target_context_leaves() -> None:
    target = Model(id="m/a", provider="mock", upstream_model="echo", context_length=1000)
    assert history_budget(target, 100, 50, 0) == 850
    assert history_budget(target, 100, 50, 300) == 300  # the virtual model's own bound
    assert history_budget(target, None, 50, 0) == 1000 - 250 - 50  # a quarter kept for the answer
    capped = Model(
        id="m/a", provider="mock", upstream_model="echo", context_length=1000, max_output_tokens=200
    )
    assert history_budget(capped, None, 0, 0) == 800
    assert history_budget(Model(id="m/u", provider="mock", upstream_model="e"), None, 50, 0) is None
    assert history_budget(target, 5000, 50, 0) == 0


def test_estimates() -> None:
    assert message_tokens(Message(U, [TextPart("x" * 40)])) == 4 + 10
    with_image = Message(U, [TextPart("abcd"), ImagePart(data=b"png")])
    assert message_tokens(with_image) == 4 + 85 + 1
    calling = Message(A, [], [ToolCall("c1", "find", '{"q":1}')])
    assert message_tokens(calling) == 4 + 3


def test_stored_messages_round_trip() -> None:
    messages = [
        Message(
            U, [TextPart("hi"), ImagePart(data=b"\x89PNG", mime_type="image/png", detail="low")], name="ann"
        ),
        Message(U, [ImagePart(uri="https://example.com/a.png")]),
        Message(A, [ReasoningPart("thinking", "sig"), TextPart("answer")], [ToolCall("c1", "f", "{}")]),
        Message(T, [TextPart("result")], tool_call_id="c1"),
    ]
    for message in messages:
        encoded = codec.encode(message)
        assert encoded is not None and codec.decode(encoded) == message
    with pytest.raises(codec.CodecError):
        codec.decode(b'{"role": "nobody", "parts": []}')
    assert codec.encode(Message(U, [TextPart("\ud800")])) is None


def test_history_keeps_only_reasoning_a_provider_needs_back() -> None:
    answer = Message(
        A,
        [
            ReasoningPart("plain"),
            ReasoningPart("signed", "sig"),
            ReasoningPart(redacted_data="r"),
            TextPart("t"),
        ],
    )
    kept = codec.kept_answer(answer)
    assert kept.parts == [ReasoningPart("signed", "sig"), ReasoningPart(redacted_data="r"), TextPart("t")]
