from llmgateway.v1 import cost_pb2 as _cost_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImageOutput(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMAGE_OUTPUT_UNSPECIFIED: _ClassVar[ImageOutput]
    IMAGE_OUTPUT_DATA: _ClassVar[ImageOutput]
    IMAGE_OUTPUT_URI: _ClassVar[ImageOutput]
IMAGE_OUTPUT_UNSPECIFIED: ImageOutput
IMAGE_OUTPUT_DATA: ImageOutput
IMAGE_OUTPUT_URI: ImageOutput

class GenerateImageRequest(_message.Message):
    __slots__ = ("model", "prompt", "count", "size", "quality", "style", "output", "user", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    model: str
    prompt: str
    count: int
    size: str
    quality: str
    style: str
    output: ImageOutput
    user: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, model: _Optional[str] = ..., prompt: _Optional[str] = ..., count: _Optional[int] = ..., size: _Optional[str] = ..., quality: _Optional[str] = ..., style: _Optional[str] = ..., output: _Optional[_Union[ImageOutput, str]] = ..., user: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GeneratedImage(_message.Message):
    __slots__ = ("data", "uri", "mime_type", "revised_prompt")
    DATA_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    REVISED_PROMPT_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    uri: str
    mime_type: str
    revised_prompt: str
    def __init__(self, data: _Optional[bytes] = ..., uri: _Optional[str] = ..., mime_type: _Optional[str] = ..., revised_prompt: _Optional[str] = ...) -> None: ...

class GenerateImageResponse(_message.Message):
    __slots__ = ("model", "provider", "images", "request_id", "cost")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    model: str
    provider: str
    images: _containers.RepeatedCompositeFieldContainer[GeneratedImage]
    request_id: str
    cost: _cost_pb2.Cost
    def __init__(self, model: _Optional[str] = ..., provider: _Optional[str] = ..., images: _Optional[_Iterable[_Union[GeneratedImage, _Mapping]]] = ..., request_id: _Optional[str] = ..., cost: _Optional[_Union[_cost_pb2.Cost, _Mapping]] = ...) -> None: ...
