"""The cost of a call: exact decimal money from its usage and the prices of the
deployment that served it.

Money is `Decimal`, never a float: per-token prices are fractions of a cent, and a
float summed call by call drifts. A model with no price has an unknown cost (None),
shown as such, never as zero; so is a usage the prices do not cover (images of a
size the model has no price for, audio of a model priced by tokens only).

Usage is priced as the providers bill it (`core.types.Usage` is normalised by the
adapters): prompt tokens read from the prompt cache at the cached-input price,
those written to it at the cache-write price, the rest at the input price;
reasoning tokens (part of the completion tokens) at the reasoning price, the rest
at the output price; images per image by size and quality; transcribed audio per
minute; synthesized speech per million characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from llmgateway.core.fields import plain
from llmgateway.core.models import Pricing
from llmgateway.core.types import Usage

MILLION = Decimal(1_000_000)
ZERO = Decimal(0)
SIXTY = Decimal(60)


@dataclass(frozen=True, slots=True)
class Cost:
    """An amount of money. `estimated`: priced from estimated token counts."""

    amount: Decimal
    currency: str = "USD"
    estimated: bool = False

    def __add__(self, other: Cost) -> Cost:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Cost(self.amount + other.amount, self.currency, self.estimated or other.estimated)

    def __str__(self) -> str:
        """`0.000123 USD`, with ` estimated` when priced from estimated counts."""
        text = f"{plain(self.amount)} {self.currency}"
        return f"{text} estimated" if self.estimated else text


def usage_cost(pricing: Pricing | None, usage: Usage) -> Cost | None:
    """The cost of `usage` at `pricing`; None when the model has no price or the
    prices do not cover part of the usage."""
    if pricing is None:
        return None
    prompt = max(usage.prompt_tokens, 0)
    completion = max(usage.completion_tokens, 0)
    input_price = pricing.input_per_million
    output_price = pricing.output_per_million
    # Every token at the base price, then each kind's difference: exact, and the common
    # case (no cache, no reasoning) costs two multiplications.
    tokens = prompt * input_price + completion * output_price
    cached = min(max(usage.cached_prompt_tokens, 0), prompt)
    if cached and pricing.cached_input_per_million is not None:
        tokens += cached * (pricing.cached_input_per_million - input_price)
    written = min(max(usage.cache_write_tokens, 0), prompt - cached)
    if written and pricing.cache_write_per_million is not None:
        tokens += written * (pricing.cache_write_per_million - input_price)
    reasoning = min(max(usage.reasoning_tokens, 0), completion)
    if reasoning and pricing.reasoning_per_million is not None:
        tokens += reasoning * (pricing.reasoning_per_million - output_price)
    if usage.characters > 0:
        if pricing.speech_per_million_characters is None:
            return None
        tokens += usage.characters * pricing.speech_per_million_characters
    amount = tokens / MILLION
    if usage.images > 0:
        per_image = pricing.image_price(usage.image_size, usage.image_quality)
        if per_image is None:
            return None
        amount += usage.images * per_image
    if usage.audio_seconds > 0:
        if pricing.audio_per_minute is None:
            return None
        amount += Decimal(repr(usage.audio_seconds)) * pricing.audio_per_minute / SIXTY
    return Cost(amount, pricing.currency, usage.estimated)


def worst_case_cost(pricing: Pricing | None, prompt_tokens: int, max_output_tokens: int) -> Cost | None:
    """The most a call may cost: every prompt token at the highest input price (a
    cache write may cost more than a plain input token) and `max_output_tokens` of
    output at the highest output price. None when the model has no price."""
    if pricing is None:
        return None
    input_price = max(
        pricing.input_per_million,
        _or(pricing.cache_write_per_million, ZERO),
        _or(pricing.cached_input_per_million, ZERO),
    )
    output_price = max(pricing.output_per_million, _or(pricing.reasoning_per_million, ZERO))
    amount = (max(prompt_tokens, 0) * input_price + max(max_output_tokens, 0) * output_price) / MILLION
    return Cost(amount, pricing.currency)


def _or(price: Decimal | None, default: Decimal) -> Decimal:
    return default if price is None else price
