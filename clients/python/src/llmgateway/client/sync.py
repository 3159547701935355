"""The blocking client."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Unpack

import grpc

from llmgateway.client import _build
from llmgateway.client._build import AudioLike, CacheLike, ChatOptions, SpeechOptions
from llmgateway.client._channel import (
    CallSettings,
    ChannelOptions,
    PemLike,
    RequestIdLike,
    ServiceConfigLike,
    channel_options,
    make_credentials,
)
from llmgateway.client.errors import GatewayError
from llmgateway.client.fold import ChatResult, fold_stream
from llmgateway.client.speech import SpeechResult, fold_speech
from llmgateway.v1 import (
    audio_pb2,
    chat_pb2,
    embedding_pb2,
    gateway_service_pb2_grpc,
    image_pb2,
    model_pb2,
    session_service_pb2,
    session_service_pb2_grpc,
)

MetadataLike = Mapping[str, str] | Sequence[tuple[str, str]]


class GatewayClient:
    """A blocking llmgateway client over one gRPC channel.

    `target` is `host:port` (any gRPC target). TLS is used when `secure=True` or any certificate is
    given (`root_certificates`, and `private_key` + `certificate_chain` for mTLS; PEM bytes or file
    paths), or pass ready `credentials`. `api_key` is sent as `authorization: Bearer <key>`;
    `metadata` goes with every call; `request_id` (a string or a function returning one) is sent as
    `x-request-id`. `timeout` (seconds) is the default deadline of every call; without it the
    per-method deadlines of the service config apply. `service_config` defaults to the bundled
    `service_config.json` (per-method deadlines, retry on UNAVAILABLE for unary methods); pass a
    dict or a file path to replace it, or False for none. Every method raises `GatewayError`.
    """

    def __init__(
        self,
        target: str,
        *,
        api_key: str | None = None,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: RequestIdLike = None,
        secure: bool | None = None,
        root_certificates: PemLike | None = None,
        private_key: PemLike | None = None,
        certificate_chain: PemLike | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        service_config: ServiceConfigLike = None,
        options: ChannelOptions | None = None,
    ) -> None:
        self.target = target
        self._settings = CallSettings(api_key, metadata, request_id, timeout)
        creds = make_credentials(secure, root_certificates, private_key, certificate_chain, credentials)
        opts = channel_options(service_config, options)
        self.channel: grpc.Channel = (
            grpc.secure_channel(target, creds, opts) if creds else grpc.insecure_channel(target, opts)
        )
        self._stub = gateway_service_pb2_grpc.GatewayServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self._sessions = session_service_pb2_grpc.SessionServiceStub(self.channel)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> GatewayClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _unary(
        self,
        method: grpc.UnaryUnaryMultiCallable[Any, Any],
        request: Any,
        timeout: float | None,
        metadata: MetadataLike | None,
        request_id: str | None,
    ) -> Any:
        deadline, headers, rid = self._settings.call(timeout, metadata, request_id)
        try:
            return method(request, timeout=deadline, metadata=headers)
        except grpc.RpcError as exc:
            raise GatewayError.from_rpc_error(exc, rid) from exc

    def chat(
        self,
        request: chat_pb2.ChatRequest | chat_pb2.StreamChatRequest | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
        **options: Unpack[ChatOptions],
    ) -> chat_pb2.ChatResponse:
        """One complete answer. Pass a `ChatRequest`, or `model=` and `messages=` (Messages, dicts
        such as `{"role": "user", "content": "hi"}`, or one string for a single user turn) with
        optional `tools`, `tool_choice`, generation parameters (`max_tokens`, `temperature`,
        `reasoning_effort`, ... or `generation=`), `response_format`, `parallel_tool_calls`, `user`, and
        `cache` ("bypass", "refresh", "only", or `{"mode": ..., "ttl_seconds": ...}`)."""
        built = _build.chat_request(chat_pb2.ChatRequest, request, options)
        response: chat_pb2.ChatResponse = self._unary(self._stub.Chat, built, timeout, metadata, request_id)
        return response

    def chat_result(
        self,
        request: chat_pb2.ChatRequest | chat_pb2.StreamChatRequest | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
        **options: Unpack[ChatOptions],
    ) -> ChatResult:
        """`chat` returning a `ChatResult` (text, reasoning, parsed tool calls, usage)."""
        response = self.chat(request, timeout=timeout, metadata=metadata, request_id=request_id, **options)
        return ChatResult.from_response(response)

    def stream_chat(
        self,
        request: chat_pb2.StreamChatRequest | chat_pb2.ChatRequest | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
        **options: Unpack[ChatOptions],
    ) -> Iterator[chat_pb2.StreamChatResponse]:
        """The typed events of one answer: `start`, deltas, `end` (same arguments as `chat`).
        The RPC starts at once; closing the iterator early (or `break`) cancels it; a failure
        raises `GatewayError` from the iteration. Fold the events with `fold_stream`."""
        built = _build.chat_request(chat_pb2.StreamChatRequest, request, options)
        deadline, headers, rid = self._settings.call(timeout, metadata, request_id)
        call = self._stub.StreamChat(built, timeout=deadline, metadata=headers)
        return _events(call, rid)

    def stream_chat_result(
        self,
        request: chat_pb2.StreamChatRequest | chat_pb2.ChatRequest | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
        **options: Unpack[ChatOptions],
    ) -> ChatResult:
        """`stream_chat` folded into the final answer."""
        return fold_stream(
            self.stream_chat(request, timeout=timeout, metadata=metadata, request_id=request_id, **options)
        )

    def embed(
        self,
        request: embedding_pb2.EmbedRequest | None = None,
        /,
        *,
        model: str | None = None,
        inputs: str | Sequence[str] | None = None,
        dimensions: int | None = None,
        user: str | None = None,
        cache: CacheLike | None = None,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
    ) -> embedding_pb2.EmbedResponse:
        """One vector per input (an `EmbedRequest`, or `model=` and `inputs=`); `cache` as for `chat`
        (vectors are cached per input text)."""
        built = _build.embed_request(
            request, model=model, inputs=inputs, dimensions=dimensions, user=user, cache_control=cache
        )
        response: embedding_pb2.EmbedResponse = self._unary(
            self._stub.Embed, built, timeout, metadata, request_id
        )
        return response

    def generate_image(
        self,
        request: image_pb2.GenerateImageRequest | None = None,
        /,
        *,
        model: str | None = None,
        prompt: str | None = None,
        count: int | None = None,
        size: str | None = None,
        quality: str | None = None,
        style: str | None = None,
        output: str | int | None = None,
        user: str | None = None,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
    ) -> image_pb2.GenerateImageResponse:
        """Images from a prompt (a `GenerateImageRequest`, or `model=` and `prompt=`; `output` is
        "data" or "uri")."""
        built = _build.image_request(
            request,
            model=model,
            prompt=prompt,
            count=count,
            size=size,
            quality=quality,
            style=style,
            output=output,
            user=user,
        )
        response: image_pb2.GenerateImageResponse = self._unary(
            self._stub.GenerateImage, built, timeout, metadata, request_id
        )
        return response

    def transcribe(
        self,
        request: audio_pb2.TranscribeRequest | None = None,
        /,
        *,
        model: str | None = None,
        audio: AudioLike | None = None,
        mime_type: str | None = None,
        language: str | None = None,
        prompt: str | None = None,
        temperature: float | None = None,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
    ) -> audio_pb2.TranscribeResponse:
        """The text of a recording (a `TranscribeRequest`, or `model=` and `audio=`: bytes or a file
        path). `mime_type` may be left out: the gateway recognises WAV, MP3, FLAC, Ogg, WebM and MP4."""
        built = _build.transcribe_request(
            request,
            model=model,
            audio=audio,
            mime_type=mime_type,
            language=language,
            prompt=prompt,
            temperature=temperature,
        )
        response: audio_pb2.TranscribeResponse = self._unary(
            self._stub.Transcribe, built, timeout, metadata, request_id
        )
        return response

    def synthesize_speech(
        self,
        request: audio_pb2.SynthesizeSpeechRequest | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
        **options: Unpack[SpeechOptions],
    ) -> Iterator[audio_pb2.SynthesizeSpeechResponse]:
        """The events of spoken audio: `start` (format, MIME type), `audio` chunks, `end`. Pass a
        `SynthesizeSpeechRequest`, or `model=` and `input=` with optional `voice`, `format` ("mp3",
        "opus", "aac", "flac", "wav", "pcm" or an `AudioFormat`), `speed` and `instructions`. The
        RPC starts at once; closing the iterator early cancels it."""
        built = _build.speech_request(request, options)
        deadline, headers, rid = self._settings.call(timeout, metadata, request_id)
        call = self._stub.SynthesizeSpeech(built, timeout=deadline, metadata=headers)
        return _events(call, rid)

    def synthesize_speech_result(
        self,
        request: audio_pb2.SynthesizeSpeechRequest | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
        request_id: str | None = None,
        **options: Unpack[SpeechOptions],
    ) -> SpeechResult:
        """`synthesize_speech` joined: the whole audio as bytes (`SpeechResult.audio`)."""
        events = self.synthesize_speech(
            request, timeout=timeout, metadata=metadata, request_id=request_id, **options
        )
        return fold_speech(events)

    def list_models(
        self,
        request: model_pb2.ListModelsRequest | None = None,
        /,
        *,
        page_size: int | None = None,
        provider: str | None = None,
        capability: str | int | None = None,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
    ) -> Iterator[model_pb2.Model]:
        """Every model, fetching the pages lazily (`capability` like "chat" or a `Capability`
        value; `timeout` applies to each page)."""
        page = _build.list_models_request(
            request, page_size=page_size, provider=provider, capability=capability
        )
        while True:
            response: model_pb2.ListModelsResponse = self._unary(
                self._stub.ListModels, page, timeout, metadata, None
            )
            yield from response.models
            if not response.next_page_token:
                return
            next_page = model_pb2.ListModelsRequest()
            next_page.CopyFrom(page)
            next_page.page_token = response.next_page_token
            page = next_page

    # -- sessions of virtual models with memory -------------------------------------------
    def get_session(
        self, session_id: str, *, timeout: float | None = None, metadata: MetadataLike | None = None
    ) -> session_service_pb2.Session:
        """A session: its virtual model, times and how many messages it holds."""
        request = session_service_pb2.GetSessionRequest(session_id=session_id)
        response: session_service_pb2.GetSessionResponse = self._unary(
            self._sessions.GetSession, request, timeout, metadata, None
        )
        return response.session

    def session_messages(
        self,
        session_id: str,
        *,
        page_size: int | None = None,
        timeout: float | None = None,
        metadata: MetadataLike | None = None,
    ) -> Iterator[chat_pb2.Message]:
        """A session's stored history, oldest first, fetching the pages lazily (`timeout`
        applies to each page)."""
        request = session_service_pb2.ListSessionMessagesRequest(
            session_id=session_id, page_size=page_size or 0
        )
        while True:
            response: session_service_pb2.ListSessionMessagesResponse = self._unary(
                self._sessions.ListSessionMessages, request, timeout, metadata, None
            )
            yield from response.messages
            if not response.next_page_token:
                return
            request.page_token = response.next_page_token

    def delete_session(
        self, session_id: str, *, timeout: float | None = None, metadata: MetadataLike | None = None
    ) -> None:
        """Deletes a session and its history."""
        request = session_service_pb2.DeleteSessionRequest(session_id=session_id)
        self._unary(self._sessions.DeleteSession, request, timeout, metadata, None)


def _events(call: Any, request_id: str | None) -> Iterator[Any]:
    try:
        yield from call
    except grpc.RpcError as exc:
        raise GatewayError.from_rpc_error(exc, request_id) from exc
    finally:
        call.cancel()  # a no-op once the call has finished
