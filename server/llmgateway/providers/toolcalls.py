"""Tool-call ids for providers that give none (Gemini before 3, older Ollama), and the
function names that tool results must carry for providers that match results by name."""

from __future__ import annotations

import hashlib
import re

from llmgateway.core.errors import invalid_request
from llmgateway.core.types import Message

_GENERATED = re.compile(r"call_[0-9a-f]{12}_\d+")


def stable_call_id(seed: str, index: int) -> str:
    """The id of the `index`-th call of one answer; `seed` identifies the answer (its
    response id, or the call itself), so the same answer always gets the same ids."""
    return f"call_{hashlib.blake2s(seed.encode(), digest_size=6).hexdigest()}_{index}"


def is_generated(call_id: str) -> bool:
    """Whether the gateway made `call_id` up (it is then not sent back upstream)."""
    return _GENERATED.fullmatch(call_id) is not None


class CallNames:
    """The function name of each tool call id, learnt while a conversation is walked in
    order: a tool message answers the latest earlier call with its id (ids the gateway
    made up may repeat across turns)."""

    __slots__ = ("_names",)

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def learn(self, assistant: Message) -> None:
        for call in assistant.tool_calls:
            self._names[call.id] = call.name

    def name_of(self, tool_message: Message, index: int) -> str:
        """The function a tool message answers (its `name` when the id is unknown)."""
        name = self._names.get(tool_message.tool_call_id) or tool_message.name
        if not name:
            raise invalid_request(
                [(f"messages[{index}].tool_call_id", "names no tool call of an earlier assistant message")]
            )
        return name
