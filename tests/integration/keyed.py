"""A user policy for the session tests: the call's `user` field stands for the caller's
API key (its id, and a `team` label), so that ownership by key is tested through the
real server while API keys are configured elsewhere. Configured by dotted path
before the `sessions` policy: `pipeline.policies: [tests.integration.keyed.UserAsKey,
sessions]`."""

from __future__ import annotations

from typing import Any

from llmgateway.core.calls import Call, Principal
from llmgateway.core.pipeline import Admit, Outcome, Request
from llmgateway.core.types import ChatRequest

SPEC = "tests.integration.keyed.UserAsKey"


class UserAsKey:
    wants_result = False

    def __init__(self, components: Any) -> None:
        del components

    async def admit(self, call: Call, request: Request) -> Admit | None:
        if isinstance(request, ChatRequest) and request.user:
            call.principal = Principal(request.user, labels={"team": request.user.upper()})
        return None

    async def settle(self, call: Call, outcome: Outcome) -> None:
        return None
