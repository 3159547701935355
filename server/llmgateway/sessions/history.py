"""How much of a conversation is sent and kept. History is cut only where a turn
begins (a user message), oldest turns first, so a tool result always travels with the
call that asked for it and a conversation still opens with a user message. The
system prompt is not history: it is rendered per call and never cut.

Tokens are estimated by the gateway's one heuristic (core/estimate.py); the cut runs
once per call over the history's sizes."""

from __future__ import annotations

from collections.abc import Sequence

from llmgateway.core.models import Model
from llmgateway.core.types import Role

# Reserved for the answer when neither the call nor the model says (at most a quarter of the context).
DEFAULT_ANSWER_TOKENS = 4_096


def turn_starts(roles: Sequence[Role]) -> list[int]:
    """The positions (after the first) where a turn begins."""
    return [i for i in range(1, len(roles)) if roles[i] is Role.USER]


def cut(
    sizes: Sequence[int],
    starts: Sequence[int],
    max_messages: int,
    budget: int | None = None,
    at_most: int | None = None,
) -> int:
    """How many of the oldest messages to leave out: the fewest, cut where a turn
    begins (or everything), that leave at most `max_messages` messages whose sizes sum
    to at most `budget`. `at_most` caps the cut (a turn that must be kept)."""
    count = len(sizes)
    remaining = sum(sizes)
    previous = 0
    found = count
    for position in (0, *starts, count):
        remaining -= sum(sizes[previous:position])
        previous = position
        if count - position <= max_messages and (budget is None or remaining <= budget):
            found = position
            break
    return found if at_most is None else min(found, at_most)


def history_budget(
    target: Model | None, max_tokens: int | None, fixed_tokens: int, max_history_tokens: int
) -> int | None:
    """The most estimated tokens of history a call may send: the virtual model's own
    bound, and what the target's context leaves after the answer (`max_tokens`, else
    the model's output cap, else a default), the system prompt and the new messages
    (`fixed_tokens`). None: no bound is known."""
    bounds = [max_history_tokens] if max_history_tokens else []
    context = target.context_length if target is not None else 0
    if context:
        answer = (
            max_tokens
            or (target.max_output_tokens if target else 0)
            or min(DEFAULT_ANSWER_TOKENS, context // 4)
        )
        bounds.append(max(0, context - min(answer, context) - fixed_tokens))
    return min(bounds) if bounds else None
