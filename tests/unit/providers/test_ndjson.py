from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from llmgateway.providers.ndjson import iter_ndjson

BODY = b'{"a":1}\n\n{"b":"x\\ny"}\r\n   \n{"c":3}'


async def lines(chunks: list[bytes]) -> list[bytes]:
    async def source() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    return [line async for line in iter_ndjson(source())]


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
