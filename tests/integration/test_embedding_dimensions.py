"""An embedding never comes back with a length the caller did not ask for: the gateway
truncates and renormalises where the model record allows it, else refuses (issue 9)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

import grpc
import pytest

from llmgateway.v1 import embedding_pb2
from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details


@pytest.fixture
async def upstream(gateway_factory, monkeypatch) -> AsyncIterator[tuple[object, OpenAIEmulator]]:
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    async with OpenAIEmulator() as emu:
        emu.fixed_dimensions = 12  # the server ignores `dimensions`
        base = {"provider": "openai", "upstream_model": "emb", "base_url": emu.base_url}
        base |= {"credential_ref": PROVIDER_KEY_ENV, "capabilities": ["embed"]}
        gateway = await gateway_factory(
            include_default_models=False,
            models=[
                {"id": "emb/matryoshka", **base, "truncate_dimensions": True},
                {"id": "emb/plain", **base},
                {"id": "emb/known", **base, "embedding_dimensions": 12},
            ],
        )
        yield gateway, emu


async def embed(gateway, model: str, dimensions: int | None) -> embedding_pb2.EmbedResponse:
    req = embedding_pb2.EmbedRequest(model=model, inputs=["a", "b"])
    if dimensions is not None:
        req.dimensions = dimensions
    return await gateway.Embed(req, timeout=5)


async def test_a_truncatable_model_is_cut_to_the_dimensions_asked_and_renormalised(upstream) -> None:
    gateway, _ = upstream
    reply = await embed(gateway, "emb/matryoshka", 5)
    for embedding in reply.embeddings:
        assert len(embedding.values) == 5
        assert math.isclose(math.hypot(*embedding.values), 1.0, rel_tol=1e-6)


async def test_other_models_refuse_a_length_they_did_not_return(upstream) -> None:
    gateway, emu = upstream
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await embed(gateway, "emb/plain", 5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = Details(err.value)
    assert details.reason == "CAPABILITY_NOT_SUPPORTED" and details.fields == ["dimensions"]
    assert "12-dimensional" in err.value.details()
    assert len(emu.requests) == 1  # refused as it is, not retried


async def test_more_dimensions_than_the_model_has_are_refused_before_the_upstream(upstream) -> None:
    gateway, emu = upstream
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await embed(gateway, "emb/known", 64)
    assert Details(err.value).fields == ["dimensions"]
    assert emu.requests == []


async def test_the_native_length_passes_and_no_dimensions_take_what_comes(upstream) -> None:
    gateway, _ = upstream
    assert {len(e.values) for e in (await embed(gateway, "emb/plain", 12)).embeddings} == {12}
    assert {len(e.values) for e in (await embed(gateway, "emb/plain", None)).embeddings} == {12}
