"""OpenAI Chat Completions, embeddings, images, transcription and speech; every
OpenAI-compatible server (vLLM, Ollama /v1, LM Studio, DeepSeek, Groq, OpenRouter,
...); Azure OpenAI."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import bad_response
from llmgateway.core.models import CHAT_CAPABILITIES, Capability, Model, ModelSpec
from llmgateway.core.ports import Endpoint
from llmgateway.core.types import (
    AudioChunk,
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    ImageRequest,
    ImageResult,
    SpeechEvent,
    SpeechRequest,
    SpeechStart,
    StreamEvent,
    TranscribeRequest,
    TranscribeResult,
)
from llmgateway.providers.base import BaseAdapter
from llmgateway.providers.http import Body, Form
from llmgateway.providers.openai.audio import (
    DEFAULT_SPEECH_FORMAT,
    PCM_SAMPLE_RATE_HZ,
    parse_transcription,
    speech_body,
    transcription_form,
    transcription_format,
)
from llmgateway.providers.openai.request import chat_body, embed_body, image_body
from llmgateway.providers.openai.response import (
    http_error,
    inband_error,
    parse_chat,
    parse_embeddings,
    parse_images,
)
from llmgateway.providers.openai.stream import ChatFold, result_events
from llmgateway.providers.sse import sse_batches
from llmgateway.providers.streaming import relay

CHAT = "chat/completions"
EMBEDDINGS = "embeddings"
IMAGES = "images/generations"
TRANSCRIPTIONS = "audio/transcriptions"
SPEECH = "audio/speech"
_OPS = (CHAT, EMBEDDINGS, IMAGES, TRANSCRIPTIONS, SPEECH)

_REASONING_CHAT = CHAT_CAPABILITIES | {Capability.REASONING}
_MODELS = [
    ModelSpec("gpt-4o-mini", CHAT_CAPABILITIES, 128_000, "GPT-4o mini"),
    ModelSpec("gpt-4o", CHAT_CAPABILITIES, 128_000, "GPT-4o"),
    ModelSpec("gpt-4.1", CHAT_CAPABILITIES, 1_047_576, "GPT-4.1"),
    ModelSpec("gpt-4.1-mini", CHAT_CAPABILITIES, 1_047_576, "GPT-4.1 mini"),
    ModelSpec("gpt-4.1-nano", CHAT_CAPABILITIES, 1_047_576, "GPT-4.1 nano"),
    ModelSpec("o4-mini", _REASONING_CHAT, 200_000, "o4-mini"),
    ModelSpec("o3", _REASONING_CHAT, 200_000, "o3"),
    ModelSpec("text-embedding-3-small", frozenset({Capability.EMBED}), 8_191, "text-embedding-3-small"),
    ModelSpec("text-embedding-3-large", frozenset({Capability.EMBED}), 8_191, "text-embedding-3-large"),
    ModelSpec("gpt-image-1", frozenset({Capability.IMAGE}), 0, "GPT Image 1"),
    ModelSpec("whisper-1", frozenset({Capability.TRANSCRIBE}), 0, "Whisper"),
    ModelSpec("gpt-4o-transcribe", frozenset({Capability.TRANSCRIBE}), 0, "GPT-4o Transcribe"),
    ModelSpec("gpt-4o-mini-transcribe", frozenset({Capability.TRANSCRIBE}), 0, "GPT-4o mini Transcribe"),
    ModelSpec("tts-1", frozenset({Capability.SPEECH}), 0, "TTS 1"),
    ModelSpec("tts-1-hd", frozenset({Capability.SPEECH}), 0, "TTS 1 HD"),
    ModelSpec("gpt-4o-mini-tts", frozenset({Capability.SPEECH}), 0, "GPT-4o mini TTS"),
]


class OpenAIAdapter(BaseAdapter):
    """Options (model/endpoint): `max_tokens_field` (`max_tokens` | `max_completion_tokens`;
    default: the latter for api.openai.com only), `reasoning_param` (`reasoning_effort`, the
    default | `reasoning`: OpenRouter's object | `enable_thinking`: Qwen's | `none`),
    `send_top_k` (`true` | `false`; default: all but api.openai.com), `embedding_encoding`
    (`base64` | `float`), `transcription_format` (`verbose_json`: segments, the default for
    Whisper models | `json`: the gpt-4o transcription models), `organization`, `project`.
    The vendor presets (providers/presets.py) set the first three. Speech without a voice
    uses `alloy`, without a format MP3."""

    provider: ClassVar[str] = "openai"
    default_base_url: ClassVar[str] = "https://api.openai.com/v1"
    default_credential_env: ClassVar[str] = "OPENAI_API_KEY"

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self._headers = self._build_headers(endpoint)
        # A form upload: the transport sets the multipart Content-Type.
        self._upload_headers = {k: v for k, v in self._headers.items() if k != "Content-Type"}
        is_openai = (urlsplit(self.base_url).hostname or "") == "api.openai.com"
        self._max_tokens_field = endpoint.option("max_tokens_field") or (
            "max_completion_tokens" if is_openai else "max_tokens"
        )
        # top_k is a vLLM / Ollama extension; OpenAI and Azure reject unknown fields.
        self._send_top_k = (endpoint.option("send_top_k") or str(not is_openai)).lower() == "true"
        self._reasoning_param = endpoint.option("reasoning_param") or "reasoning_effort"
        self._embedding_encoding = endpoint.option("embedding_encoding") or "base64"
        self._urls = {op: f"{self._api_root()}/{op}" for op in _OPS}

    def _build_headers(self, endpoint: Endpoint) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if endpoint.api_key:
            headers["Authorization"] = f"Bearer {endpoint.api_key}"
        if org := endpoint.option("organization"):
            headers["OpenAI-Organization"] = org
        if project := endpoint.option("project"):
            headers["OpenAI-Project"] = project
        return headers

    def _api_root(self) -> str:
        return self.base_url

    def _url(self, model: Model, op: str) -> str:
        return self._urls[op]

    @classmethod
    def supported_models(cls) -> list[ModelSpec]:
        return list(_MODELS)

    def _chat_body(self, model: Model, request: ChatRequest, stream: bool) -> bytes:
        return chat_body(
            model.upstream_model,
            request,
            stream=stream,
            max_tokens_field=model.options.get("max_tokens_field") or self._max_tokens_field,
            send_top_k=self._send_top_k,
            reasoning_param=model.options.get("reasoning_param") or self._reasoning_param,
        )

    async def _post_json(self, model: Model, op: str, body: Body, budget: Budget) -> Any:
        headers = self._upload_headers if isinstance(body, Form) else self._headers
        reply = await self.http.fetch(self._url(model, op), headers, body, budget)
        if not 200 <= reply.status < 300:
            raise http_error(self.provider, reply.status, reply.headers, reply.body)
        obj = self.parse_json(reply.body)
        if isinstance(obj, dict) and obj.get("error"):
            raise inband_error(self.provider, obj["error"])
        return obj

    async def chat(self, model: Model, request: ChatRequest, budget: Budget) -> ChatResult:
        obj = await self._post_json(model, CHAT, self._chat_body(model, request, False), budget)
        return parse_chat(self.provider, obj, request)

    async def stream_chat(
        self, model: Model, request: ChatRequest, budget: Budget
    ) -> AsyncGenerator[StreamEvent, None]:
        body = self._chat_body(model, request, True)
        async with self.http.post(self._url(model, CHAT), self._headers, body, budget) as resp:
            if not 200 <= resp.status < 300:
                raise http_error(self.provider, resp.status, resp.headers, await resp.read())
            if resp.headers.get("Content-Type", "").startswith("application/json"):
                # The server ignored `stream` (or sent an error object with 200).
                obj = self.parse_json(await resp.read())
                for event in result_events(parse_chat(self.provider, obj, request)):
                    yield event
                return
            fold = ChatFold(self.provider, request)
            async with aclosing(relay(sse_batches(resp.iter_chunks()), fold)) as events:
                async for event in events:
                    yield event

    async def embed(self, model: Model, request: EmbedRequest, budget: Budget) -> EmbedResult:
        encoding = model.options.get("embedding_encoding") or self._embedding_encoding
        body = embed_body(model.upstream_model, request, encoding)
        obj = await self._post_json(model, EMBEDDINGS, body, budget)
        return parse_embeddings(self.provider, obj, len(request.inputs))

    async def generate_image(self, model: Model, request: ImageRequest, budget: Budget) -> ImageResult:
        obj = await self._post_json(model, IMAGES, image_body(model.upstream_model, request), budget)
        return parse_images(self.provider, obj)

    async def transcribe(self, model: Model, request: TranscribeRequest, budget: Budget) -> TranscribeResult:
        option = model.options.get("transcription_format") or self.endpoint.option("transcription_format")
        fmt = transcription_format(model.upstream_model, option)
        form = transcription_form(model.upstream_model, request, fmt)
        return parse_transcription(self.provider, await self._post_json(model, TRANSCRIPTIONS, form, budget))

    async def synthesize_speech(
        self, model: Model, request: SpeechRequest, budget: Budget
    ) -> AsyncGenerator[SpeechEvent, None]:
        fmt = request.format or DEFAULT_SPEECH_FORMAT
        body = speech_body(model.upstream_model, request, fmt)
        async with self.http.post(self._url(model, SPEECH), self._headers, body, budget) as resp:
            if not 200 <= resp.status < 300:
                raise http_error(self.provider, resp.status, resp.headers, await resp.read())
            if resp.headers.get("Content-Type", "").startswith("application/json"):
                obj = self.parse_json(await resp.read())
                if isinstance(obj, dict) and obj.get("error"):
                    raise inband_error(self.provider, obj["error"])
                raise bad_response(self.provider, "the speech answer is JSON, not audio")
            yield SpeechStart(fmt, PCM_SAMPLE_RATE_HZ if fmt == "pcm" else 0)
            async for chunk in resp.iter_chunks():
                yield AudioChunk(chunk)


class AzureOpenAIAdapter(OpenAIAdapter):
    """Azure OpenAI. `base_url` is the resource endpoint (https://NAME.openai.azure.com);
    the deployment is the model's `upstream_model`. Option `api_version`: a dated
    version (deployment-scoped URLs) or `v1` (OpenAI-style URLs under /openai/v1)."""

    provider: ClassVar[str] = "azure"
    default_base_url: ClassVar[str] = ""
    default_credential_env: ClassVar[str] = "AZURE_OPENAI_API_KEY"
    DEFAULT_API_VERSION: ClassVar[str] = "2024-10-21"

    def __init__(self, endpoint: Endpoint) -> None:
        self._api_version = endpoint.option("api_version") or self.DEFAULT_API_VERSION
        self._v1 = self._api_version == "v1"
        self._deployment_urls: dict[tuple[str, str], str] = {}
        super().__init__(endpoint)
        self._send_top_k = False

    def _build_headers(self, endpoint: Endpoint) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if endpoint.api_key:
            headers["api-key"] = endpoint.api_key
        return headers

    def _resource_root(self) -> str:
        root = self.base_url
        for suffix in ("/v1", "/openai"):
            root = root.removesuffix(suffix)
        return root

    def _api_root(self) -> str:
        return f"{self._resource_root()}/openai/v1"

    def _url(self, model: Model, op: str) -> str:
        if self._v1:
            return self._urls[op]
        key = (model.upstream_model, op)
        url = self._deployment_urls.get(key)
        if url is None:
            deployment = quote(model.upstream_model, safe="")
            version = quote(self._api_version, safe="")
            url = f"{self._resource_root()}/openai/deployments/{deployment}/{op}?api-version={version}"
            self._deployment_urls[key] = url
        return url

    @classmethod
    def supported_models(cls) -> list[ModelSpec]:
        return []  # deployments are named by the operator
