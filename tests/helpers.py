"""Small helpers for building requests and reading rich error details."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import grpc
from google.protobuf import struct_pb2
from google.rpc import error_details_pb2, status_pb2
from prometheus_client.parser import text_string_to_metric_families

from llmgateway.v1 import chat_pb2


def user(text: str) -> chat_pb2.Message:
    return chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text=text)])


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def tool(parameters: dict[str, Any], name: str = "f") -> chat_pb2.Tool:
    return chat_pb2.Tool(name=name, parameters=struct(parameters))


def with_image(**image: Any) -> chat_pb2.Message:
    """A user message of a text part and an image part made of `image`'s fields."""
    return chat_pb2.Message(
        role=chat_pb2.ROLE_USER,
        content=[chat_pb2.ContentPart(text="look"), chat_pb2.ContentPart(image=chat_pb2.ImagePart(**image))],
    )


ASSISTANT_CALL = chat_pb2.Message(
    role=chat_pb2.ROLE_ASSISTANT, tool_calls=[chat_pb2.ToolCall(id="c1", name="f", arguments="{}")]
)


def chat(model: str = "mock/echo", *messages: chat_pb2.Message, **kw: Any) -> chat_pb2.ChatRequest:
    return chat_pb2.ChatRequest(model=model, messages=list(messages) or [user("hello there")], **kw)


def stream(model: str = "mock/echo", *messages: chat_pb2.Message, **kw: Any) -> chat_pb2.StreamChatRequest:
    return chat_pb2.StreamChatRequest(model=model, messages=list(messages) or [user("hello there")], **kw)


class Details:
    """The google.rpc details of a failed call."""

    def __init__(self, error: grpc.aio.AioRpcError) -> None:
        self.code = error.code()
        self.message = error.details() or ""
        self.error_info: error_details_pb2.ErrorInfo | None = None
        self.bad_request: error_details_pb2.BadRequest | None = None
        self.retry_info: error_details_pb2.RetryInfo | None = None
        self.quota_failure: error_details_pb2.QuotaFailure | None = None
        raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
        if raw:
            status = status_pb2.Status.FromString(raw)
            for detail in status.details:
                for cls, attr in (
                    (error_details_pb2.ErrorInfo, "error_info"),
                    (error_details_pb2.BadRequest, "bad_request"),
                    (error_details_pb2.RetryInfo, "retry_info"),
                    (error_details_pb2.QuotaFailure, "quota_failure"),
                ):
                    if detail.Is(cls.DESCRIPTOR):
                        msg = cls()
                        detail.Unpack(msg)
                        setattr(self, attr, msg)

    @property
    def reason(self) -> str:
        return self.error_info.reason if self.error_info else ""

    @property
    def fields(self) -> list[str]:
        return [v.field for v in self.bad_request.field_violations] if self.bad_request else []


class Scrape:
    """One scrape of a gateway's /metrics, parsed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = [s for family in text_string_to_metric_families(text) for s in family.samples]

    def series(self, name: str, *labels: str) -> dict[tuple[str, ...], float]:
        """The samples called `name`, keyed by their values of `labels` (in that order).
        Every such sample must carry exactly these labels (`le` aside)."""
        out: dict[tuple[str, ...], float] = {}
        for sample in self.samples:
            if sample.name != name or "le" in sample.labels:
                continue
            assert set(sample.labels) == set(labels), (name, sample.labels)
            out[tuple(sample.labels[k] for k in labels)] = sample.value
        return out

    def value(self, name: str) -> float:
        (value,) = self.series(name).values()
        return value


async def scrape(port: int) -> Scrape:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as r:
        assert r.status == 200, r.status
        return Scrape(await r.text())


async def scrape_when(port: int, ready: Any, within: float = 10.0) -> Scrape:
    """Scrapes until `ready(scrape)` holds: the server settles a cancelled call
    after the client has moved on."""
    deadline = time.monotonic() + within
    while True:
        result = await scrape(port)
        if ready(result) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)
