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


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """One routable model.

    `credential_ref` is the *name* of the environment variable holding the API
    key, never the key itself. `options` carries adapter-specific settings such
    as Azure's `api_version`.
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


class ModelCatalog(Protocol):
    """Read side of the model registry; the router's only view of it."""

    def get(self, model_id: str) -> ModelConfig | None: ...

    def list(self) -> Sequence[ModelConfig]: ...


class StaticCatalog:
    """A fixed set of models (from configuration), kept in a dict for O(1) lookups."""

    def __init__(self, models: Sequence[ModelConfig]) -> None:
        self._by_id = {m.id: m for m in models}
        self._sorted = sorted(models, key=lambda m: m.id)

    def get(self, model_id: str) -> ModelConfig | None:
        return self._by_id.get(model_id)

    def list(self) -> Sequence[ModelConfig]:
        return self._sorted
