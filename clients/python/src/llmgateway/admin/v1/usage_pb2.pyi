import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UsageDimension(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    USAGE_DIMENSION_UNSPECIFIED: _ClassVar[UsageDimension]
    USAGE_DIMENSION_KEY: _ClassVar[UsageDimension]
    USAGE_DIMENSION_TEAM: _ClassVar[UsageDimension]
    USAGE_DIMENSION_MODEL: _ClassVar[UsageDimension]
    USAGE_DIMENSION_PROVIDER: _ClassVar[UsageDimension]
    USAGE_DIMENSION_TAG: _ClassVar[UsageDimension]
    USAGE_DIMENSION_PERIOD: _ClassVar[UsageDimension]

class UsagePeriod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    USAGE_PERIOD_UNSPECIFIED: _ClassVar[UsagePeriod]
    USAGE_PERIOD_HOUR: _ClassVar[UsagePeriod]
    USAGE_PERIOD_DAY: _ClassVar[UsagePeriod]
    USAGE_PERIOD_MONTH: _ClassVar[UsagePeriod]
USAGE_DIMENSION_UNSPECIFIED: UsageDimension
USAGE_DIMENSION_KEY: UsageDimension
USAGE_DIMENSION_TEAM: UsageDimension
USAGE_DIMENSION_MODEL: UsageDimension
USAGE_DIMENSION_PROVIDER: UsageDimension
USAGE_DIMENSION_TAG: UsageDimension
USAGE_DIMENSION_PERIOD: UsageDimension
USAGE_PERIOD_UNSPECIFIED: UsagePeriod
USAGE_PERIOD_HOUR: UsagePeriod
USAGE_PERIOD_DAY: UsagePeriod
USAGE_PERIOD_MONTH: UsagePeriod

class UsageFilter(_message.Message):
    __slots__ = ("key_id", "team", "model", "provider", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    team: str
    model: str
    provider: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, key_id: _Optional[str] = ..., team: _Optional[str] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class QueryUsageRequest(_message.Message):
    __slots__ = ("start_time", "end_time", "group_by", "period", "tag_key", "filter", "page_size", "page_token")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    TAG_KEY_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    group_by: _containers.RepeatedScalarFieldContainer[UsageDimension]
    period: UsagePeriod
    tag_key: str
    filter: UsageFilter
    page_size: int
    page_token: str
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., group_by: _Optional[_Iterable[_Union[UsageDimension, str]]] = ..., period: _Optional[_Union[UsagePeriod, str]] = ..., tag_key: _Optional[str] = ..., filter: _Optional[_Union[UsageFilter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class QueryUsageResponse(_message.Message):
    __slots__ = ("groups", "next_page_token", "end_time")
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[UsageGroup]
    next_page_token: str
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, groups: _Optional[_Iterable[_Union[UsageGroup, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UsageGroup(_message.Message):
    __slots__ = ("key_id", "team", "model", "provider", "tag_value", "period_start", "calls", "errors", "cancelled", "tokens", "cost", "unknown_cost_calls", "estimated_calls")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TAG_VALUE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_COST_CALLS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_CALLS_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    team: str
    model: str
    provider: str
    tag_value: str
    period_start: _timestamp_pb2.Timestamp
    calls: int
    errors: int
    cancelled: int
    tokens: UsageTokens
    cost: _containers.RepeatedCompositeFieldContainer[UsageCost]
    unknown_cost_calls: int
    estimated_calls: int
    def __init__(self, key_id: _Optional[str] = ..., team: _Optional[str] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., tag_value: _Optional[str] = ..., period_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., calls: _Optional[int] = ..., errors: _Optional[int] = ..., cancelled: _Optional[int] = ..., tokens: _Optional[_Union[UsageTokens, _Mapping]] = ..., cost: _Optional[_Iterable[_Union[UsageCost, _Mapping]]] = ..., unknown_cost_calls: _Optional[int] = ..., estimated_calls: _Optional[int] = ...) -> None: ...

class UsageTokens(_message.Message):
    __slots__ = ("prompt", "completion", "cached_prompt", "cache_write", "reasoning")
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    CACHED_PROMPT_FIELD_NUMBER: _ClassVar[int]
    CACHE_WRITE_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    prompt: int
    completion: int
    cached_prompt: int
    cache_write: int
    reasoning: int
    def __init__(self, prompt: _Optional[int] = ..., completion: _Optional[int] = ..., cached_prompt: _Optional[int] = ..., cache_write: _Optional[int] = ..., reasoning: _Optional[int] = ...) -> None: ...

class UsageCost(_message.Message):
    __slots__ = ("amount", "currency")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    amount: str
    currency: str
    def __init__(self, amount: _Optional[str] = ..., currency: _Optional[str] = ...) -> None: ...
