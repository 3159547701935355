from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from llmgateway.providers.ndjson import ndjson_batches

BODY = b'{"a":1}\n\n{"b":"x\\ny"}\r\n   \n{"c":3}'


async def lines(chunks: list[bytes]) -> list[bytes]:
    async def source() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    return [line async for batch in ndjson_batches(source()) for line in batch]


@pytest.mark.parametrize("cut", range(len(BODY) + 1))
async def test_every_split_point(cut: int) -> None:
    # Blank and whitespace-only lines are skipped, "\r\n" ends a line, the unterminated last line counts.
    assert await lines([BODY[:cut], BODY[cut:]]) == [b'{"a":1}', b'{"b":"x\\ny"}', b'{"c":3}']


async def test_byte_at_a_time() -> None:
    assert await lines([BODY[i : i + 1] for i in range(len(BODY))]) == [
        b'{"a":1}',
        b'{"b":"x\\ny"}',
        b'{"c":3}',
    ]


async def test_the_lines_of_one_chunk_come_as_one_batch() -> None:
    async def source() -> AsyncIterator[bytes]:
        yield b'{"a":1}\n{"b":2}\n{"c"'
        yield b":3}\n"

    assert [batch async for batch in ndjson_batches(source())] == [[b'{"a":1}', b'{"b":2}'], [b'{"c":3}']]
