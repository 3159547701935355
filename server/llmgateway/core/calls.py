"""The record of one call, built once by the edge and read by policies and observers."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from llmgateway.core.cost import ZERO, Cost, usage_cost
from llmgateway.core.errors import GatewayError
from llmgateway.core.limits import NO_LIMITS, Limits
from llmgateway.core.models import Pricing
from llmgateway.core.patterns import EVERY_MODEL, ModelGrant, PatternMap
from llmgateway.core.types import Served, Usage

# `Call.method` of the management plane: "Admin/CreateModel"; the data plane's is bare.
ADMIN_METHOD_PREFIX = "Admin/"
# A response header or trailer a policy adds. Its value may be bytes, which grpc sends
# as they are (a str it encodes on every call).
Header = tuple[str, str | bytes]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the API key the edge authenticated (absent when auth is off).
    Built once per registry snapshot and shared by that key's calls."""

    key_id: str  # the key's short public id, never its secret
    name: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)  # owner, team, ...
    models: ModelGrant = EVERY_MODEL  # the models the key may use
    limits: Limits = NO_LIMITS  # the key's own rate limits, over every model
    model_limits: PatternMap[Limits] = field(default_factory=PatternMap)  # per model, for this key
    # Whether the key reads (and writes) the response cache shared by such keys; else
    # its answers live in a cache namespace of its own.
    shared_cache: bool = False


class CacheMode(StrEnum):
    """How a call uses the response cache (the contract's CacheMode)."""

    DEFAULT = "default"  # read, and store a complete answer
    BYPASS = "bypass"  # neither read nor store
    REFRESH = "refresh"  # do not read; store the fresh answer
    ONLY = "only"  # answer from the cache or fail with CACHE_MISS


class CacheStatus(StrEnum):
    """What the response cache did for a call (the contract's CacheStatus)."""

    HIT = "hit"  # answered from the cache
    COALESCED = "coalesced"  # answered by an identical call in flight
    MISS = "miss"  # the upstream answered; stored when complete
    REFRESH = "refresh"  # not read; the upstream answered; stored when complete
    BYPASS = "bypass"  # not used for this call


@dataclass(slots=True)
class CacheUse:
    """The response cache on one call: what the caller asked (`mode`, `ttl_s`), what
    the cache did (`status`, `age_s`) and how a hit replays as a stream."""

    mode: CacheMode = CacheMode.DEFAULT
    ttl_s: float | None = None  # the caller's TTL for what this call stores
    status: CacheStatus | None = None  # None: no cache looked at the call
    age_s: float = 0.0  # how old the cached answer is (hits)
    replay_chunk_chars: int = 0  # a hit replayed as a stream: characters per delta (0: one per part)

    @property
    def answered(self) -> bool:
        """The cache answered: no upstream call was made for this call, so it costs nothing."""
        return self.status is CacheStatus.HIT or self.status is CacheStatus.COALESCED


@dataclass(slots=True)
class VirtualRoute:
    """A call to a virtual model: the id the caller named, the target its routing
    picked and the rule that picked it ("" when none matched: the default target),
    whether responses may name what served, and the call's session ("" without memory)."""

    virtual_model: str
    target: str
    rule: str = ""
    show_served: bool = False
    session_id: str = ""


NO_TAGS: Mapping[str, str] = MappingProxyType({})
FREE = Cost(ZERO)  # what a call the cache answered costs


@dataclass(slots=True)
class Call:
    """What is known about one RPC. The edge fills the caller's side (method, request
    id, deadline, client address) and, at the end, `status`/`error`; the core fills
    what served it (`model` once resolved, `served` on success, `usage`, `attempts`)."""

    method: str  # the RPC name, e.g. "Chat" or "Admin/CreateModel"
    request_id: str
    deadline: float | None = None  # absolute time.monotonic() by which the call must end
    client: str = ""  # the caller's address as gRPC reports it (ipv4:127.0.0.1:5555)
    principal: Principal | None = None  # set by the edge's authentication
    registry_revision: str = ""  # the registry snapshot that served the call
    started: float = field(default_factory=time.perf_counter)
    model: str = ""  # the registry id of the requested model, once resolved ("" before)
    served: Served | None = None  # who answered (set when an answer starts)
    attempts: int = 0  # upstream attempts made, retries and fallbacks included
    first_event_at: float | None = None  # perf_counter of the first answer event
    usage: Usage | None = None
    pricing: Pricing | None = None  # of the deployment that served the call
    events: int = 0  # stream events sent after the start event
    fold: bool = False  # a policy asked (at admit) to see this stream's folded answer
    status: str = ""  # at the end: "OK", a gRPC code name, or "CANCELLED"
    error: GatewayError | None = None  # what a failed call answered
    target: str = ""  # what an admin call acts on (a model id), for the audit line
    cache: CacheUse | None = None  # the response cache's part in the call (None: not involved)
    tags: Mapping[str, str] = field(default_factory=lambda: NO_TAGS)  # the caller's tags of the call
    route: VirtualRoute | None = None  # set when the caller named a virtual model
    # The request as the caller sent it (the edge's bytes), while no policy has rewritten
    # it (the pipeline empties it then): byte-identical requests share work (cache keys).
    wire_request: bytes = b""
    # Response metadata policies add (rate-limit headers, cost): headers of a stream,
    # trailers of a unary call.
    response_metadata: list[Header] = field(default_factory=list)
    # `cost` of the (usage, pricing) it was computed from: readers share one computation.
    _priced: tuple[Usage, Pricing | None, Cost | None] | None = field(default=None, init=False, repr=False)

    @property
    def cost(self) -> Cost | None:
        """What the call costs so far: its usage at the prices of the deployment that
        served it; zero when the cache answered; None when unknown (no usage, no price).
        Computed once per usage and pricing (a usage is replaced, never changed)."""
        if self.cache is not None and self.cache.answered:
            return FREE
        usage = self.usage
        if usage is None:
            return None
        priced = self._priced
        if priced is not None and priced[0] is usage and priced[1] is self.pricing:
            return priced[2]
        cost = usage_cost(self.pricing, usage)
        self._priced = (usage, self.pricing, cost)
        return cost

    @property
    def saved(self) -> Cost | None:
        """What a call the cache answered would have cost: its usage at the prices of the
        deployment that first served the answer (None for other calls, or unknown)."""
        if self.cache is None or not self.cache.answered or self.usage is None:
            return None
        return usage_cost(self.pricing, self.usage)

    @property
    def ttft_ms(self) -> float | None:
        at = self.first_event_at
        return None if at is None else (at - self.started) * 1000.0

    @property
    def latency_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One try at one deployment, as observers see it when it ends."""

    operation: str  # chat, stream_chat, embed, generate_image
    number: int  # 1-based within the call
    model: str  # registry id (a fallback's when one was tried)
    deployment: str
    provider: str
    upstream_model: str
    outcome: str  # "OK", an ErrorInfo reason, or "CANCELLED"
    duration_s: float
    wait_s: float  # backoff slept before it
    usage: Usage | None = None
    response_id: str = ""


def client_ip(peer: str) -> str:
    """The address of a gRPC peer string: `ipv4:1.2.3.4:5555` -> `1.2.3.4`,
    `ipv6:[::1]:5555` -> `::1`; other forms (unix sockets) as they are."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv6" and rest.startswith("["):
        return rest[1 : rest.find("]")]
    if kind == "ipv4":
        return rest.rsplit(":", 1)[0] if rest.count(":") == 1 else rest
    return peer
