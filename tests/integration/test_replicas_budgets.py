"""Budgets exact across replicas: two `llmgateway serve` processes share one Redis.
100 concurrent calls with known usage, split between them, against a budget that
fits exactly 10: exactly 10 succeed."""

from __future__ import annotations

from pathlib import Path

from tests.integration.replicas import ReplicaSet, cli, storm
from tests.integration.test_budgets import KNOWN

CONFIG = """
server: {{grace_period_s: 1}}
registry: {{database_url: "sqlite:///{db}", refresh_interval_s: 0.5}}
redis: {{url: "{redis}", timeout_s: 2.0}}
models:
  - id: priced/echo
    provider: mock
    upstream_model: echo
    capabilities: [chat, stream]
    pricing: {{input_per_million: 1, output_per_million: 1}}
budgets:
  limits:
    - {{name: all, period: day, limit: "0.0001"}}
"""


async def test_exact_across_replicas(tmp_path: Path, redis_url: str, replicas: ReplicaSet) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text(CONFIG.format(db=tmp_path / "registry.db", redis=redis_url))
    await cli(config, "migrate")
    running = await replicas.start(config)
    assert await storm(running, KNOWN, n=100) == {"OK": 10, "RESOURCE_EXHAUSTED": 90}
