"""What a virtual model is: a public model id behind which the gateway adds a system
prompt, default generation parameters and the conversation so far, and picks the real
model by rules. Records of the one model shape (`core.models.Model.virtual`): field
names are the admin proto's and bounds ride on the types, like every model field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, ClassVar

from llmgateway.core.fields import MaxItems, MaxLength, Range

_STRICT: dict[str, str] = {"extra": "forbid"}
MAX_TOKENS = 100_000_000
DEFAULT_MAX_MESSAGES = 200
MAX_PATTERN_CHARS = 512
MAX_PROMPT_CHARS = 32_000
Tokens = Annotated[int, Range(0, MAX_TOKENS)]
Count = Annotated[int, Range(0, 100_000)]
Matches = Annotated[Mapping[str, str], MaxItems(16), MaxLength(256)]


class ModelKind(StrEnum):
    UPSTREAM = "upstream"  # a provider's model, served by its deployments
    VIRTUAL = "virtual"  # served by the gateway through `Model.virtual`


class ReasoningEffort(StrEnum):
    MINIMAL = "minimal"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class GenerationField(StrEnum):
    """A field of the request's GenerationConfig that GenerationDefaults can set."""

    MAX_TOKENS = "max_tokens"
    TEMPERATURE = "temperature"
    TOP_P = "top_p"
    TOP_K = "top_k"
    SEED = "seed"
    PRESENCE_PENALTY = "presence_penalty"
    FREQUENCY_PENALTY = "frequency_penalty"
    REASONING_EFFORT = "reasoning_effort"
    REASONING_BUDGET_TOKENS = "reasoning_budget_tokens"


@dataclass(frozen=True, slots=True)
class GenerationDefaults:
    """A set value applies when the caller sends none; a `locked` field always takes
    the value here (none when it is unset here), whatever the caller sends."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    max_tokens: Annotated[int, Range(1, MAX_TOKENS)] | None = None
    temperature: Annotated[float, Range(0, 2)] | None = None
    top_p: Annotated[float, Range(0, 1)] | None = None
    top_k: Annotated[int, Range(1, 1_000_000)] | None = None
    seed: Annotated[int, Range(-(2**63), 2**63 - 1)] | None = None
    presence_penalty: Annotated[float, Range(-2, 2)] | None = None
    frequency_penalty: Annotated[float, Range(-2, 2)] | None = None
    reasoning_effort: ReasoningEffort | None = None
    reasoning_budget_tokens: Annotated[int, Range(1024, MAX_TOKENS)] | None = None
    locked: frozenset[GenerationField] = frozenset()


@dataclass(frozen=True, slots=True)
class Memory:
    """Whether calls keep a conversation and how much of it is sent (see
    `sessions.history`); `idle_timeout` None follows the gateway's setting."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    enabled: bool = False
    max_messages: Annotated[int, Range(1, 10_000)] = DEFAULT_MAX_MESSAGES
    max_history_tokens: Tokens = 0  # 0: the target's context length bounds it
    idle_timeout: Annotated[float, Range(0, 365 * 86_400, above=True)] | None = None


@dataclass(frozen=True, slots=True)
class RouteTarget:
    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    model: Annotated[str, MaxLength(200)]
    weight: Annotated[float, Range(0, 1e9, above=True)] = 1.0


@dataclass(frozen=True, slots=True)
class RoutingRule:
    """Matches when every condition it sets holds; 0, empty and None set nothing."""

    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    name: Annotated[str, MaxLength(64)]
    any_words: Annotated[tuple[Annotated[str, MaxLength(64)], ...], MaxItems(64)] = ()
    pattern: Annotated[str, MaxLength(MAX_PATTERN_CHARS)] = ""  # RE2 syntax
    min_estimated_tokens: Tokens = 0
    max_estimated_tokens: Tokens = 0
    min_messages: Count = 0
    max_messages: Count = 0
    tags: Matches = field(default_factory=dict)
    labels: Matches = field(default_factory=dict)
    has_images: bool | None = None
    has_tools: bool | None = None
    targets: Annotated[tuple[RouteTarget, ...], MaxItems(16)] = ()


@dataclass(frozen=True, slots=True)
class VirtualModel:
    __pydantic_config__: ClassVar[dict[str, str]] = _STRICT
    system_prompt: Annotated[str, MaxLength(MAX_PROMPT_CHARS)] = ""
    defaults: GenerationDefaults = field(default_factory=GenerationDefaults)
    memory: Memory = field(default_factory=Memory)
    rules: Annotated[tuple[RoutingRule, ...], MaxItems(64)] = ()
    default_target: Annotated[str, MaxLength(200)] = ""
    show_served: bool = False

    def targets(self) -> list[str]:
        """Every model it may send a call to: the rules' targets, then the default."""
        found = [t.model for rule in self.rules for t in rule.targets]
        return [*found, self.default_target] if self.default_target else found
