"""What the router knows about a model: where it lives and what it can do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from llmgateway.core.deadline import Timeouts


class Capability(StrEnum):
    CHAT = "chat"
    STREAM = "stream"
    TOOLS = "tools"
    VISION = "vision"
    EMBED = "embed"
    IMAGE = "image"
    REASONING = "reasoning"
    JSON_OUTPUT = "json_output"


CHAT_CAPABILITIES = frozenset(
    {Capability.CHAT, Capability.STREAM, Capability.TOOLS, Capability.VISION, Capability.JSON_OUTPUT}
)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model an adapter knows about (returned by `supported_models()`)."""

    upstream_model: str
    capabilities: frozenset[Capability]
    context_length: int = 0
    display_name: str = ""


class RoutingStrategy(StrEnum):
    """How a model with several deployments picks one for an attempt."""

    WEIGHTED = "weighted"  # weighted random
    LEAST_INFLIGHT = "least_inflight"  # fewest requests in flight
    LOWEST_LATENCY = "lowest_latency"  # lowest recent latency


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts at one deployment after a retryable failure, with exponential
    backoff and jitter; a provider's retry-after wins when the deadline allows it."""

    max_retries: int = 2
    initial_backoff_s: float = 0.25
    max_backoff_s: float = 8.0
    multiplier: float = 2.0


@dataclass(frozen=True, slots=True)
class CooldownPolicy:
    """Circuit breaker per deployment: `failures` failed calls in a row (a success
    clears the count; a call's retries at one deployment count once) within
    `window_s` take it out of rotation for `cooldown_s`, after which one probe
    decides. Several failures, a short cooldown: one bad call never makes an outage."""

    failures: int = 5
    window_s: float = 30.0
    cooldown_s: float = 5.0


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD per million tokens."""

    input_per_million: float = 0.0
    output_per_million: float = 0.0
    cached_input_per_million: float = 0.0


@dataclass(frozen=True, slots=True)
class Deployment:
    """One more upstream serving a model (endpoint, region, key or provider).
    `id` is unique within the model; the model's own upstream is "primary"."""

    id: str
    provider: str
    upstream_model: str
    adapter_class: str
    base_url: str = ""
    credential_ref: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """One routable model.

    `provider` .. `options` describe its primary upstream; `extra_deployments`
    add more upstreams for the same public id, chosen by `routing`.
    `credential_ref` is the *name* of the environment variable holding the API
    key, never the key itself. `options` carries adapter-specific settings such
    as Azure's `api_version`. `fallbacks` are model ids tried in order once this
    model's deployments are exhausted, or at once on a reason in `fallback_on`
    (CONTEXT_LENGTH_EXCEEDED, CONTENT_POLICY_VIOLATION). `retry`/`cooldown` of
    None mean the gateway-wide defaults.
    """

    id: str
    provider: str
    upstream_model: str
    adapter_class: str
    base_url: str = ""
    credential_ref: str = ""
    capabilities: frozenset[Capability] = CHAT_CAPABILITIES
    display_name: str = ""
    context_length: int = 0
    enabled: bool = True
    timeouts: Timeouts = field(default_factory=Timeouts)
    options: Mapping[str, str] = field(default_factory=dict)
    weight: float = 1.0
    extra_deployments: tuple[Deployment, ...] = ()
    routing: RoutingStrategy = RoutingStrategy.WEIGHTED
    fallbacks: tuple[str, ...] = ()
    fallback_on: frozenset[str] = frozenset()
    retry: RetryPolicy | None = None
    cooldown: CooldownPolicy | None = None
    pricing: Pricing = field(default_factory=Pricing)


class ModelCatalog(Protocol):
    """Read side of the model registry; the router's only view of it.
    `revision` names the snapshot being served."""

    @property
    def revision(self) -> str: ...

    def get(self, model_id: str) -> ModelConfig | None: ...

    def list(self) -> Sequence[ModelConfig]: ...
