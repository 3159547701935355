"""THE model: one record type that the router, resilience and adapters read, and
that the YAML config, the registry row and the admin proto convert to and from.
Field names are the admin proto's (the public contract); bounds ride on the
types (`core.fields`), so validation and the converters need no per-field code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar, Protocol

from llmgateway.core.deadline import Timeouts
from llmgateway.core.errors import Reason
from llmgateway.core.fields import OUTPUT_ONLY, MaxItems, MaxLength, Places, Range
from llmgateway.core.virtual import ModelKind, VirtualModel


class Capability(StrEnum):
    CHAT = "chat"
    STREAM = "stream"
    TOOLS = "tools"
    VISION = "vision"
    EMBED = "embed"
    IMAGE = "image"
    REASONING = "reasoning"
    JSON_OUTPUT = "json_output"
    TRANSCRIBE = "transcribe"
    SPEECH = "speech"


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


SOURCE_SYNC = "sync"  # written by a sync (YAML `models:`, the adapters' known models)
SOURCE_ADMIN = "admin"  # created through the Admin API; syncs never change it

# pydantic (YAML, DB rows) refuses unknown keys of every record, e.g. a misspelled field.
_STRICT: dict[str, str] = {"extra": "forbid"}

MAX_TOKENS = 100_000_000
MAX_SECONDS = 86_400.0
Name = Annotated[str, MaxLength(200)]
Tokens = Annotated[int, Range(0, MAX_TOKENS)]
# An exact price (a decimal string in YAML, the admin API and the database): at most
# 1,000,000 with at most 12 decimal places.
Price = Annotated[Decimal, Range(0, 1_000_000), Places(12)]
Weight = Annotated[float, Range(0, 1e9, above=True)]
Seconds = Annotated[float, Range(0, MAX_SECONDS, above=True)]
Backoff = Annotated[float, Range(0, 3_600)]
Options = Annotated[Mapping[str, str], MaxItems(32), MaxLength(1_000)]


class RoutingStrategy(StrEnum):
    """How a model with several deployments picks one for an attempt."""

    WEIGHTED = "weighted"  # weighted random
    LEAST_INFLIGHT = "least_inflight"  # fewest requests in flight
    LOWEST_LATENCY = "lowest_latency"  # lowest recent latency


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts at one deployment after a retryable failure, with exponential
    backoff and jitter (seconds); a provider's retry-after wins when the deadline
    allows it."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    max_retries: Annotated[int, Range(0, 10)] = 2
    initial_backoff: Backoff = 0.25
    max_backoff: Backoff = 8.0
    multiplier: Annotated[float, Range(1, 100)] = 2.0


@dataclass(frozen=True, slots=True)
class CooldownPolicy:
    """Circuit breaker per deployment: `failures` failed calls in a row (a success
    clears the count; a call's retries at one deployment count once) within
    `window` seconds take it out of rotation for `cooldown` seconds, after which
    one probe decides. Several failures, a short cooldown: one bad call never makes
    an outage."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    failures: Annotated[int, Range(1, 1_000)] = 5
    window: Seconds = 30.0
    cooldown: Seconds = 5.0


MAX_IMAGE_PRICES = 32
ZERO_PRICE = Decimal(0)


@dataclass(frozen=True, slots=True)
class Pricing:
    """What a model costs, in `currency` (ISO 4217) per million tokens unless named
    otherwise. A model without a Pricing has an unknown cost; a Pricing of zeros is free.

    Prompt tokens are priced at `input_per_million`, those read from the provider's
    prompt cache at `cached_input_per_million` and those written to it at
    `cache_write_per_million` (each None: the input price). Completion tokens are priced
    at `output_per_million`, the reasoning ones among them at `reasoning_per_million`
    (None: the output price). An embedding model's tokens are its prompt tokens.
    `per_image` prices a generated image by `size/quality` (`1024x1024/hd`), else by
    `size`, else `*`; `audio_per_minute` a transcription billed by duration and
    `speech_per_million_characters` synthesized speech by its input characters."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    currency: Annotated[str, MaxLength(3)] = "USD"
    input_per_million: Price = ZERO_PRICE
    output_per_million: Price = ZERO_PRICE
    cached_input_per_million: Price | None = None
    cache_write_per_million: Price | None = None
    reasoning_per_million: Price | None = None
    per_image: Annotated[Mapping[str, Price], MaxItems(MAX_IMAGE_PRICES), MaxLength(64)] = field(
        default_factory=dict
    )
    audio_per_minute: Price | None = None
    speech_per_million_characters: Price | None = None

    def image_price(self, size: str, quality: str) -> Decimal | None:
        """The price of one image of `size` and `quality` (None: not priced)."""
        prices = self.per_image
        if not prices:
            return None
        found = prices.get(f"{size}/{quality}") if quality else None
        if found is None and size:
            found = prices.get(size)
        return prices.get("*") if found is None else found


@dataclass(frozen=True, slots=True)
class TimeoutOverrides:
    """A model's own upstream timeouts in seconds; None follows the gateway's
    `default_timeouts` (resolved when resilience plans the model's attempts)."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    connect: Seconds | None = None
    first_token: Seconds | None = None
    idle: Seconds | None = None
    total: Seconds | None = None

    def resolve(self, defaults: Timeouts) -> Timeouts:
        return Timeouts(
            defaults.connect if self.connect is None else self.connect,
            defaults.first_token if self.first_token is None else self.first_token,
            defaults.idle if self.idle is None else self.idle,
            defaults.total if self.total is None else self.total,
        )


@dataclass(frozen=True, slots=True)
class Deployment:
    """One more upstream serving a model (endpoint, region, key or provider).
    `id` is unique within the model; the model's own upstream is "primary"."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    id: Annotated[str, MaxLength(64)]
    provider: Annotated[str, MaxLength(64)]
    upstream_model: Name
    adapter_class: Annotated[str, MaxLength(300)] = ""
    base_url: Annotated[str, MaxLength(2_000)] = ""
    credential_ref: Name = ""
    options: Options = field(default_factory=dict)
    weight: Weight = 1.0
    pricing: Pricing | None = None  # None: the model's prices


@dataclass(frozen=True, slots=True)
class Model:
    """One registry model: a public id and the upstreams serving it.

    `provider` .. `options` and `weight` describe its primary upstream;
    `deployments` add more upstreams for the same public id, chosen by `routing`.
    `credential_ref` is the *name* of the environment variable holding the API
    key, never the key itself. `options` carries adapter-specific settings such
    as Azure's `api_version`. `fallbacks` are model ids tried in order once this
    model's deployments are exhausted, or at once on a reason in `fallback_on`.
    `timeouts`, `retry` and `cooldown` left unset follow the gateway defaults.
    `pricing` is what a call costs (a deployment may have prices of its own).
    A virtual model (`kind`) has no upstream of its own: `virtual` says how the
    gateway serves it and `capabilities` what it promises.
    The last fields are maintained by the registry (output only)."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    id: Name
    provider: Annotated[str, MaxLength(64)] = ""  # empty for a virtual model
    upstream_model: Name = ""
    adapter_class: Annotated[str, MaxLength(300)] = ""
    base_url: Annotated[str, MaxLength(2_000)] = ""
    credential_ref: Name = ""
    display_name: Name = ""
    context_length: Tokens = 0
    max_output_tokens: Tokens = 0  # 0: unknown
    # Embedding models: the length of the vectors the model returns (0: unknown), and
    # whether a prefix keeps its meaning (Matryoshka training), so that the gateway may
    # cut a longer vector to the `dimensions` asked for and renormalise it.
    embedding_dimensions: Annotated[int, Range(0, 1_000_000)] = 0
    truncate_dimensions: bool = False
    capabilities: frozenset[Capability] = frozenset({Capability.CHAT, Capability.STREAM, Capability.TOOLS})
    pricing: Pricing | None = None  # None: unknown cost (a Pricing of zeros is free)
    fallbacks: Annotated[tuple[Name, ...], MaxItems(16)] = ()
    fallback_on: frozenset[Reason] = frozenset()
    is_available: bool = True
    timeouts: TimeoutOverrides = field(default_factory=TimeoutOverrides)
    options: Options = field(default_factory=dict)
    weight: Weight = 1.0
    deployments: Annotated[tuple[Deployment, ...], MaxItems(32)] = ()
    routing: RoutingStrategy = RoutingStrategy.WEIGHTED
    retry: RetryPolicy | None = None
    cooldown: CooldownPolicy | None = None
    kind: ModelKind = ModelKind.UPSTREAM
    description: Annotated[str, MaxLength(2_000)] = ""
    virtual: VirtualModel | None = None  # kind VIRTUAL only: how it serves (core.virtual)
    # Maintained by the registry.
    create_time: Annotated[datetime | None, OUTPUT_ONLY] = None
    update_time: Annotated[datetime | None, OUTPUT_ONLY] = None
    revision: Annotated[int, Range(0, 2**63 - 1), OUTPUT_ONLY] = 0  # of its last write; the etag
    operator_fields: Annotated[tuple[Annotated[str, MaxLength(64)], ...], MaxItems(64), OUTPUT_ONLY] = ()
    source: Annotated[str, MaxLength(16), OUTPUT_ONLY] = SOURCE_SYNC

    @property
    def etag(self) -> str:
        return str(self.revision) if self.revision else ""

    def pricing_of(self, deployment: str) -> Pricing | None:
        """The prices of one of its deployments (`primary`: the model's own)."""
        for d in self.deployments:
            if d.id == deployment and d.pricing is not None:
                return d.pricing
        return self.pricing


class ModelCatalog(Protocol):
    """Read side of the model registry; the router's only view of it.
    `revision` names the snapshot being served."""

    @property
    def revision(self) -> str: ...

    def get(self, model_id: str) -> Model | None: ...

    def list(self) -> Sequence[Model]: ...
