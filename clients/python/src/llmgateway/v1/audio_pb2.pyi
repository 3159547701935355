from llmgateway.v1 import cost_pb2 as _cost_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AudioFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIO_FORMAT_UNSPECIFIED: _ClassVar[AudioFormat]
    AUDIO_FORMAT_MP3: _ClassVar[AudioFormat]
    AUDIO_FORMAT_OPUS: _ClassVar[AudioFormat]
    AUDIO_FORMAT_AAC: _ClassVar[AudioFormat]
    AUDIO_FORMAT_FLAC: _ClassVar[AudioFormat]
    AUDIO_FORMAT_WAV: _ClassVar[AudioFormat]
    AUDIO_FORMAT_PCM: _ClassVar[AudioFormat]
AUDIO_FORMAT_UNSPECIFIED: AudioFormat
AUDIO_FORMAT_MP3: AudioFormat
AUDIO_FORMAT_OPUS: AudioFormat
AUDIO_FORMAT_AAC: AudioFormat
AUDIO_FORMAT_FLAC: AudioFormat
AUDIO_FORMAT_WAV: AudioFormat
AUDIO_FORMAT_PCM: AudioFormat

class TranscribeRequest(_message.Message):
    __slots__ = ("model", "audio", "mime_type", "language", "prompt", "temperature", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    model: str
    audio: bytes
    mime_type: str
    language: str
    prompt: str
    temperature: float
    tags: _containers.ScalarMap[str, str]
    def __init__(self, model: _Optional[str] = ..., audio: _Optional[bytes] = ..., mime_type: _Optional[str] = ..., language: _Optional[str] = ..., prompt: _Optional[str] = ..., temperature: _Optional[float] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TranscriptSegment(_message.Message):
    __slots__ = ("start_seconds", "end_seconds", "text")
    START_SECONDS_FIELD_NUMBER: _ClassVar[int]
    END_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    start_seconds: float
    end_seconds: float
    text: str
    def __init__(self, start_seconds: _Optional[float] = ..., end_seconds: _Optional[float] = ..., text: _Optional[str] = ...) -> None: ...

class TranscriptionUsage(_message.Message):
    __slots__ = ("input_tokens", "output_tokens", "audio_seconds")
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_SECONDS_FIELD_NUMBER: _ClassVar[int]
    input_tokens: int
    output_tokens: int
    audio_seconds: float
    def __init__(self, input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., audio_seconds: _Optional[float] = ...) -> None: ...

class TranscribeResponse(_message.Message):
    __slots__ = ("model", "provider", "text", "language", "duration_seconds", "segments", "usage", "request_id", "upstream_model", "attempts", "deployment", "cost")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_MODEL_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    model: str
    provider: str
    text: str
    language: str
    duration_seconds: float
    segments: _containers.RepeatedCompositeFieldContainer[TranscriptSegment]
    usage: TranscriptionUsage
    request_id: str
    upstream_model: str
    attempts: int
    deployment: str
    cost: _cost_pb2.Cost
    def __init__(self, model: _Optional[str] = ..., provider: _Optional[str] = ..., text: _Optional[str] = ..., language: _Optional[str] = ..., duration_seconds: _Optional[float] = ..., segments: _Optional[_Iterable[_Union[TranscriptSegment, _Mapping]]] = ..., usage: _Optional[_Union[TranscriptionUsage, _Mapping]] = ..., request_id: _Optional[str] = ..., upstream_model: _Optional[str] = ..., attempts: _Optional[int] = ..., deployment: _Optional[str] = ..., cost: _Optional[_Union[_cost_pb2.Cost, _Mapping]] = ...) -> None: ...

class SynthesizeSpeechRequest(_message.Message):
    __slots__ = ("model", "input", "voice", "format", "speed", "instructions", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    model: str
    input: str
    voice: str
    format: AudioFormat
    speed: float
    instructions: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, model: _Optional[str] = ..., input: _Optional[str] = ..., voice: _Optional[str] = ..., format: _Optional[_Union[AudioFormat, str]] = ..., speed: _Optional[float] = ..., instructions: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SynthesizeSpeechResponse(_message.Message):
    __slots__ = ("start", "audio", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: SpeechStart
    audio: AudioChunk
    end: SpeechEnd
    def __init__(self, start: _Optional[_Union[SpeechStart, _Mapping]] = ..., audio: _Optional[_Union[AudioChunk, _Mapping]] = ..., end: _Optional[_Union[SpeechEnd, _Mapping]] = ...) -> None: ...

class SpeechStart(_message.Message):
    __slots__ = ("model", "provider", "upstream_model", "request_id", "attempts", "deployment", "format", "mime_type", "sample_rate_hz")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_MODEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    model: str
    provider: str
    upstream_model: str
    request_id: str
    attempts: int
    deployment: str
    format: AudioFormat
    mime_type: str
    sample_rate_hz: int
    def __init__(self, model: _Optional[str] = ..., provider: _Optional[str] = ..., upstream_model: _Optional[str] = ..., request_id: _Optional[str] = ..., attempts: _Optional[int] = ..., deployment: _Optional[str] = ..., format: _Optional[_Union[AudioFormat, str]] = ..., mime_type: _Optional[str] = ..., sample_rate_hz: _Optional[int] = ...) -> None: ...

class AudioChunk(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class SpeechEnd(_message.Message):
    __slots__ = ("input_characters", "audio_bytes", "cost")
    INPUT_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_BYTES_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    input_characters: int
    audio_bytes: int
    cost: _cost_pb2.Cost
    def __init__(self, input_characters: _Optional[int] = ..., audio_bytes: _Optional[int] = ..., cost: _Optional[_Union[_cost_pb2.Cost, _Mapping]] = ...) -> None: ...
