"""The one loop that turns an upstream stream into domain events, read by read.

Each network read is decoded at once (SSE events or NDJSON lines) and folded into
domain events by the adapter's synchronous `Fold`; the loop then yields them. One
async step per read, not one per event through several generator layers.

Adaptive delta coalescing: the events of one read were all available together, so
consecutive deltas of one kind among them are merged (`core.streams.coalesce`)
before they go up to the gRPC write. Nothing waits for anything: an upstream read
returns whatever has arrived, so at ease every token is its own read and its own
event, while a gateway that falls behind (its event loop busy, or the gRPC write
of the previous event still pending, during which nothing reads the upstream)
finds several tokens in its next read and writes them as one. On by default;
`set_coalescing(False)` (setting `upstream.coalesce_deltas`) forwards every
upstream delta as its own event.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Protocol, TypeVar

from llmgateway.core.errors import GatewayError
from llmgateway.core.streams import coalesce
from llmgateway.core.types import StreamEvent

Item = TypeVar("Item")
_coalescing = True


def set_coalescing(enabled: bool) -> None:
    """Whether the deltas of one read are merged (a start-up setting)."""
    global _coalescing
    _coalescing = enabled


class Fold(Protocol[Item]):
    """An adapter's stream state: folds the items of one read into domain events."""

    def feed(self, items: list[Item], out: list[StreamEvent]) -> bool:
        """Appends the events of `items` to `out`; True once the stream's last event
        (its StreamEnd) is among them. Raises a GatewayError for a failed stream."""
        ...

    def finish(self) -> list[StreamEvent]:
        """At the end of the body without a last event: the events that end the stream
        (a server without a terminator), or raises when it ended too early."""
        ...


async def relay(batches: AsyncIterator[list[Item]], fold: Fold[Item]) -> AsyncGenerator[StreamEvent, None]:
    """The domain events of a stream; exactly one StreamEnd, last, unless it raises."""
    out: list[StreamEvent] = []
    async for batch in batches:
        try:
            ended = fold.feed(batch, out)
        except GatewayError:
            for event in out:  # what came before the failure still goes out first
                yield event
            raise
        if len(out) > 1 and _coalescing:
            out = coalesce(out)
        for event in out:
            yield event
        if ended:
            return
        out = []
    for event in fold.finish():
        yield event
