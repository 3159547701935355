"""Settings: environment variables (prefix LLMGATEWAY_, nesting with __) over an
optional YAML file over defaults. Provider keys are never settings: a model
names the environment variable that holds its key (`credential_ref`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from llmgateway.core.deadline import Timeouts
from llmgateway.core.models import (
    Capability,
    CooldownPolicy,
    Deployment,
    ModelConfig,
    ModelSpec,
    Pricing,
    RetryPolicy,
    RoutingStrategy,
)
from llmgateway.core.ports import ProviderAdapter
from llmgateway.core.router import load_adapter_class
from llmgateway.core.secrets import (
    DEFAULT_ENV_PATTERNS,
    DEFAULT_SECRET_DIRS,
    CredentialPolicy,
    default_credential,
)
from llmgateway.providers.builtin import ADAPTERS, BUILTIN_ADAPTERS
from llmgateway.providers.presets import PRESETS, Preset, with_preset

CONFIG_FILE_ENV = "LLMGATEWAY_CONFIG_FILE"


class TLSSettings(BaseModel):
    cert_file: Path | None = None
    key_file: Path | None = None
    client_ca_file: Path | None = None  # set to require client certificates (mTLS)


# Server-side bound on a call whose caller set no deadline (the bundled client
# service config's per-method deadlines).
DEFAULT_MAX_CALL_DURATION_S = {
    "Chat": 120.0,
    "StreamChat": 600.0,
    "Embed": 30.0,
    "GenerateImage": 120.0,
    "ListModels": 10.0,
}


class ServerSettings(BaseModel):
    address: str = "127.0.0.1:50051"
    grace_period_s: float = 10.0  # how long SIGTERM waits for in-flight calls
    max_request_bytes: int = 16 * 1024 * 1024
    # Beyond these the gateway sheds load at once (RESOURCE_EXHAUSTED / OVERLOADED with
    # RetryInfo) instead of queueing; 0 means no cap.
    max_concurrent_calls: int = Field(default=1024, ge=0)  # unary data-plane calls
    max_concurrent_streams: int = Field(default=4096, ge=0)
    overload_retry_after_s: float = Field(default=1.0, ge=0)
    max_call_duration_s: dict[str, float] = DEFAULT_MAX_CALL_DURATION_S
    reflection: bool = True
    uvloop: bool = True
    tls: TLSSettings = TLSSettings()


class UpstreamSettings(BaseModel):
    client: Literal["aiohttp", "httpx"] = "aiohttp"


class LoggingSettings(BaseModel):
    level: str = "INFO"
    format: Literal["json", "text"] = "json"


class TelemetrySettings(BaseModel):
    otlp_endpoint: str = ""  # e.g. http://127.0.0.1:4317; tracing is off when empty
    service_name: str = "llmgateway"


class RegistrySettings(BaseModel):
    """The model registry database (see llmgateway.registry)."""

    # SQLAlchemy URL: sqlite:///path/registry.db or postgresql://user@host/db. Empty: a SQLite
    # file at $XDG_DATA_HOME/llmgateway/registry.db (~/.local/share/llmgateway/registry.db).
    database_url: str = ""
    refresh_interval_s: float = Field(default=2.0, gt=0)  # how often replicas poll for others' writes
    # How often a refresh also checks that the database still takes writes (read-only
    # files, filesystems or servers are otherwise noticed only by the next admin write).
    write_check_interval_s: float = Field(default=30.0, gt=0)
    auto_migrate: bool = True  # upgrade the schema on start (else refuse an old one)
    sync_on_start: bool = True  # add/refresh the adapters' and `models:` entries on start


class RedisSettings(BaseModel):
    """The Redis that replicas share (limits, budgets, cache, sessions). Empty `url`:
    every slice keeps its state in this process."""

    url: str = ""  # redis://host:6379/0 (rediss:// for TLS)
    timeout_s: float = Field(default=0.25, gt=0)  # per command: a call never waits longer
    key_prefix: str = "llmgw:"


class AdminSettings(BaseModel):
    """The Admin API token: the *name* of an env var holding it, or a file. With an
    `address` the Admin API listens there only (not on `server.address`)."""

    token_env: str = "LLMGATEWAY_ADMIN_TOKEN"
    token_file: Path | None = None
    address: str = ""
    reflection: bool = True  # list the AdminService in server reflection


class ComponentSpec(BaseModel):
    """A policy or observer: a built-in name or a dotted path, and keyword options
    passed to its factory."""

    name: str
    options: dict[str, Any] = {}


# The built-in policies in their default order; each is skipped unless configured.
DEFAULT_POLICIES: tuple[str, ...] = ()


class PipelineSettings(BaseModel):
    """The policy pipeline. `policies` run in this order (built-ins by name, unused
    ones are skipped); `observers` are added to the built-in ones (logs, and metrics
    and tracing when configured)."""

    policies: list[str | ComponentSpec] = list(DEFAULT_POLICIES)
    observers: list[str | ComponentSpec] = []

    @staticmethod
    def specs(entries: list[str | ComponentSpec]) -> list[tuple[str, dict[str, Any]]]:
        return [(e, {}) if isinstance(e, str) else (e.name, e.options) for e in entries]


class SecretsSettings(BaseModel):
    """Which credential references models may name: environment variables whose
    names match `allowed_env` (shell patterns), and `file:` secrets under
    `allowed_dirs`. The gateway's own secrets (every LLMGATEWAY_* variable, the
    admin token's variable and file) are never allowed."""

    allowed_env: list[str] = list(DEFAULT_ENV_PATTERNS)
    allowed_dirs: list[str] = list(DEFAULT_SECRET_DIRS)

    @field_validator("allowed_dirs")
    @classmethod
    def _absolute(cls, dirs: list[str]) -> list[str]:
        for d in dirs:
            if not d.startswith("/"):
                raise ValueError(f"secret directories must be absolute paths: {d!r}")
        return dirs


