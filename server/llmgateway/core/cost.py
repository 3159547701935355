"""The cost of a call: exact decimal money from its usage and the prices of the
deployment that served it.

Money is `Decimal`, never a float: per-token prices are fractions of a cent, and a
float summed call by call drifts. A model with no price has an unknown cost (None),
shown as such, never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from llmgateway.core.models import Pricing
from llmgateway.core.types import Usage

MILLION = Decimal(1_000_000)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Cost:
    """An amount of money. `estimated`: priced from estimated token counts."""

    amount: Decimal
    currency: str = "USD"
    estimated: bool = False


def _per_million(price: float) -> Decimal:
    # str() first: the decimal a person wrote in the price list, not the binary float.
    return Decimal(str(price))


def is_priced(pricing: Pricing | None) -> bool:
    """Whether the model has prices at all (else its cost is unknown)."""
    return pricing is not None and (pricing.input_per_million > 0 or pricing.output_per_million > 0)


def usage_cost(pricing: Pricing | None, usage: Usage) -> Cost | None:
    """The cost of `usage` at `pricing`; None when the model has no price.
    Cached prompt tokens are part of `prompt_tokens` and priced at the cached rate."""
    if pricing is None or not is_priced(pricing):
        return None
    cached = min(usage.cached_prompt_tokens, usage.prompt_tokens)
    cached_price = pricing.cached_input_per_million or pricing.input_per_million
    amount = (
        (usage.prompt_tokens - cached) * _per_million(pricing.input_per_million)
        + cached * _per_million(cached_price)
        + usage.completion_tokens * _per_million(pricing.output_per_million)
    ) / MILLION
    return Cost(amount, estimated=usage.estimated)


def worst_case_cost(pricing: Pricing | None, prompt_tokens: int, max_output_tokens: int) -> Cost | None:
    """The most a call may cost: every prompt token at the uncached input price and
    `max_output_tokens` of output. None when the model has no price."""
    return usage_cost(pricing, Usage(prompt_tokens, max_output_tokens))
