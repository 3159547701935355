"""The pipeline's own bookkeeping: a request a policy rewrote no longer carries the
bytes it was received as (work keyed by those bytes, such as cache keys, must not
apply to it)."""

from __future__ import annotations

import pytest

from llmgateway.core.calls import Call
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.pipeline import Admit, Outcome, Pipeline, Request
from llmgateway.core.types import ChatRequest, Message, Role, TextPart


def ask(text: str) -> ChatRequest:
    return ChatRequest("m/chat", [Message(Role.USER, [TextPart(text)])])


class Probe:
    """Records the wire bytes each admit saw; rewrites the request when told to."""

    wants_result = False

    def __init__(self, seen: list[bytes], rewrite: bool = False) -> None:
        self.seen = seen
        self.rewrite = rewrite

    async def admit(self, call: Call, request: Request) -> Admit | None:
        self.seen.append(call.wire_request)
        return Admit(request=ask("rewritten")) if self.rewrite else None

    async def settle(self, call: Call, outcome: Outcome) -> None:
        return None


async def test_a_rewritten_request_no_longer_carries_the_bytes_it_was_received_as() -> None:
    seen: list[bytes] = []
    pipeline = Pipeline([Probe(seen), Probe(seen, rewrite=True), Probe(seen)])
    call = Call("Chat", "req")
    call.wire_request = b"as received"
    admitted, request, answer = await pipeline.admit(call, ask("original"))
    assert (admitted, answer) == (3, None) and request == ask("rewritten")
    assert seen == [b"as received", b"as received", b""]  # from the rewrite on


async def test_an_unchanged_request_keeps_them() -> None:
    seen: list[bytes] = []
    call = Call("Chat", "req")
    call.wire_request = b"as received"
    await Pipeline([Probe(seen), Probe(seen)]).admit(call, ask("original"))
    assert seen == [b"as received", b"as received"]


class Settles:
    """Records its settle; refuses at admit when told to."""

    wants_result = False

    def __init__(self, name: str, settled: list[str], refuse: bool = False, settles: bool = True) -> None:
        self.name, self.settled, self.refuse, self.settles = name, settled, refuse, settles

    async def admit(self, call: Call, request: Request) -> Admit | None:
        if self.refuse:
            raise GatewayError(Reason.RATE_LIMITED, "no")
        return None

    async def settle(self, call: Call, outcome: Outcome) -> None:
        self.settled.append(self.name)


async def test_admitted_policies_settle_in_reverse_order_except_those_with_nothing_to_settle() -> None:
    settled: list[str] = []
    a, b, c = Settles("a", settled), Settles("b", settled, settles=False), Settles("c", settled)
    pipeline = Pipeline([a, b, c])
    admitted, _, _ = await pipeline.admit(Call("Chat", "r"), ask("hi"))
    await pipeline.settle(Call("Chat", "r"), admitted, Outcome(complete=True))
    assert settled == ["c", "a"]

    settled.clear()  # refused by the third: the two before it settle with the error, b never
    refusing = Pipeline([a, b, Settles("d", settled, refuse=True)])
    with pytest.raises(GatewayError):
        await refusing.admit(Call("Chat", "r"), ask("hi"))
    assert settled == ["a"]


class Plain:
    """Decides without waiting: a plain `admit` that rewrites the request, or refuses,
    and a plain `settle` that records the outcome."""

    wants_result = False

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.settled: list[Outcome] = []

    def admit(self, call: Call, request: Request) -> Admit | None:
        if self.refuse:
            raise GatewayError(Reason.PERMISSION_DENIED, "no")
        return Admit(request=ask("rewritten"))

    def settle(self, call: Call, outcome: Outcome) -> None:
        self.settled.append(outcome)


async def test_plain_policies_decide_and_settle_without_being_awaited() -> None:
    seen: list[bytes] = []
    call = Call("Chat", "req")
    call.wire_request = b"as received"
    plain = Plain()
    pipeline = Pipeline([plain, Probe(seen)])
    admitted, request, _ = await pipeline.admit(call, ask("original"))
    assert admitted == 2 and request == ask("rewritten") and seen == [b""]
    await pipeline.settle(call, admitted, Outcome(complete=True))
    assert plain.settled == [Outcome(complete=True)]

    settled: list[str] = []  # a plain admit that refuses: the policies before it settle
    with pytest.raises(GatewayError) as refused:
        await Pipeline([Settles("a", settled), Plain(refuse=True)]).admit(Call("Chat", "r"), ask("hi"))
    assert refused.value.reason is Reason.PERMISSION_DENIED and settled == ["a"]
