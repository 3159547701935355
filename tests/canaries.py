"""Canary secrets, and the guard that proves none of them leaves the gateway.

Every secret the tests configure comes from here (fresh values each session): the
admin token and the provider key sent to the emulators. `LeakGuard` looks at what a
caller or an operator could see of the gateway during one test:
- every log line, as the gateway's own formatter writes it (a root-logger handler);
- every response message, header, trailer and error message that reaches a test stub
  (client interceptors on every `grpc.aio` channel the test opens);
- every exported span (the OTLP collector of tests/integration/test_tracing.py);
- the log lines of the live gateway process of tests/clients/;
and `check()` fails when any of it carries a canary, whole or its first characters.
tests/conftest.py runs it after every test under tests/integration/ and tests/clients/.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import grpc
import pytest

from llmgateway.telemetry.logs import JsonFormatter


def canary(kind: str, prefix: str = "") -> str:
    """A secret-shaped value: `{prefix}canary-{kind}-` and 32 random hex digits."""
    return f"{prefix}canary-{kind}-{secrets.token_hex(16)}"


ADMIN_TOKEN = canary("admin")
PROVIDER_KEY = canary("provider", "sk-")
PROVIDER_KEY_ENV = "CANARY_PROVIDER_API_KEY"  # allowed by the default policy (*_API_KEY)
CANARIES = (ADMIN_TOKEN, PROVIDER_KEY)


class LeakGuard:
    """Collects the canaries found in what a test saw; `check` fails the test."""

    def __init__(self, canaries: Iterable[str] = CANARIES) -> None:
        self._needles: list[str] = []
        self.leaks: list[str] = []
        for value in canaries:
            self.add_canary(value)

    def add_canary(self, value: str) -> None:
        # The value, and 12 of its random digits: an echo of its start only is a leak too.
        self._needles += [value, value[-32:-20]]

    def observe(self, where: str, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("latin-1")  # binary trailers carry their strings as UTF-8 bytes
        for needle in self._needles:
            at = text.find(needle)
            if at >= 0:
                self.leaks.append(f"{where}: ...{text[max(at - 80, 0) : at + len(needle) + 20]}...")
                return

    def observe_metadata(self, where: str, metadata: Any) -> None:
        for key, value in metadata or ():
            self.observe(f"{where} {key}", value)

    def observe_error(self, where: str, error: grpc.aio.AioRpcError) -> None:
        self.observe(f"{where} status message", error.details() or "")
        self.observe_metadata(f"{where} headers", error.initial_metadata())
        self.observe_metadata(f"{where} trailers", error.trailing_metadata())

    def forget(self) -> list[str]:
        """The leaks found so far, cleared (for the guard's own tests)."""
        leaks, self.leaks = self.leaks, []
        return leaks

    def check(self) -> None:
        if self.leaks:
            found = "\n".join(self.leaks[:10])
            pytest.fail(f"{len(self.leaks)} canary secret(s) left the gateway:\n{found}", pytrace=False)

    @contextmanager
    def watching(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[LeakGuard]:
        """Watches the logs and every `grpc.aio` channel opened meanwhile."""
        handler = _LogLines(self)
        root = logging.getLogger()
        level = root.level
        root.addHandler(handler)
        root.setLevel(min(level, logging.INFO))  # the per-call lines are INFO
        interceptors = [_UnaryUnary(self), _UnaryStream(self)]
        for name in ("insecure_channel", "secure_channel"):
            monkeypatch.setattr(grpc.aio, name, _with_interceptors(getattr(grpc.aio, name), interceptors))
        try:
            yield self
        finally:
            root.removeHandler(handler)
            root.setLevel(level)


class _LogLines(logging.Handler):
    def __init__(self, guard: LeakGuard) -> None:
        super().__init__()
        self.guard = guard
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.guard.observe("log line", self.format(record))


def _with_interceptors(factory: Any, interceptors: list[Any]) -> Any:
    def create(*args: Any, **kwargs: Any) -> Any:
        kwargs["interceptors"] = [*(kwargs.get("interceptors") or ()), *interceptors]
        return factory(*args, **kwargs)

    return create


class _UnaryUnary(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, guard: LeakGuard) -> None:
        self.guard = guard

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        call = await continuation(details, request)
        where = details.method.decode() if isinstance(details.method, bytes) else details.method
        try:
            response = await call
        except grpc.aio.AioRpcError as error:
            self.guard.observe_error(where, error)
        else:
            self.guard.observe(f"{where} response", str(response))
            self.guard.observe_metadata(f"{where} headers", await call.initial_metadata())
            self.guard.observe_metadata(f"{where} trailers", await call.trailing_metadata())
        return call  # awaited again by the test: the same response or error


class _UnaryStream(grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, guard: LeakGuard) -> None:
        self.guard = guard

    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        where = details.method.decode() if isinstance(details.method, bytes) else details.method
        return _ObservedStream(await continuation(details, request), self.guard, where)


class _ObservedStream(grpc.aio.UnaryStreamCall):  # type: ignore[type-arg]
    """The stream call itself (read, iteration, cancel, metadata), with every message,
    the metadata and the final status shown to the guard."""

    def __init__(self, call: Any, guard: LeakGuard, where: str) -> None:
        self._call, self._guard, self._where = call, guard, where
        self._headers_seen = False

    async def _seen(self, message: Any) -> None:
        if message is grpc.aio.EOF:
            self._guard.observe_metadata(f"{self._where} trailers", await self._call.trailing_metadata())
            return
        if not self._headers_seen:
            self._headers_seen = True
            self._guard.observe_metadata(f"{self._where} headers", await self._call.initial_metadata())
        self._guard.observe(f"{self._where} message", str(message))

    async def read(self) -> Any:
        try:
            message = await self._call.read()
        except grpc.aio.AioRpcError as error:
            self._guard.observe_error(self._where, error)
            raise
        await self._seen(message)
        return message

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while (message := await self.read()) is not grpc.aio.EOF:
            yield message

    def cancel(self) -> bool:
        return bool(self._call.cancel())

    def cancelled(self) -> bool:
        return bool(self._call.cancelled())

    def done(self) -> bool:
        return bool(self._call.done())

    def time_remaining(self) -> float | None:
        remaining: float | None = self._call.time_remaining()
        return remaining

    def add_done_callback(self, callback: Any) -> None:
        self._call.add_done_callback(callback)

    async def initial_metadata(self) -> Any:
        return await self._call.initial_metadata()

    async def trailing_metadata(self) -> Any:
        return await self._call.trailing_metadata()

    async def code(self) -> grpc.StatusCode:
        code: grpc.StatusCode = await self._call.code()
        return code

    async def details(self) -> str:
        details: str = await self._call.details()
        return details

    async def wait_for_connection(self) -> None:
        await self._call.wait_for_connection()