class TimeoutSettings(BaseModel):
    connect_s: float = 10.0
    first_token_s: float = 60.0
    idle_s: float = 60.0
    total_s: float = 600.0

    def to_timeouts(self) -> Timeouts:
        return Timeouts(self.connect_s, self.first_token_s, self.idle_s, self.total_s)


class DeploymentSettings(BaseModel):
    """One more upstream for a model (`models[].deployments`)."""

    id: str
    provider: str
    upstream_model: str
    adapter_class: str = ""
    base_url: str = ""
    credential_ref: str = ""
    options: dict[str, str] = {}
    weight: float = Field(1.0, gt=0)


class ModelSettings(BaseModel):
    """One model entry of the YAML `models:` list."""

    id: str
    provider: str
    upstream_model: str
    adapter_class: str = ""  # defaults to the built-in adapter of `provider`
    base_url: str = ""  # defaults to the adapter's public endpoint
    # Name of the env var holding the key (or file:/path). Empty: the adapter's default
    # variable when the model uses the provider's default endpoint, else no key.
    credential_ref: str = ""
    capabilities: list[Capability] = [Capability.CHAT, Capability.STREAM, Capability.TOOLS]
    display_name: str = ""
    context_length: int = 0
    enabled: bool = True
    timeouts: TimeoutSettings | None = None
    options: dict[str, str] = {}
    weight: float = Field(1.0, gt=0)  # of the primary upstream among `deployments`
    deployments: list[DeploymentSettings] = []
    routing: RoutingStrategy = RoutingStrategy.WEIGHTED
    fallbacks: list[str] = []
    fallback_on: list[str] = []  # e.g. [CONTEXT_LENGTH_EXCEEDED, CONTENT_POLICY_VIOLATION]
    retry: RetryPolicy | None = None
    cooldown: CooldownPolicy | None = None
    pricing: Pricing = Pricing()

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not value or value != value.strip() or " " in value:
            raise ValueError("model id must be non-empty and contain no spaces")
        return value


class DiscoverySettings(BaseModel):
    """A running server whose models a registry sync adds (the `discover:` list), for
    example an Ollama host. Each model it lists becomes `<id_prefix>/<name>` (the prefix
    defaults to the provider), with the entry's endpoint, credential and options."""

    provider: str
    base_url: str = ""
    credential_ref: str = ""
    adapter_class: str = ""
    options: dict[str, str] = {}
    id_prefix: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLMGATEWAY_", env_nested_delimiter="__", extra="forbid")

    server: ServerSettings = ServerSettings()
    upstream: UpstreamSettings = UpstreamSettings()
    logging: LoggingSettings = LoggingSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
    default_timeouts: TimeoutSettings = TimeoutSettings()
    registry: RegistrySettings = RegistrySettings()
    admin: AdminSettings = AdminSettings()
    pipeline: PipelineSettings = PipelineSettings()
    redis: RedisSettings = RedisSettings()
    secrets: SecretsSettings = SecretsSettings()
    default_retry: RetryPolicy = RetryPolicy()
    default_cooldown: CooldownPolicy = CooldownPolicy()
    # Serve the mock models, plus the known models of every built-in provider and vendor
    # preset whose API key variable is set in the environment.
    include_default_models: bool = True
    models: list[ModelSettings] = []
    discover: list[DiscoverySettings] = []

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _config_file.get() or os.environ.get(CONFIG_FILE_ENV)
        if config_file:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=config_file))
        return tuple(sources)

    def credential_policy(self) -> CredentialPolicy:
        admin = self.admin
        return CredentialPolicy(
            env_patterns=tuple(self.secrets.allowed_env),
            secret_dirs=tuple(self.secrets.allowed_dirs),
            reserved_env=frozenset({admin.token_env} if admin.token_env else ()),
            reserved_files=frozenset({str(admin.token_file.absolute())} if admin.token_file else ()),
        )

    def model_configs(
        self, environ: dict[str, str] | None = None, discovered: Sequence[ModelSettings] = ()
    ) -> list[ModelConfig]:
        """The configured models, then the `discovered` ones and the defaults whose ids
        are not taken."""
        env = dict(os.environ) if environ is None else environ
        defaults = self.default_timeouts.to_timeouts()
        configs = [_to_config(m, defaults) for m in self.models]
        listed = {m.id for m in self.models}
        configs += [_to_config(m, defaults) for m in discovered if m.id not in listed]
        if self.include_default_models:
            taken = {c.id for c in configs}
            configs += [c for c in default_models(env, defaults) if c.id not in taken]
        return configs


