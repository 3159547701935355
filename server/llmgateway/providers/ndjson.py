"""Incremental newline-delimited JSON framing (Ollama's native API).

Yields the complete lines of each network chunk as one list of bytes (the caller
parses them, so a bad line is reported with the provider's name). Lines end with
`\\n` or `\\r\\n`, may be cut anywhere between network chunks, and blank lines
are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator


async def ndjson_batches(chunks: AsyncIterator[bytes]) -> AsyncIterator[list[bytes]]:
    """The lines each chunk completes, as one list; an unterminated last line is still yielded."""
    pending = b""
    async for chunk in chunks:
        if pending:
            chunk = pending + chunk
        lines = chunk.split(b"\n")
        pending = lines.pop()
        # "\r" of "\r\n", and whitespace-only lines
        batch = [line for line in map(bytes.strip, lines) if line]
        if batch:
            yield batch
    pending = pending.strip()
    if pending:
        yield [pending]
