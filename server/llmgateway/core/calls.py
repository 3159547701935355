"""Per-call facts gathered while a request is served, for the log line and spans."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from llmgateway.core.types import Usage


@dataclass(slots=True)
class CallInfo:
    method: str
    request_id: str
    deadline: float | None = None  # absolute time.monotonic() of the caller's deadline
    registry_revision: str = ""  # the registry snapshot that served the call
    started: float = field(default_factory=time.perf_counter)
    model: str = ""
    provider: str = ""
    upstream_model: str = ""
    deployment: str = ""  # the deployment of `model` that served (or was tried last)
    attempts: int = 0  # upstream attempts made, retries and fallbacks included
    first_token_at: float | None = None
    usage: Usage | None = None
    chunks: int = 0

    def mark_first_token(self) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()

    @property
    def ttft_ms(self) -> float | None:
        return None if self.first_token_at is None else (self.first_token_at - self.started) * 1000.0
