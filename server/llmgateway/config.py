"""Settings: environment variables (prefix LLMGATEWAY_, nesting with __) over an
optional YAML file over defaults. Provider keys are never settings: a model
names the environment variable that holds its key (`credential_ref`). The
`models:` entries are validated straight into the registry's `Model`; the
registry fills their defaults and syncs them (`registry/sources.py`)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from llmgateway.budgets.settings import BudgetSettings
from llmgateway.core.deadline import Timeouts
from llmgateway.core.fields import output_only
from llmgateway.core.limits import Limits
from llmgateway.core.models import CooldownPolicy, Model, RetryPolicy
from llmgateway.core.secrets import DEFAULT_ENV_PATTERNS, DEFAULT_SECRET_DIRS, CredentialPolicy
from llmgateway.ledger.settings import LedgerSettings

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
    "Transcribe": 120.0,
    "SynthesizeSpeech": 300.0,
    "GetSession": 10.0,
    "ListSessionMessages": 10.0,
    "DeleteSession": 10.0,
    "ListModels": 10.0,
}


class ServerSettings(BaseModel):
    address: str = "127.0.0.1:50051"
    grace_period_s: float = 10.0  # how long SIGTERM waits for in-flight calls
    # Parsing costs ~20 ms and ~50 MB per MiB of the densest protobuf (tiny submessages)
    # before any bound can be checked: 1 MiB keeps even a refused request near the loop's
    # 20 ms budget (bench/probe_bounds.py; README "Limits").
    max_request_bytes: int = Field(default=1024 * 1024, gt=0)
    # Beyond these the gateway sheds load at once (RESOURCE_EXHAUSTED / OVERLOADED with
    # RetryInfo) instead of queueing; 0 means no cap.
    max_concurrent_calls: int = Field(default=1024, ge=0)  # unary data-plane calls
    max_concurrent_streams: int = Field(default=4096, ge=0)
    overload_retry_after_s: float = Field(default=1.0, ge=0)
    max_call_duration_s: dict[str, float] = DEFAULT_MAX_CALL_DURATION_S
    reflection: bool = True
    uvloop: bool = True
    tls: TLSSettings = TLSSettings()
    # Server processes sharing the port (SO_REUSEPORT), each with its own event loop;
    # "auto": one per CPU this process may run on (llmgateway/workers.py).
    workers: Annotated[int, Field(ge=1)] | Literal["auto"] = 1
    # grpc.aio servers per process on the port (SO_REUSEPORT), one accept loop each: one
    # accepts a new call every few loop turns (README "Accept loops").
    accept_loops: int = Field(default=1, ge=1, le=16)

    def worker_count(self) -> int:
        return len(os.sched_getaffinity(0)) if self.workers == "auto" else self.workers


class UpstreamSettings(BaseModel):
    client: Literal["aiohttp", "httpx"] = "aiohttp"
    # Merge the deltas of one stream that arrive in one read (providers/streaming.py).
    coalesce_deltas: bool = True


class LoggingSettings(BaseModel):
    level: str = "INFO"
    format: Literal["json", "text"] = "json"


class TelemetrySettings(BaseModel):
    otlp_endpoint: str = ""  # e.g. http://127.0.0.1:4317; tracing is off when empty
    service_name: str = "llmgateway"


class MetricsSettings(BaseModel):
    """Prometheus metrics: `GET /metrics` on a listener of its own; off when empty."""

    address: str = ""  # e.g. 127.0.0.1:9464 (0.0.0.0:9464 in the container image); port 0 picks one

    @field_validator("address")
    @classmethod
    def _host_port(cls, value: str) -> str:
        if value:
            split_host_port(value)
        return value

    def host_port(self) -> tuple[str, int]:
        return split_host_port(self.address)


def split_host_port(address: str) -> tuple[str, int]:
    """("host", port) of "host:port" or "[v6]:port"."""
    host, sep, port = address.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{address!r} is not host:port (e.g. 127.0.0.1:9464)")
    return host, int(port)


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
    max_connections: int = Field(default=64, ge=1)  # beyond it, calls wait (timeout_s) for one
    key_prefix: str = "llmgw:"


class CacheSettings(BaseModel):
    """The response cache (llmgateway.cache). Off unless `enabled`; in Redis when
    `redis.url` is set (unless `backend: memory`), else in this process. A model opts
    out or changes its TTL with the model options `cache`, `cache_ttl_s` and
    `cache_sampled` (see llmgateway.cache.rules)."""

    enabled: bool = False
    backend: Literal["auto", "memory", "redis"] = "auto"  # auto: redis when redis.url is set
    max_bytes: int = Field(default=256 * 1024 * 1024, gt=0)  # the in-process cache, keys and values
    max_entry_bytes: int = Field(default=4 * 1024 * 1024, gt=0)  # larger answers are not stored
    ttl_s: float = Field(default=3600.0, gt=0)  # a model's TTL unless its `cache_ttl_s` option says
    max_ttl_s: float = Field(default=7 * 86400.0, gt=0)  # no model may keep answers longer
    # Cache calls that sample (temperature above 0, or unset: the provider's default
    # samples), unless the model's `cache_sampled` option says otherwise.
    sampled: bool = False
    # A hit replayed on StreamChat: characters per text / reasoning / arguments delta
    # (0: each part in one delta).
    replay_chunk_chars: int = Field(default=0, ge=0)
    # Identical calls in flight wait for the first one's answer (single flight), at most
    # this long and never past their own deadline; across replicas via a Redis lock
    # held at most `lock_ttl_s`, polled every `poll_interval_s`.
    coalesce: bool = True
    coalesce_wait_s: float = Field(default=60.0, ge=0)
    lock_ttl_s: float = Field(default=30.0, gt=0)
    poll_interval_s: float = Field(default=0.05, gt=0)


class SessionsSettings(BaseModel):
    """Virtual models and their sessions (llmgateway.sessions): the `sessions` policy,
    on unless `enabled` is off. Sessions live in Redis when `redis.url` is set (unless
    `backend: sql`), else in the registry database (SQLite or PostgreSQL)."""

    enabled: bool = True
    backend: Literal["auto", "sql", "redis"] = "auto"
    idle_ttl_s: float = Field(default=7 * 86400.0, gt=0)  # unless the model's memory.idle_timeout says
    max_session_bytes: int = Field(default=4 * 1024 * 1024, gt=0)  # stored history; oldest turns go first
    # A call on a session another call is using waits at most this long (and never past
    # its deadline) before SESSION_BUSY, polling the store every `poll_interval_s`
    # (a call of this replica that ends wakes it at once).
    busy_wait_s: float = Field(default=30.0, ge=0)
    poll_interval_s: float = Field(default=0.1, gt=0)
    max_lease_s: float = Field(default=900.0, gt=0)  # a call holds its session at most this long
    purge_interval_s: float = Field(default=300.0, gt=0)  # how often expired sessions leave the database


class AdminSettings(BaseModel):
    """The Admin API token: the *name* of an env var holding it, or a file. With an
    `address` the Admin API listens there only (not on `server.address`)."""

    token_env: str = "LLMGATEWAY_ADMIN_TOKEN"
    token_file: Path | None = None
    address: str = ""
    reflection: bool = True  # list the AdminService in server reflection


class AuthSettings(BaseModel):
    """Who may call the data plane. `mode` `required`: every call needs an API key;
    `off`: nobody is asked. Unset: off when the server listens on a loopback
    address only, required on any other. API keys are stored as HMACs under a
    server-side secret: the *name* of an env var holding it, or a file."""

    mode: Literal["required", "off"] | None = None
    key_secret_env: str = "LLMGATEWAY_KEY_SECRET"
    key_secret_file: Path | None = None

    def required_on(self, address: str) -> bool:
        return self.mode == "required" if self.mode is not None else not is_loopback(address)


def is_loopback(address: str) -> bool:
    """Whether `host:port` (or `unix:path`) can only be reached from this machine."""
    if address.startswith("unix:"):
        return True
    host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name, or a wildcard such as 0.0.0.0 / [::]


class RateLimitValues(BaseModel):
    """Limits per minute and of calls in flight; 0 means no limit."""

    requests_per_minute: int = Field(default=0, ge=0)
    tokens_per_minute: int = Field(default=0, ge=0)
    concurrent_calls: int = Field(default=0, ge=0)

    def to_limits(self) -> Limits:
        return Limits(self.requests_per_minute, self.tokens_per_minute, self.concurrent_calls)


class LimitSettings(BaseModel):
    """Rate limits besides each API key's own (which live in its registry record).
    With `redis.url` set they are counted in Redis, exactly across replicas."""

    per_address: RateLimitValues = RateLimitValues()  # each client address, for calls without a key
    per_model: dict[str, RateLimitValues] = {}  # model id or glob -> limits over every caller
    # Networks (CIDR) of proxies whose `x-forwarded-for` names the real client address.
    trusted_proxies: list[str] = []
    # Redis unreachable: admit calls unchecked (fail_open) or refuse them (fail_closed).
    failure_mode: Literal["fail_open", "fail_closed"] = "fail_open"
    # Completion tokens reserved for a call that sets no max_tokens (settled to the real usage).
    default_completion_tokens: int = Field(default=1024, ge=0)
    concurrency_retry_after_s: float = Field(default=1.0, ge=0)  # RetryInfo of a concurrency refusal


class ComponentSpec(BaseModel):
    """A policy or observer: a built-in name or a dotted path, and keyword options
    passed to its factory."""

    name: str
    options: dict[str, Any] = {}


# The built-in policies in their default order; each is skipped unless configured.
DEFAULT_POLICIES: tuple[str, ...] = ("keys", "limits", "sessions", "budgets", "cache")


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


class DiscoverySettings(BaseModel):
    """A running server whose models a registry sync adds (the `discover:` list), for
    example an Ollama host. Each model it lists becomes `<id_prefix>/<name>` (the prefix
    defaults to the provider), with the entry's endpoint, credential and options."""

    model_config = ConfigDict(extra="forbid")
    provider: str = Field(max_length=64)
    base_url: str = Field("", max_length=2_000)
    credential_ref: str = Field("", max_length=200)
    adapter_class: str = Field("", max_length=300)
    options: dict[str, str] = {}
    id_prefix: str = Field("", max_length=100)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLMGATEWAY_", env_nested_delimiter="__", extra="forbid")

    server: ServerSettings = ServerSettings()
    upstream: UpstreamSettings = UpstreamSettings()
    logging: LoggingSettings = LoggingSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
    metrics: MetricsSettings = MetricsSettings()
    default_timeouts: Timeouts = Timeouts()
    registry: RegistrySettings = RegistrySettings()
    admin: AdminSettings = AdminSettings()
    auth: AuthSettings = AuthSettings()
    limits: LimitSettings = LimitSettings()
    pipeline: PipelineSettings = PipelineSettings()
    redis: RedisSettings = RedisSettings()
    secrets: SecretsSettings = SecretsSettings()
    cache: CacheSettings = CacheSettings()
    sessions: SessionsSettings = SessionsSettings()
    budgets: BudgetSettings = BudgetSettings()
    ledger: LedgerSettings = LedgerSettings()
    default_retry: RetryPolicy = RetryPolicy()
    default_cooldown: CooldownPolicy = CooldownPolicy()
    # Serve the mock models, plus the known models of every built-in provider and vendor
    # preset whose API key variable is set in the environment.
    include_default_models: bool = True
    models: list[Model] = []
    discover: list[DiscoverySettings] = []

    @field_validator("models", mode="before")
    @classmethod
    def _writable_fields_only(cls, entries: Any) -> Any:
        maintained = set(output_only(Model))
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            given = sorted(maintained & set(entry)) if isinstance(entry, dict) else []
            if given:
                raise ValueError(f"models[{i}]: {', '.join(given)} is maintained by the registry")
        return entries

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


def read_secret(
    env_name: str, file: Path | None, setting: str, environ: Mapping[str, str] | None = None
) -> str:
    """A secret named by settings: the contents of `file` when set (it must be
    readable), else the env var `env_name`; "" when neither holds one."""
    if file is not None:
        try:
            return file.read_text().strip()
        except OSError as exc:
            raise ValueError(f"{setting}_file cannot be read: {exc.strerror}") from None
    env = os.environ if environ is None else environ
    return env.get(env_name, "").strip() if env_name else ""


# The --config file of the settings being built; the env var is the fallback.
_config_file: ContextVar[str | None] = ContextVar("llmgateway_config_file", default=None)


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    token = _config_file.set(config_file)
    try:
        return Settings(**overrides)
    finally:
        _config_file.reset(token)