def _to_deployment(model_id: str, d: ModelSettings | DeploymentSettings, deployment_id: str) -> Deployment:
    """Resolves the adapter class, the endpoint and the credential default of one upstream
    (a vendor preset's, else the adapter's): a default key variable goes with its default
    endpoint only."""
    adapter_class, base_url, credential_ref, options = with_preset(
        d.provider, d.adapter_class, d.base_url, d.credential_ref, d.options
    )
    adapter_class = adapter_class or BUILTIN_ADAPTERS.get(d.provider, "")
    if not adapter_class:
        raise ValueError(
            f"model {model_id!r}: provider {d.provider!r} has no built-in adapter; set adapter_class "
            f"(built-in providers: {', '.join(sorted(BUILTIN_ADAPTERS))})"
        )
    cls = _adapter_class_or_none(adapter_class)
    if cls is not None and not base_url and not cls.default_base_url:
        raise ValueError(f"model {model_id!r}: provider {d.provider!r} has no public endpoint; set base_url")
    return Deployment(
        id=deployment_id,
        provider=d.provider,
        upstream_model=d.upstream_model,
        adapter_class=adapter_class,
        base_url=base_url,
        credential_ref=credential_ref
        or (default_credential(cls.default_credential_env, cls.default_base_url, base_url) if cls else ""),
        options=options,
        weight=d.weight,
    )


def deployment_config(model_id: str, entry: DiscoverySettings) -> ModelConfig:
    """The upstream a `discover:` entry names, resolved like a model's (presets, defaults)."""
    fields = entry.model_dump(exclude={"id_prefix"})
    return _to_config(ModelSettings(id=model_id, upstream_model="", **fields), Timeouts())


def _to_config(m: ModelSettings, default_timeouts: Timeouts) -> ModelConfig:
    primary = _to_deployment(m.id, m, "primary")
    extra = tuple(_to_deployment(m.id, d, d.id) for d in m.deployments)
    ids = [primary.id, *(d.id for d in extra)]
    if len(set(ids)) != len(ids):
        raise ValueError(f"model {m.id!r}: deployment ids must be unique (and not 'primary'): {ids}")
    return ModelConfig(
        id=m.id,
        provider=primary.provider,
        upstream_model=primary.upstream_model,
        adapter_class=primary.adapter_class,
        base_url=primary.base_url,
        credential_ref=primary.credential_ref,
        capabilities=frozenset(m.capabilities),
        display_name=m.display_name or m.id,
        context_length=m.context_length,
        enabled=m.enabled,
        timeouts=m.timeouts.to_timeouts() if m.timeouts else default_timeouts,
        options=primary.options,
        weight=m.weight,
        extra_deployments=extra,
        routing=m.routing,
        fallbacks=tuple(m.fallbacks),
        fallback_on=frozenset(m.fallback_on),
        retry=m.retry,
        cooldown=m.cooldown,
        pricing=m.pricing,
    )


def _adapter_class_or_none(adapter_class: str) -> type[ProviderAdapter] | None:
    try:
        return load_adapter_class(adapter_class)
    except (ImportError, AttributeError):
        return None  # the router reports the broken adapter when the model is used


def default_models(environ: dict[str, str], timeouts: Timeouts) -> list[ModelConfig]:
    """Mock models always; the known models of a built-in adapter or a vendor preset
    when its key is set."""
    models: list[ModelConfig] = []

    def add(
        provider: str, adapter_class: str, env_name: str, specs: list[ModelSpec], preset: Preset | None
    ) -> None:
        if env_name and not environ.get(env_name):
            return
        for spec in specs:
            models.append(
                ModelConfig(
                    id=f"{provider}/{spec.upstream_model}",
                    provider=provider,
                    upstream_model=spec.upstream_model,
                    adapter_class=adapter_class,
                    base_url=preset.base_url if preset else "",
                    credential_ref=env_name,
                    capabilities=spec.capabilities,
                    display_name=spec.display_name or spec.upstream_model,
                    context_length=spec.context_length,
                    timeouts=timeouts,
                    options=dict(preset.options) if preset else {},
                )
            )

    for provider, adapter_class in ADAPTERS.items():
        try:
            cls: Any = load_adapter_class(adapter_class)
        except (ImportError, AttributeError):
            continue
        add(provider, adapter_class, cls.default_credential_env, cls.supported_models(), None)
    for provider, preset in PRESETS.items():
        add(provider, preset.adapter_class, preset.credential_env, list(preset.models), preset)
    return models


# The --config file of the settings being built; the env var is the fallback.
_config_file: ContextVar[str | None] = ContextVar("llmgateway_config_file", default=None)


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    token = _config_file.set(config_file)
    try:
        return Settings(**overrides)
    finally:
        _config_file.reset(token)
