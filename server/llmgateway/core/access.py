"""The `keys` policy: what an API key may do beyond being valid."""

from __future__ import annotations

from llmgateway.core.calls import Call
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.pipeline import Admit, Outcome, Request


class KeyPermissions:
    """A call made with an API key may use only the models the key allows
    (PERMISSION_DENIED otherwise). Calls without a key (auth off) pass."""

    wants_result = False
    settles = False  # nothing to settle

    def admit(self, call: Call, request: Request) -> Admit | None:
        principal = call.principal
        if principal is not None and not principal.models.allows(request.model):
            raise GatewayError(
                Reason.PERMISSION_DENIED,
                f"this API key may not use model {request.model!r}",
                metadata={"model": request.model},
            )
        return None

    def settle(self, call: Call, outcome: Outcome) -> None:
        return None
