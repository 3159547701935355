"""A small typed convenience layer over the llmgateway gRPC API.

- `GatewayClient` (blocking) and `AsyncGatewayClient` (asyncio): `chat`, `stream_chat`, `embed`,
  `generate_image`, `transcribe`, `synthesize_speech`, `list_models`, with API key, request id,
  deadlines and the bundled service config (per-method deadlines, retry on UNAVAILABLE for unary
  calls).
- `fold_stream` / `fold_stream_async`: `StreamChat` events -> `ChatResult`; `fold_speech` /
  `fold_speech_async`: `SynthesizeSpeech` events -> `SpeechResult` (the audio bytes).
- `GatewayError`: every failure, with the `ErrorInfo` reason (`ErrorReason`), metadata, retry delay,
  field violations and request id.
"""

from llmgateway.client._build import (
    AudioFormatLike,
    AudioLike,
    CacheLike,
    ChatOptions,
    MessageLike,
    MessagesLike,
    SpeechOptions,
    ToolLike,
)
from llmgateway.client._build import message as build_message
from llmgateway.client._build import messages as build_messages
from llmgateway.client._build import tool as build_tool
from llmgateway.client._channel import default_service_config, new_request_id
from llmgateway.client.aio import AsyncGatewayClient
from llmgateway.client.errors import ErrorReason, GatewayError
from llmgateway.client.fold import ChatResult, StreamFolder, ToolCall, fold_stream, fold_stream_async
from llmgateway.client.speech import SpeechFolder, SpeechResult, fold_speech, fold_speech_async
from llmgateway.client.sync import GatewayClient

__all__ = [
    "AsyncGatewayClient",
    "AudioFormatLike",
    "AudioLike",
    "CacheLike",
    "ChatOptions",
    "ChatResult",
    "ErrorReason",
    "GatewayClient",
    "GatewayError",
    "MessageLike",
    "MessagesLike",
    "SpeechFolder",
    "SpeechOptions",
    "SpeechResult",
    "StreamFolder",
    "ToolCall",
    "ToolLike",
    "build_message",
    "build_messages",
    "build_tool",
    "default_service_config",
    "fold_speech",
    "fold_speech_async",
    "fold_stream",
    "fold_stream_async",
    "new_request_id",
]
