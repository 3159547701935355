"""Incremental newline-delimited JSON framing (Ollama's native API).

Yields each complete line as bytes (the caller parses it, so a bad line is reported
with the provider's name). Lines end with `\\n` or `\\r\\n`, may be cut anywhere
between network chunks, and blank lines are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator


async def iter_ndjson(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Lines of an NDJSON body; an unterminated last line is still yielded."""
    pending = b""
    async for chunk in chunks:
        if pending:
            chunk = pending + chunk
        lines = chunk.split(b"\n")
        pending = lines.pop()
        for line in lines:
            line = line.strip()  # "\r" of "\r\n", and whitespace-only lines
            if line:
                yield line
    pending = pending.strip()
    if pending:
        yield pending
