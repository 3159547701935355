"""Exactness across replicas: two `llmgateway serve` processes share one Redis and
one registry database. 200 concurrent calls split between them against a key
limited to 50 requests per minute: exactly 50 succeed; the same for a
tokens-per-minute limit with known usage; and Redis stopped mid-run gives the
configured behaviour. The key is made with `llmgateway keys create`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from llmgateway.v1 import chat_pb2
from tests.helpers import chat, user
from tests.integration.replicas import KEY_SECRET_ENV, ReplicaSet, cli, storm
from tests.integration.served import Served
from tests.redisserver import RedisServer

CONFIG = """
server: {{grace_period_s: 1}}
auth: {{mode: required, key_secret_env: {secret}}}
registry: {{database_url: "sqlite:///{db}", refresh_interval_s: 0.5}}
redis: {{url: "{redis}", timeout_s: 0.3}}
limits: {{failure_mode: {mode}}}
"""
# Eight one-letter words with max_tokens 2 reserve 4 (the message's framing) + 4 (15 characters)
# + 2 tokens and use 8 + 2 ("Echo: a" of "Echo: a b c ..."): known usage, equal to the reservation.
KNOWN_USAGE = chat("mock/echo", user("a b c d e f g h"), generation=chat_pb2.GenerationConfig(max_tokens=2))

Setup = Callable[..., Awaitable[tuple[list[Served], str]]]


@pytest.fixture
def keyed(tmp_path: Path, redis_url: str, replicas: ReplicaSet) -> Setup:
    async def setup(mode: str = "fail_open", **limits: int) -> tuple[list[Served], str]:
        config = tmp_path / "gateway.yaml"
        config.write_text(
            CONFIG.format(db=tmp_path / "registry.db", redis=redis_url, mode=mode, secret=KEY_SECRET_ENV)
        )
        await cli(config, "migrate")
        flags = [f"--{name}={value}" for name, value in limits.items()]
        key = await cli(config, "keys", "create", "--name", "replicas", *flags)
        return await replicas.start(config), key

    return setup


def bearer(key: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {key}")]


async def test_requests_per_minute_are_exact_across_replicas(keyed: Setup) -> None:
    running, key = await keyed(rpm=50)
    assert await storm(running, chat(), metadata=bearer(key)) == {"OK": 50, "RESOURCE_EXHAUSTED": 150}


async def test_tokens_per_minute_are_exact_across_replicas(keyed: Setup) -> None:
    running, key = await keyed(tpm=500)
    assert await storm(running, KNOWN_USAGE, metadata=bearer(key)) == {"OK": 50, "RESOURCE_EXHAUSTED": 150}


@pytest.mark.parametrize(("mode", "after_outage"), [("fail_open", "OK"), ("fail_closed", "UNAVAILABLE")])
async def test_redis_stopped_mid_run(
    keyed: Setup, redis_server: RedisServer, mode: str, after_outage: str
) -> None:
    running, key = await keyed(mode=mode, rpm=50)
    auth = bearer(key)
    try:
        assert await storm(running, chat(), n=100, metadata=auth) == {"OK": 50, "RESOURCE_EXHAUSTED": 50}
        redis_server.stop()
        assert await storm(running, chat(), n=100, metadata=auth) == {after_outage: 100}
    finally:
        redis_server.start()
