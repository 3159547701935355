"""Structured logging: the `extra` fields of a record become fields of the line,
either as one JSON object per line or as `key=value` pairs after the message.
Every line is scrubbed of the secrets the process knows (core/secrets.py). And the
log observer of the pipeline."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson

from llmgateway.core.calls import ADMIN_METHOD_PREFIX, AttemptRecord, Call
from llmgateway.core.secrets import scrub

BAD_INPUT_LINES = 10
BAD_INPUT_WINDOW_S = 10.0

_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and v is not None and v != ""}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return scrub(orjson.dumps(entry, default=str).decode())


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        pairs = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        return scrub(f"{line} {pairs}" if pairs else line)


class _Worker(logging.Filter):
    """Names the server process in every line (several workers: 1..N, their parent 0)."""

    def __init__(self, worker: int) -> None:
        super().__init__()
        self.worker = worker

    def filter(self, record: logging.LogRecord) -> bool:
        record.worker = self.worker
        return True


def configure_logging(level: str, json_format: bool, worker: int | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_format else TextFormatter())
    if worker is not None:
        handler.addFilter(_Worker(worker))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


class LogObserver:
    """One structured line per call (`llmgateway.calls`; admin calls as audit lines on
    `llmgateway.admin`, naming the caller's address) and per upstream attempt
    (`llmgateway.attempts`). Invalid requests are described at WARNING, at most
    `BAD_INPUT_LINES` times per `BAD_INPUT_WINDOW_S`, without a stack trace."""

    def __init__(self) -> None:
        self.calls = logging.getLogger("llmgateway.calls")
        self.audit = logging.getLogger("llmgateway.admin")
        self.attempts = logging.getLogger("llmgateway.attempts")
        self.bad_input = RateLimitedLog(
            logging.getLogger("llmgateway.bad_input"), BAD_INPUT_LINES, BAD_INPUT_WINDOW_S
        )

    def attempt_ended(self, call: Call, attempt: AttemptRecord) -> None:
        level = logging.INFO if attempt.outcome == "OK" else logging.WARNING
        if not self.attempts.isEnabledFor(level):
            return
        self.attempts.log(
            level,
            "attempt",
            extra={
                "request_id": call.request_id,
                "model": attempt.model,
                "deployment": attempt.deployment,
                "provider": attempt.provider,
                "outcome": attempt.outcome,
                "latency_ms": round(attempt.duration_s * 1000.0, 2),
                "attempt": attempt.number,
                "wait_ms": round(attempt.wait_s * 1000.0, 1),
            },
        )

    def call_ended(self, call: Call) -> None:
        error = call.error
        if error is not None and error.field_violations:
            self.bad_input.warning(
                "invalid request",
                extra={
                    "request_id": call.request_id,
                    "method": call.method,
                    "client": call.client,
                    "violations": [f"{f}: {d}"[:200] for f, d in error.field_violations[:5]],
                },
            )
        if call.method.startswith(ADMIN_METHOD_PREFIX):
            self._audit(call)
            return
        if not self.calls.isEnabledFor(logging.INFO):
            return
        usage, served, route = call.usage, call.served, call.route
        ttft, cost = call.ttft_ms, call.cost
        self.calls.info(
            "call",
            extra={
                "request_id": call.request_id,
                "method": call.method,
                "model": served.model if served else call.model,
                "provider": served.provider if served else None,
                "deployment": served.deployment if served else None,
                "attempts": call.attempts or None,
                "status": call.status,
                "reason": error.reason.value if error else "",
                "latency_ms": round(call.latency_ms, 2),
                "ttft_ms": None if ttft is None else round(ttft, 2),
                "prompt_tokens": usage.prompt_tokens if usage else None,
                "completion_tokens": usage.completion_tokens if usage else None,
                "cache": call.cache.status if call.cache else None,
                "virtual_model": route.virtual_model if route else None,
                "rule": route.rule if route else None,
                "session_id": route.session_id if route else None,
                "cost": str(cost) if cost else ("unknown" if served or usage else None),
                "tags": dict(call.tags) if call.tags else None,
            },
        )

    def _audit(self, call: Call) -> None:
        error = call.error
        self.audit.info(
            "admin call",
            extra={
                "request_id": call.request_id,
                "method": call.method.removeprefix(ADMIN_METHOD_PREFIX),
                "target": call.target,
                "client": call.client,
                "status": call.status,
                "reason": error.reason.value if error else "",
                "latency_ms": round(call.latency_ms, 2),
            },
        )


class RateLimitedLog:
    """At most `limit` lines per `window_s` seconds; the next line after a window with
    suppressed ones says how many were left out."""

    def __init__(self, logger: logging.Logger, limit: int, window_s: float) -> None:
        self.logger = logger
        self.limit = limit
        self.window_s = window_s
        self._window_start = 0.0
        self._count = 0
        self._suppressed = 0

    def warning(self, msg: str, extra: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self._window_start >= self.window_s:
            if self._suppressed:
                extra = {**extra, "suppressed_before": self._suppressed}
            self._window_start, self._count, self._suppressed = now, 0, 0
        if self._count >= self.limit:
            self._suppressed += 1
            return
        self._count += 1
        self.logger.warning(msg, extra=extra)
