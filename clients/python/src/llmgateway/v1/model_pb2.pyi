from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Capability(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAPABILITY_UNSPECIFIED: _ClassVar[Capability]
    CAPABILITY_CHAT: _ClassVar[Capability]
    CAPABILITY_STREAM: _ClassVar[Capability]
    CAPABILITY_TOOLS: _ClassVar[Capability]
    CAPABILITY_VISION: _ClassVar[Capability]
    CAPABILITY_EMBED: _ClassVar[Capability]
    CAPABILITY_IMAGE: _ClassVar[Capability]
    CAPABILITY_REASONING: _ClassVar[Capability]
    CAPABILITY_JSON_OUTPUT: _ClassVar[Capability]
    CAPABILITY_TRANSCRIBE: _ClassVar[Capability]
    CAPABILITY_SPEECH: _ClassVar[Capability]

class ModelKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_KIND_UNSPECIFIED: _ClassVar[ModelKind]
    MODEL_KIND_UPSTREAM: _ClassVar[ModelKind]
    MODEL_KIND_VIRTUAL: _ClassVar[ModelKind]
CAPABILITY_UNSPECIFIED: Capability
CAPABILITY_CHAT: Capability
CAPABILITY_STREAM: Capability
CAPABILITY_TOOLS: Capability
CAPABILITY_VISION: Capability
CAPABILITY_EMBED: Capability
CAPABILITY_IMAGE: Capability
CAPABILITY_REASONING: Capability
CAPABILITY_JSON_OUTPUT: Capability
CAPABILITY_TRANSCRIBE: Capability
CAPABILITY_SPEECH: Capability
MODEL_KIND_UNSPECIFIED: ModelKind
MODEL_KIND_UPSTREAM: ModelKind
MODEL_KIND_VIRTUAL: ModelKind

class Model(_message.Message):
    __slots__ = ("id", "provider", "display_name", "capabilities", "context_length", "kind", "description")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    provider: str
    display_name: str
    capabilities: _containers.RepeatedScalarFieldContainer[Capability]
    context_length: int
    kind: ModelKind
    description: str
    def __init__(self, id: _Optional[str] = ..., provider: _Optional[str] = ..., display_name: _Optional[str] = ..., capabilities: _Optional[_Iterable[_Union[Capability, str]]] = ..., context_length: _Optional[int] = ..., kind: _Optional[_Union[ModelKind, str]] = ..., description: _Optional[str] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "provider", "capability")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CAPABILITY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    provider: str
    capability: Capability
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., provider: _Optional[str] = ..., capability: _Optional[_Union[Capability, str]] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models", "next_page_token")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[Model]
    next_page_token: str
    def __init__(self, models: _Optional[_Iterable[_Union[Model, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
