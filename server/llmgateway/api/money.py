"""A call's cost on the wire: the `Cost` message of the data plane's responses and the
`x-llmgateway-cost` trailer (`0.000123 USD`, `0.000123 USD estimated` or `unknown`)."""

from __future__ import annotations

from typing import Any

from llmgateway.core.calls import Call
from llmgateway.core.fields import plain

COST_TRAILER = "x-llmgateway-cost"
UNKNOWN = "unknown"
_UNKNOWN_COST: dict[str, Any] = {}  # a Cost without money: unknown


def cost_message(call: Call) -> dict[str, Any]:
    """The call's `Cost` (as a dict for the response's constructor): money unset when
    the cost is unknown."""
    cost = call.cost
    if cost is None:
        return _UNKNOWN_COST
    return {
        "money": {"currency_code": cost.currency, "amount": plain(cost.amount)},
        "estimated": cost.estimated,
    }


def cost_trailer(call: Call) -> tuple[tuple[str, str], ...]:
    """The cost trailer of a data-plane call that something answered (none before that,
    nor for the management plane)."""
    if call.served is None and call.usage is None:
        return ()
    cost = call.cost
    return ((COST_TRAILER, UNKNOWN if cost is None else str(cost)),)
