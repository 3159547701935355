"""The cost of a call: hand-computed cases per provider (the provider's own usage JSON
through the adapter's normalisation, at the bundled list's prices), and properties:
never negative, additive, unknown is never zero."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmgateway.core.attempts import build_plan
from llmgateway.core.calls import CacheStatus, CacheUse, Call
from llmgateway.core.cost import Cost, usage_cost, worst_case_cost
from llmgateway.core.deadline import Timeouts
from llmgateway.core.models import CooldownPolicy, Deployment, Model, Pricing, RetryPolicy
from llmgateway.core.types import Usage
from llmgateway.providers.anthropic.response import usage_from as anthropic_usage
from llmgateway.providers.gemini.response import parse_usage as gemini_usage
from llmgateway.providers.openai.response import parse_usage as openai_usage
from llmgateway.providers.prices import price_list

D = Decimal


def listed(model_id: str) -> Pricing:
    provider, _, upstream = model_id.partition("/")
    pricing = price_list().get(provider, upstream)
    assert pricing is not None, model_id
    return pricing


# (case, pricing, usage as the adapter normalised the provider's JSON, hand-computed USD)
CASES: list[tuple[str, Pricing, Usage, str]] = [
    (
        # 400 uncached x 0.15 + 600 cached x 0.075 + 200 x 0.60, per million
        "openai prompt_tokens include the cached ones",
        listed("openai/gpt-4o-mini"),
        openai_usage(
            {"prompt_tokens": 1000, "completion_tokens": 200, "prompt_tokens_details": {"cached_tokens": 600}}
        ),
        "0.000225",
    ),
    (
        # reasoning tokens are completion tokens, at the output price: 500 x 1.10 + 1500 x 4.40
        "openai reasoning tokens billed as output",
        listed("openai/o4-mini"),
        openai_usage(
            {
                "prompt_tokens": 500,
                "completion_tokens": 1500,
                "completion_tokens_details": {"reasoning_tokens": 1200},
            }
        ),
        "0.00715",
    ),
    (
        # a reasoning price apart: 500 x 1.10 + 300 x 4.40 + 1200 x 8.80
        "reasoning tokens at their own price",
        replace(listed("openai/o4-mini"), reasoning_per_million=D("8.80")),
        openai_usage(
            {
                "prompt_tokens": 500,
                "completion_tokens": 1500,
                "completion_tokens_details": {"reasoning_tokens": 1200},
            }
        ),
        "0.01243",
    ),
    (
        # input_tokens exclude the cache: 100 x 3 + 2000 read x 0.30 + 500 written x 3.75 + 300 x 15
        "anthropic cache read and write",
        listed("anthropic/claude-sonnet-4-5"),
        anthropic_usage(
            {
                "input_tokens": 100,
                "cache_read_input_tokens": 2000,
                "cache_creation_input_tokens": 500,
                "output_tokens": 300,
            }
        ),
        "0.007275",
    ),
    (
        # 50 x 5 + 10000 written x 6.25 + 1000 x 25
        "anthropic cache write only",
        listed("anthropic/claude-opus-4-5"),
        anthropic_usage({"input_tokens": 50, "cache_creation_input_tokens": 10000, "output_tokens": 1000}),
        "0.08775",
    ),
    (
        # promptTokenCount includes the cached 400; thoughts are output: 600 x 0.30 + 400 x 0.03 + 350 x 2.50
        "gemini cached content and thoughts",
        listed("gemini/gemini-2.5-flash"),
        gemini_usage(
            {
                "promptTokenCount": 1000,
                "cachedContentTokenCount": 400,
                "candidatesTokenCount": 100,
                "thoughtsTokenCount": 250,
            }
        ),
        "0.001067",
    ),
    ("embeddings by prompt tokens", listed("openai/text-embedding-3-small"), Usage(12345), "0.0002469"),
    (
        "images by count, size and quality",
        listed("openai/gpt-image-1"),
        Usage(images=2, image_size="1024x1024", image_quality="high"),
        "0.334",
    ),
    ("images at the `*` price", listed("mock/image"), Usage(images=3, image_size="512x512"), "0.03"),
    ("transcription by the minute", listed("openai/whisper-1"), Usage(audio_seconds=90.5), "0.00905"),
    ("speech by the character", listed("openai/tts-1"), Usage(characters=1000), "0.015"),
    ("a free model", Pricing(), Usage(1000, 1000), "0"),
]


@pytest.mark.parametrize(("pricing", "usage", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hand_computed_costs(pricing: Pricing, usage: Usage, expected: str) -> None:
    cost = usage_cost(pricing, usage)
    assert cost == Cost(D(expected), "USD")
    assert cost is not None and str(cost) == f"{expected} USD"


@pytest.mark.parametrize(
    ("pricing", "usage"),
    [
        (None, Usage(10, 10)),  # no price at all
        (listed("openai/gpt-image-1"), Usage(images=1)),  # no size/quality price, no `*`
        (listed("openai/gpt-image-1"), Usage(images=1, image_size="256x256", image_quality="low")),
        (listed("openai/gpt-4o"), Usage(audio_seconds=3.0)),  # audio the prices do not cover
        (listed("openai/gpt-4o"), Usage(characters=3)),
    ],
)
def test_unknown_cost_is_none_never_zero(pricing: Pricing | None, usage: Usage) -> None:
    assert usage_cost(pricing, usage) is None


def test_estimated_counts_give_an_estimated_cost_in_the_prices_currency() -> None:
    cost = usage_cost(Pricing(currency="EUR", input_per_million=D(1)), Usage(10, estimated=True))
    assert cost == Cost(D("0.00001"), "EUR", estimated=True)
    assert str(cost) == "0.00001 EUR estimated"


def test_worst_case_is_every_token_at_the_highest_price() -> None:
    pricing = listed("anthropic/claude-sonnet-4-5")
    # 1000 prompt tokens as cache writes (3.75) + 4000 output tokens at 15
    assert worst_case_cost(pricing, 1000, 4000) == Cost(D("0.06375"))
    assert worst_case_cost(None, 1000, 4000) is None
    actual = usage_cost(pricing, anthropic_usage({"input_tokens": 10, "cache_creation_input_tokens": 990}))
    assert actual is not None and actual.amount <= D("0.06375")


def test_a_call_costs_its_usage_at_its_deployments_prices_and_nothing_from_the_cache() -> None:
    own = Pricing(input_per_million=D(1), output_per_million=D(2))
    model = Model(
        "team/m",
        "mock",
        "echo",
        pricing=Pricing(input_per_million=D(10)),
        deployments=(Deployment("cheap", "mock", "echo", pricing=own), Deployment("same", "mock", "echo")),
    )
    plan = build_plan(model, RetryPolicy(), CooldownPolicy(), Timeouts(1, 1, 1, 1))
    assert [t.config.pricing for t in plan.targets] == [model.pricing, own, model.pricing]
    call = Call("Chat", "r1")
    assert call.cost is None  # nothing used yet
    call.pricing, call.usage = own, Usage(1000, 500)
    assert call.cost == Cost(D("0.002")) and call.cost is call.cost  # computed once per usage
    call.usage = Usage(2000, 500)
    assert call.cost == Cost(D("0.003"))
    assert call.saved is None  # the upstream answered: nothing saved
    call.cache = CacheUse(status=CacheStatus.HIT)
    assert call.cost == Cost(D(0)) and call.saved == Cost(D("0.003"))  # what the hit saved
    assert model.pricing_of("cheap") is own and model.pricing_of("same") is model.pricing
    assert model.pricing_of("primary") is model.pricing


def test_every_bundled_price_is_valid_and_dated() -> None:
    from llmgateway.registry.records import stored_violations

    prices = price_list()
    assert len(prices.date) == 10 and prices.date[4] == "-"
    for key, pricing in prices.prices.items():
        provider, _, upstream = key.partition("/")
        assert stored_violations(Model(key, provider, upstream, pricing=pricing)) == [], key


# -- properties -------------------------------------------------------------------------------
_price = st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False)
_count = st.integers(0, 10**8)


@st.composite
def pricings(draw: Any) -> Pricing:
    return Pricing(
        input_per_million=draw(_price),
        output_per_million=draw(_price),
        cached_input_per_million=draw(st.none() | _price),
        cache_write_per_million=draw(st.none() | _price),
        reasoning_per_million=draw(st.none() | _price),
        per_image={"*": draw(_price)},
        speech_per_million_characters=draw(_price),
    )


@st.composite
def usages(draw: Any) -> Usage:
    """A consistent usage: cached and written tokens within the prompt, reasoning within the output."""
    prompt, completion = draw(_count), draw(_count)
    cached = draw(st.integers(0, prompt))
    written = draw(st.integers(0, prompt - cached))
    reasoning = draw(st.integers(0, completion))
    return Usage(
        prompt,
        completion,
        cached,
        reasoning,
        written,
        images=draw(st.integers(0, 10)),
        characters=draw(st.integers(0, 10**6)),
    )


def _sum(a: Usage, b: Usage) -> Usage:
    return Usage(
        a.prompt_tokens + b.prompt_tokens,
        a.completion_tokens + b.completion_tokens,
        a.cached_prompt_tokens + b.cached_prompt_tokens,
        a.reasoning_tokens + b.reasoning_tokens,
        a.cache_write_tokens + b.cache_write_tokens,
        images=a.images + b.images,
        characters=a.characters + b.characters,
    )


@given(pricings(), st.builds(Usage, *(st.integers(-(10**9), 10**9) for _ in range(5))))
def test_cost_is_never_negative_even_for_inconsistent_counts(pricing: Pricing, usage: Usage) -> None:
    cost = usage_cost(pricing, usage)
    assert cost is not None and cost.amount >= 0


@given(pricings(), usages(), usages())
def test_cost_is_additive(pricing: Pricing, a: Usage, b: Usage) -> None:
    cost_a, cost_b = usage_cost(pricing, a), usage_cost(pricing, b)
    assert cost_a is not None and cost_b is not None
    assert cost_a + cost_b == usage_cost(pricing, _sum(a, b))


@given(pricings(), usages(), st.integers(0, 10**8))
def test_the_worst_case_bounds_every_outcome_within_it(pricing: Pricing, usage: Usage, extra: int) -> None:
    text_only = replace(usage, images=0, characters=0)
    worst = worst_case_cost(pricing, usage.prompt_tokens, usage.completion_tokens + extra)
    actual = usage_cost(pricing, text_only)
    assert worst is not None and actual is not None and actual.amount <= worst.amount
