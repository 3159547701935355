"""The grpc.aio floor for llmgateway's own proto: a GatewayService with canned answers.

No upstream, no routing, no conversion: Chat returns a fixed 20-token ChatResponse,
StreamChat yields StreamStart, 20 TextDeltas and StreamEnd (the gateway's message
sequence). What it costs per call is what grpc.aio + protobuf + uvloop cost before
the gateway does anything; `run.sh` measures it as the `floor` phase.

  python bench/floor.py --port 50061 [--initial-metadata] [--no-uvloop]

--initial-metadata sends an x-request-id header with a separate
send_initial_metadata() per call, as the gateway's servicer does.

--ratelimit-trailers adds the six `x-ratelimit-*` trailers a call with an API key
and rate limits gets (run with a loadgen that sends `--api-key`): what a keyed
call costs grpc.aio itself, before the gateway authenticates or counts anything.

--tokens N --token-delay-ms D makes StreamChat yield N deltas D ms apart: the floor of
the long-stream phase (`LONG_VARIANTS=floor`), what grpc.aio costs per paced chunk.

--relay URL makes it the anchor kit's bare relay (`relay/relay.py`) on this proto:
Chat makes one pooled aiohttp call to URL/chat/completions and answers with its
content, StreamChat relays the SSE chunks as TextDeltas; no routing, validation,
logging or resilience. `run.sh` measures it as the `relay` phase: the floor of a
Python gRPC gateway with an upstream, to hold the gateway against.

  python bench/floor.py --port 50061 --relay http://127.0.0.1:8001/v1
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import grpc
from grpc_health.v1 import health, health_pb2_grpc

from llmgateway.v1 import chat_pb2, gateway_service_pb2_grpc, model_pb2

TOKEN = " tok"


class Floor(gateway_service_pb2_grpc.GatewayServiceServicer):
    def __init__(
        self, initial_metadata: bool, ratelimit_trailers: bool = False, tokens: int = 20, delay_s: float = 0.0
    ) -> None:
        self.initial_metadata = initial_metadata
        self.ratelimit_trailers = ratelimit_trailers
        self.tokens = tokens
        self.delay_s = delay_s
        self.usage = chat_pb2.Usage(prompt_tokens=6, completion_tokens=tokens, total_tokens=6 + tokens)
        self.remaining = 10**9

    async def _begin(self, context: Any) -> None:
        if self.initial_metadata:
            await context.send_initial_metadata((("x-request-id", uuid.uuid4().hex),))

    async def Chat(self, request: chat_pb2.ChatRequest, context: Any) -> chat_pb2.ChatResponse:
        await self._begin(context)
        if self.ratelimit_trailers:
            self.remaining -= 1
            context.set_trailing_metadata(
                (
                    ("x-ratelimit-limit-requests", "1000000000"),
                    ("x-ratelimit-remaining-requests", str(self.remaining)),
                    ("x-ratelimit-reset-requests", "1ms"),
                    ("x-ratelimit-limit-tokens", "1000000000000"),
                    ("x-ratelimit-remaining-tokens", str(self.remaining * 1000)),
                    ("x-ratelimit-reset-tokens", "1ms"),
                )
            )
        return chat_pb2.ChatResponse(
            id="chatcmpl-floor",
            model=request.model,
            provider="openai",
            upstream_model="fake-model",
            message=chat_pb2.Message(
                role=chat_pb2.ROLE_ASSISTANT, content=[chat_pb2.ContentPart(text=TOKEN * self.tokens)]
            ),
            finish_reason=chat_pb2.FINISH_REASON_STOP,
            usage=self.usage,
        )

    async def StreamChat(
        self, request: chat_pb2.StreamChatRequest, context: Any
    ) -> AsyncIterator[chat_pb2.StreamChatResponse]:
        await self._begin(context)
        yield chat_pb2.StreamChatResponse(
            start=chat_pb2.StreamStart(id="chatcmpl-floor", model=request.model, provider="openai")
        )
        for i in range(self.tokens):
            if self.delay_s and i:
                await asyncio.sleep(self.delay_s)
            yield chat_pb2.StreamChatResponse(text_delta=chat_pb2.TextDelta(text=TOKEN))
        yield chat_pb2.StreamChatResponse(
            end=chat_pb2.StreamEnd(finish_reason=chat_pb2.FINISH_REASON_STOP, usage=self.usage)
        )

    async def ListModels(
        self, request: model_pb2.ListModelsRequest, context: Any
    ) -> model_pb2.ListModelsResponse:
        return model_pb2.ListModelsResponse(models=[model_pb2.Model(id="bench/fake", provider="openai")])


class Relay(Floor):
    """The anchor kit's bare relay on this proto (aiohttp, pooled session)."""

    def __init__(self, base_url: str, connections: int) -> None:
        super().__init__(initial_metadata=False)
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.connections = connections
        self.session: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self.session is None:
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self.connections))
        return self.session

    async def Chat(self, request: chat_pb2.ChatRequest, context: Any) -> chat_pb2.ChatResponse:
        prompt = request.messages[0].content[0].text
        body = {"model": "fake-model", "messages": [{"role": "user", "content": prompt}]}
        async with self._session().post(self.url, json=body) as r:
            d = await r.json()
        choice = d["choices"][0]
        u = d.get("usage") or {}
        return chat_pb2.ChatResponse(
            id=d["id"],
            model=request.model,
            message=chat_pb2.Message(
                role=chat_pb2.ROLE_ASSISTANT,
                content=[chat_pb2.ContentPart(text=choice["message"]["content"])],
            ),
            finish_reason=chat_pb2.FINISH_REASON_STOP,
            usage=chat_pb2.Usage(
                prompt_tokens=u.get("prompt_tokens", 0), completion_tokens=u.get("completion_tokens", 0)
            ),
        )

    async def StreamChat(
        self, request: chat_pb2.StreamChatRequest, context: Any
    ) -> AsyncIterator[chat_pb2.StreamChatResponse]:
        body = {
            "model": "fake-model",
            "messages": [{"role": "user", "content": request.messages[0].content[0].text}],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        async with self._session().post(self.url, json=body) as r:
            yield chat_pb2.StreamChatResponse(start=chat_pb2.StreamStart(model=request.model))
            async for raw in r.content:
                line = raw.strip()
                if not line.startswith(b"data: "):
                    continue
                if line[6:] == b"[DONE]":
                    break
                d = json.loads(line[6:])
                for choice in d.get("choices") or ():
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield chat_pb2.StreamChatResponse(text_delta=chat_pb2.TextDelta(text=text))
                u = d.get("usage")
                if u:
                    yield chat_pb2.StreamChatResponse(
                        end=chat_pb2.StreamEnd(
                            finish_reason=chat_pb2.FINISH_REASON_STOP,
                            usage=chat_pb2.Usage(
                                prompt_tokens=u["prompt_tokens"], completion_tokens=u["completion_tokens"]
                            ),
                        )
                    )


async def serve(args: argparse.Namespace) -> None:
    port = args.port
    server = grpc.aio.server()
    servicer = (
        Relay(args.relay, args.connections)
        if args.relay
        else Floor(args.initial_metadata, args.ratelimit_trailers, args.tokens, args.token_delay_ms / 1000)
    )
    gateway_service_pb2_grpc.add_GatewayServiceServicer_to_server(servicer, server)
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    print(
        f"floor GatewayService on 127.0.0.1:{port}"
        f" initial_metadata={args.initial_metadata} relay={args.relay!r}",
        flush=True,
    )
    await server.wait_for_termination()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=50061)
    ap.add_argument("--initial-metadata", action="store_true")
    ap.add_argument("--ratelimit-trailers", action="store_true")
    ap.add_argument("--connections", type=int, default=256, help="the relay's upstream pool (0: unbounded)")
    ap.add_argument("--tokens", type=int, default=20, help="text deltas per stream")
    ap.add_argument("--token-delay-ms", type=float, default=0.0, help="pause between deltas")
    ap.add_argument("--no-uvloop", action="store_true")
    ap.add_argument("--relay", default="", metavar="URL", help="relay to this upstream (aiohttp)")
    args = ap.parse_args()
    if not args.no_uvloop:
        import uvloop

        uvloop.install()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
