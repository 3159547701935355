import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from llmgateway.v1 import chat_pb2 as _chat_pb2
from llmgateway.v1 import error_reason_pb2 as _error_reason_pb2
from llmgateway.v1 import model_pb2 as _model_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GenerationField(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENERATION_FIELD_UNSPECIFIED: _ClassVar[GenerationField]
    GENERATION_FIELD_MAX_TOKENS: _ClassVar[GenerationField]
    GENERATION_FIELD_TEMPERATURE: _ClassVar[GenerationField]
    GENERATION_FIELD_TOP_P: _ClassVar[GenerationField]
    GENERATION_FIELD_TOP_K: _ClassVar[GenerationField]
    GENERATION_FIELD_SEED: _ClassVar[GenerationField]
    GENERATION_FIELD_PRESENCE_PENALTY: _ClassVar[GenerationField]
    GENERATION_FIELD_FREQUENCY_PENALTY: _ClassVar[GenerationField]
    GENERATION_FIELD_REASONING_EFFORT: _ClassVar[GenerationField]
    GENERATION_FIELD_REASONING_BUDGET_TOKENS: _ClassVar[GenerationField]

class RoutingStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROUTING_STRATEGY_UNSPECIFIED: _ClassVar[RoutingStrategy]
    ROUTING_STRATEGY_WEIGHTED: _ClassVar[RoutingStrategy]
    ROUTING_STRATEGY_LEAST_INFLIGHT: _ClassVar[RoutingStrategy]
    ROUTING_STRATEGY_LOWEST_LATENCY: _ClassVar[RoutingStrategy]
GENERATION_FIELD_UNSPECIFIED: GenerationField
GENERATION_FIELD_MAX_TOKENS: GenerationField
GENERATION_FIELD_TEMPERATURE: GenerationField
GENERATION_FIELD_TOP_P: GenerationField
GENERATION_FIELD_TOP_K: GenerationField
GENERATION_FIELD_SEED: GenerationField
GENERATION_FIELD_PRESENCE_PENALTY: GenerationField
GENERATION_FIELD_FREQUENCY_PENALTY: GenerationField
GENERATION_FIELD_REASONING_EFFORT: GenerationField
GENERATION_FIELD_REASONING_BUDGET_TOKENS: GenerationField
ROUTING_STRATEGY_UNSPECIFIED: RoutingStrategy
ROUTING_STRATEGY_WEIGHTED: RoutingStrategy
ROUTING_STRATEGY_LEAST_INFLIGHT: RoutingStrategy
ROUTING_STRATEGY_LOWEST_LATENCY: RoutingStrategy

class Model(_message.Message):
    __slots__ = ("id", "provider", "upstream_model", "adapter_class", "base_url", "credential_ref", "display_name", "context_length", "max_output_tokens", "embedding_dimensions", "truncate_dimensions", "capabilities", "pricing", "fallbacks", "fallback_on", "is_available", "timeouts", "options", "weight", "deployments", "routing", "retry", "cooldown", "create_time", "update_time", "etag", "operator_fields", "source", "kind", "description", "virtual")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_MODEL_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_CLASS_FIELD_NUMBER: _ClassVar[int]
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_REF_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    TRUNCATE_DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    PRICING_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_ON_FIELD_NUMBER: _ClassVar[int]
    IS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    TIMEOUTS_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    ROUTING_FIELD_NUMBER: _ClassVar[int]
    RETRY_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELDS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VIRTUAL_FIELD_NUMBER: _ClassVar[int]
    id: str
    provider: str
    upstream_model: str
    adapter_class: str
    base_url: str
    credential_ref: str
    display_name: str
    context_length: int
    max_output_tokens: int
    embedding_dimensions: int
    truncate_dimensions: bool
    capabilities: _containers.RepeatedScalarFieldContainer[_model_pb2.Capability]
    pricing: Pricing
    fallbacks: _containers.RepeatedScalarFieldContainer[str]
    fallback_on: _containers.RepeatedScalarFieldContainer[_error_reason_pb2.ErrorReason]
    is_available: bool
    timeouts: Timeouts
    options: _containers.ScalarMap[str, str]
    weight: float
    deployments: _containers.RepeatedCompositeFieldContainer[Deployment]
    routing: RoutingStrategy
    retry: RetryPolicy
    cooldown: CooldownPolicy
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    etag: str
    operator_fields: _containers.RepeatedScalarFieldContainer[str]
    source: str
    kind: _model_pb2.ModelKind
    description: str
    virtual: VirtualModel
    def __init__(self, id: _Optional[str] = ..., provider: _Optional[str] = ..., upstream_model: _Optional[str] = ..., adapter_class: _Optional[str] = ..., base_url: _Optional[str] = ..., credential_ref: _Optional[str] = ..., display_name: _Optional[str] = ..., context_length: _Optional[int] = ..., max_output_tokens: _Optional[int] = ..., embedding_dimensions: _Optional[int] = ..., truncate_dimensions: _Optional[bool] = ..., capabilities: _Optional[_Iterable[_Union[_model_pb2.Capability, str]]] = ..., pricing: _Optional[_Union[Pricing, _Mapping]] = ..., fallbacks: _Optional[_Iterable[str]] = ..., fallback_on: _Optional[_Iterable[_Union[_error_reason_pb2.ErrorReason, str]]] = ..., is_available: _Optional[bool] = ..., timeouts: _Optional[_Union[Timeouts, _Mapping]] = ..., options: _Optional[_Mapping[str, str]] = ..., weight: _Optional[float] = ..., deployments: _Optional[_Iterable[_Union[Deployment, _Mapping]]] = ..., routing: _Optional[_Union[RoutingStrategy, str]] = ..., retry: _Optional[_Union[RetryPolicy, _Mapping]] = ..., cooldown: _Optional[_Union[CooldownPolicy, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ..., operator_fields: _Optional[_Iterable[str]] = ..., source: _Optional[str] = ..., kind: _Optional[_Union[_model_pb2.ModelKind, str]] = ..., description: _Optional[str] = ..., virtual: _Optional[_Union[VirtualModel, _Mapping]] = ...) -> None: ...

class VirtualModel(_message.Message):
    __slots__ = ("system_prompt", "defaults", "memory", "rules", "default_target", "show_served")
    SYSTEM_PROMPT_FIELD_NUMBER: _ClassVar[int]
    DEFAULTS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TARGET_FIELD_NUMBER: _ClassVar[int]
    SHOW_SERVED_FIELD_NUMBER: _ClassVar[int]
    system_prompt: str
    defaults: GenerationDefaults
    memory: Memory
    rules: _containers.RepeatedCompositeFieldContainer[RoutingRule]
    default_target: str
    show_served: bool
    def __init__(self, system_prompt: _Optional[str] = ..., defaults: _Optional[_Union[GenerationDefaults, _Mapping]] = ..., memory: _Optional[_Union[Memory, _Mapping]] = ..., rules: _Optional[_Iterable[_Union[RoutingRule, _Mapping]]] = ..., default_target: _Optional[str] = ..., show_served: _Optional[bool] = ...) -> None: ...

class GenerationDefaults(_message.Message):
    __slots__ = ("max_tokens", "temperature", "top_p", "top_k", "seed", "presence_penalty", "frequency_penalty", "reasoning_effort", "reasoning_budget_tokens", "locked")
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    PRESENCE_PENALTY_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_PENALTY_FIELD_NUMBER: _ClassVar[int]
    REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    REASONING_BUDGET_TOKENS_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    seed: int
    presence_penalty: float
    frequency_penalty: float
    reasoning_effort: _chat_pb2.ReasoningEffort
    reasoning_budget_tokens: int
    locked: _containers.RepeatedScalarFieldContainer[GenerationField]
    def __init__(self, max_tokens: _Optional[int] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., top_k: _Optional[int] = ..., seed: _Optional[int] = ..., presence_penalty: _Optional[float] = ..., frequency_penalty: _Optional[float] = ..., reasoning_effort: _Optional[_Union[_chat_pb2.ReasoningEffort, str]] = ..., reasoning_budget_tokens: _Optional[int] = ..., locked: _Optional[_Iterable[_Union[GenerationField, str]]] = ...) -> None: ...

class Memory(_message.Message):
    __slots__ = ("enabled", "max_messages", "max_history_tokens", "idle_timeout")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MAX_HISTORY_TOKENS_FIELD_NUMBER: _ClassVar[int]
    IDLE_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    max_messages: int
    max_history_tokens: int
    idle_timeout: _duration_pb2.Duration
    def __init__(self, enabled: _Optional[bool] = ..., max_messages: _Optional[int] = ..., max_history_tokens: _Optional[int] = ..., idle_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RoutingRule(_message.Message):
    __slots__ = ("name", "any_words", "pattern", "min_estimated_tokens", "max_estimated_tokens", "min_messages", "max_messages", "tags", "labels", "has_images", "has_tools", "targets")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    ANY_WORDS_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    MIN_ESTIMATED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MAX_ESTIMATED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MIN_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    HAS_IMAGES_FIELD_NUMBER: _ClassVar[int]
    HAS_TOOLS_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    name: str
    any_words: _containers.RepeatedScalarFieldContainer[str]
    pattern: str
    min_estimated_tokens: int
    max_estimated_tokens: int
    min_messages: int
    max_messages: int
    tags: _containers.ScalarMap[str, str]
    labels: _containers.ScalarMap[str, str]
    has_images: bool
    has_tools: bool
    targets: _containers.RepeatedCompositeFieldContainer[RouteTarget]
    def __init__(self, name: _Optional[str] = ..., any_words: _Optional[_Iterable[str]] = ..., pattern: _Optional[str] = ..., min_estimated_tokens: _Optional[int] = ..., max_estimated_tokens: _Optional[int] = ..., min_messages: _Optional[int] = ..., max_messages: _Optional[int] = ..., tags: _Optional[_Mapping[str, str]] = ..., labels: _Optional[_Mapping[str, str]] = ..., has_images: _Optional[bool] = ..., has_tools: _Optional[bool] = ..., targets: _Optional[_Iterable[_Union[RouteTarget, _Mapping]]] = ...) -> None: ...

class RouteTarget(_message.Message):
    __slots__ = ("model", "weight")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    model: str
    weight: float
    def __init__(self, model: _Optional[str] = ..., weight: _Optional[float] = ...) -> None: ...

class Pricing(_message.Message):
    __slots__ = ("currency", "input_per_million", "output_per_million", "cached_input_per_million", "cache_write_per_million", "reasoning_per_million", "per_image", "audio_per_minute", "speech_per_million_characters")
    class PerImageEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    INPUT_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    CACHED_INPUT_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    CACHE_WRITE_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    REASONING_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    PER_IMAGE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    SPEECH_PER_MILLION_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    currency: str
    input_per_million: str
    output_per_million: str
    cached_input_per_million: str
    cache_write_per_million: str
    reasoning_per_million: str
    per_image: _containers.ScalarMap[str, str]
    audio_per_minute: str
    speech_per_million_characters: str
    def __init__(self, currency: _Optional[str] = ..., input_per_million: _Optional[str] = ..., output_per_million: _Optional[str] = ..., cached_input_per_million: _Optional[str] = ..., cache_write_per_million: _Optional[str] = ..., reasoning_per_million: _Optional[str] = ..., per_image: _Optional[_Mapping[str, str]] = ..., audio_per_minute: _Optional[str] = ..., speech_per_million_characters: _Optional[str] = ...) -> None: ...

class Deployment(_message.Message):
    __slots__ = ("id", "provider", "upstream_model", "adapter_class", "base_url", "credential_ref", "options", "weight", "pricing")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_MODEL_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_CLASS_FIELD_NUMBER: _ClassVar[int]
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_REF_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    PRICING_FIELD_NUMBER: _ClassVar[int]
    id: str
    provider: str
    upstream_model: str
    adapter_class: str
    base_url: str
    credential_ref: str
    options: _containers.ScalarMap[str, str]
    weight: float
    pricing: Pricing
    def __init__(self, id: _Optional[str] = ..., provider: _Optional[str] = ..., upstream_model: _Optional[str] = ..., adapter_class: _Optional[str] = ..., base_url: _Optional[str] = ..., credential_ref: _Optional[str] = ..., options: _Optional[_Mapping[str, str]] = ..., weight: _Optional[float] = ..., pricing: _Optional[_Union[Pricing, _Mapping]] = ...) -> None: ...

class Timeouts(_message.Message):
    __slots__ = ("connect", "first_token", "idle", "total")
    CONNECT_FIELD_NUMBER: _ClassVar[int]
    FIRST_TOKEN_FIELD_NUMBER: _ClassVar[int]
    IDLE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    connect: _duration_pb2.Duration
    first_token: _duration_pb2.Duration
    idle: _duration_pb2.Duration
    total: _duration_pb2.Duration
    def __init__(self, connect: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., first_token: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., idle: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., total: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RetryPolicy(_message.Message):
    __slots__ = ("max_retries", "initial_backoff", "max_backoff", "multiplier")
    MAX_RETRIES_FIELD_NUMBER: _ClassVar[int]
    INITIAL_BACKOFF_FIELD_NUMBER: _ClassVar[int]
    MAX_BACKOFF_FIELD_NUMBER: _ClassVar[int]
    MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    max_retries: int
    initial_backoff: _duration_pb2.Duration
    max_backoff: _duration_pb2.Duration
    multiplier: float
    def __init__(self, max_retries: _Optional[int] = ..., initial_backoff: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_backoff: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., multiplier: _Optional[float] = ...) -> None: ...

class CooldownPolicy(_message.Message):
    __slots__ = ("failures", "window", "cooldown")
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_FIELD_NUMBER: _ClassVar[int]
    failures: int
    window: _duration_pb2.Duration
    cooldown: _duration_pb2.Duration
    def __init__(self, failures: _Optional[int] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., cooldown: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...
